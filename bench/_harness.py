"""Shared set-up for benchmarks: Django on the database in DATABASE_URL (created if missing),
migrated and vacuumed. Each benchmark prints its own ratio as its last line."""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mentorship.settings")
# Production-like: DEBUG off (cached template loader, no query log), with a throwaway key.
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-not-for-production-use-0123456789")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")


def setup() -> None:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        import dj_database_url
        import psycopg

        config = dj_database_url.parse(url)
        admin = psycopg.connect(
            dbname="postgres",
            user=config["USER"],
            password=config["PASSWORD"] or None,
            host=config["HOST"],
            port=config["PORT"] or 5432,
            autocommit=True,
        )
        exists = admin.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]
        ).fetchone()
        if not exists:
            admin.execute(f'CREATE DATABASE "{config["NAME"]}"')
        admin.close()

    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    # `make bench` runs every script on one database, and several seed a million rows in a
    # transaction they roll back: the dead rows stay in the tables until a vacuum, and the next
    # script's reads wade through them (the per-day export measured 2.0x its COPY instead of
    # 1.2x after the report benchmark). Each starts from a vacuumed database.
    vacuum_analyze()


def vacuum_analyze() -> None:
    """VACUUM ANALYZE as the tables' owner: the application role owns nothing, and PostgreSQL
    skips (with a warning) every table its caller does not own, leaving dead rows and the
    planner with the statistics of an empty database."""
    import dj_database_url
    import psycopg

    url = os.environ.get("MIGRATE_DATABASE_URL") or os.environ["DATABASE_URL"]
    config = dj_database_url.parse(url)
    with psycopg.connect(
        dbname=config["NAME"],
        user=config["USER"],
        password=config["PASSWORD"] or None,
        host=config["HOST"],
        port=config["PORT"] or 5432,
        autocommit=True,
    ) as owner:
        owner.execute("VACUUM ANALYZE")

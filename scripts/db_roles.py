"""The two PostgreSQL roles the app runs with, created on a server we administer.

`provision(admin_url)` takes a superuser's URL (the local or throwaway server of `make test`,
the embedded one of `make run`) and returns (app_url, owner_url) for the same database:

- the owner role (DATABASE_OWNER_ROLE, default mentorship_owner) owns the database and so its
  schema: `manage.py migrate` runs as it (MIGRATE_DATABASE_URL). It may create databases, which
  the test suite needs for its test_ database.
- the application role (DATABASE_APP_ROLE, default mentorship_app) owns nothing; the migration
  mentorship 0003 grants it row access, and only INSERT/SELECT on the audit table (DATABASE_URL).

Roles are cluster-wide and other runs may share the cluster at the same moment: each role is
created only if missing, and losing that race to another run is fine. Passwords are set only when
DATABASE_OWNER_PASSWORD / DATABASE_APP_PASSWORD are given (the servers here trust local logins).
"""

from __future__ import annotations

import contextlib
import os
from urllib.parse import quote, urlsplit, urlunsplit

OWNER_ROLE = os.environ.get("DATABASE_OWNER_ROLE", "mentorship_owner")
APP_ROLE = os.environ.get("DATABASE_APP_ROLE", "mentorship_app")


def with_user(url: str, user: str, password: str | None) -> str:
    """`url` logging in as `user` instead."""
    parts = urlsplit(url)
    host = parts.netloc.rsplit("@", 1)[-1]
    login = quote(user, safe="") + (f":{quote(password, safe='')}" if password else "")
    return urlunsplit(parts._replace(netloc=f"{login}@{host}"))


def _create_role(conn, name: str, options: str, password: str | None) -> None:
    from psycopg import errors, sql

    if not conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [name]).fetchone():
        # Another run on this cluster may create it between our look and our CREATE.
        with contextlib.suppress(errors.DuplicateObject, errors.UniqueViolation):
            conn.execute(sql.SQL("CREATE ROLE {} " + options).format(sql.Identifier(name)))
    if password:
        conn.execute(
            sql.SQL("ALTER ROLE {} PASSWORD {}").format(sql.Identifier(name), sql.Literal(password))
        )


def _adopt(url: str, database: str) -> None:
    """Hand tables made before the roles existed (by the superuser) to the owner role, so the
    next `migrate` may alter them and grant on them."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(url, autocommit=True) as conn:
        tables = conn.execute(
            "SELECT c.oid::regclass::text FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm') "
            "AND pg_get_userbyid(c.relowner) <> %s",
            [OWNER_ROLE],
        ).fetchall()
        for (table,) in tables:
            conn.execute(
                sql.SQL("ALTER TABLE {} OWNER TO {}").format(
                    sql.SQL(table), sql.Identifier(OWNER_ROLE)
                )
            )


def provision(admin_url: str) -> tuple[str, str]:
    import psycopg
    from psycopg import errors, sql

    database = urlsplit(admin_url).path.lstrip("/")
    owner_password = os.environ.get("DATABASE_OWNER_PASSWORD") or None
    app_password = os.environ.get("DATABASE_APP_PASSWORD") or None
    maintenance = urlunsplit(urlsplit(admin_url)._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as conn:
        _create_role(conn, OWNER_ROLE, "LOGIN CREATEDB NOSUPERUSER NOCREATEROLE", owner_password)
        _create_role(
            conn, APP_ROLE, "LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT", app_password
        )
        owner = sql.Identifier(OWNER_ROLE)
        # The test suite's database too: the owner role drops and recreates it each run.
        for name in (database, f"test_{database}"):
            row = conn.execute(
                "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = %s", [name]
            ).fetchone()
            if row is None and name == database:
                with contextlib.suppress(errors.DuplicateDatabase):
                    conn.execute(
                        sql.SQL("CREATE DATABASE {} OWNER {}").format(sql.Identifier(name), owner)
                    )
            elif row is not None and row[0] != OWNER_ROLE:
                conn.execute(
                    sql.SQL("ALTER DATABASE {} OWNER TO {}").format(sql.Identifier(name), owner)
                )
                if name == database:
                    _adopt(admin_url, name)
    return (
        with_user(admin_url, APP_ROLE, app_password),
        with_user(admin_url, OWNER_ROLE, owner_password),
    )

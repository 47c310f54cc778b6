"""A connection to the test database as the owner role, for the few tests that must change the
schema or its triggers (the suite itself runs as the application role, which may not)."""

from contextlib import contextmanager

import psycopg
from django.conf import settings
from django.db import connection


@contextmanager
def owner_connection():
    db = connection.settings_dict
    owner = settings.DATABASE_OWNER_CREDENTIALS or {k: db[k] for k in ("USER", "PASSWORD")}
    with psycopg.connect(
        host=db["HOST"] or None,
        port=db["PORT"] or None,
        dbname=db["NAME"],
        user=owner["USER"],
        password=owner["PASSWORD"] or None,
    ) as conn:
        # A test's own open transaction holding a lock must fail the test, not hang it.
        conn.execute("SET lock_timeout = '10s'")
        conn.commit()
        yield conn

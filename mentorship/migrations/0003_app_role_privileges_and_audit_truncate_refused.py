"""The application's database role gets exactly what the app uses, and no more.

Migrations run as the owner role (MIGRATE_DATABASE_URL); the app connects as DATABASE_URL's
role, which owns nothing, so it cannot TRUNCATE, ALTER TABLE ... DISABLE TRIGGER or drop the
audit trail's triggers, and (not being a superuser) cannot SET session_replication_role =
replica to skip them. Here it gets row access to every table and use of every sequence, now and
-- through ALTER DEFAULT PRIVILEGES -- for every table later migrations create; on the audit
table only INSERT and SELECT. A statement trigger refuses TRUNCATE of the audit table whoever
asks (0002 covers UPDATE and DELETE row by row, which TRUNCATE never fires); the owner must
disable it first, on purpose (the test suite's flush does, as the owner).

Without MIGRATE_DATABASE_URL one role does both and there is nobody to grant to: that set-up
keeps the triggers only.
"""

from django.conf import settings
from django.db import migrations

AUDIT_TABLE = "mentorship_auditentry"

# Reuses 0002's function, which raises for whatever TG_OP fired it.
CREATE_TRUNCATE_TRIGGER = f"""
CREATE TRIGGER mentorship_auditentry_no_truncate
    BEFORE TRUNCATE ON {AUDIT_TABLE}
    FOR EACH STATEMENT EXECUTE FUNCTION mentorship_audit_append_only();
"""
DROP_TRUNCATE_TRIGGER = (
    f"DROP TRIGGER IF EXISTS mentorship_auditentry_no_truncate ON {AUDIT_TABLE};"
)


def app_role(schema_editor) -> str | None:
    """The role to grant to, quoted; None when the app connects as the migrating role."""
    role = settings.DATABASE_APP_ROLE
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        if not role or cursor.fetchone()[0] == role:
            return None
    return schema_editor.quote_name(role)


def grant(apps, schema_editor):
    role = app_role(schema_editor)
    if role is None:
        return
    for statement in (
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}",
        # Tables and sequences this (owner) role creates from now on: later migrations.
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public "
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {role}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {role}",
        # Append-only for the app: write a new entry and read them, nothing else. PUBLIC too,
        # so no grant to everyone lets the role back in.
        f"REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON {AUDIT_TABLE} FROM {role}",
        f"REVOKE ALL ON {AUDIT_TABLE} FROM PUBLIC",
    ):
        schema_editor.execute(statement)


def revoke(apps, schema_editor):
    role = app_role(schema_editor)
    if role is None:
        return
    for statement in (
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON TABLES FROM {role}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON SEQUENCES FROM {role}",
        f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {role}",
        f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {role}",
    ):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("mentorship", "0002_audit_append_only")]

    operations = [
        migrations.RunSQL([CREATE_TRUNCATE_TRIGGER], [DROP_TRUNCATE_TRIGGER]),
        migrations.RunPython(grant, revoke, elidable=False),
    ]

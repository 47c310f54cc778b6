"""On PostgreSQL the database itself refuses UPDATE and DELETE of audit entries, so not even a
bug or a shell session in the app can rewrite history. (TRUNCATE stays possible for the
test-suite's flush and for a deliberate, privileged purge.)"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION mentorship_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit entries are append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER mentorship_auditentry_append_only
    BEFORE UPDATE OR DELETE ON mentorship_auditentry
    FOR EACH ROW EXECUTE FUNCTION mentorship_audit_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS mentorship_auditentry_append_only ON mentorship_auditentry;
DROP FUNCTION IF EXISTS mentorship_audit_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("mentorship", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]

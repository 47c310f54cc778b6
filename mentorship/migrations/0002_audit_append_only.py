"""The database itself refuses UPDATE and DELETE of audit entries, so not even a
bug or a shell session in the app can rewrite history. (TRUNCATE stays possible for the
test-suite's flush and for a deliberate, privileged purge.)"""

from django.db import migrations

# Statements go to RunSQL in lists, which it runs as they are; a plain string it would split
# with sqlparse, which need not understand the $$-quoted function body.
CREATE_FUNCTION = """
CREATE OR REPLACE FUNCTION mentorship_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit entries are append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""

CREATE_TRIGGER = """
CREATE TRIGGER mentorship_auditentry_append_only
    BEFORE UPDATE OR DELETE ON mentorship_auditentry
    FOR EACH ROW EXECUTE FUNCTION mentorship_audit_append_only();
"""

DROP_TRIGGER = "DROP TRIGGER IF EXISTS mentorship_auditentry_append_only ON mentorship_auditentry;"
DROP_FUNCTION = "DROP FUNCTION IF EXISTS mentorship_audit_append_only();"


class Migration(migrations.Migration):
    dependencies = [("mentorship", "0001_initial")]

    operations = [
        migrations.RunSQL([CREATE_FUNCTION], [DROP_FUNCTION]),
        migrations.RunSQL([CREATE_TRIGGER], [DROP_TRIGGER]),
    ]

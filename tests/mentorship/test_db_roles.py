"""Hole 5: the application's database role cannot erase the audit trail.

The suite runs as the application role (tests/conftest.py; `make test` creates both roles), so
these statements are the app's own connection trying every way there is to remove or rewrite
audit entries: each must be refused by PostgreSQL for lack of privilege, while writing and
reading entries keeps working. On main the app connected as the table's owner, a superuser,
and every one of these succeeded.
"""

import psycopg
import pytest
from django.conf import settings
from django.db import DatabaseError, connection, transaction

from mentorship.audit import audit_record
from mentorship.models import AuditEntry
from tests.dbroles import owner_connection

pytestmark = pytest.mark.django_db

INSUFFICIENT_PRIVILEGE = "42501"
INSERT_ONE = (
    "INSERT INTO mentorship_auditentry (at, action, object_type, object_id, fields) "
    "VALUES (now(), 'login', 'user', '1', '[]')"
)

ERASING = [
    "UPDATE mentorship_auditentry SET action = 'view'",
    "DELETE FROM mentorship_auditentry",
    "TRUNCATE mentorship_auditentry",
    "ALTER TABLE mentorship_auditentry DISABLE TRIGGER USER",
    "ALTER TABLE mentorship_auditentry DISABLE TRIGGER ALL",
    "DROP TRIGGER mentorship_auditentry_append_only ON mentorship_auditentry",
    "SET session_replication_role = replica",
    "DROP TABLE mentorship_auditentry",
    "CREATE TABLE scratch (id int)",
]


def test_the_app_connects_as_a_separate_role_that_is_no_superuser_and_owns_nothing():
    assert settings.DATABASE_OWNER_CREDENTIALS, (
        "MIGRATE_DATABASE_URL is unset: the app and the migrations share one role. Run the suite "
        "through `make test` (scripts/with_services.py creates both roles) or set both URLs."
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_user, rolsuper, rolcreaterole, rolcreatedb, rolbypassrls "
            "FROM pg_roles WHERE rolname = current_user"
        )
        user, *powers = cursor.fetchone()
        assert user == settings.DATABASE_APP_ROLE != settings.DATABASE_OWNER_CREDENTIALS["USER"]
        assert powers == [False, False, False, False]
        cursor.execute(
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND c.relowner = (SELECT oid FROM pg_roles "
            "WHERE rolname = current_user)"
        )
        assert cursor.fetchone()[0] == 0


@pytest.mark.parametrize("statement", ERASING)
def test_the_app_role_cannot_erase_or_rewrite_audit_entries(statement):
    audit_record(actor=None, action=AuditEntry.Action.LOGIN, object_type="user", object_id="1")
    with (
        pytest.raises(DatabaseError) as refused,
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement)
    assert refused.value.__cause__.sqlstate == INSUFFICIENT_PRIVILEGE, refused.value
    assert AuditEntry.objects.filter(action=AuditEntry.Action.LOGIN).count() == 1


def test_the_app_role_writes_and_reads_audit_entries():
    entry = audit_record(
        actor=None, action=AuditEntry.Action.EXPORT, object_type="report", object_id="7"
    )
    assert AuditEntry.objects.get(pk=entry.pk).object_id == "7"


def test_the_app_role_keeps_full_row_access_to_ordinary_tables():
    from tests import factories

    program = factories.ProgramFactory()
    program.name = "Renamed"
    program.save()
    program.delete()


def test_even_the_owner_is_refused_truncate_update_and_delete_by_the_triggers():
    """The statement trigger: erasing the trail takes disabling it first, on purpose."""
    if not settings.DATABASE_OWNER_CREDENTIALS:
        pytest.fail("MIGRATE_DATABASE_URL is unset: see the first test.")
    with owner_connection() as conn:
        for statement, operation in (
            ("TRUNCATE mentorship_auditentry", "TRUNCATE"),
            # 0002's row triggers; they fire only if there is a row.
            (INSERT_ONE, None),
            ("UPDATE mentorship_auditentry SET action = 'view'", "UPDATE"),
            ("DELETE FROM mentorship_auditentry", "DELETE"),
        ):
            if operation is None:
                conn.execute(statement)
                continue
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match=f"{operation} refused"):
                conn.execute(statement)
            conn.rollback()
            conn.execute(INSERT_ONE)
        conn.rollback()

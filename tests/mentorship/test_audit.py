"""The audit trail is append-only and names who, what and about whom, never the content."""

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from mentorship.audit import audit_record
from mentorship.models import AuditEntry

pytestmark = pytest.mark.django_db


def _entry(world, **kwargs):
    return audit_record(
        actor=world.coordinator,
        action="update",
        obj=world.mentee_profile,
        fields=["status"],
        **kwargs,
    )


def test_entry_names_who_what_and_about_whom_but_no_content(world):
    entry = _entry(world)
    assert entry.program_id == world.program.pk
    assert entry.person_id == world.mentee.pk
    assert entry.object_type == "accounts.menteeprofile" and entry.object_id == str(
        world.mentee_profile.pk
    )
    assert entry.fields == ["status"]


@pytest.mark.parametrize(
    "statement",
    ["UPDATE mentorship_auditentry SET action = 'view'", "DELETE FROM mentorship_auditentry"],
)
def test_database_refuses_to_change_or_delete_entries(world, statement):
    _entry(world)
    with (
        # The application role the suite runs as is refused for want of the privilege
        # (test_db_roles.py); a role that has it, by migration 0002's trigger.
        pytest.raises(DatabaseError, match="append-only|permission denied"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement)
    assert AuditEntry.objects.filter(action="update").count() == 1


def test_orm_update_is_refused_too(world):
    entry = _entry(world)
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).delete()


def test_admin_offers_no_way_to_change_entries(admin_client, world):
    entry = _entry(world)
    assert admin_client.get(reverse("admin:mentorship_auditentry_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:mentorship_auditentry_add")).status_code == 403
    assert (
        admin_client.post(
            reverse("admin:mentorship_auditentry_delete", args=[entry.pk])
        ).status_code
        == 403
    )

"""The audit trail is append-only and each coordinator sees only their programs' entries."""

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from mentorship.audit import audit_record
from mentorship.models import AuditEntry
from tests.conftest import count_queries
from tests.factories import MenteeProfileFactory

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
        pytest.raises(DatabaseError, match="append-only"),
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


def test_coordinator_sees_own_program_entries_only(client, world):
    _entry(world)
    outsider = MenteeProfileFactory(program=world.other_program)
    audit_record(actor=world.other_coordinator, action="update", obj=outsider)
    client.force_login(world.coordinator)
    page = client.get(reverse("audit_trail")).context["page"]
    assert {e.program_id for e in page} == {world.program.pk}


def test_trail_filters_by_person_action_and_date(client, world):
    _entry(world)
    audit_record(actor=world.coordinator, action="view", obj=world.other_mentee_profile)
    client.force_login(world.coordinator)
    by_person = client.get(
        reverse("audit_trail"), {"person": world.mentee_profile.participant_id}
    ).context["page"]
    assert [e.person_id for e in by_person] == [world.mentee.pk]
    by_action = client.get(reverse("audit_trail"), {"action": "view"}).context["page"]
    assert {e.action for e in by_action} == {"view"}
    bad = client.get(reverse("audit_trail"), {"date_from": "2026-05-02", "date_to": "2026-05-01"})
    assert bad.status_code == 200 and "end date is before" in bad.content.decode()


def test_trail_query_count_is_constant(client, world):
    client.force_login(world.coordinator)
    _entry(world)
    one = count_queries(lambda: client.get(reverse("audit_trail")))
    for _ in range(49):
        _entry(world)
    assert count_queries(lambda: client.get(reverse("audit_trail"))) == one

"""The audit-trail page: each coordinator sees only their programs' entries, filtered."""

import pytest
from django.urls import reverse

from mentorship.audit import audit_record
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

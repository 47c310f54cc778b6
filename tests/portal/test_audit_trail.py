"""The audit-trail page: each coordinator sees only their programs' entries, filtered."""

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse
from django.utils.text import capfirst

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


def _trail_rows(html: str) -> list[dict[str, str]]:
    """The trail table's rows as {column header: cell text, whitespace collapsed}."""
    table = BeautifulSoup(html, "html.parser").find("table")
    headers = [th.get_text(strip=True) for th in table.thead.find_all("th")]
    return [
        dict(
            zip(headers, (" ".join(td.get_text().split()) for td in tr.find_all("td")), strict=True)
        )
        for tr in table.tbody.find_all("tr")
    ]


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


def test_trail_speaks_of_people_not_table_rows(client, world):
    _entry(world)
    audit_record(actor=world.coordinator, action="view", obj=world.mentor_profile)
    client.force_login(world.coordinator)
    html = client.get(reverse("audit_trail")).content.decode()
    mentee = world.mentee_profile
    initials = f"{mentee.first_name[0]}. {mentee.last_name[0]}."
    assert f"Mentee {mentee.participant_id} ({initials})" in html
    assert "accounts.menteeprofile" not in html
    # The record's kind by its name (the model's verbose name), not its table: read from the
    # Record cell of that entry's row, since the name alone is elsewhere on the page too.
    (row,) = [r for r in _trail_rows(html) if mentee.participant_id in r["About"]]
    assert row["Record"] == f"{capfirst(str(type(mentee)._meta.verbose_name))} #{mentee.pk}"
    assert reverse("accounts:mentee_detail", kwargs={"pk": mentee.pk}) in html
    assert reverse("accounts:mentor_detail", kwargs={"pk": world.mentor_profile.pk}) in html
    # Each participant row offers the trail filtered to them.
    assert f'href="?person={mentee.participant_id}"' in html
    assert mentee.display_name not in html.split("<tbody>")[1]


def test_trail_in_peoples_words_costs_the_same_for_many_people(client, world):
    client.force_login(world.coordinator)
    _entry(world)
    one = count_queries(lambda: client.get(reverse("audit_trail")))
    for _ in range(30):
        other = MenteeProfileFactory(program=world.program)
        audit_record(actor=world.coordinator, action="view", obj=other)
    assert count_queries(lambda: client.get(reverse("audit_trail"))) == one

"""Each role lands on its own dashboard and sees only the navigation it may use."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from matching.models import Match
from outcomes.models import OutcomeSettings
from portal.views import _coordinator_dashboard
from tests.conftest import count_queries
from tests.factories import (
    MatchFactory,
    MembershipFactory,
    MenteeProfileFactory,
    MentorProfileFactory,
    ProgramFactory,
)

pytestmark = pytest.mark.django_db

TITLES = {
    "coordinator": "Coordinator dashboard",
    "mentor": "Mentor dashboard",
    "mentee": "Mentee dashboard",
    "staff": "Evaluator dashboard",
}


@pytest.mark.parametrize("role", TITLES)
def test_each_role_reaches_its_dashboard(client, world, role):
    client.force_login(world.user(role))
    html = client.get(reverse("home")).content.decode()
    assert f">{TITLES[role]}</h1>" in html


def test_audit_trail_link_only_for_coordinators(client, world):
    client.force_login(world.mentor)
    assert reverse("audit_trail") not in client.get(reverse("home")).content.decode()
    client.force_login(world.coordinator)
    assert reverse("audit_trail") in client.get(reverse("home")).content.decode()


def test_mentor_dashboard_lists_only_active_mentees(client, world):
    ended = MatchFactory(
        program=world.program, mentor=world.mentor_profile, status=Match.Status.ENDED
    )
    client.force_login(world.mentor)
    matches = list(client.get(reverse("home")).context["matches"])
    assert matches == [world.match]
    assert ended not in matches


def test_user_without_program_is_told_what_to_do(client, django_user_model):
    user = django_user_model.objects.create_user("lonely@example.org", "a long password 123")
    client.force_login(user)
    assert b"not part of a program yet" in client.get(reverse("home")).content


def test_mentor_dashboard_query_count_is_constant(client, world):
    mentor = MentorProfileFactory(program=world.program, capacity=25)
    MatchFactory(program=world.program, mentor=mentor)
    client.force_login(mentor.user)
    one = count_queries(lambda: client.get(reverse("home")))
    for _ in range(49):
        MatchFactory(program=world.program, mentor=mentor)
    assert count_queries(lambda: client.get(reverse("home"))) == one


def test_coordinator_dashboard_query_count_is_constant(client, world):
    """Programs grow in participants, not in how many programs a coordinator runs."""
    client.force_login(world.coordinator)
    one = count_queries(lambda: client.get(reverse("home")))
    for _ in range(49):
        MatchFactory(program=world.program)
        MenteeProfileFactory(program=world.program)
    assert count_queries(lambda: client.get(reverse("home"))) == one


def test_a_page_reads_the_users_roles_once(client, world):
    """Navigation, the dashboard and every panel ask which roles the user holds."""
    client.force_login(world.coordinator)
    with CaptureQueriesContext(connection) as captured:
        client.get(reverse("home"))
    role_reads = [
        q for q in captured.captured_queries if 'SELECT "accounts_membership"."role"' in q["sql"]
    ]
    assert len(role_reads) == 1


def test_coordinator_dashboard_counts_each_table_on_its_own(client, world):
    """Counting mentors, mentees and matches in one aggregate joined them with each other
    (mentors x mentees x matches rows: minutes for a 10,000-mentee program)."""
    program = world.program
    for _ in range(3):
        MentorProfileFactory(program=program)
    MatchFactory(program=program)
    mentee_count = program.mentees.count()
    mentor_count = program.mentors.filter(is_active=True).count()
    client.force_login(world.coordinator)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("home"))
    assert response.status_code == 200
    programs = _coordinator_dashboard(world.coordinator)["programs"]
    row = next(p for p in programs if p.pk == program.pk)
    assert row.mentee_count == mentee_count and row.mentor_count == mentor_count
    assert (
        row.active_match_count
        == Match.objects.filter(program=program, status=Match.Status.ACTIVE).count()
    )
    assert not [q for q in captured.captured_queries if "COUNT(DISTINCT" in q["sql"]]


def test_coordinator_dashboard_costs_the_same_for_programs_with_their_own_settings(client, world):
    """Each program's assessment schedule comes from its stored outcome settings, read for all
    programs in one query: a program with settings must not cost a query of its own."""
    client.force_login(world.coordinator)
    one = count_queries(lambda: client.get(reverse("home")))
    for _ in range(3):
        program = ProgramFactory()
        MembershipFactory(user=world.coordinator, program=program, role="coordinator")
        OutcomeSettings.objects.create(program=program)
    OutcomeSettings.objects.get_or_create(program=world.program)
    assert count_queries(lambda: client.get(reverse("home"))) == one

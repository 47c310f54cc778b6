"""Matching pages: suggestions with reasons, the proposal flow, list query counts, panels."""

import pytest
from django.urls import reverse

from accounts.models import Membership
from matching.models import Match, MatchingSettings, NeverPair
from mentorship.models import AuditEntry
from tests import factories
from tests.conftest import page_queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def program():
    return factories.ProgramFactory()


@pytest.fixture
def coordinator(program):
    return factories.make_user_with_role(Membership.Role.COORDINATOR, program)


def test_suggestions_show_scores_reasons_and_exclusions(client, program, coordinator):
    good = factories.MentorProfileFactory(program=program, gender="woman")
    closed = factories.MentorProfileFactory(program=program, accepting_new=False)
    mentee = factories.MenteeProfileFactory(program=program, preferred_mentor_gender="woman")
    client.force_login(coordinator)

    response = client.get(reverse("matching:suggestions", kwargs={"pk": mentee.pk}))

    page = response.content.decode()
    assert f"Propose {good}" in page
    assert "Mentor is a woman, as preferred" in page
    assert f"<strong>{closed}</strong>: Not accepting new mentees" in page
    assert AuditEntry.objects.filter(action="view", object_id=str(mentee.pk)).exists()


def test_coordinator_proposes_then_approves_from_the_pages(client, program, coordinator):
    mentor = factories.MentorProfileFactory(program=program)
    mentee = factories.MenteeProfileFactory(program=program)
    client.force_login(coordinator)

    response = client.post(
        reverse("matching:propose", kwargs={"pk": mentee.pk}), {"mentor": mentor.pk}, follow=True
    )
    assert "Approve match" in response.content.decode()
    match = Match.objects.get()
    client.post(reverse("matching:match_action", kwargs={"pk": match.pk, "action": "approve"}))

    match.refresh_from_db()
    assert match.status == "active"


def test_mentor_accepts_a_proposal_from_the_dashboard(client, program, coordinator):
    MatchingSettings.objects.create(program=program, mentor_must_accept=True)
    mentor = factories.MentorProfileFactory(program=program)
    mentee = factories.MenteeProfileFactory(program=program)
    client.force_login(coordinator)
    client.post(reverse("matching:propose", kwargs={"pk": mentee.pk}), {"mentor": mentor.pk})
    match = Match.objects.get()

    client.force_login(mentor.user)
    home = client.get(reverse("home")).content.decode()
    assert reverse("matching:match_detail", kwargs={"pk": match.pk}) in home
    client.post(reverse("matching:match_action", kwargs={"pk": match.pk, "action": "accept"}))

    match.refresh_from_db()
    assert match.status == "active"


def test_bad_mentor_id_and_broken_constraints_get_messages(client, program, coordinator):
    mentee = factories.MenteeProfileFactory(
        program=program, preferred_mentor_gender="man", mentor_gender_required=True
    )
    woman = factories.MentorProfileFactory(program=program, gender="woman")
    client.force_login(coordinator)
    url = reverse("matching:propose", kwargs={"pk": mentee.pk})

    assert client.post(url, {"mentor": "nope"}).status_code == 404
    response = client.post(url, {"mentor": woman.pk}, follow=True)
    assert "Mentee requires a mentor who is a man" in response.content.decode()
    assert not Match.objects.exists()


def test_never_pair_from_the_suggestions_page(client, program, coordinator):
    mentor = factories.MentorProfileFactory(program=program)
    mentee = factories.MenteeProfileFactory(program=program)
    client.force_login(coordinator)

    response = client.post(
        reverse("matching:never_pair_add", kwargs={"pk": mentee.pk}),
        {"mentor": mentor.pk, "reason": "using"},
        follow=True,
    )

    assert "Never pair: Past using relationship" in response.content.decode()
    assert NeverPair.objects.filter(mentee=mentee, mentor=mentor).exists()
    bad = client.post(
        reverse("matching:never_pair_add", kwargs={"pk": mentee.pk}), {"reason": "x"}, follow=True
    )
    assert "Choose a mentor and a reason" in bad.content.decode()


def test_match_list_query_count_does_not_grow_with_rows(client, program, coordinator):
    client.force_login(coordinator)
    url = reverse("matching:program_matches", kwargs={"slug": program.slug})
    factories.MatchFactory(program=program)
    one = page_queries(client, url)
    for _ in range(49):
        factories.MatchFactory(program=program)
    assert page_queries(client, url) == one


def test_suggestions_query_count_does_not_grow_with_mentors(client, program, coordinator):
    mentee = factories.MenteeProfileFactory(program=program)
    client.force_login(coordinator)
    url = reverse("matching:suggestions", kwargs={"pk": mentee.pk})
    factories.MentorProfileFactory(program=program)
    one = page_queries(client, url)
    for _ in range(49):
        factories.MentorProfileFactory(program=program)
    assert page_queries(client, url) == one


def test_cohort_page_query_count_does_not_grow_with_mentees(client, program, coordinator):
    client.force_login(coordinator)
    url = reverse("matching:cohort", kwargs={"slug": program.slug})
    factories.MentorProfileFactory(program=program, capacity=25)
    factories.MenteeProfileFactory(program=program)
    one = page_queries(client, url)
    for _ in range(49):
        factories.MenteeProfileFactory(program=program)
    assert page_queries(client, url) == one


def test_settings_weights_must_add_up_to_100(client, program, coordinator):
    client.force_login(coordinator)
    url = reverse("matching:settings", kwargs={"slug": program.slug})
    data = {
        "weight_philosophy": 50,
        "weight_focus": 50,
        "weight_language": 10,
        "weight_gender": 0,
        "weight_substance": 0,
        "weight_availability": 0,
    }

    response = client.post(url, data)
    assert "must add up to 100 (they add up to 110)" in response.content.decode()

    client.post(url, {**data, "weight_language": 0, "mentor_must_accept": "on"})
    saved = MatchingSettings.objects.get(program=program)
    assert saved.weight_philosophy == 50 and saved.mentor_must_accept


def test_coordinator_dashboard_lists_waiting_mentees(client, program, coordinator):
    mentee = factories.MenteeProfileFactory(program=program)
    client.force_login(coordinator)

    page = client.get(reverse("home")).content.decode()

    assert reverse("matching:suggestions", kwargs={"pk": mentee.pk}) in page
    assert reverse("matching:cohort", kwargs={"slug": program.slug}) in page


def test_dashboard_panel_query_count_does_not_grow_with_programs_or_mentees(
    client, program, coordinator
):
    client.force_login(coordinator)
    factories.MenteeProfileFactory(program=program)
    one = page_queries(client, reverse("home"))
    for _ in range(2):
        other = factories.ProgramFactory()
        factories.MembershipFactory(user=coordinator, program=other, role="coordinator")
        for _ in range(12):
            factories.MenteeProfileFactory(program=other)

    assert page_queries(client, reverse("home")) == one
    assert "and 2 more" in client.get(reverse("home")).content.decode()

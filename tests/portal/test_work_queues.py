"""The coordinator's work queues: each row one click from its action, the waiting queue oldest
first with the best suggestion's score from the one scoring path, constant queries."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import MenteeProfile
from checkins.models import Alert
from matching.models import Match
from matching.selectors import mentee_suggestions
from tests import factories
from tests.conftest import count_queries

pytestmark = pytest.mark.django_db


def _url(world):
    return reverse("work_queues", kwargs={"slug": world.program.slug})


def test_queues_list_rows_with_their_actions(client, world):
    old = factories.MenteeProfileFactory(
        program=world.program, enrolled_on=timezone.now().date() - timedelta(days=90)
    )
    proposal = factories.MatchFactory(
        program=world.program, status=Match.Status.PROPOSED, started_at=None
    )
    alert = Alert.objects.create(
        program=world.program, mentee=world.mentee_profile, kind=Alert.Kind.CONCERN
    )
    late = factories.CheckInFactory(
        match=world.match, scheduled_at=timezone.now() - timedelta(days=2)
    )
    client.force_login(world.coordinator)
    response = client.get(_url(world))
    html = response.content.decode()
    waiting = list(response.context["waiting"])
    assert waiting[0] == old  # oldest first
    best = mentee_suggestions(world.program, old, limit=1).allowed
    expected = best[0].score if best else None
    assert waiting[0].best_score == expected
    assert reverse("matching:suggestions", args=[old.pk]) in html
    # Every row's action is a labelled button, one click away.
    for label in ("Find a mentor", "Open the proposal", "Open alert", "Log it", "Record consent"):
        assert f">{label}<span" in html, label
    assert reverse("matching:match_detail", args=[proposal.pk]) in html
    assert reverse("checkins:alert", args=[alert.pk]) in html
    assert reverse("checkins:log", args=[late.pk]) in html
    assert reverse("accounts:consent_create", args=[world.other_mentee_profile.pk]) in html
    # Linked from the dashboard.
    assert _url(world) in client.get(reverse("home")).content.decode()


def test_queues_cost_the_same_for_one_row_or_fifty(client, world):
    client.force_login(world.coordinator)
    factories.MentorProfileFactory(program=world.program)
    one = count_queries(lambda: client.get(_url(world)))
    for _ in range(50):
        mentee = factories.MenteeProfileFactory(program=world.program)
        Alert.objects.create(program=world.program, mentee=mentee, kind=Alert.Kind.NO_CONTACT)
        factories.MatchFactory(program=world.program, status=Match.Status.PROPOSED, started_at=None)
    assert count_queries(lambda: client.get(_url(world))) == one


def _assessments_url(world):
    return reverse("work_queue_assessments", kwargs={"slug": world.program.slug})


def _fill_url(mentee, instrument, week):
    return reverse(
        "outcomes:assessment_fill",
        kwargs={"mentee_pk": mentee.pk, "instrument": instrument, "week": week},
    )


def test_assessments_due_queue_lists_who_owes_a_questionnaire(client, world):
    today = timezone.now().date()
    # Intake recorded, nothing else due yet (week 4 is due on day 28).
    done = factories.MenteeProfileFactory(program=world.program, enrolled_on=today)
    factories.AssessmentFactory(mentee=done, week=0)
    # Intake recorded, week 4 overdue.
    overdue = factories.MenteeProfileFactory(
        program=world.program, enrolled_on=today - timedelta(days=40)
    )
    factories.AssessmentFactory(mentee=overdue, week=0)
    # Left the program: nobody asks them any more.
    factories.MenteeProfileFactory(
        program=world.program, status=MenteeProfile.Status.WITHDRAWN, enrolled_on=today
    )
    # Another program's mentee, due there, is not this program's work.
    factories.MenteeProfileFactory(program=world.other_program)
    client.force_login(world.coordinator)

    response = client.get(_assessments_url(world))
    rows = list(response.context["page"])
    assert set(rows) == {overdue, world.mentee_profile, world.other_mentee_profile}
    assert rows[0] == overdue  # oldest enrolment first
    html = response.content.decode()
    for mentee in rows:
        assert reverse("outcomes:assessments", args=[mentee.pk]) in html
    assert "3 mentees have a questionnaire due or overdue" in html
    # Each mentee's own dashboard says a questionnaire is due exactly when they are listed
    # here (not the mentee who left, nor the one whose next time point is weeks away), and
    # offers the time points they owe: the intake, or week 4 once the intake is recorded.
    for mentee in MenteeProfile.objects.filter(program=world.program):
        client.force_login(mentee.user)
        panel = client.get(reverse("home")).content.decode()
        assert ("Questionnaire due:" in panel) == (mentee in rows), mentee.status
        offered = {week for week in (0, 4, 12, 24) if _fill_url(mentee, "barc10", week) in panel}
        expected = {4} if mentee == overdue else {0} if mentee in rows else set()
        assert offered == expected, mentee.enrolled_on
    client.force_login(world.coordinator)

    # The queue page shows them with the action, and the dashboard counts the same rows.
    queues = client.get(_url(world)).content.decode()
    assert "3 mentees with a questionnaire due" in queues
    assert ">Record assessment<span" in queues
    home = client.get(reverse("home")).content.decode()
    assert f'<a href="{_assessments_url(world)}">{len(rows)}</a>' in home


def test_assessments_due_queue_costs_the_same_for_one_row_or_fifty(client, world):
    client.force_login(world.coordinator)
    queue = count_queries(lambda: client.get(_assessments_url(world)))
    dashboard = count_queries(lambda: client.get(reverse("home")))
    for _ in range(50):
        factories.MenteeProfileFactory(program=world.program)
    response = client.get(_assessments_url(world))
    assert len(response.context["page"]) == 50
    assert count_queries(lambda: client.get(_assessments_url(world))) == queue
    assert count_queries(lambda: client.get(reverse("home"))) == dashboard

"""The coordinator's work queues: each row one click from its action, the waiting queue oldest
first with the best suggestion's score from the one scoring path, constant queries."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

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

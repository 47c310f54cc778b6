"""Matching a mentee whose consent does not name (or does not cover) the mentor says, before
the coordinator proposes, what that mentor will not see: on the suggestions page, on the
proposed match, after proposing, and on the cohort plan (a count and a marker per pair)."""

import pytest
from django.urls import reverse

from accounts.consents import MENTOR_DISCLOSURES
from matching.models import CohortPair, CohortRun, Match
from tests import factories

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    return response.content.decode().replace("&#x27;", "'")


def test_no_consent_says_first_name_only_and_lists_every_scope(client, world):
    mentee = world.other_mentee_profile  # enrolled, mentored, no consent
    client.force_login(world.coordinator)

    page = _text(client.get(reverse("matching:suggestions", args=[mentee.pk])))

    assert 'id="consent-warning"' in page
    assert (
        f"{mentee.first_name} {mentee.last_name} has no consent in force naming the mentor" in page
    )
    assert "first name only" in page
    for disclosure in MENTOR_DISCLOSURES.values():
        assert str(disclosure.label) in page


def test_a_consent_not_covering_the_use_log_names_only_what_is_left_out(client, world):
    mentee = world.other_mentee_profile
    factories.ConsentFactory(mentee=mentee, covers_use_log=False, covers_assessments=False)
    client.force_login(world.coordinator)

    page = _text(client.get(reverse("matching:suggestions", args=[mentee.pk])))

    assert "does not cover everything" in page and "first name only" not in page
    assert str(MENTOR_DISCLOSURES["covers_use_log"].label) in page
    assert str(MENTOR_DISCLOSURES["covers_assessments"].label) in page
    assert str(MENTOR_DISCLOSURES["to_mentor"].label) not in page
    assert str(MENTOR_DISCLOSURES["covers_goals"].label) not in page


def test_full_consent_or_a_revoked_one(client, world):
    mentee = world.other_mentee_profile
    consent = factories.ConsentFactory(mentee=mentee)
    client.force_login(world.coordinator)
    url = reverse("matching:suggestions", args=[mentee.pk])
    assert 'id="consent-warning"' not in _text(client.get(url))

    consent.revoked_at = consent.created_at
    consent.save()
    assert "has no consent in force naming the mentor" in _text(client.get(url))


def test_proposing_says_it_again_and_the_proposed_match_shows_it(client, world):
    mentee = world.other_mentee_profile
    client.force_login(world.coordinator)

    response = client.post(
        reverse("matching:propose", args=[mentee.pk]),
        {"mentor": world.other_mentor.mentor_profiles.get().pk},
        follow=True,
    )

    shown = [str(m) for m in response.context["messages"]]
    assert any("proposed" in m for m in shown)
    assert any("has no consent in force naming the mentor" in m for m in shown)
    match = Match.objects.get(mentee=mentee)
    assert match.status == Match.Status.PROPOSED
    detail = _text(client.get(reverse("matching:match_detail", args=[match.pk])))
    assert 'id="consent-warning"' in detail


def test_cohort_plan_counts_and_marks_pairs_without_consent(client, world):
    consented = factories.MenteeProfileFactory(program=world.program)
    factories.ConsentFactory(mentee=consented)
    bare = world.other_mentee_profile
    mentor = world.other_mentor.mentor_profiles.get()
    run = CohortRun.objects.create(
        program=world.program, status=CohortRun.Status.DONE, matched=2, mentees_total=2
    )
    CohortPair.objects.create(run=run, mentee=consented, mentor=mentor, score=70)
    CohortPair.objects.create(run=run, mentee=bare, mentor=mentor, score=60)
    client.force_login(world.coordinator)

    page = _text(client.get(reverse("matching:cohort", args=[world.program.slug])))

    assert 'id="cohort-unconsented"' in page
    assert "1 planned mentee has no consent in force naming the mentor" in page
    assert page.count("consent-missing") == 1

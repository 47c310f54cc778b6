"""The participant page tells the participant's whole story: a "Find a mentor" way out of "Not
matched yet", links to the records, and a dated timeline assembled from every app's entries
(mentorship.site.participant_timeline), filtered by the access policy and consent, in a number of
queries that does not grow with check-ins, goals or assessments."""

import re
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import StatusChange, User
from checkins.models import Alert, CheckIn
from goals.models import GoalReview
from mentorship.site import participant_timeline
from tests import factories
from tests.conftest import count_queries


def _page(client, user, mentee):
    client.force_login(user)
    return client.get(reverse("accounts:mentee_detail", kwargs={"pk": mentee.pk}))


def _story(world, times, first_week=0):
    mentee = world.mentee_profile
    for i in range(times):
        checkin = factories.CheckInFactory(
            match=world.match,
            status=CheckIn.Status.COMPLETED,
            scheduled_at=timezone.now() - timedelta(days=i + 1),
            actual_at=timezone.now() - timedelta(days=i + 1),
        )
        goal = factories.GoalFactory(mentee=mentee, title=f"Goal {i}")
        GoalReview.objects.create(goal=goal, checkin=checkin)
        Alert.objects.create(
            program=world.program, mentee=mentee, checkin=checkin, kind=Alert.Kind.CONCERN
        )
        factories.AssessmentFactory(mentee=mentee, week=first_week + i)


def test_every_app_registers_a_timeline_source():
    assert {"accounts", "matching", "checkins", "goals", "outcomes"} <= {
        key for key, _ in participant_timeline.items()
    }


def test_unmatched_mentee_page_leads_to_suggestions(client, world):
    response = _page(client, world.coordinator, world.other_mentee_profile)
    html = response.content.decode()
    assert "Not matched yet." in html
    assert reverse("matching:suggestions", kwargs={"pk": world.other_mentee_profile.pk}) in html
    assert (
        reverse("goals:mentee_goals", kwargs={"mentee_pk": world.other_mentee_profile.pk}) in html
    )


def test_timeline_tells_what_happened_with_links(client, world):
    _story(world, 2)
    html = _page(client, world.coordinator, world.mentee_profile).content.decode()
    assert "Enrolled" in html
    version = world.mentee_profile.consents.get().version
    assert f"Consent version {version} signed" in html
    assert "Matched with" in html
    assert "Check-in held" in html
    assert "Goal set: Goal 1" in html
    assert "BARC10 completed (week 1)" in html
    assert reverse("matching:match_detail", kwargs={"pk": world.match.pk}) in html
    # The panels: open goals with their reviews, recent check-ins, open alerts.
    checkin = world.match.checkins.order_by("pk").first()
    assert "Goal reviewed at a check-in: Goal 0" in html
    assert reverse("goals:checkin_review", kwargs={"checkin_pk": checkin.pk}) in html
    assert reverse("checkins:detail", kwargs={"pk": checkin.pk}) in html
    assert "Open alerts" in html


def test_timeline_hides_what_the_consent_does_not_cover_from_the_mentor(client, world):
    _story(world, 1)
    consent = world.mentee_profile.consents.get()
    consent.covers_goals = False
    consent.covers_assessments = False
    consent.save()
    html = _page(client, world.mentor, world.mentee_profile).content.decode()
    assert "Check-in held" in html
    assert "Goal set" not in html
    assert "completed (intake)" not in html
    # And no "Find a mentor" or records links for whom may not use them.
    assert reverse("matching:suggestions", kwargs={"pk": world.mentee_profile.pk}) not in html


def test_participant_page_queries_do_not_grow_with_the_story(client, world):
    client.force_login(world.coordinator)
    url = reverse("accounts:mentee_detail", kwargs={"pk": world.mentee_profile.pk})
    _story(world, 1)
    _use_days(world.mentee_profile, {0: False})
    one = count_queries(lambda: client.get(url))
    assert 'id="metrics-use"' in client.get(url).content.decode()
    _story(world, 6, first_week=1)
    _use_days(world.mentee_profile, {n: n % 3 == 0 for n in range(1, 9)})
    many = count_queries(lambda: client.get(url))
    assert one == many


def test_participant_page_queries_the_same_with_no_goals_yet(client, world):
    """The goals panel reads its reviews whether or not there are goals (a prefetch would skip
    its query on none), so a new mentee's page costs what a long story's does."""
    client.force_login(world.coordinator)
    url = reverse("accounts:mentee_detail", kwargs={"pk": world.mentee_profile.pk})
    _use_days(world.mentee_profile, {0: False})
    factories.CheckInFactory(match=world.match, status=CheckIn.Status.SCHEDULED)
    none = count_queries(lambda: client.get(url))
    _story(world, 2)
    assert "Reviewed at check-ins:" in client.get(url).content.decode()
    assert count_queries(lambda: client.get(url)) == none


def _use_days(mentee, answers):
    from outcomes.models import Source
    from outcomes.services import use_month_record

    use_month_record(
        actor=mentee.user,
        mentee=mentee,
        answers={mentee.enrolled_on + timedelta(days=n): used for n, used in answers.items()},
        source=Source.SELF,
    )


def test_metrics_to_date_from_the_stored_summary(client, world):
    mentee = world.mentee_profile
    # Days 1-3 abstinent, day 4 use, day 5 abstinent, day 6 not recorded, day 7 abstinent.
    _use_days(mentee, {0: False, 1: False, 2: False, 3: True, 4: False, 6: False})
    factories.AssessmentFactory(mentee=mentee, week=0, answers=[3] * 10)
    factories.AssessmentFactory(
        mentee=mentee, week=4, answers=[5] * 10, completed_on=mentee.enrolled_on + timedelta(7)
    )

    html = _page(client, world.coordinator, mentee).content.decode()

    assert "Metrics to date" in html
    figures = dict(re.findall(r"<dt>([^<]+)</dt><dd>([^<]+)</dd>", html.split("metrics-use")[1]))
    assert figures["Days recorded"] == "6"
    assert figures["Days of use"] == "1"
    assert figures["Percent days abstinent"] == "83%"
    assert figures["Longest abstinent run"] == "3 days"
    assert re.search(r"Last assessment:.*BARC-10.*score 50.*week 4", html, re.S)


def test_metrics_follow_the_consent(client, world):
    mentee = world.mentee_profile
    _use_days(mentee, {0: False, 1: True})
    factories.AssessmentFactory(mentee=mentee, week=0)
    consent = mentee.consents.get()
    consent.covers_use_log = False
    consent.save()

    html = _page(client, world.mentor, mentee).content.decode()
    assert "Last assessment:" in html and 'id="metrics-use"' not in html

    consent.covers_assessments = False
    consent.save()
    assert "Metrics to date" not in _page(client, world.mentor, mentee).content.decode()
    # The mentee sees their own.
    assert 'id="metrics-use"' in _page(client, world.mentee, mentee).content.decode()


def test_status_reasons_are_shown_in_the_readers_language(client, world):
    """A reason the app wrote is stored as its msgid and translated for each reader; a reason a
    coordinator typed is shown as typed (issue #15)."""
    mentee = world.mentee_profile
    StatusChange.objects.create(
        mentee=mentee,
        from_status="enrolled",
        to_status="active",
        reason=StatusChange.Reason.MATCH_STARTED,
    )
    StatusChange.objects.create(
        mentee=mentee, from_status="active", to_status="paused", reason="Vacaciones de julio"
    )
    with translation.override("es"):
        spanish = translation.gettext(StatusChange.Reason.MATCH_STARTED)
    assert spanish != "Match started"

    html = _page(client, world.coordinator, mentee).content.decode()
    assert "Match started" in html and spanish not in html
    assert "Vacaciones de julio" in html

    User.objects.filter(pk=world.coordinator.pk).update(preferred_language="es")
    with translation.override("en"):  # the request activates Spanish; put English back after
        html = _page(client, world.coordinator, mentee).content.decode()
    assert spanish in html and "Match started" not in html
    assert "Vacaciones de julio" in html

"""BARC-10 as data: scoring, schedule and due dates; and the outcomes dashboard panel."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from accounts.models import Consent, Program
from outcomes import services
from outcomes.instruments import BARC10, INSTRUMENTS, due_date
from outcomes.models import Assessment, OutcomeSettings
from tests import factories
from tests.conftest import count_queries


@given(st.lists(st.integers(1, 6), min_size=10, max_size=10))
def test_barc10_total_is_the_sum_of_ten_items_between_10_and_60(answers):
    assert BARC10.score(answers) == {"total": sum(answers)}
    assert BARC10.score_range(BARC10.total_score) == (10, 60)
    assert BARC10.total_score.threshold == 47


@pytest.mark.parametrize("answers", [[4] * 9, [4] * 11, [0] + [4] * 9, [7] + [4] * 9])
def test_barc10_refuses_a_wrong_count_or_an_out_of_scale_item(answers):
    with pytest.raises(ValueError):
        BARC10.score(answers)


def test_due_dates_follow_enrollment_day_one():
    enrolled = factories.MenteeProfileFactory.build().enrolled_on
    assert due_date(enrolled, 0) == enrolled
    assert due_date(enrolled, 4) == enrolled + timedelta(days=27)  # day 28, end of week 4


def test_a_mentee_fills_in_the_intake_barc10(client, world):
    client.force_login(world.mentee)
    mentee = world.mentee_profile
    url = reverse(
        "outcomes:assessment_fill",
        kwargs={"mentee_pk": mentee.pk, "instrument": "barc10", "week": 0},
    )
    data = {f"item_{n}": "5" for n in range(1, 11)} | {"completed_on": mentee.enrolled_on}
    data["item_3"] = "6"
    assert client.post(url, data).status_code == 302
    saved = Assessment.objects.get(mentee=mentee)
    assert saved.total == 51 and saved.answers[2] == 6
    page = client.get(reverse("outcomes:assessments", kwargs={"mentee_pk": mentee.pk}))
    assert b"strong recovery capital" in page.content
    # The intro always names the threshold label; only the badge shows this total meets it.
    assert b'51 <span class="badge text-bg-success">strong recovery capital</span>' in page.content


def test_a_missing_item_is_named_at_the_field(client, world):
    client.force_login(world.mentee)
    url = reverse(
        "outcomes:assessment_fill",
        kwargs={"mentee_pk": world.mentee_profile.pk, "instrument": "barc10", "week": 0},
    )
    data = {f"item_{n}": "5" for n in range(1, 10)} | {"completed_on": "2020-01-01"}
    response = client.post(url, data)
    assert response.status_code == 200 and b"This field is required" in response.content
    assert not Assessment.objects.exists()


def test_an_unscheduled_time_point_is_404(client, world):
    client.force_login(world.mentee)
    url = reverse(
        "outcomes:assessment_fill",
        kwargs={"mentee_pk": world.mentee_profile.pk, "instrument": "barc10", "week": 5},
    )
    assert client.get(url).status_code == 404


def test_a_future_completion_date_is_refused(world):
    with pytest.raises(ValidationError):
        services.assessment_record(
            actor=world.mentee,
            mentee=world.mentee_profile,
            instrument="barc10",
            week=0,
            answers=[4] * 10,
            completed_on=world.program.today() + timedelta(days=2),
        )


def test_a_mentor_needs_an_assessments_consent(client, world):
    Consent.objects.filter(mentee=world.mentee_profile).update(covers_assessments=False)
    client.force_login(world.mentor)
    url = reverse("outcomes:assessments", kwargs={"mentee_pk": world.mentee_profile.pk})
    assert client.get(url).status_code == 404


def test_the_mentee_dashboard_invites_them_to_fill_in_their_calendar(client, world):
    client.force_login(world.mentee)
    body = client.get(reverse("home")).content.decode()
    assert "Fill in your calendar" in body
    assert "intake BARC-10" in body  # due on day 1, not yet done


def test_the_mentee_panel_offers_each_programs_due_questionnaires_in_constant_queries(client, db):
    """A person enrolled in several programs sees each one's schedule, for the same cost."""
    first = factories.MenteeProfileFactory()
    client.force_login(first.user)
    one = count_queries(lambda: client.get(reverse("home")))
    for instruments in ("barc10,bam", "bam"):
        program = factories.ProgramFactory()
        OutcomeSettings.objects.create(
            program=program, instruments=instruments, assessment_weeks="1"
        )
        factories.MenteeProfileFactory(
            user=first.user, program=program, enrolled_on=program.today() - timedelta(days=6)
        )
    assert count_queries(lambda: client.get(reverse("home"))) == one
    body = client.get(reverse("home")).content.decode()
    # Due today on day 7, the end of week 1; the first program's week 4 is weeks away.
    assert body.count("week 1 BAM (Brief Addiction Monitor)") == 2
    assert body.count("week 1 BARC-10") == 1 and "week 4" not in body
    assert body.count("intake BARC-10") == 2


def test_the_evaluator_dashboard_links_to_the_report(client, world):
    client.force_login(world.staff)
    body = client.get(reverse("home")).content.decode()
    assert reverse("outcomes:report", kwargs={"slug": world.program.slug}) in body


def test_the_mentor_dashboard_lists_consenting_mentees_calendars(client, world):
    client.force_login(world.mentor)
    body = client.get(reverse("home")).content.decode()
    assert reverse("outcomes:calendar", kwargs={"mentee_pk": world.mentee_profile.pk}) in body


def test_demo_outcomes_fill_both_arms_and_are_idempotent(db):
    from outcomes.demo import demo_seed_outcomes
    from outcomes.models import UseDay

    program = factories.ProgramFactory()
    today = program.today()
    for n, arm in enumerate(["mentored", "comparison"] * 2):
        factories.MenteeProfileFactory(
            program=program, study_arm=arm, enrolled_on=today - timedelta(days=180 - n)
        )
    demo_seed_outcomes(program=program)
    days = UseDay.objects.filter(mentee__program=program)
    assert days.filter(mentee__study_arm="comparison", used=True).exists()
    assert days.filter(mentee__study_arm="mentored").exists()
    assert Assessment.objects.filter(mentee__program=program, week=24)
    # Both questionnaires, scored as the service scores them.
    bam = Assessment.objects.filter(mentee__program=program, instrument="bam").first()
    assert bam and bam.scores == INSTRUMENTS["bam"].score(bam.answers)
    barc = Assessment.objects.filter(instrument="barc10").first()
    assert barc.scores == {"total": barc.total}
    # One program: no second one to choose between.
    assert Program.objects.count() == 1
    count = UseDay.objects.count()
    demo_seed_outcomes(program=program)
    assert UseDay.objects.count() == count

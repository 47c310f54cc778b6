"""The demo tells a true story: mentees enrolled over months, matched days later at the scores
the suggestions page gives, with check-ins, goals and use days inside those dates."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.models import MenteeProfile, Program, User
from checkins.models import CheckIn
from goals.models import Goal, ProgressEntry
from matching.models import Match
from outcomes.demo import checkin_period
from outcomes.models import Assessment, UseDay, UseReport

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    call_command("seed_demo")
    return Program.objects.get(slug="demo")


def counts(program):
    return [
        MenteeProfile.objects.filter(program=program).count(),
        Match.objects.filter(program=program).count(),
        CheckIn.objects.filter(program=program).count(),
        Goal.objects.filter(mentee__program=program).count(),
        ProgressEntry.objects.filter(goal__mentee__program=program).count(),
        UseDay.objects.filter(mentee__program=program).count(),
        Assessment.objects.filter(mentee__program=program).count(),
    ]


def test_matches_have_varied_scores_and_start_days_after_enrollment(demo):
    matches = Match.objects.filter(program=demo).select_related("mentee")
    started = [m for m in matches if m.started_at is not None]
    assert len({m.score for m in matches}) > 3
    assert len({m.started_at.date() for m in started}) > 3
    for match in started:
        days = (timezone.localtime(match.started_at).date() - match.mentee.enrolled_on).days
        assert 2 <= days <= 14 or match.history.filter(from_status="ended").exists() or days > 0
        assert match.started_at <= timezone.now()
    assert matches.filter(status="proposed").count() == 1
    assert matches.filter(status="ended", end_reason="rematch").count() == 1
    waiting = MenteeProfile.objects.filter(program=demo, study_arm="mentored", status="enrolled")
    assert waiting.exclude(matches__status="proposed").exists()


def test_enrollments_span_months_and_nothing_is_dated_before_or_ahead(demo):
    mentees = MenteeProfile.objects.filter(program=demo, user__email__startswith="mentee")
    days = sorted(mentees.values_list("enrolled_on", flat=True))
    assert (days[-1] - days[0]).days > 90
    now = timezone.now()
    assert not CheckIn.objects.filter(program=demo, logged_at__gt=now).exists()
    assert not CheckIn.objects.filter(
        program=demo, scheduled_at__gt=now, status__in=["completed", "no_show"]
    ).exists()
    assert CheckIn.objects.filter(program=demo, scheduled_at__gt=now, status="scheduled").exists()
    for checkin in CheckIn.objects.filter(program=demo, kind="individual").select_related("match"):
        assert checkin.scheduled_at >= checkin.match.started_at - timedelta(days=1)
        if checkin.match.ended_at is not None:
            assert checkin.scheduled_at <= checkin.match.ended_at
    for day in UseDay.objects.filter(mentee__program=demo).select_related("mentee"):
        assert day.day >= day.mentee.enrolled_on - timedelta(days=30)
        assert day.day <= demo.today()
    for goal in Goal.objects.filter(mentee__program=demo).prefetch_related("mentee__matches"):
        first = min(m.started_at for m in goal.mentee.matches.all() if m.started_at)
        assert goal.start_date >= timezone.localtime(first).date()
    assert Goal.objects.filter(mentee__program=demo, status="achieved").exists()
    assert not Assessment.objects.filter(
        mentee__program=demo, completed_on__gt=demo.today()
    ).exists()


def test_one_demo_program_and_every_login_opens_its_dashboard(client, demo):
    call_command("seed_demo")  # twice: the same counts
    first = counts(demo)
    call_command("seed_demo")
    assert counts(demo) == first
    assert not Program.objects.filter(slug__startswith="demo-").exists()
    for email in ("coordinator", "evaluator", "mentor1", "mentee1"):
        user = User.objects.get(email=f"{email}@demo.example")
        assert user.check_password("demo-recovery-2026")  # the password seed_demo prints
        client.force_login(user)
        response = client.get(reverse("home"))
        assert response.status_code == 200
    client.force_login(User.objects.get(email="coordinator@demo.example"))
    response = client.get(reverse("accounts:mentee_list"))
    assert response.status_code == 302  # straight to the demo program's list, no chooser
    assert "/demo/" in response["Location"]
    mentee = User.objects.get(email="mentee1@demo.example")
    assert Match.objects.filter(mentee__user=mentee, status="active").exists()


def test_held_check_ins_say_what_the_use_log_says(demo):
    used = set(
        UseDay.objects.filter(mentee__program=demo, used=True).values_list("mentee_id", "day")
    )
    held = CheckIn.objects.filter(program=demo, kind="individual", status="completed")
    answers, previous = set(), {}
    for checkin in held.exclude(use_reported="").order_by("mentee_id", "scheduled_at", "pk"):
        day = timezone.localtime(checkin.scheduled_at, demo.tzinfo).date()
        period = checkin_period(day, previous.get(checkin.mentee_id))
        previous[checkin.mentee_id] = day
        days = sorted(d.isoformat() for d in period if (checkin.mentee_id, d) in used)
        assert checkin.use_days == days
        assert checkin.use_reported == ("yes" if days else "no")
        answers.add(checkin.use_reported)
        if days:  # handed to the use log as when a mentor logs it
            assert UseReport.objects.filter(checkin=checkin, used=True).count() == len(days)
    assert answers == {"yes", "no"}
    assert not held.filter(use_reported="").exists()


def test_people_in_follow_up_had_a_match_that_ended_when_they_completed(demo):
    follow_up = MenteeProfile.objects.filter(program=demo, user__email__startswith="follow-up")
    assert follow_up.count() == 8
    assert set(follow_up.values_list("status", flat=True)) == {"completed"}
    for mentee in follow_up:
        matches = list(mentee.matches.all())
        if mentee.study_arm == "comparison":
            assert matches == []
            continue
        (match,) = matches
        assert match.status == "ended" and match.end_reason == "completed"
        days = (timezone.localtime(match.ended_at, demo.tzinfo).date() - mentee.enrolled_on).days
        assert 175 <= days <= 190
        held = match.checkins.filter(status="completed")
        assert held.count() > 15
        assert not match.checkins.filter(status="scheduled").exists()
        history = list(
            mentee.status_history.order_by("changed_at").values_list("to_status", flat=True)
        )
        assert history == ["enrolled", "active", "completed"]


def test_the_rematched_mentee_met_their_first_mentor_for_five_weeks(demo):
    ended = Match.objects.get(program=demo, end_reason="rematch")
    assert ended.checkins.filter(status="completed").count() >= 3
    assert ended.checkins.count() == 5
    assert ended.mentee.matches.filter(status="active").exists()

"""Assessments due are reminded through the check-in reminder machinery: outcomes plans one row
per mentee per due assessment, checkins sends it once, outside quiet hours, saying only that a
short questionnaire is due."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership, MenteeProfile
from checkins.models import ReminderPreference
from notifications import services as notifications
from notifications.models import Notification
from outcomes import services, tasks
from outcomes.assessments import assessment_reminders_plan, assessment_reminders_plan_all
from outcomes.selectors import assessments_due_for
from tests import factories
from tests.conftest import count_queries

ENROLLED = date(2026, 6, 1)  # a Monday; intake due that day, week 4 on June 28
INTAKE_AT = datetime(2026, 6, 1, 15, tzinfo=UTC)  # 10 am in Chicago (CDT)
CLINICAL = re.compile(r"barc|recovery capital|score|total|substance|craving|relapse|week", re.I)


@pytest.fixture
def mentee(db):
    program = factories.ProgramFactory(timezone="America/Chicago")
    return factories.MenteeProfileFactory(program=program, enrolled_on=ENROLLED)


def _plan(program, at):
    with time_machine.travel(at, tick=False):
        return assessment_reminders_plan(program=program)


def _dispatch_and_send(at):
    with time_machine.travel(at, tick=False):
        tokens = []
        while (token := notifications.notification_claim_due()) is not None:
            tokens.append(token)
        return [notifications.notification_send_batch(token=str(t)) for t in tokens]


def _rows(mentee):
    return Notification.objects.filter(kind="outcomes.assessment_due", recipient=mentee.user)


def _record(mentee, week, on):
    with time_machine.travel(datetime.combine(on, datetime.min.time(), UTC) + timedelta(hours=20)):
        services.assessment_record(
            actor=mentee.user,
            mentee=mentee,
            instrument="barc10",
            week=week,
            answers=[5] * 10,
            completed_on=on,
        )


def test_one_row_per_mentee_per_due_assessment_however_often_planned(mentee):
    morning = datetime(2026, 6, 1, 12, tzinfo=UTC)  # 7 am in Chicago
    assert _plan(mentee.program, morning) == 1
    assert _plan(mentee.program, morning + timedelta(minutes=5)) == 0
    row = _rows(mentee).get()
    assert (row.program_id, row.data["due_on"]) == (mentee.program.pk, ENROLLED.isoformat())
    assert row.due_at == INTAKE_AT and row.status == "pending"
    assert row.data["path"] == reverse("outcomes:assessments", args=[mentee.pk])
    # Week 4 (due June 28) is planned the day before, once.
    assert _plan(mentee.program, datetime(2026, 6, 26, 15, tzinfo=UTC)) == 0
    assert _plan(mentee.program, datetime(2026, 6, 27, 15, tzinfo=UTC)) == 1
    assert _plan(mentee.program, datetime(2026, 6, 28, 15, tzinfo=UTC)) == 0
    week4 = _rows(mentee).get(data__due_on="2026-06-28")
    assert week4.due_at == datetime(2026, 6, 28, 15, tzinfo=UTC)
    assert _rows(mentee).count() == 2
    # The beat task plans every program through the same service.
    with time_machine.travel(datetime(2026, 6, 28, 16, tzinfo=UTC), tick=False):
        assert tasks.assessment_reminders_plan.apply().get() == 0
    assert _rows(mentee).count() == 2


def test_the_beat_schedule_runs_the_planner():
    entry = settings.CELERY_BEAT_SCHEDULE["outcomes-assessment-reminders-plan"]
    assert entry["task"] == tasks.assessment_reminders_plan.name


def test_a_due_reminder_is_sent_once_through_the_real_path_with_no_clinical_content(
    mentee, mailoutbox
):
    _plan(mentee.program, datetime(2026, 6, 1, 12, tzinfo=UTC))
    assert _dispatch_and_send(INTAKE_AT - timedelta(minutes=1)) == []  # not due yet
    _dispatch_and_send(INTAKE_AT)
    _dispatch_and_send(INTAKE_AT + timedelta(minutes=1))
    # Planning again after it was sent plans nothing new: exactly once.
    assert _plan(mentee.program, INTAKE_AT + timedelta(hours=1)) == 0
    _dispatch_and_send(INTAKE_AT + timedelta(hours=1))
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == [mentee.user.email]
    assert message.subject == "A short questionnaire is due"
    assert "a short questionnaire is due" in message.body.lower()
    link = settings.SITE_URL + reverse("outcomes:assessments", args=[mentee.pk])
    assert link in message.body
    text = message.subject + "\n" + message.body.replace(link, "")
    assert not CLINICAL.search(text), text
    assert _rows(mentee).get().status == "sent"


def test_completed_assessments_get_no_reminder(mentee, mailoutbox):
    _record(mentee, 0, ENROLLED)
    assert _plan(mentee.program, datetime(2026, 6, 1, 22, tzinfo=UTC)) == 0
    assert not _rows(mentee).exists()
    # Week 4: planned, then done before it goes out -> withdrawn, never sent.
    _plan(mentee.program, datetime(2026, 6, 27, 15, tzinfo=UTC))
    assert _rows(mentee).get().status == "pending"
    _record(mentee, 4, date(2026, 6, 27))
    assert _rows(mentee).get().status == "cancelled"
    assert _plan(mentee.program, datetime(2026, 6, 28, 14, tzinfo=UTC)) == 0
    _dispatch_and_send(datetime(2026, 6, 28, 16, tzinfo=UTC))
    assert mailoutbox == []


def test_late_planning_respects_quiet_hours(mentee, mailoutbox):
    # Planned at 11 pm Chicago on the due day (04:00 UTC next day): not before 8 am.
    late = datetime(2026, 6, 2, 4, tzinfo=UTC)
    _plan(mentee.program, late)
    assert _rows(mentee).get().due_at == datetime(2026, 6, 2, 13, tzinfo=UTC)  # 8 am CDT
    _dispatch_and_send(late)
    assert mailoutbox == []
    _dispatch_and_send(datetime(2026, 6, 2, 13, tzinfo=UTC))
    assert len(mailoutbox) == 1


def test_a_reminder_delayed_into_quiet_hours_waits_until_morning(mentee, mailoutbox):
    _plan(mentee.program, datetime(2026, 6, 1, 12, tzinfo=UTC))
    # The workers were down all day; they come back at 10 pm Chicago.
    counts = _dispatch_and_send(datetime(2026, 6, 2, 3, tzinfo=UTC))
    assert counts == [{**dict.fromkeys(counts[0], 0), "deferred": 1}]
    row = _rows(mentee).get()
    assert (row.status, row.available_at) == ("pending", datetime(2026, 6, 2, 13, tzinfo=UTC))
    assert mailoutbox == []
    _dispatch_and_send(datetime(2026, 6, 2, 13, tzinfo=UTC))
    assert len(mailoutbox) == 1


def test_no_reminders_preference_means_no_email(mentee, mailoutbox):
    ReminderPreference.objects.create(user=mentee.user, before="none")
    assert _plan(mentee.program, datetime(2026, 6, 1, 12, tzinfo=UTC)) == 0
    assert not _rows(mentee).exists()
    # Turned back on: planned; turned off again after planning: not sent.
    ReminderPreference.objects.filter(user=mentee.user).update(before="2h")
    assert _plan(mentee.program, datetime(2026, 6, 1, 13, tzinfo=UTC)) == 1
    ReminderPreference.objects.filter(user=mentee.user).update(before="none")
    counts = _dispatch_and_send(INTAKE_AT)
    assert counts[0]["cancelled"] == 1 and mailoutbox == []
    # And the next plan leaves it withdrawn; turned on again, it is revived, once.
    assert _plan(mentee.program, INTAKE_AT + timedelta(minutes=1)) == 0
    ReminderPreference.objects.filter(user=mentee.user).update(before="24h")
    assert _plan(mentee.program, INTAKE_AT + timedelta(minutes=2)) == 1
    _dispatch_and_send(INTAKE_AT + timedelta(minutes=3))
    assert len(mailoutbox) == 1 and _rows(mentee).count() == 1


def test_mentees_who_left_and_old_time_points_are_not_reminded(mentee, mailoutbox):
    _plan(mentee.program, datetime(2026, 6, 1, 12, tzinfo=UTC))
    MenteeProfile.objects.filter(pk=mentee.pk).update(status=MenteeProfile.Status.WITHDRAWN)
    _plan(mentee.program, datetime(2026, 6, 1, 13, tzinfo=UTC))
    assert _rows(mentee).get().status == "cancelled"
    # Someone enrolled half a year ago is not e-mailed about every missed time point.
    old = factories.MenteeProfileFactory(program=mentee.program, enrolled_on=date(2025, 12, 1))
    assert _plan(mentee.program, datetime(2026, 6, 1, 13, tzinfo=UTC)) == 0
    assert not _rows(old).exists()
    _dispatch_and_send(INTAKE_AT)
    assert mailoutbox == []


def test_program_weeks_decide_what_is_due(mentee):
    services.outcome_settings_update(
        actor=None, program=mentee.program, conflict_rule="lab_then_self", assessment_weeks="2"
    )
    _plan(mentee.program, datetime(2026, 6, 13, 15, tzinfo=UTC))  # week 2 due June 14
    assert list(_rows(mentee).values_list("data__due_on", flat=True)) == ["2026-06-14"]


def test_planning_every_program_covers_each_mentee_once(db):
    now = timezone.now()
    for _ in range(2):
        program = factories.ProgramFactory()
        for _ in range(3):
            factories.MenteeProfileFactory(program=program, enrolled_on=program.today())
    with time_machine.travel(now, tick=False):
        assert assessment_reminders_plan_all() == 6
        assert assessment_reminders_plan_all() == 0


def test_reminders_and_the_coordinators_queue_agree_on_who_owes_what_on_the_due_date(
    client, mentee
):
    program, today = mentee.program, date(2026, 6, 28)  # week 4 of ENROLLED is due
    _record(mentee, 0, ENROLLED)
    # Intake never recorded: overdue since June 1 (queued, too late to remind), and week 4 due.
    missed_intake = factories.MenteeProfileFactory(program=program, enrolled_on=ENROLLED)
    new = factories.MenteeProfileFactory(program=program, enrolled_on=today)
    # Due on other days: three days ago (both, not today's), tomorrow (reminded a day ahead).
    factories.MenteeProfileFactory(program=program, enrolled_on=today - timedelta(days=3))
    factories.MenteeProfileFactory(program=program, enrolled_on=today + timedelta(days=1))
    factories.MenteeProfileFactory(
        program=program, enrolled_on=today, status=MenteeProfile.Status.WITHDRAWN
    )
    at = datetime(2026, 6, 28, 15, tzinfo=UTC)  # 10 am in Chicago
    _plan(program, at)
    reminded = {
        tuple(row.topic.split(":")[1:])
        for row in Notification.objects.filter(kind="outcomes.assessment_due", program=program)
        if row.data["due_on"] == today.isoformat()
    }
    with time_machine.travel(at, tick=False):
        client.force_login(factories.make_user_with_role(Membership.Role.COORDINATOR, program))
        queued = list(
            client.get(reverse("work_queue_assessments", kwargs={"slug": program.slug})).context[
                "page"
            ]
        )
        owed = assessments_due_for(mentees=queued)
    owed_today = {
        (str(pk), item["instrument"].code, str(item["week"]))
        for pk, items in owed.items()
        for item in items
        if item["due_on"] == today
    }
    assert (
        reminded
        == owed_today
        == {
            (str(mentee.pk), "barc10", "4"),
            (str(missed_intake.pk), "barc10", "4"),
            (str(new.pk), "barc10", "0"),
        }
    )


def test_planning_costs_the_same_for_one_mentee_or_twenty(mentee):
    at = datetime(2026, 6, 1, 15, tzinfo=UTC)
    one = count_queries(lambda: _plan(mentee.program, at))
    for _ in range(20):
        factories.MenteeProfileFactory(program=mentee.program, enrolled_on=ENROLLED)
    assert count_queries(lambda: _plan(mentee.program, at)) == one
    assert _rows(mentee).count() == 1
    assert Notification.objects.filter(program=mentee.program).count() == 21

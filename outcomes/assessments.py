"""Reminders of assessments that are due, sent through the check-in reminder machinery.

Outcomes plans the rows (checkins never imports outcomes): one reminder per mentee per due
assessment, to the mentee, on the day it is due. Check-ins sends them exactly once, outside
quiet hours, with retries, saying only that a short questionnaire is due and linking to the
mentee's assessments page. Recording the assessment withdraws its unsent reminder.
"""

from datetime import datetime, timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import MenteeProfile, Program
from checkins.models import Reminder
from checkins.services import DueItem, due_reminders_cancel, due_reminders_plan
from outcomes.instruments import due_date
from outcomes.models import Assessment
from outcomes.selectors import outcome_settings_get

INSTRUMENT = "barc10"  # the scheduled instrument (outcomes.instruments)
TOPIC_PREFIX = "assessment:"
# A time point is reminded of from the day before it is due (planned ahead so the beat task
# need not run at a precise hour) until LATE_DAYS after: a mentee enrolled long ago is not
# e-mailed about every time point they missed, and a reminder delayed for a week is dropped.
AHEAD_DAYS = 1
LATE_DAYS = 7
# Mentees who are still in the program.
CURRENT = [
    MenteeProfile.Status.ENROLLED,
    MenteeProfile.Status.MATCHED,
    MenteeProfile.Status.ACTIVE,
    MenteeProfile.Status.PAUSED,
]


def assessment_reminder_topic(*, mentee_id: int, instrument: str, week: int) -> str:
    """The reminder's key: internal only, never put in an e-mail."""
    return f"{TOPIC_PREFIX}{mentee_id}:{instrument}:{week}"


@transaction.atomic
def assessment_reminders_plan(*, program: Program, now: datetime | None = None) -> int:
    """Plan (idempotently) the reminder rows of the program's due assessments; withdraw
    those no longer due (done, schedule changed, mentee left). Returns rows added or revived."""
    now = now or timezone.now()
    today = now.astimezone(program.tzinfo).date()
    weeks = outcome_settings_get(program=program).timepoints
    mentees = list(
        MenteeProfile.objects.filter(
            program=program, status__in=CURRENT, user__is_active=True
        ).select_related("user")
    )
    done = set(
        Assessment.objects.filter(mentee__program=program, instrument=INSTRUMENT).values_list(
            "mentee_id", "week"
        )
    )
    items = []
    for mentee in mentees:
        for week in weeks:
            due_on = due_date(mentee.enrolled_on, week)
            if (mentee.pk, week) in done:
                continue
            if (
                not today - timedelta(days=LATE_DAYS)
                <= due_on
                <= today + timedelta(days=AHEAD_DAYS)
            ):
                continue
            items.append(
                DueItem(
                    recipient=mentee.user,
                    topic=assessment_reminder_topic(
                        mentee_id=mentee.pk, instrument=INSTRUMENT, week=week
                    ),
                    due_on=due_on,
                    link_path=reverse("outcomes:assessments", args=[mentee.pk]),
                )
            )
    return due_reminders_plan(
        program=program,
        kind=Reminder.Kind.ASSESSMENT_DUE,
        items=items,
        topic_prefix=TOPIC_PREFIX,
        now=now,
    )


def assessment_reminders_plan_all(*, now: datetime | None = None) -> int:
    return sum(
        assessment_reminders_plan(program=program, now=now) for program in Program.objects.all()
    )


def assessment_reminder_withdraw(*, mentee_id: int, instrument: str, week: int) -> int:
    """The assessment was recorded: its reminder, if not yet sent, is not sent."""
    return due_reminders_cancel(
        kind=Reminder.Kind.ASSESSMENT_DUE,
        topics=[assessment_reminder_topic(mentee_id=mentee_id, instrument=instrument, week=week)],
    )

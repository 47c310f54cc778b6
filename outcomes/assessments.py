"""Reminders of assessments that are due: the outcomes kind of the outbox (notifications).

Outcomes plans the rows: one reminder per mentee per due assessment, to the mentee, on the day
it is due. The outbox sends them exactly once, outside quiet hours, with retries, saying only
that a short questionnaire is due and linking to the mentee's assessments page. Recording the
assessment withdraws its unsent reminder, in the same transaction.
"""

from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import MenteeProfile, Program
from checkins.services import reminders_off, user_tz
from notifications import services as notifications
from notifications.quiet import local_to_utc
from notifications.registry import Kind, Outgoing, kinds
from outcomes.instruments import due_date
from outcomes.selectors import assessments_owed, outcome_settings_get

TOPIC_PREFIX = "assessment:"
# A time point is reminded of from the day before it is due (planned ahead so the beat task
# need not run at a precise hour) until LATE_DAYS after: a mentee enrolled long ago is not
# e-mailed about every time point they missed, and a reminder delayed for a week is dropped.
AHEAD_DAYS = 1
LATE_DAYS = 7
ASSESSMENT_DUE = "outcomes.assessment_due"
DUE_REMINDER_AT = time(10, 0)  # local time on the day it is due


def assessment_reminder_topic(*, mentee_id: int, instrument: str, week: int) -> str:
    """The reminder's key: internal only, never put in an e-mail."""
    return f"{TOPIC_PREFIX}{mentee_id}:{instrument}:{week}"


@transaction.atomic
def assessment_reminders_plan(*, program: Program, now: datetime | None = None) -> int:
    """Plan (idempotently) the outbox rows of the program's due assessments; withdraw
    those no longer due (done, schedule changed, mentee left). Returns rows added or revived.
    Who owes what is the coordinator's queue's rule (`selectors.assessments_owed`), seen from
    the reminders' window; the reminders add only whose account and preferences take e-mail.
    Constant queries however many mentees: the settings, the owed time points, their mentees,
    the preferences, then the outbox's plan."""
    now = now or timezone.now()
    today = now.astimezone(program.tzinfo).date()
    owed = assessments_owed(
        settings=outcome_settings_get(program=program),
        due_from=today - timedelta(days=LATE_DAYS),
        due_by=today + timedelta(days=AHEAD_DAYS),
    )
    mentees = (
        MenteeProfile.objects.filter(user__is_active=True)
        .select_related("user")
        .in_bulk({mentee_id for mentee_id, _instrument, _week in owed})
    )
    off = reminders_off({mentee.user_id for mentee in mentees.values()})
    items = []
    for mentee_id, instrument, week in sorted(owed):
        mentee = mentees.get(mentee_id)
        if mentee is None or mentee.user_id in off:
            continue
        tz = user_tz(mentee.user, program)
        due_on = due_date(mentee.enrolled_on, week)
        items.append(
            notifications.TopicItem(
                recipient=mentee.user,
                topic=assessment_reminder_topic(
                    mentee_id=mentee.pk, instrument=instrument, week=week
                ),
                for_time=local_to_utc(due_on, time(0, 0), tz),
                due_at=max(local_to_utc(due_on, DUE_REMINDER_AT, tz), now),
                data={
                    "due_on": due_on.isoformat(),
                    "path": reverse("outcomes:assessments", args=[mentee.pk]),
                },
            )
        )
    return notifications.notifications_plan_topics(
        program=program, kind=ASSESSMENT_DUE, items=items, topic_prefix=TOPIC_PREFIX
    )


def assessment_reminders_plan_all(*, now: datetime | None = None) -> int:
    return sum(
        assessment_reminders_plan(program=program, now=now) for program in Program.objects.all()
    )


def assessment_reminders_withdraw(*, keys: list[tuple[int, str, int]]) -> int:
    """The assessments (mentee id, instrument, week) were recorded: their reminders, if not
    yet sent, are not sent."""
    return notifications.notifications_cancel(
        kinds=[ASSESSMENT_DUE],
        topics=[
            assessment_reminder_topic(mentee_id=mentee_id, instrument=instrument, week=week)
            for mentee_id, instrument, week in keys
        ],
    )


def _stale(rows: list[Outgoing], now: datetime) -> set[int]:
    """Its mentee chose no reminders since it was planned (recording the assessment, leaving
    the program or the schedule changing withdraw it where they happen)."""
    off = reminders_off({row.recipient_id for row in rows})
    return {row.pk for row in rows if row.recipient_id in off}


def _context(rows: list[Outgoing]) -> dict[int, dict]:
    return {
        row.pk: {"due_on": date.fromisoformat(row.data["due_on"]), "path": row.data["path"]}
        for row in rows
    }


def register() -> None:
    kinds.register(
        ASSESSMENT_DUE,
        Kind(
            label=_("Questionnaire due"),
            subject="emails/outcomes/assessment_due_subject.txt",
            body="emails/outcomes/assessment_due_body.txt",
            context=_context,
            stale=_stale,
        ),
    )

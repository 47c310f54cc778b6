"""What check-in e-mails say and when one is no longer wanted: the check-in kinds of the outbox
(notifications), registered in CheckinsConfig.ready().

A time, a mode, a link. Never anything logged at a check-in, never what a risk flag was about:
an e-mail can be read over someone's shoulder.
"""

from datetime import datetime

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from checkins.models import Alert, CheckIn, CheckinSettings, Mode
from notifications.registry import QUIET_HOURS, Kind, Outgoing, kinds, quiet_hours

BEFORE_24H = "checkins.before_24h"
BEFORE_2H = "checkins.before_2h"
LOG_NUDGE = "checkins.log_nudge"
CRISIS = "checkins.crisis"
CONCERN = "checkins.concern"
REMINDER_KINDS = (BEFORE_24H, BEFORE_2H, LOG_NUDGE)  # about a check-in, to its participants
ALERT_KINDS = (CRISIS, CONCERN)  # about an alert, to the program's coordinators


def _checkins(rows: list[Outgoing]) -> dict[int, tuple[str, datetime, str]]:
    return {
        pk: (status, scheduled_at, mode)
        for pk, status, scheduled_at, mode in CheckIn.objects.filter(
            pk__in={row.about_id for row in rows}
        ).values_list("pk", "status", "scheduled_at", "mode")
    }


def reminder_stale(rows: list[Outgoing], now: datetime) -> set[int]:
    """Cancelled, moved or logged since it was planned, or delayed past the check-in itself."""
    found = _checkins(rows)
    stale = set()
    for row in rows:
        status, scheduled_at, _mode = found.get(row.about_id, (None, None, None))
        if (
            status != CheckIn.Status.SCHEDULED
            or scheduled_at != row.for_time
            or (row.kind != LOG_NUDGE and now >= scheduled_at)
        ):
            stale.add(row.pk)
    return stale


def reminder_context(rows: list[Outgoing]) -> dict[int, dict]:
    found = _checkins(rows)
    return {
        row.pk: {
            "when": found[row.about_id][1],
            "tz": row.tz,
            "mode": Mode(found[row.about_id][2]).label,
            "path": reverse(
                "checkins:log" if row.kind == LOG_NUDGE else "checkins:detail",
                args=[row.about_id],
            ),
        }
        for row in rows
    }


def alert_stale(rows: list[Outgoing], now: datetime) -> set[int]:
    """Resolved before anyone was told: nothing left to look at."""
    open_ids = set(
        Alert.objects.filter(
            pk__in={row.about_id for row in rows}, resolved_at__isnull=True
        ).values_list("pk", flat=True)
    )
    return {row.pk for row in rows if row.about_id not in open_ids}


def alert_context(rows: list[Outgoing]) -> dict[int, dict]:
    return {row.pk: {"path": reverse("checkins:alert", args=[row.about_id])} for row in rows}


def program_quiet_hours(program) -> tuple:
    found = CheckinSettings.objects.filter(program=program).first() or CheckinSettings()
    return found.quiet_start, found.quiet_end


def register() -> None:
    reminder = {
        "subject": "emails/checkins/reminder_subject.txt",
        "body": "emails/checkins/reminder_body.txt",
        "context": reminder_context,
        "stale": reminder_stale,
    }
    kinds.register(BEFORE_24H, Kind(label=_("Check-in reminder, a day before"), **reminder))
    kinds.register(BEFORE_2H, Kind(label=_("Check-in reminder, 2 hours before"), **reminder))
    kinds.register(
        LOG_NUDGE,
        Kind(
            label=_("Please log your check-in"),
            subject="emails/checkins/log_nudge_subject.txt",
            body="emails/checkins/log_nudge_body.txt",
            context=reminder_context,
            stale=reminder_stale,
        ),
    )
    # A crisis flag reaches the coordinators at any hour: it is the program's on-call signal,
    # sent to staff (not participants), and the program's crisis procedure decides who acts on
    # it at night. A concern can wait for the morning.
    kinds.register(
        CRISIS,
        Kind(
            label=_("Crisis alert"),
            subject="emails/checkins/crisis_subject.txt",
            body="emails/checkins/crisis_body.txt",
            context=alert_context,
            stale=alert_stale,
            quiet_hours=False,
        ),
    )
    kinds.register(
        CONCERN,
        Kind(
            label=_("Concern alert"),
            subject="emails/checkins/concern_subject.txt",
            body="emails/checkins/concern_body.txt",
            context=alert_context,
            stale=alert_stale,
        ),
    )
    quiet_hours.register(QUIET_HOURS, program_quiet_hours)

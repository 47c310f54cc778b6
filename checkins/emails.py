"""What reminder e-mails say: a time, a mode, a link. Never anything logged at a check-in,
never what a questionnaire asks: an e-mail can be read over someone's shoulder."""

from collections.abc import Callable
from datetime import datetime

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.utils import DNS_NAME
from django.template.loader import render_to_string
from django.urls import reverse

from checkins.models import Mode, Reminder
from checkins.sending import Outgoing


def when_long(when: datetime) -> str:
    """Saturday, November 28, 3:00 PM CST: the wording's language is English (the month and
    day names of Python's default C locale). Django's date filter says the same but costs as
    much as the rest of the e-mail."""
    return f"{when:%A, %B} {when.day}, {_clock(when)} {when.tzname()}"


def when_short(when: datetime) -> str:
    """Sat Nov 28, 3:00 PM"""
    return f"{when:%a %b} {when.day}, {_clock(when)}"


def _clock(when: datetime) -> str:
    return f"{when.hour % 12 or 12}:{when:%M} {'AM' if when.hour < 12 else 'PM'}"


def message_id(reminder: Outgoing) -> str:
    """The same for every attempt at one reminder, so a mail system that keeps one copy per
    Message-ID shows a reminder sent twice (a worker killed between writing it and recording
    it) once. The time it is for keeps ids apart should a database be rebuilt."""
    return f"<reminder.{reminder.pk}.{int(reminder.for_time.timestamp())}@{DNS_NAME}>"


def reminder_of(message: EmailMessage) -> int:
    """The reminder a message built here is for."""
    return int(message.extra_headers["Message-ID"].split(".")[1])


class ReminderMessages:
    """Builds the e-mails of one batch of reminders.

    A check-in reminder's wording lives in its templates, which are rendered once per batch and
    kind with markers where each reminder's own values go; each e-mail then fills those in.
    Rendering had been the largest cost of a reminder after writing the e-mail itself. Crisis
    and due e-mails are rare and rendered one by one.
    """

    def __init__(self, connection):
        self.connection = connection
        self._skeletons: dict[tuple[str, str], str] = {}

    def build(self, reminder: Outgoing) -> EmailMessage:
        if reminder.kind == Reminder.Kind.CRISIS:
            subject, body = _crisis_texts(reminder)
        elif reminder.checkin_id is None:
            subject, body = _due_texts(reminder)
        else:
            when = reminder.scheduled_at.astimezone(reminder.tz)
            checkin_id = reminder.checkin_id
            # Each value is computed only if the kind's wording uses it (a nudge to log has no
            # "details" link, a reminder no log link).
            values = {
                "when_long": lambda: when_long(when),
                "when_short": lambda: when_short(when),
                "mode": lambda: Mode(reminder.mode).label,
                "url": lambda: settings.SITE_URL + reverse("checkins:detail", args=[checkin_id]),
                "log_url": lambda: settings.SITE_URL + reverse("checkins:log", args=[checkin_id]),
            }
            subject = self._filled("emails/checkins/reminder_subject.txt", reminder.kind, values)
            body = self._filled("emails/checkins/reminder_body.txt", reminder.kind, values)
        return EmailMessage(
            subject=" ".join(subject.split()),
            body=body,
            to=[reminder.email],
            connection=self.connection,
            headers={"Message-ID": message_id(reminder)},
        )

    def _filled(self, template: str, kind: str, values: dict[str, Callable[[], str]]) -> str:
        skeleton = self._skeletons.get((template, kind))
        if skeleton is None:
            # NUL never occurs in a template or a value, so a marker cannot be mistaken.
            markers = {key: f"\0{key}\0" for key in values}
            skeleton = render_to_string(template, {"kind": kind, **markers})
            self._skeletons[(template, kind)] = skeleton
        for key, value in values.items():
            marker = f"\0{key}\0"
            if marker in skeleton:
                skeleton = skeleton.replace(marker, value())
        return skeleton


def _crisis_texts(reminder: Outgoing) -> tuple[str, str]:
    """A crisis flag: where to look and the crisis resources, nothing from the check-in."""
    context = {
        "program": reminder.program,
        "url": settings.SITE_URL + reverse("checkins:detail", args=[reminder.checkin_id]),
    }
    return (
        render_to_string("emails/checkins/crisis_subject.txt", context),
        render_to_string("emails/checkins/crisis_body.txt", context),
    )


def _due_texts(reminder: Outgoing) -> tuple[str, str]:
    """Something is due: the e-mail says only that a short questionnaire is due, when, and
    where to sign in. No instrument, no score, nothing from the topic."""
    context = {"due_on": reminder.due_on, "url": settings.SITE_URL + reminder.link_path}
    return (
        render_to_string("emails/checkins/due_subject.txt", context),
        render_to_string("emails/checkins/due_body.txt", context),
    )

"""Notification kinds: what each app's e-mails say and when one is no longer wanted.

Each app registers its kinds in its `AppConfig.ready()`:

    kinds.register("checkins.before_24h", Kind(
        label=_("Check-in reminder"),
        subject="emails/checkins/reminder_subject.txt",
        body="emails/checkins/reminder_body.txt",
        context=reminder_context,      # (rows) -> {row.pk: template context}
        stale=reminder_stale,          # (rows, now) -> {row.pk, ...} no longer wanted
    ))

The outbox reads a chunk of claimed rows, asks each kind which of its rows are stale (those
are cancelled, not sent), then the context of the others, and renders the two templates with
it (plus `site_url` and `program`). Templates say when and where to sign in,
never anything clinical (no substance, mood, notes, risk details): an e-mail from a recovery
program can be read over someone's shoulder and is itself a disclosure.

`quiet_hours` tells whether the program's quiet hours hold the message back (in the
recipient's time zone); `needs_sign_in` whether it points to a page behind sign-in (a person
who cannot sign in yet gets no such message; they get the invitation instead); `address`
where it goes, the recipient's sign-in address unless the kind says otherwise.

Quiet hours themselves belong to a higher app (check-in settings): it registers one function
under QUIET_HOURS in `quiet_hours`, (program) -> (start, end) local times, equal for none.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time

from accounts.models import Program
from mentorship.registry import Registry


@dataclass(frozen=True, slots=True)
class Outgoing:
    """A claimed notification, as a kind's checks and templates see it."""

    pk: int
    kind: str
    about_id: int | None
    topic: str
    for_time: datetime
    data: dict
    lease_ends: datetime
    attempts: int
    recipient_id: int
    email: str
    recipient_active: bool
    recipient_can_sign_in: bool
    tz: zoneinfo.ZoneInfo  # the recipient's, else the program's
    program: Program
    # The recipient's language (accounts.languages.language_for_recipient): the message is
    # rendered in it, dates and numbers included.
    language: str = "en"


def _nothing_stale(rows: list[Outgoing], now: datetime) -> set[int]:
    return set()


def _data_only(rows: list[Outgoing]) -> dict[int, dict]:
    return {row.pk: dict(row.data) for row in rows}


def _recipient_address(row: Outgoing) -> str:
    return row.email


@dataclass(frozen=True)
class Kind:
    label: str
    subject: str  # template paths
    body: str
    context: Callable[[list[Outgoing]], dict[int, dict]] = field(default=_data_only)
    stale: Callable[[list[Outgoing], datetime], set[int]] = field(default=_nothing_stale)
    quiet_hours: bool = True
    needs_sign_in: bool = True
    # Where it goes: the recipient's sign-in address, except for the e-mail change messages
    # (the confirmation goes to the new address, the notice to the old one).
    address: Callable[[Outgoing], str] = field(default=_recipient_address)


kinds: Registry[Kind] = Registry("notification kinds")

QUIET_HOURS = "program"
quiet_hours: Registry[Callable[[Program], tuple[time, time]]] = Registry("quiet hours")


def program_quiet_hours(program: Program) -> tuple[time, time]:
    if QUIET_HOURS in quiet_hours:
        return quiet_hours.get(QUIET_HOURS)(program)
    return time(0), time(0)  # none

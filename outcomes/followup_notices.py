"""Coordinators' notices about follow-up interview windows: the outbox kinds of outcomes.

Three moments of each window of each person who must be interviewed: it opens, it closes in 7
days, it was missed. Planned (idempotently) by the hourly beat task and again whenever an
interview is recorded, with `notifications_plan_topics`: a window done, a person who died or
withdrew, a window moved by a corrected enrollment date - each withdraws its unsent notices
in the same transaction. The messages name no one and nothing clinical: they say that an
interview window needs attention and link to the page that says whose (behind sign-in).
"""

from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership, MenteeProfile, Program, User
from notifications import services as notifications
from notifications.quiet import local_to_utc
from notifications.registry import Kind, Outgoing, kinds
from outcomes import interviews
from outcomes.models import Interview

OPENS = "outcomes.interview_window_opens"
CLOSING = "outcomes.interview_window_closing"
MISSED = "outcomes.interview_window_missed"
KINDS = (OPENS, CLOSING, MISSED)
TOPIC_PREFIX = "interview:"
SENT_AT = time(9, 0)  # local time on the day of the moment
# Planned from the day before the moment; a notice more than 7 days late is no longer news.
AHEAD_DAYS = 1
LATE_DAYS = 7


def _moment(kind: str, found: interviews.Window) -> date:
    if kind == OPENS:
        return found.opens
    if kind == CLOSING:
        return found.closes - timedelta(days=interviews.WEEK)
    return found.closes + timedelta(days=1)


def topic(*, mentee_id: int, found: interviews.Window) -> str:
    """Internal key (one per kind), never in an e-mail. The window's dates are part of it: a
    window moved by a corrected enrollment date is a new notice, the old one is withdrawn."""
    return f"{TOPIC_PREFIX}{mentee_id}:{found.point}:{found.opens}:{found.closes}"


def _coordinators(program: Program) -> list[User]:
    return list(
        User.objects.filter(
            memberships__program=program,
            memberships__role=Membership.Role.COORDINATOR,
            is_active=True,
        ).distinct()
    )


@transaction.atomic
def followup_notices_plan(*, program: Program, now: datetime | None = None) -> int:
    """Make the program's unsent window notices match what is wanted now. Returns rows added."""
    now = now or timezone.now()
    today = now.astimezone(program.tzinfo).date()
    state = interviews.follow_up_read(program=program, today=today)
    coordinators = _coordinators(program)
    wanted: dict[str, list[notifications.TopicItem]] = {kind: [] for kind in KINDS}
    for person_point in state.points.values():
        found = person_point.window
        if found is None or person_point.done or person_point.not_sought:
            continue
        for kind in KINDS:
            moment = _moment(kind, found)
            if (
                not today - timedelta(days=LATE_DAYS)
                <= moment
                <= today + timedelta(days=AHEAD_DAYS)
            ):
                continue
            data = {
                "mentee_id": person_point.mentee.pk,
                "point": found.point,
                "opens": found.opens.isoformat(),
                "closes": found.closes.isoformat(),
                "path": reverse("outcomes:interviews", args=[person_point.mentee.pk]),
            }
            for coordinator in coordinators:
                tz = notifications.recipient_tz(coordinator, program)
                wanted[kind].append(
                    notifications.TopicItem(
                        recipient=coordinator,
                        topic=topic(mentee_id=person_point.mentee.pk, found=found),
                        for_time=local_to_utc(moment, time(0, 0), tz),
                        due_at=max(local_to_utc(moment, SENT_AT, tz), now),
                        data=data,
                    )
                )
    return sum(
        notifications.notifications_plan_topics(
            program=program, kind=kind, items=items, topic_prefix=TOPIC_PREFIX
        )
        for kind, items in wanted.items()
    )


def followup_notices_plan_all(*, now: datetime | None = None) -> int:
    return sum(followup_notices_plan(program=p, now=now) for p in Program.objects.all())


def followup_notices_withdraw(*, mentee: MenteeProfile) -> int:
    """An interview was recorded: plan the program again, which withdraws the unsent notices of
    a window now done (or of a person no longer sought)."""
    return followup_notices_plan(program=mentee.program)


def _stale(rows: list[Outgoing], now: datetime) -> set[int]:
    """The window was done, or the person is no longer sought, since it was planned; or the
    recipient no longer coordinates the program."""
    mentee_ids = {row.data["mentee_id"] for row in rows}
    found = list(
        Interview.objects.filter(mentee_id__in=mentee_ids).values_list(
            "mentee_id", "point", "held_on", "outcome"
        )
    )
    coordinating = set(
        Membership.objects.filter(
            user_id__in={row.recipient_id for row in rows},
            program_id__in={row.program.pk for row in rows},
            role=Membership.Role.COORDINATOR,
        ).values_list("user_id", "program_id")
    )
    stale = set()
    for row in rows:
        opens, closes = (
            date.fromisoformat(row.data["opens"]),
            date.fromisoformat(row.data["closes"]),
        )
        mine = [f for f in found if f[0] == row.data["mentee_id"]]
        done = any(
            point == row.data["point"]
            and outcome == interviews.Outcome.COMPLETED
            and opens <= held_on <= closes
            for _m, point, held_on, outcome in mine
        )
        gone = any(outcome in interviews.NOT_SOUGHT for *_rest, outcome in mine)
        if done or gone or (row.recipient_id, row.program.pk) not in coordinating:
            stale.add(row.pk)
    return stale


def _context(rows: list[Outgoing]) -> dict[int, dict]:
    return {
        row.pk: {
            "opens": date.fromisoformat(row.data["opens"]),
            "closes": date.fromisoformat(row.data["closes"]),
            "path": row.data["path"],
        }
        for row in rows
    }


def register() -> None:
    for kind, label, name in (
        (OPENS, _("Interview window opens"), "window_opens"),
        (CLOSING, _("Interview window closes in a week"), "window_closing"),
        (MISSED, _("Interview window missed"), "window_missed"),
    ):
        kinds.register(
            kind,
            Kind(
                label=label,
                subject=f"emails/outcomes/interview_{name}_subject.txt",
                body=f"emails/outcomes/interview_{name}_body.txt",
                context=_context,
                stale=_stale,
            ),
        )

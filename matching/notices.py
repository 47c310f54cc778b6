"""Match notices: the matching kinds of the outbox (notifications), registered in
MatchingConfig.ready(). They name no person, program or clinical detail (an e-mail from a
recovery program is itself a disclosure, 42 CFR Part 2): only that something waits behind
sign-in. People who cannot sign in yet get no notice (the outbox leaves them out); their
invitation is what reaches them.
"""

from datetime import datetime

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from matching.models import Match
from notifications import services as notifications
from notifications.models import Notification
from notifications.registry import Kind, Outgoing, kinds

PROPOSED = "matching.proposed"  # to the mentor who must accept or decline
STARTED = "matching.started"  # to both people of a match that started
KINDS = (PROPOSED, STARTED)
_STILL = {PROPOSED: (Match.Status.PROPOSED,), STARTED: Match.CURRENT}


def notices_send(*, kind: str, matches: list[Match], to_mentee: bool, to_mentor: bool) -> None:
    """Queue one notice per person per match, in the caller's transaction."""
    rows = []
    for match in matches:
        people = ([match.mentee.user] if to_mentee else []) + (
            [match.mentor.user] if to_mentor else []
        )
        rows += [
            Notification(
                kind=kind,
                about_id=match.pk,
                program_id=match.program_id,
                recipient=user,
                for_time=match.started_at or match.proposed_at,
            )
            for user in people
        ]
    notifications.notifications_enqueue(rows=rows)


def notices_withdraw(*, match: Match) -> int:
    """The match ended (declined, withdrawn, lapsed): its unsent notices are not sent."""
    return notifications.notifications_cancel(kinds=KINDS, about_ids=[match.pk])


def _stale(rows: list[Outgoing], now: datetime) -> set[int]:
    status = dict(
        Match.objects.filter(pk__in={row.about_id for row in rows}).values_list("pk", "status")
    )
    return {row.pk for row in rows if status.get(row.about_id) not in _STILL[row.kind]}


def _context(rows: list[Outgoing]) -> dict[int, dict]:
    return {row.pk: {"path": reverse("home")} for row in rows}


def register() -> None:
    kinds.register(
        PROPOSED,
        Kind(
            label=_("Match waiting for the mentor"),
            subject="emails/matching/proposed_subject.txt",
            body="emails/matching/proposed_body.txt",
            context=_context,
            stale=_stale,
        ),
    )
    kinds.register(
        STARTED,
        Kind(
            label=_("Match started"),
            subject="emails/matching/started_subject.txt",
            body="emails/matching/started_body.txt",
            context=_context,
            stale=_stale,
        ),
    )

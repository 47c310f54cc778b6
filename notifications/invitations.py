"""The invitation e-mail. Registered here, not in accounts: accounts is below the outbox and
cannot import it, so it announces each new invitation through `accounts.hooks.invitation_created`
and this module queues the e-mail in the same transaction."""

from datetime import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import hooks, invitations
from accounts.models import Invitation
from notifications import services
from notifications.registry import Kind, Outgoing, kinds

INVITATION = "accounts.invitation"


def _context(rows: list[Outgoing]) -> dict[int, dict]:
    expires = dict(
        Invitation.objects.filter(pk__in=[r.about_id for r in rows]).values_list("pk", "expires_at")
    )
    return {
        row.pk: {
            "url": reverse(
                "accounts:invitation_accept",
                kwargs={"token": invitations.invitation_token(row.data["seed"])},
            ),
            "expires_at": expires[row.about_id],
            "timezone": row.tz.key,
            "valid_days": invitations.VALID_DAYS,
        }
        for row in rows
    }


def _stale(rows: list[Outgoing], now: datetime) -> set[int]:
    """Used, superseded by a newer one, expired, or its person deactivated."""
    open_ids = set(
        Invitation.objects.filter(
            pk__in=[r.about_id for r in rows],
            used_at__isnull=True,
            superseded_at__isnull=True,
            expires_at__gt=now,
            user__is_active=True,
        ).values_list("pk", flat=True)
    )
    return {row.pk for row in rows if row.about_id not in open_ids}


def on_invitation_created(*, invitation: Invitation, seed: str) -> None:
    # The e-mail of the invitation this one supersedes (same person, same program), if not sent
    # yet, is withdrawn; another program's invitation is none of this one's business.
    superseded = Invitation.objects.filter(
        user_id=invitation.user_id, program_id=invitation.program_id
    ).exclude(pk=invitation.pk)
    services.notifications_cancel(
        kinds=[INVITATION],
        recipients=[invitation.user_id],
        about_ids=list(superseded.values_list("pk", flat=True)),
    )
    services.notification_enqueue(
        kind=INVITATION,
        recipient=invitation.user,
        program=invitation.program,
        about_id=invitation.pk,
        for_time=invitation.created_at or timezone.now(),
        data={"seed": seed},
    )


def register() -> None:
    kinds.register(
        INVITATION,
        Kind(
            label=_("Invitation"),
            subject="emails/invitation_subject.txt",
            body="emails/invitation.txt",
            context=_context,
            stale=_stale,
            # The one kind for people who cannot sign in yet: it is how they can.
            needs_sign_in=False,
        ),
    )
    hooks.invitation_created.connect(on_invitation_created)

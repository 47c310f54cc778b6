"""The e-mails of a sign-in address change: the confirmation link, to the new address, and the
notice, to the old one. Registered here, not in accounts (below the outbox): accounts announces
them through `accounts.hooks.email_change_requested` and `email_changed`, and this module queues
them in the same transaction. As for invitations, only a seed is queued; the link's token is
derived from it with the SECRET_KEY."""

import hashlib
from datetime import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import hooks
from accounts import services as accounts
from accounts.models import EmailChange, Program, User
from notifications import services
from notifications.registry import Kind, Outgoing, kinds

CONFIRM = "accounts.email_change_confirm"
NOTICE = "accounts.email_changed"


def _to(row: Outgoing) -> str:
    return row.data["to"]


def _confirm_context(rows: list[Outgoing]) -> dict[int, dict]:
    expires = dict(
        EmailChange.objects.filter(pk__in=[r.about_id for r in rows]).values_list(
            "pk", "expires_at"
        )
    )
    return {
        row.pk: {
            "url": reverse(
                "accounts:email_change_confirm",
                kwargs={"token": accounts.email_change_token(row.data["seed"])},
            ),
            "expires_at": expires[row.about_id],
            "timezone": row.tz.key,
        }
        for row in rows
    }


def _confirm_stale(rows: list[Outgoing], now: datetime) -> set[int]:
    """Used, superseded by a newer request, or expired."""
    open_ids = set(
        EmailChange.objects.filter(
            pk__in=[r.about_id for r in rows],
            used_at__isnull=True,
            superseded_at__isnull=True,
            expires_at__gt=now,
        ).values_list("pk", flat=True)
    )
    return {row.pk for row in rows if row.about_id not in open_ids}


def _notice_context(rows: list[Outgoing]) -> dict[int, dict]:
    return {row.pk: {"timezone": row.tz.key, "for_time": row.for_time} for row in rows}


def _program_of(user: User) -> Program:
    # The outbox files every message under a program; the person's first one will do (the
    # texts name none). email_change_request refuses a person who belongs to no program.
    return (
        Program.objects.filter(
            memberships__user=user,
            memberships__is_active=True,
            memberships__joined_at__isnull=False,
        )
        .order_by("pk")
        .first()
    )


def on_email_change_requested(*, change: EmailChange, seed: str) -> None:
    services.notification_replace(
        kind=CONFIRM,
        recipient=change.user,
        program=_program_of(change.user),
        about_id=change.pk,
        for_time=change.created_at,
        data={"seed": seed, "to": change.new_email},
    )


def _notice_topic(address: str) -> str:
    # The address itself is too long for a topic and need not be in one.
    return "email_changed:" + hashlib.sha256(address.encode()).hexdigest()[:40]


def on_email_changed(*, user: User, old_email: str) -> None:
    # An unsent confirmation (of this change or an older request) has nothing left to confirm;
    # an unsent notice to the address now back in use is moot: its holder just confirmed it.
    services.notifications_cancel(kinds=[CONFIRM], recipients=[user.pk])
    services.notifications_cancel(
        kinds=[NOTICE], recipients=[user.pk], topics=[_notice_topic(user.email)]
    )
    services.notification_enqueue(
        kind=NOTICE,
        recipient=user,
        program=_program_of(user),
        topic=_notice_topic(old_email),
        for_time=timezone.now(),
        data={"to": old_email},
    )


def register() -> None:
    kinds.register(
        CONFIRM,
        Kind(
            label=_("E-mail change confirmation"),
            subject="emails/email_change_confirm_subject.txt",
            body="emails/email_change_confirm.txt",
            context=_confirm_context,
            stale=_confirm_stale,
            address=_to,
        ),
    )
    kinds.register(
        NOTICE,
        Kind(
            label=_("E-mail changed notice"),
            subject="emails/email_changed_subject.txt",
            body="emails/email_changed.txt",
            context=_notice_context,
            # It points to no page: the old address must hear of the change even if the
            # account can no longer be signed in to by whoever reads it.
            needs_sign_in=False,
            address=_to,
        ),
    )
    hooks.email_change_requested.connect(on_email_change_requested)
    hooks.email_changed.connect(on_email_changed)

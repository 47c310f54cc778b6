"""The password reset e-mail. Registered here, not in accounts: accounts is below the outbox, so
its reset form (`accounts.services.password_reset_request`) announces a request through
`accounts.hooks.password_reset_requested` and this module queues the e-mail in the same
transaction.

Nothing secret is queued: the link (Django's uid + token, `accounts.services.
password_reset_path`) is built from the account when the e-mail is sent, as the invitation's
token is derived from its seed, so no row, log line or error report holds a working token."""

from datetime import datetime, timedelta

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from accounts import hooks
from accounts import services as accounts
from accounts.models import Program, User
from notifications import services
from notifications.registry import Kind, Outgoing, kinds

PASSWORD_RESET = "accounts.password_reset"  # noqa: S105 (a kind name, not a password)


def _context(rows: list[Outgoing]) -> dict[int, dict]:
    people = User.objects.in_bulk([row.recipient_id for row in rows])
    return {row.pk: {"url": accounts.password_reset_path(people[row.recipient_id])} for row in rows}


def _stale(rows: list[Outgoing], now: datetime) -> set[int]:
    """Asked for longer ago than a link stays valid (an outage held it): the person has given
    up on it or asked again, and a link out of the blue a day later only alarms."""
    oldest = now - timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT)
    return {row.pk for row in rows if row.for_time <= oldest}


def on_password_reset_requested(*, user: User, program: Program) -> None:
    # Asked again before the e-mail went out: one message, the latest.
    services.notification_replace(kind=PASSWORD_RESET, recipient=user, program=program)


def register() -> None:
    kinds.register(
        PASSWORD_RESET,
        Kind(
            label=_("Password reset"),
            subject="emails/password_reset_subject.txt",
            body="emails/password_reset.txt",
            context=_context,
            stale=_stale,
            # The person is waiting for it at the sign-in page, at whatever hour: quiet hours
            # would hold it until morning. It goes only to the address that asked for it.
            quiet_hours=False,
            # needs_sign_in (the default), as Django's form: only an account with a password is
            # sent a reset link; a person who has not chosen one yet gets their invitation.
        ),
    )
    hooks.password_reset_requested.connect(on_password_reset_requested)

"""The e-mail telling a person their second factor was reset. Registered here, not in accounts:
accounts is below the outbox, so `accounts.second_factor.second_factor_reset` announces the
reset through `accounts.hooks.second_factor_reset` and this module queues the e-mail in the
same transaction. It says what happened and where to sign in, nothing about the program's
participants."""

from django.utils.translation import gettext_lazy as _

from accounts import hooks
from accounts.models import Program, User
from notifications import services
from notifications.registry import Kind, kinds

SECOND_FACTOR_RESET = "accounts.second_factor_reset"


def on_second_factor_reset(*, user: User, program: Program | None) -> None:
    if program is None:
        return  # every e-mail belongs to a program; a superuser without one is told in person
    # A second reset before the first e-mail went out replaces it: one message per person.
    services.notification_replace(kind=SECOND_FACTOR_RESET, recipient=user, program=program)


def register() -> None:
    kinds.register(
        SECOND_FACTOR_RESET,
        Kind(
            label=_("Second factor reset"),
            subject="emails/second_factor_reset_subject.txt",
            body="emails/second_factor_reset.txt",
        ),
    )
    hooks.second_factor_reset.connect(on_second_factor_reset)

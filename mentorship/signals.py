"""Sign-in events go to the security log and the audit trail, never with the password."""

import logging
import time

from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from mentorship.audit import Action, audit_record
from mentorship.middleware import LOGIN_AT

log = logging.getLogger("mentorship.security")


def _account_id(username: str | None) -> int | None:
    if not username:
        return None
    return (
        get_user_model().objects.filter(email__iexact=username).values_list("pk", flat=True).first()
    )


@receiver(user_logged_in)
def on_login(sender, request, user, **kwargs):
    request.session[LOGIN_AT] = time.time()
    log.info("login succeeded user=%s", user.pk)
    audit_record(
        actor=user,
        action=Action.LOGIN,
        object_type="accounts.user",
        object_id=user.pk,
        request=request,
    )


@receiver(user_logged_out)
def on_logout(sender, request, user, **kwargs):
    if user is not None:
        audit_record(
            actor=user,
            action=Action.LOGOUT,
            object_type="accounts.user",
            object_id=user.pk,
            request=request,
        )


@receiver(user_login_failed)
def on_login_failed(sender, credentials, request=None, **kwargs):
    # The e-mail address is personal data: log the account id when it exists, not the address.
    account = _account_id(credentials.get("username") or credentials.get("email"))
    log.warning("login failed account=%s", account or "unknown")
    audit_record(
        actor=None,
        action=Action.LOGIN_FAILED,
        object_type="accounts.user",
        object_id=account or "",
        request=request,
    )


@receiver(user_locked_out)
def on_lockout(sender, request, username=None, ip_address=None, **kwargs):
    account = _account_id(username)
    log.warning("account locked out account=%s", account or "unknown")
    audit_record(
        actor=None,
        action=Action.LOCKOUT,
        object_type="accounts.user",
        object_id=account or "",
        request=request,
    )

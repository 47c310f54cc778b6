"""Second factor: TOTP (django-otp), passkeys (django-otp-webauthn) and recovery codes.

Reads (who must have one, and by when) and writes (set up, remove, regenerate, reset), each
write audited. Who must: a coordinator or evaluator (the roles that see identities or export)
from `Program.second_factor_grace_days` after the later of their role starting
(`Membership.created_at`) and the rule starting in that program
(`Program.second_factor_since`); the earliest such deadline over their programs counts.
Mentors and mentees may set one up and are never made to. A recovery code counts only beside a
TOTP or a passkey: the codes are made with the first of those and go with the last.
"""

import base64
import io
import secrets
from datetime import datetime, timedelta

import qrcode
import qrcode.image.svg
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from accounts import hooks
from accounts.models import Membership, Program, RecoveryCode, RecoveryCodes, User
from mentorship.audit import Action, audit_record, audit_records_bulk

ENFORCED_ROLES = (Membership.Role.COORDINATOR, Membership.Role.STAFF)
RECOVERY_CODE_COUNT = 10
AUDIT_TYPE = "accounts.second_factor"

# The session remembers what the sign-in still needs, so pages do not query devices each time.
SESSION_STATE = "second_factor"
OK, VERIFY, SETUP = "ok", "verify", "setup"


# --- Reads


def has_second_factor(user: User) -> bool:
    return (
        TOTPDevice.objects.filter(user=user, confirmed=True).exists()
        or WebAuthnCredential.objects.filter(user=user, confirmed=True).exists()
    )


def second_factor_deadline(user: User) -> datetime | None:
    """When this person must have a second factor by, or None if never."""
    rows = Membership.objects.filter(
        user=user, is_active=True, role__in=ENFORCED_ROLES
    ).values_list("created_at", "program__second_factor_since", "program__second_factor_grace_days")
    return min(
        (max(started, since) + timedelta(days=days) for started, since, days in rows),
        default=None,
    )


def sign_in_state(user: User) -> str:
    """VERIFY: has a second factor, must use it; SETUP: must set one up first; OK otherwise."""
    if has_second_factor(user):
        return VERIFY
    deadline = second_factor_deadline(user)
    if deadline is not None and deadline <= timezone.now():
        return SETUP
    return OK


def security_overview(user: User) -> dict:
    return {
        "totp": TOTPDevice.objects.filter(user=user, confirmed=True).first(),
        "passkeys": list(
            WebAuthnCredential.objects.filter(user=user, confirmed=True).order_by("created_at")
        ),
        "recovery_codes_left": RecoveryCode.objects.filter(device__user=user).count(),
        "deadline": second_factor_deadline(user),
    }


def totp_qr_data_uri(device: TOTPDevice) -> str:
    """The otpauth:// URL as an SVG image in a data: URI (our CSP allows data: images only,
    no inline SVG styles)."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def totp_secret(device: TOTPDevice) -> str:
    """The key in base32, grouped by four, for typing into an app instead of scanning."""
    key = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


# --- Writes


def _audit(*, actor: User, user: User, action: str, fields: list[str], request=None) -> None:
    audit_record(
        actor=actor,
        action=action,
        object_type=AUDIT_TYPE,
        object_id=user.pk,
        person=user,
        fields=fields,
        request=request,
    )


@transaction.atomic
def totp_begin(*, user: User) -> TOTPDevice:
    """A new, unconfirmed TOTP key for the set-up page (an earlier unconfirmed one is
    dropped: only the key on screen can be confirmed)."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name=_("Authenticator app"), confirmed=False)


def totp_pending(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").last()


@transaction.atomic
def totp_confirm(*, user: User, token: str, request) -> list[str]:
    """Confirm the key on screen with a code from the app. Replaces an earlier app. Returns
    new recovery codes when this is the person's first second factor, else []."""
    device = (
        TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).order_by("pk")
    ).last()
    if device is None or not device.verify_token(token.replace(" ", "")):
        raise ValidationError(
            _("That code did not match. Check the time on your phone and try the newest code.")
        )
    TOTPDevice.objects.filter(user=user, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    _audit(actor=user, user=user, action=Action.CREATE, fields=["totp"], request=request)
    otp_login(request, device)
    return _first_recovery_codes(user=user, request=request)


@transaction.atomic
def passkey_added(*, user: User, request) -> list[str]:
    """After django-otp-webauthn saved a new passkey: audit it, and make the recovery codes if
    this is the person's first second factor."""
    _audit(actor=user, user=user, action=Action.CREATE, fields=["passkey"], request=request)
    return _first_recovery_codes(user=user, request=request)


def _first_recovery_codes(*, user: User, request) -> list[str]:
    if RecoveryCodes.objects.filter(user=user).exists():
        return []
    return recovery_codes_generate(user=user, request=request)


def _new_code() -> str:
    raw = base64.b32encode(secrets.token_bytes(10)).decode()  # 80 bits, 16 characters
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


@transaction.atomic
def recovery_codes_generate(*, user: User, request) -> list[str]:
    """A new set of recovery codes, replacing the old ones. The codes are returned to be shown
    once; only their digests are stored."""
    if not has_second_factor(user):
        raise ValidationError(_("Set up an authenticator app or a passkey first."))
    RecoveryCodes.objects.filter(user=user).delete()
    device = RecoveryCodes.objects.create(user=user, name=_("Recovery codes"), confirmed=True)
    codes = [_new_code() for _n in range(RECOVERY_CODE_COUNT)]
    RecoveryCode.objects.bulk_create(
        RecoveryCode(device=device, digest=RecoveryCodes.digest(code)) for code in codes
    )
    _audit(actor=user, user=user, action=Action.CREATE, fields=["recovery_codes"], request=request)
    return codes


def _drop_codes_if_alone(user: User) -> None:
    if not has_second_factor(user):
        RecoveryCodes.objects.filter(user=user).delete()


@transaction.atomic
def totp_remove(*, user: User, request) -> None:
    if TOTPDevice.objects.filter(user=user).delete()[0]:
        _drop_codes_if_alone(user)
        _audit(actor=user, user=user, action=Action.DELETE, fields=["totp"], request=request)


@transaction.atomic
def passkey_remove(*, user: User, pk: int, request) -> None:
    # Only the person's own passkeys: another person's id removes nothing.
    if WebAuthnCredential.objects.filter(user=user, pk=pk).delete()[0]:
        _drop_codes_if_alone(user)
        _audit(actor=user, user=user, action=Action.DELETE, fields=["passkey"], request=request)


def second_factor_verify(*, user: User, token: str, request) -> bool:
    """The sign-in's second step with a code: from the app, or a recovery code (used up).

    Each device throttles itself after a failure (1, 2, 4 ... seconds, django-otp), and a
    failure also counts as a failed sign-in for axes, so five in a row lock the account like
    five wrong passwords."""
    token = token.replace(" ", "").strip()
    # Six digits are the app's; anything else is a recovery code (a typo in one must not
    # throttle the other).
    model = TOTPDevice if token.isdigit() else RecoveryCodes
    with transaction.atomic():
        # Locked rows: two tries of the same code at once cannot both pass.
        devices = model.objects.select_for_update().filter(user=user, confirmed=True)
        device = next((d for d in devices if d.verify_token(token)), None)
    if device is None:
        user_login_failed.send(
            sender=__name__, credentials={"username": user.email}, request=request
        )
        return False
    otp_login(request, device)
    if isinstance(device, RecoveryCodes):
        _audit(actor=user, user=user, action=Action.UPDATE, fields=["recovery_codes"])
    return True


@transaction.atomic
def second_factor_reset(*, actor: User, user: User, request=None) -> None:
    """Remove all of a person's second factors (a lost phone): a superuser's act only,
    audited in every program the person belongs to, and the person is told by e-mail."""
    if not (actor.is_active and actor.is_superuser):
        raise PermissionDenied
    removed = [
        name
        for name, rows in (
            ("totp", TOTPDevice.objects.filter(user=user)),
            ("passkey", WebAuthnCredential.objects.filter(user=user)),
            ("recovery_codes", RecoveryCodes.objects.filter(user=user)),
        )
        if rows.delete()[0]
    ]
    programs = list(Program.objects.filter(memberships__user=user).distinct().order_by("pk"))
    entry = {
        "actor": actor,
        "action": Action.DELETE,
        "object_type": AUDIT_TYPE,
        "object_id": user.pk,
        "person": user,
        "fields": removed or ["none"],
        "request": request,
    }
    if programs:
        audit_records_bulk({**entry, "program": program} for program in programs)
    else:
        audit_record(**entry)
    hooks.second_factor_reset(user=user, program=programs[0] if programs else None)

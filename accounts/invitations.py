"""Invitations: a single-use, expiring link by e-mail with which a participant sets a password.

Only a hash of the token is stored, so a leaked database cannot be turned into sign-ins. A new
invitation supersedes any earlier one still open; accepting claims the invitation with a
conditional update, so two clicks (or two tabs) cannot both use it.

The e-mail goes through the outbox (notifications, a layer above: it registers the invitation
kind and connects to `invitation_created`, in the same transaction). The outbox must write the
link after the request is over, yet the token is not stored in clear: the token is an HMAC,
under the SECRET_KEY, of a random seed, and only the seed travels with the queued message. A
copy of the database alone (hash and seed) still cannot be turned into a sign-in; rotating the
SECRET_KEY voids links not yet sent (their e-mails would carry dead links; send them again).
"""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db import transaction
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.crypto import salted_hmac

from accounts.hooks import invitation_created
from accounts.models import Invitation, MenteeProfile, MentorProfile, Program, User
from mentorship.audit import Action, audit_record

VALID_DAYS = getattr(settings, "INVITATION_VALID_DAYS", 7)


class State:
    VALID = "valid"
    USED = "used"
    SUPERSEDED = "superseded"
    EXPIRED = "expired"
    INACTIVE = "inactive"  # the account was deactivated after the invitation was sent


class InvitationUnusable(Exception):
    def __init__(self, state: str):
        super().__init__(state)
        self.state = state


def token_hash(token: str) -> str:
    # The token has 256 random bits: a plain SHA-256 is enough, no salt or slow hash needed.
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_token(seed: str) -> str:
    """The link's token for a seed (see the module docstring)."""
    return salted_hmac("accounts.invitation", seed, algorithm="sha256").hexdigest()


def _invite(*, user: User, program: Program, sent_by, request) -> Invitation:
    # Lock the person: two coordinators re-sending at once must still leave one open link.
    User.objects.select_for_update().filter(pk=user.pk).first()
    moment = timezone.now()
    Invitation.objects.filter(user=user, used_at__isnull=True, superseded_at__isnull=True).update(
        superseded_at=moment
    )
    seed = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        user=user,
        program=program,
        token_hash=token_hash(invitation_token(seed)),
        created_at=moment,
        expires_at=moment + timedelta(days=VALID_DAYS),
        sent_by=sent_by if sent_by is not None and sent_by.is_authenticated else None,
    )
    audit_record(
        actor=sent_by,
        action=Action.CREATE,
        obj=invitation,
        program=program,
        person=user,
        fields=["expires_at"],
        request=request,
    )
    invitation_created(invitation=invitation, seed=seed)
    return invitation


@transaction.atomic
def invitation_send(*, user: User, program: Program, sent_by, request=None) -> Invitation:
    """Invite (or re-invite) one person; any earlier link stops working."""
    return _invite(user=user, program=program, sent_by=sent_by, request=request)


def uninvited_users(program: Program) -> QuerySet:
    """The program's participants who were never invited to it and cannot sign in yet."""
    participants = Q(pk__in=MentorProfile.objects.filter(program=program).values("user_id")) | Q(
        pk__in=MenteeProfile.objects.filter(program=program).values("user_id")
    )
    return (
        User.objects.filter(
            participants, is_active=True, password__startswith=UNUSABLE_PASSWORD_PREFIX
        )
        .exclude(pk__in=Invitation.objects.filter(program=program).values("user_id"))
        .order_by("pk")
    )


@transaction.atomic
def invitations_send_uninvited(*, program: Program, sent_by, request=None) -> int:
    """Invite everyone in the program not invited yet; returns how many were invited."""
    invited = [
        _invite(user=user, program=program, sent_by=sent_by, request=request)
        for user in uninvited_users(program)
    ]
    return len(invited)


def invitation_for_token(token: str) -> Invitation | None:
    return (
        Invitation.objects.select_related("user", "program")
        .filter(token_hash=token_hash(token))
        .first()
    )


def invitation_state(invitation: Invitation) -> str:
    if invitation.used_at is not None:
        return State.USED
    if invitation.superseded_at is not None:
        return State.SUPERSEDED
    if invitation.expires_at <= timezone.now():
        return State.EXPIRED
    if not invitation.user.is_active:
        return State.INACTIVE
    return State.VALID


@transaction.atomic
def invitation_accept(*, invitation: Invitation, password: str, request=None) -> User:
    """Use the invitation once and set the password (already checked by the validators)."""
    claimed = Invitation.objects.filter(
        pk=invitation.pk,
        used_at__isnull=True,
        superseded_at__isnull=True,
        expires_at__gt=timezone.now(),
        user__is_active=True,
    ).update(used_at=timezone.now())
    if claimed != 1:
        invitation.refresh_from_db()
        raise InvitationUnusable(invitation_state(invitation))
    user = invitation.user
    user.set_password(password)
    user.save(update_fields=["password"])
    audit_record(
        actor=user,
        action=Action.UPDATE,
        obj=invitation,
        program=invitation.program,
        person=user,
        fields=["used_at", "password"],
        request=request,
    )
    return user


def latest_invitation(program: Program, field: str, user_path: str = "user"):
    """A subquery for annotating people with a field of their latest invitation to a program."""
    return Subquery(
        Invitation.objects.filter(user=OuterRef(user_path), program=program)
        .order_by("-created_at")
        .values(field)[:1]
    )

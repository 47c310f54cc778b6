"""Invitations: a single-use, expiring link by e-mail with which a participant sets a password.

Only a hash of the token is stored, so a leaked database cannot be turned into sign-ins. A new
invitation supersedes any earlier one of the same program still open (never another program's);
accepting claims the invitation with a conditional update, so two clicks (or two tabs) cannot
both use it.

Accepting is how a person joins the program (their pending membership becomes joined). An
account without a password sets one with the link; an account that already has one (the
person is in another program, or was before) joins only while signed in as itself, so the
link alone never signs anyone in to an account that someone already uses.

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
from django.db import transaction
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.crypto import salted_hmac

from accounts.hooks import invitation_created
from accounts.models import Invitation, Membership, MenteeProfile, MentorProfile, Program, User
from mentorship.audit import Action, audit_record

VALID_DAYS = getattr(settings, "INVITATION_VALID_DAYS", 7)
PARTICIPANT_ROLES = (Membership.Role.MENTEE, Membership.Role.MENTOR)


class State:
    VALID = "valid"
    USED = "used"
    SUPERSEDED = "superseded"
    EXPIRED = "expired"
    INACTIVE = "inactive"  # the account was deactivated after the invitation was sent
    SIGN_IN = "sign_in"  # valid, but the account has a password: sign in as it to accept


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
    Invitation.objects.filter(
        user=user, program=program, used_at__isnull=True, superseded_at__isnull=True
    ).update(superseded_at=moment)
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
    """Invite (or re-invite) one person; their earlier link to this program stops working."""
    return _invite(user=user, program=program, sent_by=sent_by, request=request)


def uninvited_users(program: Program) -> QuerySet:
    """The program's participants who have not joined it and were never invited to it.

    Joining is per program: whether the account signs in elsewhere is not asked (it would tell
    the coordinator that the person is a participant somewhere else)."""
    participants = Q(pk__in=MentorProfile.objects.filter(program=program).values("user_id")) | Q(
        pk__in=MenteeProfile.objects.filter(program=program).values("user_id")
    )
    return (
        User.objects.filter(participants, is_active=True)
        .exclude(pk__in=joined_user_ids(program))
        .exclude(pk__in=Invitation.objects.filter(program=program).values("user_id"))
        .order_by("pk")
    )


def joined_user_ids(program: Program) -> QuerySet:
    return Membership.objects.filter(
        program=program,
        role__in=PARTICIPANT_ROLES,
        is_active=True,
        joined_at__isnull=False,
    ).values("user_id")


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


def needs_password(invitation: Invitation) -> bool:
    """An account nobody signs in to yet sets its password with the link; any other joins only
    while signed in as itself."""
    return not invitation.user.has_usable_password()


@transaction.atomic
def invitation_accept(
    *, invitation: Invitation, password: str | None = None, signed_in=None, request=None
) -> User:
    """Use the invitation once and join its program: with a new password (already checked by
    the validators) for an account without one, else only for the signed-in account itself."""
    # Lock the person: their password must not be set by two links at once.
    user = User.objects.select_for_update().get(pk=invitation.user_id)
    invitation.refresh_from_db()
    if (state := invitation_state(invitation)) != State.VALID:
        raise InvitationUnusable(state)
    if user.has_usable_password():
        if signed_in is None or signed_in.pk != user.pk:
            raise InvitationUnusable(State.SIGN_IN)
    elif password is None:
        raise InvitationUnusable(State.VALID)
    moment = timezone.now()
    claimed = Invitation.objects.filter(
        pk=invitation.pk,
        used_at__isnull=True,
        superseded_at__isnull=True,
        expires_at__gt=moment,
        user__is_active=True,
    ).update(used_at=moment)
    if claimed != 1:
        invitation.refresh_from_db()
        raise InvitationUnusable(invitation_state(invitation))
    fields = ["used_at"]
    if not user.has_usable_password():
        user.set_password(password)
        user.save(update_fields=["password"])
        fields.append("password")
    Membership.objects.filter(
        user=user, program=invitation.program, role__in=PARTICIPANT_ROLES, joined_at__isnull=True
    ).update(joined_at=moment)
    audit_record(
        actor=user,
        action=Action.UPDATE,
        obj=invitation,
        program=invitation.program,
        person=user,
        fields=fields,
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

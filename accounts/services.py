"""Writes for people, profiles, vocabularies and program settings.

Every change to participant data leaves an audit entry naming the fields that changed, never
their values. Forms validate input; these functions enforce the rules that must hold whatever
the caller (the form, the CSV import, the admin shell).
"""

import hashlib
import secrets
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from accounts.hooks import (
    email_change_requested,
    email_changed,
    enrollment_changed,
    mentees_enrolled,
    password_reset_requested,
    program_timezone_changed,
)
from accounts.models import (
    EmailChange,
    FocusArea,
    Membership,
    MenteeFocusArea,
    MenteeProfile,
    MentorProfile,
    MentorTraining,
    Philosophy,
    Program,
    StatusChange,
    Substance,
    Training,
    User,
)
from mentorship.audit import Action, audit_record, audit_records_bulk

Status = MenteeProfile.Status

# The mentee lifecycle. Completed, withdrawn and discharged end participation; a person who
# returns is re-enrolled rather than resumed, so their history shows the gap.
MENTEE_TRANSITIONS: dict[str, set[str]] = {
    Status.ENROLLED: {Status.MATCHED, Status.COMPLETED, Status.WITHDRAWN, Status.DISCHARGED},
    Status.MATCHED: {
        Status.ACTIVE,
        Status.ENROLLED,
        Status.PAUSED,
        Status.WITHDRAWN,
        Status.DISCHARGED,
    },
    Status.ACTIVE: {
        Status.PAUSED,
        Status.COMPLETED,
        Status.ENROLLED,
        Status.WITHDRAWN,
        Status.DISCHARGED,
    },
    Status.PAUSED: {
        Status.ACTIVE,
        Status.ENROLLED,
        Status.COMPLETED,
        Status.WITHDRAWN,
        Status.DISCHARGED,
    },
    Status.COMPLETED: {Status.ENROLLED},
    Status.WITHDRAWN: {Status.ENROLLED},
    Status.DISCHARGED: {Status.ENROLLED},
}
# Leaving or pausing is a decision someone will later ask about: the reason is required.
REASON_REQUIRED = {Status.PAUSED, Status.WITHDRAWN, Status.DISCHARGED}
# The comparison arm is followed for outcomes and never matched (also a database constraint).
MATCHED_STATUSES = {Status.MATCHED, Status.ACTIVE, Status.PAUSED}

VOCABULARIES: dict[str, type[Model]] = {
    "philosophies": Philosophy,
    "focus-areas": FocusArea,
    "substances": Substance,
    "trainings": Training,
}


def allowed_transitions(mentee: MenteeProfile) -> list[str]:
    targets = MENTEE_TRANSITIONS.get(mentee.status, set())
    if mentee.study_arm == MenteeProfile.Arm.COMPARISON:
        targets = targets - MATCHED_STATUSES
    return [value for value in Status.values if value in targets]


# --- People


def _person_for_enrollment(
    *,
    program: Program,
    email: str,
    first_name: str,
    last_name: str,
    role: str,
    preferred_language: str = "",
) -> User:
    """The account for this e-mail (created without a usable password if there is none), with a
    pending membership in the program: the person joins by accepting the program's invitation.

    Whether the e-mail already has an account is never told to the coordinator, and nothing of
    the account (its name, its other programs) is read or changed here: the profile carries
    the name the coordinator typed. Only a second profile of the same role in this same program
    is refused."""
    email = User.objects.normalize_email(email).strip().lower()
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        try:
            # A savepoint: if another coordinator enrolls the same e-mail at this moment, the
            # unique index refuses one of us and we report it instead of failing with a 500.
            with transaction.atomic():
                # A new account starts with the typed name until its person sets their own.
                user = User.objects.create_user(
                    email=email, first_name=first_name, last_name=last_name
                )
        except IntegrityError:
            raise ValidationError(
                {"email": _("Someone with this e-mail was enrolled a moment ago; check the list.")}
            ) from None
    elif Membership.objects.filter(user=user, program=program, role=role).exists():
        label = Membership.Role(role).label.lower()
        raise ValidationError(
            {
                "email": _("Someone with this e-mail is already a %(role)s in %(program)s.")
                % {"role": label, "program": program.name}
            }
        )
    Membership.objects.create(user=user, program=program, role=role, joined_at=None)
    if preferred_language:
        # Only where the person has not chosen: an existing account is not read, and a
        # language its person picked is never overwritten by a coordinator's guess.
        User.objects.filter(pk=user.pk, preferred_language="").update(
            preferred_language=preferred_language
        )
    return user


def _person_programs(user: User) -> list[Program]:
    """The programs the person belongs to (joined), each of which keeps their changes' trail."""
    return list(
        Program.objects.filter(
            memberships__user=user,
            memberships__is_active=True,
            memberships__joined_at__isnull=False,
        )
        .distinct()
        .order_by("pk")
    )


def _audit_person(
    *, actor, user: User, fields: list[str], obj: Model | None = None, request=None
) -> None:
    """A change to the account itself is recorded once in the trail of every program the person
    belongs to: each program answers for its own trail and must see it whole."""
    audit_records_bulk(
        {
            "actor": actor,
            "action": Action.UPDATE if obj is None else Action.CREATE,
            "obj": obj,
            "object_type": "" if obj is not None else "accounts.user",
            "object_id": "" if obj is not None else user.pk,
            "program": program,
            "person": user,
            "fields": fields,
            "request": request,
        }
        for program in _person_programs(user)
    )


# --- The person's own account: only they (or a superuser, in the admin) change it.

EMAIL_CHANGE_VALID = timedelta(days=2)


class EmailChangeUnusable(Exception):
    pass


def email_change_token(seed: str) -> str:
    """The confirmation link's token for a seed (as for invitations: only a seed is queued)."""
    return salted_hmac("accounts.email_change", seed, algorithm="sha256").hexdigest()


def _token_hash(token: str) -> str:
    # 256 random bits: a plain SHA-256 is enough.
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def person_name_update(*, user: User, first_name: str, last_name: str, request=None) -> list[str]:
    """The person's own name on their account (programs keep their own on the profile)."""
    user = User.objects.select_for_update().get(pk=user.pk)
    changed = []
    for field, value in (("first_name", first_name.strip()), ("last_name", last_name.strip())):
        if getattr(user, field) != value:
            setattr(user, field, value)
            changed.append(field)
    if changed:
        user.full_clean(validate_unique=False)
        user.save(update_fields=changed)
        _audit_person(actor=user, user=user, fields=changed, request=request)
    return changed


@transaction.atomic
def person_language_set(*, user: User, language: str, request=None) -> bool:
    """The person's own language ("" = none: follow the browser). True if it changed."""
    if language and language not in dict(settings.LANGUAGES):
        raise ValidationError({"preferred_language": _("Choose one of the languages offered.")})
    changed = (
        User.objects.filter(pk=user.pk)
        .exclude(preferred_language=language)
        .update(preferred_language=language)
    )
    user.preferred_language = language
    if changed:
        _audit_person(actor=user, user=user, fields=["preferred_language"], request=request)
    return bool(changed)


@transaction.atomic
def email_change_request(*, user: User, new_email: str, request=None) -> EmailChange:
    """Send a confirmation link to the new address; nothing changes until it is used.

    Whether the new address already has an account is not told here (the form says the same
    either way); the confirmation refuses it, to the holder of that mailbox only."""
    # Lock the person: two requests at once must still leave one link open.
    user = User.objects.select_for_update().get(pk=user.pk)
    new_email = User.objects.normalize_email(new_email).strip().lower()
    if new_email == user.email:
        raise ValidationError({"email": _("This is already your sign-in e-mail.")})
    if not _person_programs(user):
        # The outbox files every message under a program; an account outside every program
        # (an administrator's) is changed in the admin.
        raise ValidationError(
            {"email": _("Your account belongs to no program; ask an administrator.")}
        )
    moment = timezone.now()
    EmailChange.objects.filter(user=user, used_at__isnull=True, superseded_at__isnull=True).update(
        superseded_at=moment
    )
    seed = secrets.token_urlsafe(32)
    change = EmailChange.objects.create(
        user=user,
        new_email=new_email,
        token_hash=_token_hash(email_change_token(seed)),
        created_at=moment,
        expires_at=moment + EMAIL_CHANGE_VALID,
    )
    _audit_person(actor=user, user=user, fields=["new_email"], obj=change, request=request)
    email_change_requested(change=change, seed=seed)
    return change


def email_change_for_token(token: str) -> EmailChange | None:
    return EmailChange.objects.filter(token_hash=_token_hash(token)).first()


@transaction.atomic
def email_change_confirm(*, user: User, token: str, request=None) -> User:
    """Use the link once: the signed-in person's sign-in e-mail becomes the new address."""
    change = email_change_for_token(token)
    if change is None or change.user_id != user.pk:
        raise EmailChangeUnusable()
    claimed = EmailChange.objects.filter(
        pk=change.pk,
        used_at__isnull=True,
        superseded_at__isnull=True,
        expires_at__gt=timezone.now(),
    ).update(used_at=timezone.now())
    if claimed != 1:
        raise EmailChangeUnusable()
    user = User.objects.select_for_update().get(pk=user.pk)
    if User.objects.filter(email__iexact=change.new_email).exclude(pk=user.pk).exists():
        raise ValidationError(
            _("Another account signs in with this address; it cannot be yours too.")
        )
    old_email = user.email
    user.email = change.new_email
    try:
        # A savepoint: an account created with this address at this moment loses to the index.
        with transaction.atomic():
            user.save(update_fields=["email"])
    except IntegrityError:
        raise ValidationError(
            _("Another account signs in with this address; it cannot be yours too.")
        ) from None
    _audit_person(actor=user, user=user, fields=["email"], request=request)
    email_changed(user=user, old_email=old_email)
    return user


@transaction.atomic
def password_reset_request(*, user: User) -> None:
    """E-mail the person a link to choose a new password, through the outbox.

    Called by the reset form for each active account with a password at the typed address
    (Django's `PasswordResetForm.get_users`); the page says the same whether there was one or
    not, and for an unknown address nothing is queued. No audit entry: nothing has changed yet
    (the new password is audited when it is set)."""
    membership = (
        Membership.objects.filter(user=user, joined_at__isnull=False)
        .order_by("-is_active", "program_id")
        .select_related("program")
        .first()
    )
    if membership is None:
        # The outbox files every message under a program, and an account outside every program
        # (an administrator's) has no program to file it under: `manage.py changepassword`.
        return
    password_reset_requested(user=user, program=membership.program)


def password_reset_path(user: User) -> str:
    """The reset link's path, as Django's `PasswordResetForm` builds it: the account's id and a
    token derived from its password, last sign-in and the time (SECRET_KEY), so it works once
    and for PASSWORD_RESET_TIMEOUT. The outbox builds it when it sends the e-mail: the token is
    never stored or logged."""
    return reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )


def person_password_changed(*, user: User, request=None) -> None:
    """Audit a password the person set (Django's own views write it)."""
    _audit_person(actor=user, user=user, fields=["password"], request=request)


def person_changed_by_admin(*, actor: User, user: User, fields: list[str], request=None) -> None:
    """Audit a superuser's change to an account in the admin (its own form writes it)."""
    if fields:
        _audit_person(actor=actor, user=user, fields=fields, request=request)


def _apply_profile(profile: Model, data: dict) -> list[str]:
    """Set concrete fields and many-to-many sets from `data`; return the names that changed."""
    changed = []
    m2m = {f.name for f in profile._meta.many_to_many}
    for name, value in data.items():
        if name in m2m:
            continue
        if getattr(profile, name) != value:
            setattr(profile, name, value)
            changed.append(name)
    profile.full_clean(exclude=["user", "program"], validate_unique=False)
    if profile.pk is None:
        profile.save()
    elif changed:
        profile.save(update_fields=[*changed, "updated_at"])
    for name in m2m & set(data):
        manager = getattr(profile, name)
        new = {obj.pk for obj in data[name]}
        if set(manager.values_list("pk", flat=True)) != new:
            manager.set(list(new))
            changed.append(name)
    return changed


def _set_trainings(mentor: MentorProfile, trainings: dict[Training, date]) -> bool:
    current = {t.training_id: t.completed_on for t in mentor.trainings.all()}
    wanted = {training.pk: done for training, done in trainings.items()}
    if current == wanted:
        return False
    mentor.trainings.exclude(training_id__in=wanted).delete()
    for training_id, done in wanted.items():
        MentorTraining.objects.update_or_create(
            mentor=mentor, training_id=training_id, defaults={"completed_on": done}
        )
    return True


def _set_focus_needs(mentee: MenteeProfile, needs: dict[FocusArea, int]) -> bool:
    current = {n.focus_area_id: n.priority for n in mentee.focus_needs.all()}
    wanted = {area.pk: priority for area, priority in needs.items()}
    if current == wanted:
        return False
    mentee.focus_needs.exclude(focus_area_id__in=wanted).delete()
    for area_id, priority in wanted.items():
        MenteeFocusArea.objects.update_or_create(
            mentee=mentee, focus_area_id=area_id, defaults={"priority": priority}
        )
    return True


def _check_vocabulary(program: Program, data: dict, *extra) -> None:
    """Terms must belong to the profile's program: a crafted POST must not borrow another's."""
    for value in [*data.values(), *extra]:
        items = value if isinstance(value, list | tuple | set) else [value]
        for item in items:
            if hasattr(item, "program_id") and item.program_id != program.pk:
                raise ValidationError(_("A chosen term belongs to another program."))


# --- Mentors


@transaction.atomic
def mentor_create(
    *,
    actor: User | None,
    program: Program,
    email: str,
    first_name: str,
    last_name: str,
    profile: dict,
    trainings: dict[Training, date] | None = None,
    preferred_language: str = "",
    request=None,
) -> MentorProfile:
    trainings = trainings or {}
    _check_vocabulary(program, profile, *trainings)
    user = _person_for_enrollment(
        program=program,
        email=email,
        first_name=first_name,
        last_name=last_name,
        role=Membership.Role.MENTOR,
        preferred_language=preferred_language,
    )
    mentor = MentorProfile(program=program, user=user, first_name=first_name, last_name=last_name)
    fields = _apply_profile(mentor, profile)
    if _set_trainings(mentor, trainings):
        fields.append("trainings")
    audit_record(actor=actor, action=Action.CREATE, obj=mentor, fields=fields, request=request)
    return mentor


@transaction.atomic
def mentor_update(
    *,
    actor: User | None,
    mentor: MentorProfile,
    first_name: str,
    last_name: str,
    profile: dict,
    trainings: dict[Training, date] | None = None,
    request=None,
) -> list[str]:
    """Returns the names of the fields that changed (empty: nothing was written)."""
    trainings = trainings or {}
    # Work on a fresh, locked row: the caller's instance may already carry the form's values
    # (ModelForm sets them while validating), and two coordinators saving at once must not
    # interleave their training changes.
    mentor = MentorProfile.objects.select_for_update().get(pk=mentor.pk)
    _check_vocabulary(mentor.program, profile, *trainings)
    fields = _apply_profile(mentor, {**profile, "first_name": first_name, "last_name": last_name})
    if _set_trainings(mentor, trainings):
        fields.append("trainings")
    if fields:
        audit_record(actor=actor, action=Action.UPDATE, obj=mentor, fields=fields, request=request)
    return fields


# --- Mentees


def _check_mentee_rules(profile: dict, status: str) -> None:
    if profile.get("study_arm") == MenteeProfile.Arm.COMPARISON and status in MATCHED_STATUSES:
        raise ValidationError(
            {
                "study_arm": _(
                    "A mentee who is matched cannot move to the comparison arm; "
                    "end the match first."
                )
            }
        )


@transaction.atomic
def mentee_create(
    *,
    actor: User | None,
    program: Program,
    email: str,
    first_name: str,
    last_name: str,
    profile: dict,
    focus_needs: dict[FocusArea, int] | None = None,
    preferred_language: str = "",
    request=None,
) -> MenteeProfile:
    focus_needs = focus_needs or {}
    _check_vocabulary(program, profile, *focus_needs)
    user = _person_for_enrollment(
        program=program,
        email=email,
        first_name=first_name,
        last_name=last_name,
        role=Membership.Role.MENTEE,
        preferred_language=preferred_language,
    )
    mentee = MenteeProfile(
        program=program,
        user=user,
        first_name=first_name,
        last_name=last_name,
        status=Status.ENROLLED,
    )
    fields = _apply_profile(mentee, profile)
    if _set_focus_needs(mentee, focus_needs):
        fields.append("focus_needs")
    StatusChange.objects.create(
        mentee=mentee,
        from_status="",
        to_status=Status.ENROLLED,
        reason=StatusChange.Reason.ENROLLED,
        changed_by=actor if actor is not None and actor.is_authenticated else None,
    )
    audit_record(actor=actor, action=Action.CREATE, obj=mentee, fields=fields, request=request)
    mentees_enrolled(mentee_ids=[mentee.pk])
    return mentee


@transaction.atomic
def mentee_update(
    *,
    actor: User | None,
    mentee: MenteeProfile,
    first_name: str,
    last_name: str,
    profile: dict,
    focus_needs: dict[FocusArea, int] | None = None,
    request=None,
) -> list[str]:
    focus_needs = focus_needs or {}
    _check_vocabulary(mentee.program, profile, *focus_needs)
    # A fresh, locked row: the caller's instance may already carry the form's values, a status
    # change committed meanwhile must not be undone by this save, and the arm check below must
    # see the status as it is now.
    mentee = MenteeProfile.objects.select_for_update().get(pk=mentee.pk)
    _check_mentee_rules(profile, mentee.status)
    fields = _apply_profile(mentee, {**profile, "first_name": first_name, "last_name": last_name})
    if _set_focus_needs(mentee, focus_needs):
        fields.append("focus_needs")
    if fields:
        audit_record(actor=actor, action=Action.UPDATE, obj=mentee, fields=fields, request=request)
    if "enrolled_on" in fields:
        enrollment_changed(mentee_id=mentee.pk, enrolled_on=mentee.enrolled_on)
    return fields


@transaction.atomic
def mentee_status_change(
    *, actor: User | None, mentee: MenteeProfile, to_status: str, reason: str = "", request=None
) -> StatusChange:
    """Move a mentee along the lifecycle, keeping a dated history with the reason.

    Raises ValidationError (keyed by form field) for a transition the lifecycle does not allow.
    """
    # Lock the row so two coordinators changing the status at once cannot both write a
    # history entry "from" the same old status.
    locked = MenteeProfile.objects.select_for_update().get(pk=mentee.pk)
    reason = (reason or "").strip()
    if to_status not in Status.values:
        raise ValidationError({"to_status": _("Choose a status from the list.")})
    if to_status == locked.status:
        raise ValidationError(
            {
                "to_status": _("The mentee is already %(status)s.")
                % {"status": locked.get_status_display().lower()}
            }
        )
    if to_status not in allowed_transitions(locked):
        if locked.study_arm == MenteeProfile.Arm.COMPARISON and to_status in MATCHED_STATUSES:
            message = _("Mentees in the comparison arm are followed for outcomes, never matched.")
        else:
            message = _("A mentee who is %(status)s cannot become %(new_status)s.") % {
                "status": locked.get_status_display().lower(),
                "new_status": Status(to_status).label.lower(),
            }
        raise ValidationError({"to_status": message})
    if to_status in REASON_REQUIRED and not reason:
        raise ValidationError({"reason": _("Give a short reason; it is kept in the history.")})
    if len(reason) > 240:
        raise ValidationError({"reason": _("Keep the reason under 240 characters.")})
    change = StatusChange.objects.create(
        mentee=locked,
        from_status=locked.status,
        to_status=to_status,
        reason=reason,
        changed_by=actor if actor is not None and actor.is_authenticated else None,
    )
    locked.status = to_status
    locked.save(update_fields=["status", "updated_at"])
    mentee.status = to_status
    audit_record(actor=actor, action=Action.UPDATE, obj=locked, fields=["status"], request=request)
    return change


# --- Program settings and vocabularies


@transaction.atomic
def program_settings_update(
    *, actor: User | None, program: Program, data: dict, request=None
) -> list[str]:
    # A fresh, locked row: the caller's instance may already carry the form's values.
    program = Program.objects.select_for_update().get(pk=program.pk)
    data = dict(data)
    required = data.pop("required_trainings", None)
    changed = [name for name, value in data.items() if getattr(program, name) != value]
    for name in changed:
        setattr(program, name, data[name])
    program.full_clean(exclude=["slug"], validate_unique=False)
    if changed:
        program.save(update_fields=changed)
    if required is not None:
        if any(t.program_id != program.pk for t in required):
            raise ValidationError(_("A chosen training belongs to another program."))
        if set(program.required_trainings.values_list("pk", flat=True)) != {t.pk for t in required}:
            program.required_trainings.set(required)
            changed.append("required_trainings")
    if changed:
        audit_record(
            actor=actor,
            action=Action.UPDATE,
            obj=program,
            program=program,
            fields=changed,
            request=request,
        )
    if "timezone" in changed:
        program_timezone_changed(program_id=program.pk)
    return changed


def _check_term_name(model, program: Program, name: str, exclude_pk=None) -> str:
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": _("Give the term a name.")})
    clash = model.objects.filter(program=program, name__iexact=name).exclude(pk=exclude_pk)
    if clash.exists():
        raise ValidationError({"name": _("“%(name)s” is already in this list.") % {"name": name}})
    return name


@transaction.atomic
def vocabulary_term_create(
    *,
    actor: User | None,
    program: Program,
    kind: str,
    name: str,
    description: str = "",
    name_es: str = "",
    description_es: str = "",
    position: int | None = None,
    request=None,
) -> Model:
    model = VOCABULARIES[kind]
    name = _check_term_name(model, program, name)
    if position is None:
        last = model.objects.filter(program=program).order_by("-position").first()
        position = last.position + 1 if last else 0
    term = model(
        program=program,
        name=name,
        description=description.strip(),
        name_es=" ".join(name_es.split()),
        description_es=description_es.strip(),
        position=position,
    )
    term.full_clean()
    term.save()
    audit_record(
        actor=actor,
        action=Action.CREATE,
        obj=term,
        program=program,
        fields=["name", "description", "name_es", "description_es", "position"],
        request=request,
    )
    return term


@transaction.atomic
def vocabulary_term_update(
    *,
    actor: User | None,
    term: Model,
    name: str,
    description: str,
    position: int,
    name_es: str = "",
    description_es: str = "",
    request=None,
) -> list[str]:
    name = _check_term_name(type(term), term.program, name, exclude_pk=term.pk)
    new = {
        "name": name,
        "description": description.strip(),
        "name_es": " ".join(name_es.split()),
        "description_es": description_es.strip(),
        "position": position,
    }
    changed = [field for field, value in new.items() if getattr(term, field) != value]
    for field in changed:
        setattr(term, field, new[field])
    if changed:
        term.full_clean()
        term.save(update_fields=changed)
        audit_record(
            actor=actor,
            action=Action.UPDATE,
            obj=term,
            program=term.program,
            fields=changed,
            request=request,
        )
    return changed


@transaction.atomic
def vocabulary_term_set_active(
    *, actor: User | None, term: Model, is_active: bool, request=None
) -> None:
    """Deactivate rather than delete: profiles that use the term keep it in their history."""
    if term.is_active == is_active:
        return
    term.is_active = is_active
    term.save(update_fields=["is_active"])
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=term,
        program=term.program,
        fields=["is_active"],
        request=request,
    )

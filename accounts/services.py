"""Writes for people, profiles, vocabularies and program settings.

Every change to participant data leaves an audit entry naming the fields that changed, never
their values. Forms validate input; these functions enforce the rules that must hold whatever
the caller (the form, the CSV import, the admin shell).
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Model

from accounts.hooks import enrollment_changed, mentees_enrolled
from accounts.models import (
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
from mentorship.audit import Action, audit_record

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
    *, program: Program, email: str, first_name: str, last_name: str, role: str
) -> User:
    """The user with this e-mail (created without a usable password: the invitation sets one),
    refusing a second profile of the same role in the same program."""
    email = User.objects.normalize_email(email).strip().lower()
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        try:
            # A savepoint: if another coordinator enrolls the same e-mail at this moment, the
            # unique index refuses one of us and we report it instead of failing with a 500.
            with transaction.atomic():
                user = User.objects.create_user(
                    email=email, first_name=first_name, last_name=last_name
                )
        except IntegrityError:
            raise ValidationError(
                {"email": "Someone with this e-mail was enrolled a moment ago; check the list."}
            ) from None
    elif Membership.objects.filter(user=user, program=program, role=role).exists():
        label = Membership.Role(role).label.lower()
        raise ValidationError(
            {"email": f"Someone with this e-mail is already a {label} in {program.name}."}
        )
    Membership.objects.update_or_create(
        user=user, program=program, role=role, defaults={"is_active": True}
    )
    return user


def _update_person(*, user: User, email: str, first_name: str, last_name: str) -> list[str]:
    email = User.objects.normalize_email(email).strip().lower()
    if email != user.email and user.has_usable_password():
        # The e-mail is their login: whoever changes it could reset the password and sign in
        # as them. Once a person has set a password, only they (or an admin) change it.
        raise ValidationError(
            {"email": "This person has set a password; only they can change their sign-in e-mail."}
        )
    if User.objects.filter(email__iexact=email).exclude(pk=user.pk).exists():
        raise ValidationError({"email": "Another person already uses this e-mail address."})
    changed = []
    for field, value in (("email", email), ("first_name", first_name), ("last_name", last_name)):
        if getattr(user, field) != value:
            setattr(user, field, value)
            changed.append(field)
    if changed:
        user.save(update_fields=changed)
    return changed


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
                raise ValidationError("A chosen term belongs to another program.")


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
    )
    mentor = MentorProfile(program=program, user=user)
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
    email: str,
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
    fields = _update_person(
        user=mentor.user, email=email, first_name=first_name, last_name=last_name
    )
    fields += _apply_profile(mentor, profile)
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
                "study_arm": "A mentee who is matched cannot move to the comparison arm; "
                "end the match first."
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
    )
    mentee = MenteeProfile(program=program, user=user, status=Status.ENROLLED)
    fields = _apply_profile(mentee, profile)
    if _set_focus_needs(mentee, focus_needs):
        fields.append("focus_needs")
    StatusChange.objects.create(
        mentee=mentee,
        from_status="",
        to_status=Status.ENROLLED,
        reason="Enrolled",
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
    email: str,
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
    fields = _update_person(
        user=mentee.user, email=email, first_name=first_name, last_name=last_name
    )
    fields += _apply_profile(mentee, profile)
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
        raise ValidationError({"to_status": "Choose a status from the list."})
    if to_status == locked.status:
        raise ValidationError(
            {"to_status": f"The mentee is already {locked.get_status_display().lower()}."}
        )
    if to_status not in allowed_transitions(locked):
        if locked.study_arm == MenteeProfile.Arm.COMPARISON and to_status in MATCHED_STATUSES:
            message = "Mentees in the comparison arm are followed for outcomes, never matched."
        else:
            message = (
                f"A mentee who is {locked.get_status_display().lower()} cannot become "
                f"{Status(to_status).label.lower()}."
            )
        raise ValidationError({"to_status": message})
    if to_status in REASON_REQUIRED and not reason:
        raise ValidationError({"reason": "Give a short reason; it is kept in the history."})
    if len(reason) > 240:
        raise ValidationError({"reason": "Keep the reason under 240 characters."})
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
            raise ValidationError("A chosen training belongs to another program.")
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
    return changed


def _check_term_name(model, program: Program, name: str, exclude_pk=None) -> str:
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": "Give the term a name."})
    clash = model.objects.filter(program=program, name__iexact=name).exclude(pk=exclude_pk)
    if clash.exists():
        raise ValidationError({"name": f"“{name}” is already in this list."})
    return name


@transaction.atomic
def vocabulary_term_create(
    *,
    actor: User | None,
    program: Program,
    kind: str,
    name: str,
    description: str = "",
    position: int | None = None,
    request=None,
) -> Model:
    model = VOCABULARIES[kind]
    name = _check_term_name(model, program, name)
    if position is None:
        last = model.objects.filter(program=program).order_by("-position").first()
        position = last.position + 1 if last else 0
    term = model(program=program, name=name, description=description.strip(), position=position)
    term.full_clean()
    term.save()
    audit_record(
        actor=actor,
        action=Action.CREATE,
        obj=term,
        program=program,
        fields=["name", "description", "position"],
        request=request,
    )
    return term


@transaction.atomic
def vocabulary_term_update(
    *, actor: User | None, term: Model, name: str, description: str, position: int, request=None
) -> list[str]:
    name = _check_term_name(type(term), term.program, name, exclude_pk=term.pk)
    new = {"name": name, "description": description.strip(), "position": position}
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

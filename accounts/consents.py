"""Consent to disclose (42 CFR Part 2, section 2.31): record a new version, revoke, find the
mentees a coordinator must follow up (no consent in force, or one expiring soon), and the one
declaration of what each consent scope discloses to the matched mentor (`MENTOR_DISCLOSURES`,
asked through `shown_to` / `may_see`).

Consents are never edited or deleted: each change of mind is a new version, so the record of
what was in force on any day survives.
"""

import os
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Exists, Max, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import Consent, MenteeProfile
from mentorship import access
from mentorship.audit import Action, audit_record

EXPIRY_WARNING_DAYS = 30
# Mentees who have left the program need no follow-up on their consent.
FINISHED_STATUSES = (
    MenteeProfile.Status.COMPLETED,
    MenteeProfile.Status.WITHDRAWN,
    MenteeProfile.Status.DISCHARGED,
)
# What the form may set; everything else (version, who recorded it, revocation) is ours.
CONSENT_FIELDS = (
    "covers_checkin_notes",
    "covers_use_log",
    "covers_goals",
    "covers_assessments",
    "to_mentor",
    "to_program_staff",
    "to_evaluation",
    "purpose",
    "expires_on",
    "expiry_event",
    "revocation_explained",
    "signature_kind",
    "signature_name",
    "signed_at",
)


@dataclass(frozen=True)
class Disclosure:
    """What one consent scope discloses to the matched mentor.

    `fields`: named field groups that pages, panels, forms, exports, calendar feeds and e-mails
    render only while the scope is in force (`may_see`). `records`: the models ("app.Model")
    whose `access_paths.mentor_consent` names this scope, so the access policy hides whole rows;
    tests/accounts/test_consent_walk.py checks the two stay the same list. `label`: the same
    in people's words, for the warning a coordinator reads before matching a mentee whose
    consent in force does not cover the scope (`mentor_withheld`)."""

    label: str | Promise = ""
    fields: frozenset[str] = frozenset()
    records: frozenset[str] = frozenset()


# The one declaration, scope (a flag on Consent) -> what it discloses to the matched mentor.
# "to_mentor" is any consent in force that names the mentor, whatever it covers. Without one, a
# matched mentor sees the first name, the schedule and the way to reach the mentee through the
# app; nothing clinical and no e-mail address.
# Not here on purpose: follow-up locator information (outcomes.Locator: phones, addresses, other
# contacts) and interview records. No scope discloses them to a mentor: they have no mentee or
# mentor access path, so only the program's coordinators reach them, which is stricter than any
# consent scope; the participant's agreement to be sought through them is recorded on the
# locator itself (`participant_agreed`, required to save it), and they are never exported.
MENTOR_DISCLOSURES: dict[str, Disclosure] = {
    # Where the mentee is in recovery, what brought them, what they need help with and which
    # recovery path they follow (e.g. "MOUD-affirming") are clinical; so is the address that
    # reaches them outside the app. So is the last name: with the first name and the program it
    # identifies a person as a patient of a substance-use program.
    "to_mentor": Disclosure(
        label=_("last name, e-mail address, recovery stage, referral, needs and recovery path"),
        fields=frozenset(
            {
                "mentee.email",
                "mentee.last_name",
                "mentee.recovery_stage",
                "mentee.referral_source",
                "mentee.focus_needs",
                "mentee.philosophy",
            }
        ),
    ),
    "covers_checkin_notes": Disclosure(
        label=_("check-in notes, mood, cravings, topics and next steps"),
        # What was talked about and agreed (topics, next steps) is as telling as the notes.
        fields=frozenset(
            {
                "checkin.note",
                "checkin.mood",
                "checkin.craving",
                "checkin.topics",
                "checkin.next_steps",
            }
        ),
        records=frozenset({"checkins.CheckInNote"}),
    ),
    "covers_use_log": Disclosure(
        label=_("substances, use answers and the use calendar"),
        fields=frozenset({"mentee.substances", "checkin.use"}),
        records=frozenset(
            {
                "outcomes.UseReport",
                "outcomes.UseDay",
                "outcomes.UseSummary",
                "outcomes.UseLogSubject",
            }
        ),
    ),
    "covers_goals": Disclosure(
        label=_("goals and their progress"),
        records=frozenset(
            {
                "goals.Goal",
                "goals.ProgressEntry",
                "goals.GoalComment",
                "goals.MenteeGoals",
                "goals.GoalReview",
            }
        ),
    ),
    "covers_assessments": Disclosure(
        label=_("assessments"),
        records=frozenset({"outcomes.Assessment", "outcomes.AssessmentSubject"}),
    ),
}
FIELD_GROUPS: frozenset[str] = frozenset().union(*(d.fields for d in MENTOR_DISCLOSURES.values()))


def scope_of(group: str) -> str:
    """The consent flag whose scope covers field group `group`, for any channel that must ask
    for it (an identified export, too)."""
    for scope, disclosure in MENTOR_DISCLOSURES.items():
        if group in disclosure.fields:
            return scope
    raise LookupError(f"{group!r} is not declared in MENTOR_DISCLOSURES")


def shown_to(user, mentee: MenteeProfile | None) -> frozenset[str]:
    """The field groups of `mentee` this user may see now. The mentee themself, the program's
    coordinators and superusers see all; a matched mentor (active match) only the groups of the
    scopes a consent in force covers, asked through the access policy's own rule
    (`access.matched_mentee_ids`); anyone else none. One query for a mentor."""
    if mentee is None or not user.is_authenticated:
        return frozenset()
    if user.is_superuser or mentee.user_id == user.pk:
        return FIELD_GROUPS
    if access.has_role(user, access.COORDINATOR, program=mentee.program_id):
        return FIELD_GROUPS
    in_force = (
        MenteeProfile.objects.filter(pk=mentee.pk)
        .annotate(
            **{
                scope: Exists(access.matched_mentee_ids(user, scope).filter(pk=OuterRef("pk")))
                for scope in MENTOR_DISCLOSURES
            }
        )
        .values(*MENTOR_DISCLOSURES)
        .first()
        or {}
    )
    return frozenset().union(
        *(MENTOR_DISCLOSURES[scope].fields for scope, covered in in_force.items() if covered)
    )


def mentor_scopes_in_force(mentee_ids) -> dict[int, frozenset[str]]:
    """For each mentee id, the scopes of MENTOR_DISCLOSURES a consent in force today discloses
    to a matched mentor (the rule of `matching.access_rules.matched_mentee_ids`: the consent
    names the mentor and covers the scope). Asked before a match exists, to warn. One query."""
    flags = [scope for scope in MENTOR_DISCLOSURES if scope != "to_mentor"]
    found: dict[int, set[str]] = {pk: set() for pk in mentee_ids}
    rows = Consent.objects.filter(Consent.active_q(), to_mentor=True, mentee_id__in=list(found))
    for row in rows.values("mentee_id", *flags):
        found[row["mentee_id"]] |= {"to_mentor", *(flag for flag in flags if row[flag])}
    return {pk: frozenset(scopes) for pk, scopes in found.items()}


def mentor_withheld(user, mentee: MenteeProfile, in_force: frozenset[str] | None = None) -> str:
    """The warning a coordinator reads before matching or proposing: what a mentor matched now
    will not see of this mentee, in the words of MENTOR_DISCLOSURES; "" when every scope is
    in force. `in_force` from `mentor_scopes_in_force` (else one query)."""
    if in_force is None:
        in_force = mentor_scopes_in_force([mentee.pk])[mentee.pk]
    withheld = [str(d.label) for scope, d in MENTOR_DISCLOSURES.items() if scope not in in_force]
    if not withheld:
        return ""
    values = {"name": mentee_name(user, mentee), "withheld": "; ".join(withheld)}
    if "to_mentor" not in in_force:
        return (
            gettext(
                "%(name)s has no consent in force naming the mentor: the mentor will see the "
                "first name only, and not: %(withheld)s."
            )
            % values
        )
    return (
        gettext(
            "%(name)s's consent in force does not cover everything: the mentor will not "
            "see: %(withheld)s."
        )
        % values
    )


def may_see(user, mentee: MenteeProfile | None, group: str) -> bool:
    """May this user see field group `group` (a name in MENTOR_DISCLOSURES) of this mentee now."""
    if group not in FIELD_GROUPS:
        raise LookupError(f"{group!r} is not declared in MENTOR_DISCLOSURES")
    return group in shown_to(user, mentee)


def _full_name_reach(user) -> tuple[frozenset[int], frozenset[int]]:
    """(programs the user coordinates, mentees matched with them under a consent naming the
    mentor): whose last name the user sees. Two queries, read once per request and kept on the
    request's user object like the roles, so a list page costs the same for 1 row or 50."""
    cached = getattr(user, "_mentorship_full_name_reach", None)
    if cached is None:
        roles = access.user_roles(user)
        cached = (
            frozenset(
                access.program_ids(user, access.COORDINATOR).values_list("program_id", flat=True)
            )
            if access.COORDINATOR in roles
            else frozenset(),
            frozenset(
                access.matched_mentee_ids(user, scope_of("mentee.last_name")).values_list(
                    "pk", flat=True
                )
            )
            if access.MENTOR in roles
            else frozenset(),
        )
        user._mentorship_full_name_reach = cached
    return cached


def mentee_name(user, mentee: MenteeProfile | None) -> str:
    """The mentee's name as this user may see it: the full name for the mentee themself, the
    program's coordinators, superusers and a matched mentor under a consent that names them
    ("mentee.last_name", the same rule as `shown_to`); the first name for anyone else (a mentor
    without that consent, a fellow member of a group session). The participant id when the
    program has no name to show. No viewer (e-mails, feeds): the first name."""
    if mentee is None:
        return ""
    full = mentee.display_name
    if user is not None and user.is_authenticated:
        if user.is_superuser or mentee.user_id == user.pk:
            return full or mentee.participant_id
        coordinated, consented = _full_name_reach(user)
        if mentee.program_id in coordinated or mentee.pk in consented:
            return full or mentee.participant_id
    return mentee.first_name or mentee.participant_id


@transaction.atomic
def consent_record(
    *, mentee: MenteeProfile, recorded_by, data: dict, signed_form=None, request=None
):
    """Record the next version of the mentee's consent. Earlier versions still in force end at
    the same instant: the access policy honours any consent in force, so leaving an older, wider
    consent running would keep disclosing what the participant just narrowed."""
    # Row lock on the mentee: two coordinators recording at once would otherwise compute the
    # same next version number and one of them would fail on the unique constraint.
    MenteeProfile.objects.select_for_update().filter(pk=mentee.pk).first()
    latest = mentee.consents.aggregate(latest=Max("version"))["latest"] or 0
    moment = timezone.now()
    consent = Consent(
        mentee=mentee,
        version=latest + 1,
        recorded_by=recorded_by,
        created_at=moment,
        **{name: data[name] for name in CONSENT_FIELDS if name in data},
    )
    if consent.signature_kind == Consent.SignatureKind.UPLOADED:
        consent.signature_name = ""
        # A random file name: the one on the scanner ("rosa-delgado-consent.pdf") would put the
        # participant's name into paths, backups and logs.
        suffix = os.path.splitext(signed_form.name)[1].lower()
        signed_form.name = f"{uuid.uuid4().hex}{suffix}"
        consent.signed_form = signed_form
    consent.save()
    for earlier in mentee.consents.filter(Consent.active_q(), version__lt=consent.version):
        consent_revoke(consent=earlier, revoked_by=recorded_by, revoked_at=moment, request=request)
    audit_record(
        actor=recorded_by,
        action=Action.CREATE,
        obj=consent,
        fields=[name for name in CONSENT_FIELDS if name in data]
        + (["signed_form"] if consent.signed_form else []),
        request=request,
    )
    return consent


@transaction.atomic
def consent_revoke(
    *, consent: Consent, revoked_by, revoked_at: datetime | None = None, request=None
):
    """Mark the consent revoked. Takes effect at once: the access policy reads consents on every
    request. Revoking twice keeps the first date (the conditional update changes no row)."""
    revoked_at = revoked_at or timezone.now()
    changed = Consent.objects.filter(pk=consent.pk, revoked_at__isnull=True).update(
        revoked_at=revoked_at, revoked_by=revoked_by
    )
    consent.refresh_from_db(fields=["revoked_at", "revoked_by"])
    if changed:
        audit_record(
            actor=revoked_by,
            action=Action.UPDATE,
            obj=consent,
            fields=["revoked_at", "revoked_by"],
            request=request,
        )
    return consent


def consent_replaced(consent: Consent, later: Consent | None) -> bool:
    """True when the consent ended because a later version was recorded, not by revocation."""
    return bool(later is not None and consent.revoked_at and consent.revoked_at == later.created_at)


def consent_followups(programs: QuerySet, *, today: date | None = None) -> QuerySet:
    """Mentees in these programs without a consent in force, or whose consents in force all end
    within EXPIRY_WARNING_DAYS. One query; each row carries `has_consent` and `ends_on`."""
    today = today or timezone.now().date()
    horizon = today + timedelta(days=EXPIRY_WARNING_DAYS)
    in_force = Consent.objects.filter(Consent.active_q(today=today), mentee=OuterRef("pk"))
    lasting = in_force.filter(Q(expires_on__isnull=True) | Q(expires_on__gt=horizon))
    return (
        MenteeProfile.objects.filter(program__in=programs)
        .exclude(status__in=FINISHED_STATUSES)
        .annotate(
            has_consent=Exists(in_force),
            lasting=Exists(lasting),
            ends_on=Max(
                "consents__expires_on",
                filter=Consent.active_q(prefix="consents", today=today),
            ),
        )
        .filter(lasting=False)
        .select_related("user", "program")
        .order_by("has_consent", "ends_on", "participant_id")
    )

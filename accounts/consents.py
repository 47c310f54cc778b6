"""Consent to disclose (42 CFR Part 2, section 2.31): record a new version, revoke, and find
the mentees a coordinator must follow up (no consent in force, or one expiring soon).

Consents are never edited or deleted: each change of mind is a new version, so the record of
what was in force on any day survives.
"""

import os
import uuid
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Exists, Max, OuterRef, Q, QuerySet
from django.utils import timezone

from accounts.models import Consent, MenteeProfile
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

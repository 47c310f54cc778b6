"""Role x URL cases for consent, invitations and the CSV import."""

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from tests import factories
from tests.urlcases import Case, expect

# Consents are about one mentee: the coordinator changes them; the matched mentor and the mentee
# may read them; everyone else is outside the scope.
CONSENT_READ = expect(
    coordinator=200,
    staff=404,
    mentor=200,
    mentee=200,
    other_mentor=404,
    other_mentee=404,
    other_coordinator=404,
)
CONSENT_CHANGE_FORM = {**CONSENT_READ, "mentor": 403, "mentee": 403}
CONSENT_CHANGED = {**CONSENT_CHANGE_FORM, "coordinator": 302}
SIGNED_FORM = "consents/matrix-signed-form.pdf"


def consent_pk(w):
    return {"pk": w.mentee_profile.consents.get().pk}


def uploaded_consent_pk(w):
    # One small file under a fixed name, reused by every run (never a new file per test).
    if not default_storage.exists(SIGNED_FORM):
        default_storage.save(SIGNED_FORM, ContentFile(b"%PDF-1.4\n%test\n"))
    consent = factories.ConsentFactory(
        mentee=w.mentee_profile, signature_kind="uploaded", signature_name=""
    )
    consent.signed_form.name = SIGNED_FORM
    consent.save(update_fields=["signed_form"])
    return {"pk": consent.pk}


def consent_data(w):
    return {
        "covers_use_log": "on",
        "to_mentor": "on",
        "purpose": "Peer recovery mentorship.",
        "expiry_event": "When I leave the program",
        "revocation_explained": "on",
        "signature_kind": "typed",
        "signature_name": "Pat Doe",
        "signed_at": "2026-01-05T10:00",
    }


CASES: list = [
    Case(
        "accounts:consent_create",
        CONSENT_CHANGE_FORM,
        kwargs=lambda w: {"pk": w.mentee_profile.pk},
    ),
    Case(
        "accounts:consent_create",
        CONSENT_CHANGED,
        kwargs=lambda w: {"pk": w.mentee_profile.pk},
        method="post",
        data=consent_data,
    ),
    Case("accounts:consent_detail", CONSENT_READ, kwargs=consent_pk),
    Case("accounts:consent_revoke", CONSENT_CHANGE_FORM, kwargs=consent_pk),
    Case(
        "accounts:consent_revoke",
        CONSENT_CHANGED,
        kwargs=consent_pk,
        method="post",
        data=lambda w: {"revoked_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")},
    ),
    # The signature is for the coordinator and the participant, not the mentor.
    Case(
        "accounts:consent_signed_form",
        {**CONSENT_READ, "mentor": 404},
        kwargs=uploaded_consent_pk,
    ),
]

COORDINATORS_ONLY = expect(
    coordinator=200,
    staff=403,
    mentor=403,
    mentee=403,
    other_mentor=403,
    other_mentee=403,
    other_coordinator=200,
)
# Inviting a mentee changes their account: like any change to a mentee, coordinator only.
INVITE_MENTEE = {**CONSENT_CHANGED}
INVITE_MENTOR = expect(
    coordinator=302,
    staff=404,
    mentor=403,
    mentee=404,
    other_mentor=404,
    other_mentee=404,
    other_coordinator=404,
)

CASES += [
    Case("accounts:participant_import", COORDINATORS_ONLY),
    Case("accounts:participant_import_template", COORDINATORS_ONLY),
    # An unknown or expired confirmation sends the coordinator back to upload again.
    Case(
        "accounts:participant_import_confirm",
        {**COORDINATORS_ONLY, "coordinator": 302, "other_coordinator": 302},
        method="post",
        data=lambda w: {"token": "no-such-upload"},
    ),
    # An unknown or expired list of IDs: nothing to download.
    Case(
        "accounts:participant_import_ids",
        {**COORDINATORS_ONLY, "coordinator": 404, "other_coordinator": 404},
    ),
    Case("accounts:invitation_list", COORDINATORS_ONLY),
    Case(
        "accounts:mentee_invite",
        INVITE_MENTEE,
        kwargs=lambda w: {"pk": w.mentee_profile.pk},
        method="post",
    ),
    Case(
        "accounts:mentor_invite",
        INVITE_MENTOR,
        kwargs=lambda w: {"pk": w.mentor_profile.pk},
        method="post",
    ),
    Case(
        "accounts:invitation_send_all",
        {**COORDINATORS_ONLY, "coordinator": 302, "other_coordinator": 404},
        kwargs=lambda w: {"slug": w.program.slug},
        method="post",
    ),
]

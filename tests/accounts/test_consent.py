"""Consent (42 CFR Part 2, section 2.31): recorded with every element, versioned, never deleted,
and revocation obeyed by the access policy on the mentor's very next request."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from accounts import dashboard
from accounts.consents import consent_followups, consent_revoke
from accounts.models import Consent, MenteeProfile, Program
from mentorship import access
from mentorship.models import AuditEntry
from tests import factories

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n"


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def form_data(**overrides):
    data = {
        "covers_use_log": "on",
        "covers_goals": "on",
        "to_mentor": "on",
        "purpose": "Peer recovery mentorship.",
        "expires_on": (timezone.localdate() + timedelta(days=365)).isoformat(),
        "expiry_event": "",
        "revocation_explained": "on",
        "signature_kind": "typed",
        "signature_name": "Pat Doe",
        "signed_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def record(client, mentee, **overrides):
    return client.post(reverse("accounts:consent_create", args=[mentee.pk]), form_data(**overrides))


def test_coordinator_records_a_consent_with_every_element(client, world):
    mentee = world.other_mentee_profile
    client.force_login(world.coordinator)

    response = record(client, mentee)

    consent = mentee.consents.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:consent_detail", args=[consent.pk])
    assert consent.version == 1
    assert consent.covers_use_log and consent.covers_goals and not consent.covers_checkin_notes
    assert consent.to_mentor and consent.revocation_explained
    assert consent.signature_name == "Pat Doe"
    assert consent.recorded_by == world.coordinator
    entry = AuditEntry.objects.get(object_type="accounts.consent", object_id=str(consent.pk))
    assert entry.action == "create"
    assert entry.person_id == mentee.user_id
    assert "signature_name" in entry.fields
    assert "Pat Doe" not in str(entry.fields)  # names of fields, never their content


def test_detail_page_shows_the_elements_and_is_audited_as_a_view(client, world):
    consent = world.mentee_profile.consents.get()
    client.force_login(world.coordinator)

    response = client.get(reverse("accounts:consent_detail", args=[consent.pk]))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Who may disclose" in page and world.program.name in page
    assert "In force" in page
    assert AuditEntry.objects.filter(action="view", object_id=str(consent.pk)).exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"covers_use_log": None, "covers_goals": None}, "__all__", "at least one kind"),
        ({"to_mentor": None}, "__all__", "at least one recipient"),
        ({"expires_on": "", "expiry_event": ""}, "expires_on", "expiry date or an expiry event"),
        ({"expires_on": "2020-01-01"}, "expires_on", "in the past"),
        ({"revocation_explained": None}, "revocation_explained", "required"),
        ({"signature_name": "  "}, "signature_name", "Type the participant"),
        ({"signature_kind": "uploaded"}, "signed_form", "Upload the signed form"),
        ({"signed_at": "2099-01-01T10:00"}, "signed_at", "in the future"),
        ({"signed_at": "yesterday"}, "signed_at", "Enter a valid date/time"),
    ],
)
def test_consent_without_a_required_element_is_refused_at_the_field(
    client, world, overrides, field, message
):
    client.force_login(world.coordinator)

    response = record(client, world.other_mentee_profile, **overrides)

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert message in " ".join(errors.get(field, [])), errors
    assert not world.other_mentee_profile.consents.exists()


def test_uploaded_signed_form_is_kept_and_served_only_through_the_policy(client, world):
    client.force_login(world.coordinator)
    upload = SimpleUploadedFile("pat-doe-consent.PDF", PDF, content_type="application/pdf")

    response = record(
        client,
        world.mentee_profile,
        signature_kind="uploaded",
        signature_name="",
        signed_form=upload,
    )

    assert response.status_code == 302
    consent = world.mentee_profile.consents.first()
    assert consent.signature_kind == "uploaded" and consent.signed_form
    assert "pat-doe" not in consent.signed_form.name and consent.signed_form.name.endswith(".pdf")
    url = reverse("accounts:consent_signed_form", args=[consent.pk])
    download = client.get(url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert consent.mentee.participant_id in download["Content-Disposition"]
    client.force_login(world.mentor)
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("signed.exe", b"MZ\x90\x00", "Upload a PDF, PNG or JPEG"),
        ("signed.pdf", b"MZ\x90\x00 not a pdf", "not a real PDF"),
        ("signed.jpg", b"%PDF-1.4", "not a real JPG"),
        ("signed.pdf", b"%PDF-" + b"0" * (5 * 1024 * 1024), "larger than 5 MB"),
    ],
)
def test_signed_form_of_the_wrong_type_or_size_is_refused(client, world, name, content, message):
    client.force_login(world.coordinator)
    upload = SimpleUploadedFile(name, content)

    response = record(
        client,
        world.other_mentee_profile,
        signature_kind="uploaded",
        signature_name="",
        signed_form=upload,
    )

    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["signed_form"])
    assert not world.other_mentee_profile.consents.exists()


def test_new_version_keeps_the_old_one_and_ends_it(client, world):
    mentee = world.mentee_profile
    first = mentee.consents.get()
    client.force_login(world.coordinator)

    record(client, mentee, covers_use_log=None)  # the participant narrows the consent

    first.refresh_from_db()
    second = mentee.consents.first()
    assert second.version == first.version + 1
    assert mentee.consents.count() == 2
    assert first.revoked_at == second.created_at  # replaced at the same instant
    assert second.is_active and not first.is_active
    page = client.get(reverse("accounts:consent_detail", args=[first.pk])).content.decode()
    assert f"Replaced by version {second.version}" in page
    # The narrowed consent no longer lets the mentor see the use log.
    assert mentee.pk not in mentor_sees(world.mentor, "covers_use_log")
    assert mentee.pk in mentor_sees(world.mentor, "covers_goals")


def test_form_for_a_new_version_starts_from_the_one_on_file_but_not_its_signature(client, world):
    client.force_login(world.coordinator)

    response = client.get(reverse("accounts:consent_create", args=[world.mentee_profile.pk]))

    form = response.context["form"]
    assert form.initial["covers_use_log"] is True
    assert "signature_name" not in form.initial


def mentor_sees(user, flag):
    return set(
        MenteeProfile.objects.filter(pk__in=access.matched_mentee_ids(user, flag)).values_list(
            "pk", flat=True
        )
    )


def test_revocation_takes_effect_on_the_mentors_very_next_request(client, world, monkeypatch):
    """A model guarded by a consent flag (as the use log is): the matched mentor reaches the
    mentee while the consent is in force and gets 404 on the very next request after revocation."""
    monkeypatch.setattr(
        MenteeProfile,
        "access_paths",
        access.AccessPaths(
            program="program",
            mentee="",
            mentor_consent="covers_use_log",
            change_roles=("coordinator",),
        ),
    )
    consent = world.mentee_profile.consents.get()
    guarded_url = reverse("accounts:consent_create", args=[world.mentee_profile.pk])
    mentor = client
    mentor.force_login(world.mentor)
    assert mentor.get(guarded_url).status_code == 403  # visible to the mentor, not changeable
    assert world.mentee_profile.pk in mentor_sees(world.mentor, "covers_use_log")

    coordinator = type(client)()
    coordinator.force_login(world.coordinator)
    revoke = coordinator.post(
        reverse("accounts:consent_revoke", args=[consent.pk]),
        {"revoked_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")},
    )
    assert revoke.status_code == 302

    assert mentor.get(guarded_url).status_code == 404
    assert world.mentee_profile.pk not in mentor_sees(world.mentor, "covers_use_log")
    consent.refresh_from_db()
    assert consent.revoked_by == world.coordinator
    assert Consent.objects.filter(pk=consent.pk).exists()  # revoked, never deleted
    assert AuditEntry.objects.filter(
        action="update", object_id=str(consent.pk), fields=["revoked_at", "revoked_by"]
    ).exists()


def test_revoking_twice_keeps_the_first_date(world):
    consent = world.mentee_profile.consents.get()
    first = timezone.now() - timedelta(hours=2)

    consent_revoke(consent=consent, revoked_by=world.coordinator, revoked_at=first)
    consent_revoke(consent=consent, revoked_by=world.coordinator)

    consent.refresh_from_db()
    assert consent.revoked_at == first


def test_revocation_cannot_predate_the_signature(client, world):
    consent = world.mentee_profile.consents.get()
    client.force_login(world.coordinator)

    response = client.post(
        reverse("accounts:consent_revoke", args=[consent.pk]), {"revoked_at": "2001-01-01T10:00"}
    )

    assert response.status_code == 200
    assert "before the consent was signed" in str(response.context["form"].errors)
    consent.refresh_from_db()
    assert consent.revoked_at is None


def test_consent_panel_shows_the_current_version_and_actions_for_the_coordinator(world):
    def panel(user, mentee=world.mentee_profile):
        # As the participant page renders it: the access policy decides the actions.
        context = {"mentee": mentee, "can_change": access.can_change(user, mentee)}
        return render_to_string("accounts/_consent_panel.html", context)

    html = panel(world.coordinator)
    assert "In force" in html
    assert reverse("accounts:consent_revoke", args=[world.mentee_profile.consents.get().pk]) in html

    as_mentor = panel(world.mentor)
    assert "Revoke" not in as_mentor

    empty = panel(world.coordinator, world.other_mentee_profile)
    assert "No consent on file" in empty
    assert "Record consent" in empty


def test_followups_list_missing_and_expiring_consents_only(world):
    today = timezone.now().date()
    program = world.program
    soon = factories.ConsentFactory(
        mentee=factories.MenteeProfileFactory(program=program),
        expires_on=today + timedelta(days=10),
    )
    later = factories.ConsentFactory(
        mentee=factories.MenteeProfileFactory(program=program),
        expires_on=today + timedelta(days=90),
    )
    revoked = factories.ConsentFactory(
        mentee=factories.MenteeProfileFactory(program=program), revoked_at=timezone.now()
    )
    factories.MenteeProfileFactory(program=program, status="withdrawn")  # left: no follow-up

    rows = {m.pk: m for m in consent_followups(Program.objects.filter(pk=program.pk))}

    assert set(rows) == {world.other_mentee_profile.pk, soon.mentee_id, revoked.mentee_id}
    assert rows[soon.mentee_id].has_consent and rows[soon.mentee_id].ends_on == soon.expires_on
    assert not rows[revoked.mentee_id].has_consent
    assert later.mentee_id not in rows and world.mentee_profile.pk not in rows


def dashboard_request(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


def test_dashboard_panel_warns_the_coordinator_in_constant_queries(
    world, django_assert_num_queries
):
    request = dashboard_request(world.coordinator)
    with django_assert_num_queries(1):
        html = dashboard.panel(request, "coordinator")
    assert world.other_mentee_profile.participant_id in html
    assert world.mentee_profile.participant_id not in html

    for _ in range(50):
        factories.MenteeProfileFactory(program=world.program)
    with django_assert_num_queries(1):  # the total comes with the rows shown
        html = dashboard.panel(request, "coordinator")
    assert "And 31 more" in html


def test_dashboard_panel_is_only_for_coordinators_of_the_program(world):
    assert dashboard.panel(dashboard_request(world.mentor), "mentor") == ""
    other = dashboard.panel(dashboard_request(world.other_coordinator), "coordinator")
    assert world.other_mentee_profile.participant_id not in other


def test_coordinator_dashboard_shows_the_consent_panel(client, world):
    client.force_login(world.coordinator)

    page = client.get(reverse("home")).content.decode()

    assert "Consent to follow up" in page

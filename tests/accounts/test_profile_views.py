"""Enrollment forms, participant pages and lists, as a coordinator uses them."""

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import (
    FocusArea,
    Membership,
    MenteeFocusArea,
    MenteeProfile,
    MentorProfile,
    MentorTraining,
    Philosophy,
    StatusChange,
    Training,
)
from mentorship.models import AuditEntry
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def program():
    return factories.ProgramFactory(slug="riverside")


@pytest.fixture
def coordinator(program):
    return factories.make_user_with_role(Membership.Role.COORDINATOR, program)


@pytest.fixture
def coord_client(client, coordinator):
    client.force_login(coordinator)
    return client


def mentee_post(program, **overrides) -> dict:
    area = FocusArea.objects.filter(program=program).order_by("pk").first()
    data = {
        "first_name": "Ana",
        "last_name": "Ruiz",
        "email": "ana@example.org",
        "gender": "woman",
        "enrolled_on": "2026-03-02",
        "study_arm": "mentored",
        "referral_source": "treatment",
        "recovery_stage": "early",
        "preferred_mentor_gender": "",
        "availability": ["0", "4", "20"],
        f"focus_{area.pk}": "3",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def mentor_post(program, **overrides) -> dict:
    data = {
        "first_name": "Sam",
        "last_name": "Lee",
        "email": "sam@example.org",
        "gender": "man",
        "recovery_since": "2019-06-01",
        "capacity": "3",
        "accepting_new": "on",
        "is_active": "on",
        "availability": ["1", "2"],
        "bio": "Ten years in recovery.",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


# --- Enrolling and editing mentees


def test_coordinator_enrolls_a_mentee_through_the_form(coord_client, program):
    url = reverse("accounts:mentee_create", kwargs={"program": program.slug})
    assert coord_client.get(url).status_code == 200
    response = coord_client.post(url, mentee_post(program))
    mentee = MenteeProfile.objects.get(user__email="ana@example.org")
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:mentee_detail", kwargs={"pk": mentee.pk})
    assert mentee.availability == (1 << 0) | (1 << 4) | (1 << 20)
    assert mentee.focus_needs.get().priority == MenteeFocusArea.Priority.HIGH
    assert mentee.enrolled_on == date(2026, 3, 2)
    assert mentee.participant_id in coord_client.get(response["Location"]).content.decode()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"email": ""}, "email", "This field is required"),
        ({"email": "not-an-email"}, "email", "valid email"),
        ({"first_name": ""}, "first_name", "This field is required"),
        ({"enrolled_on": "2026-02-31"}, "enrolled_on", "valid date"),
        ({"enrolled_on": "1999-01-01"}, "enrolled_on", "Check the year"),
        ({"study_arm": "placebo"}, "study_arm", "valid choice"),
        ({"availability": ["21"]}, "availability", "valid choice"),
        ({"philosophy_required": "on"}, "philosophy_required", "Choose the philosophy"),
        ({"mentor_gender_required": "on"}, "mentor_gender_required", "Choose the mentor gender"),
    ],
)
def test_bad_mentee_input_is_shown_at_the_field_and_nothing_is_written(
    coord_client, program, overrides, field, message
):
    url = reverse("accounts:mentee_create", kwargs={"program": program.slug})
    response = coord_client.post(url, mentee_post(program, **overrides))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors and message in " ".join(errors[field])
    assert not MenteeProfile.objects.filter(program=program).exists()
    assert "Please correct the fields marked below" in response.content.decode()


def test_a_bogus_focus_priority_is_a_field_error(coord_client, program):
    area = FocusArea.objects.filter(program=program).order_by("pk").first()
    url = reverse("accounts:mentee_create", kwargs={"program": program.slug})
    response = coord_client.post(url, mentee_post(program, **{f"focus_{area.pk}": "9"}))
    assert f"focus_{area.pk}" in response.context["form"].errors


def test_a_duplicate_email_is_reported_on_the_email_field(coord_client, program):
    existing = factories.MenteeProfileFactory(program=program)
    url = reverse("accounts:mentee_create", kwargs={"program": program.slug})
    response = coord_client.post(url, mentee_post(program, email=existing.user.email))
    assert response.status_code == 200
    assert "already a mentee" in " ".join(response.context["form"].errors["email"])


def test_another_programs_term_cannot_be_posted(coord_client, program):
    foreign = Philosophy.objects.filter(program=factories.ProgramFactory()).first()
    url = reverse("accounts:mentee_create", kwargs={"program": program.slug})
    response = coord_client.post(url, mentee_post(program, preferred_philosophy=foreign.pk))
    assert "preferred_philosophy" in response.context["form"].errors


def test_editing_a_mentee_shows_and_keeps_their_values(coord_client, program):
    mentee = factories.MenteeProfileFactory(program=program, availability=0b11)
    area = FocusArea.objects.filter(program=program).order_by("pk").last()
    MenteeFocusArea.objects.create(mentee=mentee, focus_area=area, priority=1)
    url = reverse("accounts:mentee_edit", kwargs={"pk": mentee.pk})
    page = coord_client.get(url).content.decode()
    assert 'value="0" id="id_availability_0" checked' in page
    assert 'value="2" id="id_availability_2">' in page
    form = coord_client.get(url).context["form"]
    assert form[f"focus_{area.pk}"].value() == 1
    response = coord_client.post(
        url,
        mentee_post(
            program,
            email=mentee.user.email,
            first_name="Renamed",
            availability=["5"],
            **{f"focus_{area.pk}": "2"},
        ),
    )
    assert response.status_code == 302
    mentee.refresh_from_db()
    mentee.user.refresh_from_db()
    # The program's name for them changes; their account's own name does not.
    assert (mentee.first_name, mentee.availability) == ("Renamed", 1 << 5)
    assert mentee.user.first_name != "Renamed"
    assert {n.focus_area_id: n.priority for n in mentee.focus_needs.all()} == {
        FocusArea.objects.filter(program=program).order_by("pk").first().pk: 3,
        area.pk: 2,
    }
    entry = AuditEntry.objects.get(action="update", object_type="accounts.menteeprofile")
    assert "first_name" in entry.fields and "Renamed" not in str(entry.fields)


def test_mentee_page_is_audited_and_shows_match_consent_and_history(coord_client, program):
    match = factories.MatchFactory(program=program)
    consent = factories.ConsentFactory(mentee=match.mentee)
    StatusChange.objects.create(
        mentee=match.mentee, from_status="", to_status="enrolled", reason="Referred by drug court"
    )
    url = reverse("accounts:mentee_detail", kwargs={"pk": match.mentee.pk})
    page = coord_client.get(url).content.decode()
    assert AuditEntry.objects.filter(
        action="view", object_type="accounts.menteeprofile", object_id=str(match.mentee.pk)
    ).exists()
    assert match.mentor.user.get_full_name() in page
    assert "Consent to disclose" in page
    assert "In force" in page and f"Version {consent.version}" in page
    assert "Referred by drug court" in page
    assert "Change status" in page


def test_mentee_sees_their_own_page_without_coordinator_controls(client, program):
    mentee = factories.MenteeProfileFactory(program=program)
    client.force_login(mentee.user)
    page = client.get(reverse("accounts:mentee_detail", kwargs={"pk": mentee.pk}))
    assert page.status_code == 200
    assert "Edit profile" not in page.content.decode()
    assert "Change status" not in page.content.decode()


def test_status_form_changes_the_status_and_shows_errors(coord_client, program):
    mentee = factories.MenteeProfileFactory(program=program)
    url = reverse("accounts:mentee_status", kwargs={"pk": mentee.pk})
    response = coord_client.post(url, {"to_status": "withdrawn", "reason": ""})
    assert response.status_code == 200
    assert "reason" in response.context["form"].errors
    response = coord_client.post(url, {"to_status": "withdrawn", "reason": "Moved away"})
    assert response.status_code == 302
    mentee.refresh_from_db()
    assert mentee.status == "withdrawn"
    history = coord_client.get(reverse("accounts:mentee_detail", kwargs={"pk": mentee.pk}))
    assert "Moved away" in history.content.decode()


# --- Mentors


def test_coordinator_adds_a_mentor_with_trainings(coord_client, program):
    crisis = Training.objects.get(program=program, name="Crisis navigation")
    philosophy = Philosophy.objects.filter(program=program).first()
    url = reverse("accounts:mentor_create", kwargs={"program": program.slug})
    response = coord_client.post(
        url,
        mentor_post(
            program, philosophies=[philosophy.pk], **{f"training_{crisis.pk}": "2025-04-01"}
        ),
    )
    assert response.status_code == 302
    mentor = MentorProfile.objects.get(user__email="sam@example.org")
    assert mentor.trainings.get().training == crisis
    assert list(mentor.philosophies.all()) == [philosophy]
    assert mentor.availability == 0b110


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"capacity": "26"}, "capacity"),
        ({"capacity": "-1"}, "capacity"),
        ({"capacity": "lots"}, "capacity"),
        ({"recovery_since": "2999-01-01"}, "recovery_since"),
        ({"email": ""}, "email"),
        ({"bio": "x" * 1501}, "bio"),
        ({"philosophies": ["999999"]}, "philosophies"),
    ],
)
def test_bad_mentor_input_is_shown_at_the_field(coord_client, program, overrides, field):
    url = reverse("accounts:mentor_create", kwargs={"program": program.slug})
    response = coord_client.post(url, mentor_post(program, **overrides))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not MentorProfile.objects.filter(program=program).exists()


def test_a_future_training_date_is_refused(coord_client, program):
    crisis = Training.objects.get(program=program, name="Crisis navigation")
    url = reverse("accounts:mentor_create", kwargs={"program": program.slug})
    future = (timezone.now().date() + timedelta(days=30)).isoformat()
    response = coord_client.post(url, mentor_post(program, **{f"training_{crisis.pk}": future}))
    assert f"training_{crisis.pk}" in response.context["form"].errors


def test_editing_a_mentor_removes_a_training_left_empty(coord_client, program):
    mentor = factories.MentorProfileFactory(program=program)
    crisis = Training.objects.get(program=program, name="Crisis navigation")
    MentorTraining.objects.create(mentor=mentor, training=crisis, completed_on=date(2024, 1, 1))
    url = reverse("accounts:mentor_edit", kwargs={"pk": mentor.pk})
    assert coord_client.get(url).context["form"][f"training_{crisis.pk}"].value() == date(
        2024, 1, 1
    )
    response = coord_client.post(url, mentor_post(program, email=mentor.user.email))
    assert response.status_code == 302
    assert not mentor.trainings.exists()


def test_mentor_page_names_the_missing_training(coord_client, program):
    crisis = Training.objects.get(program=program, name="Crisis navigation")
    program.required_trainings.set([crisis])
    mentor = factories.MentorProfileFactory(program=program)
    page = coord_client.get(reverse("accounts:mentor_detail", kwargs={"pk": mentor.pk}))
    assert "Needs Crisis navigation training" in page.content.decode()
    assert AuditEntry.objects.filter(action="view", object_type="accounts.mentorprofile").exists()


# --- Program settings and vocabularies


def test_program_settings_save_and_drive_eligibility(coord_client, program):
    crisis = Training.objects.get(program=program, name="Crisis navigation")
    factories.MentorProfileFactory(program=program)
    url = reverse("accounts:program_settings", kwargs={"program": program.slug})
    response = coord_client.post(
        url,
        {
            "timezone": "America/Denver",
            "default_language": "es",
            "default_checkin_cadence": "biweekly",
            "min_recovery_months": "6",
            "required_trainings": [crisis.pk],
            "crisis_resources": "Call 988.",
        },
    )
    assert response.status_code == 302
    program.refresh_from_db()
    assert program.timezone == "America/Denver" and program.default_checkin_cadence == "biweekly"
    assert program.default_language == "es"
    # The coordinator has no language of their own: a browser asking for English gets it.
    coord_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert "1 mentor not eligible" in coord_client.get(url).content.decode()
    mentors = coord_client.get(
        reverse("accounts:program_mentors", kwargs={"program": program.slug})
    ).content.decode()
    assert "Needs Crisis navigation training" in mentors


@pytest.mark.parametrize(
    ("field", "value"),
    [("timezone", "Mars/Olympus"), ("min_recovery_months", "999"), ("crisis_resources", "")],
)
def test_bad_program_settings_are_shown_at_the_field(coord_client, program, field, value):
    data = {
        "timezone": "America/Chicago",
        "default_language": "en",
        "default_checkin_cadence": "weekly",
        "min_recovery_months": "6",
        "crisis_resources": "Call 988.",
        field: value,
    }
    url = reverse("accounts:program_settings", kwargs={"program": program.slug})
    response = coord_client.post(url, data)
    assert response.status_code == 200
    assert field in response.context["form"].errors


def test_coordinator_adds_edits_and_deactivates_a_vocabulary_term(coord_client, program):
    add = reverse(
        "accounts:vocabulary_create", kwargs={"program": program.slug, "kind": "focus-areas"}
    )
    assert coord_client.post(add, {"name": "Transport"}).status_code == 302
    term = FocusArea.objects.get(program=program, name="Transport")
    duplicate = coord_client.post(add, {"name": "transport"})
    assert "already in this list" in " ".join(duplicate.context["form"].errors["name"])
    edit = reverse(
        "accounts:vocabulary_edit",
        kwargs={"program": program.slug, "kind": "focus-areas", "pk": term.pk},
    )
    assert coord_client.post(edit, {"name": "Transportation", "position": "1"}).status_code == 302
    toggle = reverse(
        "accounts:vocabulary_toggle",
        kwargs={"program": program.slug, "kind": "focus-areas", "pk": term.pk},
    )
    coord_client.post(toggle)
    term.refresh_from_db()
    assert (term.name, term.position, term.is_active) == ("Transportation", 1, False)
    # No longer offered on new profiles.
    form = coord_client.get(
        reverse("accounts:mentor_create", kwargs={"program": program.slug})
    ).context["form"]
    assert term not in form.fields["focus_areas"].queryset


def test_an_unknown_vocabulary_is_404(coord_client, program):
    url = reverse("accounts:vocabulary_create", kwargs={"program": program.slug, "kind": "moods"})
    assert coord_client.get(url).status_code == 404


def test_a_term_of_another_program_is_404(coord_client, program):
    foreign = Philosophy.objects.filter(program=factories.ProgramFactory()).first()
    url = reverse(
        "accounts:vocabulary_edit",
        kwargs={"program": program.slug, "kind": "philosophies", "pk": foreign.pk},
    )
    assert coord_client.get(url).status_code == 404


def test_profile_forms_offer_every_choice_as_a_labelled_checkbox(coord_client, program):
    mentor_page = coord_client.get(
        reverse("accounts:mentor_create", kwargs={"program": program.slug})
    ).content.decode()
    mentee_page = coord_client.get(
        reverse("accounts:mentee_create", kwargs={"program": program.slug})
    ).content.decode()
    for name in ("philosophies", "focus_areas", "languages", "lived_substances"):
        assert re.search(rf'type="checkbox"[^>]*name="{name}"', mentor_page), name
    for name in ("substances", "languages"):
        assert re.search(rf'type="checkbox"[^>]*name="{name}"', mentee_page), name
    assert "SMART Recovery" in mentor_page and "Spanish" in mentee_page

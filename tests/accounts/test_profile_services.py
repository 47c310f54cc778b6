"""Enrollment, profile edits, the mentee lifecycle and vocabularies, through the services."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from accounts import services
from accounts.models import (
    FocusArea,
    Language,
    Membership,
    MenteeProfile,
    MentorProfile,
    Philosophy,
    StatusChange,
    Training,
    User,
)
from mentorship.models import AuditEntry
from tests import factories

pytestmark = pytest.mark.django_db
Status = MenteeProfile.Status


@pytest.fixture
def program():
    return factories.ProgramFactory()


@pytest.fixture
def coordinator(program):
    return factories.make_user_with_role(Membership.Role.COORDINATOR, program)


def _mentee_profile(program, **extra):
    return {
        "enrolled_on": date(2026, 3, 2),
        "study_arm": MenteeProfile.Arm.MENTORED,
        "recovery_stage": MenteeProfile.Stage.EARLY,
        "substances": [],
        "preferred_philosophy": None,
        "philosophy_required": False,
        "languages": [Language.objects.get(code="en")],
        "gender": "",
        "preferred_mentor_gender": "",
        "mentor_gender_required": False,
        "availability": 0b101,
        "referral_source": "self",
        **extra,
    }


def test_enrolling_a_mentee_creates_a_person_without_a_password_and_an_audited_profile(
    program, coordinator
):
    area = FocusArea.objects.filter(program=program).first()
    mentee = services.mentee_create(
        actor=coordinator,
        program=program,
        email=" Ana.Ruiz@Example.org ",
        first_name="Ana",
        last_name="Ruiz",
        profile=_mentee_profile(program),
        focus_needs={area: 3},
    )
    user = User.objects.get(email="ana.ruiz@example.org")
    assert mentee.user == user and not user.has_usable_password()
    # Pending until the person accepts the invitation.
    assert Membership.objects.get(user=user, program=program, role="mentee").joined_at is None
    assert mentee.participant_id.startswith("P-") and "ana" not in mentee.participant_id.lower()
    assert [(n.focus_area, n.priority) for n in mentee.focus_needs.all()] == [(area, 3)]
    assert mentee.status == Status.ENROLLED
    assert mentee.status_history.get().to_status == Status.ENROLLED
    entry = AuditEntry.objects.get(action="create", object_type="accounts.menteeprofile")
    assert entry.actor == coordinator and entry.person == user and entry.program == program
    assert "focus_needs" in entry.fields and "Ana" not in str(entry.fields)


def test_the_same_email_cannot_be_enrolled_twice_as_a_mentee_in_a_program(program, coordinator):
    existing = factories.MenteeProfileFactory(program=program)
    with pytest.raises(ValidationError) as error:
        services.mentee_create(
            actor=coordinator,
            program=program,
            email=existing.user.email.upper(),
            first_name="X",
            last_name="Y",
            profile=_mentee_profile(program),
        )
    assert "email" in error.value.error_dict
    assert MenteeProfile.objects.filter(program=program).count() == 1


def test_a_person_in_another_program_is_enrolled_with_their_existing_login(program, coordinator):
    elsewhere = factories.MenteeProfileFactory()
    mentee = services.mentee_create(
        actor=coordinator,
        program=program,
        email=elsewhere.user.email,
        first_name="Ignored",
        last_name="Ignored",
        profile=_mentee_profile(program),
    )
    assert mentee.user == elsewhere.user
    elsewhere.user.refresh_from_db()
    assert elsewhere.user.first_name != "Ignored"  # the account is not rewritten
    # This program knows them by the name typed here; they join it by accepting its invitation.
    assert mentee.display_name == "Ignored Ignored"
    assert Membership.objects.get(user=elsewhere.user, program=program).joined_at is None


def test_a_failed_enrollment_writes_nothing(program, coordinator):
    other_program_term = Philosophy.objects.filter(program=factories.ProgramFactory()).first()
    with pytest.raises(ValidationError):
        services.mentee_create(
            actor=coordinator,
            program=program,
            email="nobody@example.org",
            first_name="No",
            last_name="Body",
            profile=_mentee_profile(program, preferred_philosophy=other_program_term),
        )
    assert not User.objects.filter(email="nobody@example.org").exists()
    assert not AuditEntry.objects.filter(action="create").exists()


def test_creating_a_mentor_records_trainings_and_profile(program, coordinator):
    crisis = Training.objects.get(program=program, name="Crisis navigation")
    philosophy = Philosophy.objects.filter(program=program).first()
    mentor = services.mentor_create(
        actor=coordinator,
        program=program,
        email="sam@example.org",
        first_name="Sam",
        last_name="Lee",
        profile={
            "gender": "man",
            "philosophies": [philosophy],
            "focus_areas": [],
            "languages": [],
            "lived_substances": [],
            "recovery_since": date(2020, 1, 1),
            "is_certified_peer_specialist": True,
            "certifications": "CPRS",
            "capacity": 4,
            "accepting_new": True,
            "availability": 7,
            "bio": "Ten years.",
            "is_active": True,
        },
        trainings={crisis: date(2025, 5, 1)},
    )
    assert list(mentor.philosophies.all()) == [philosophy]
    assert mentor.trainings.get().completed_on == date(2025, 5, 1)
    assert Membership.objects.filter(user=mentor.user, role="mentor", program=program).exists()


def test_updating_a_mentor_audits_only_the_changed_field_names(program, coordinator):
    mentor = factories.MentorProfileFactory(program=program, capacity=3)
    crisis = Training.objects.get(program=program, name="Crisis navigation")
    fields = services.mentor_update(
        actor=coordinator,
        mentor=mentor,
        first_name=mentor.first_name,
        last_name=mentor.last_name,
        profile={"capacity": 5, "bio": mentor.bio},
        trainings={crisis: date(2025, 1, 2)},
    )
    assert sorted(fields) == ["capacity", "trainings"]
    mentor.refresh_from_db()
    assert mentor.capacity == 5
    entry = AuditEntry.objects.get(action="update")
    assert entry.fields == ["capacity", "trainings"]
    # Nothing changed: nothing written, nothing audited.
    assert not services.mentor_update(
        actor=coordinator,
        mentor=mentor,
        first_name=mentor.first_name,
        last_name=mentor.last_name,
        profile={"capacity": 5},
        trainings={crisis: date(2025, 1, 2)},
    )
    assert AuditEntry.objects.filter(action="update").count() == 1


def test_capacity_above_the_limit_is_refused(program, coordinator):
    mentor = factories.MentorProfileFactory(program=program)
    with pytest.raises(ValidationError) as error:
        services.mentor_update(
            actor=coordinator,
            mentor=mentor,
            first_name="A",
            last_name="B",
            profile={"capacity": 26},
        )
    assert "capacity" in error.value.error_dict


# --- The lifecycle


def test_status_change_keeps_dated_history_with_reason(program, coordinator):
    mentee = factories.MenteeProfileFactory(program=program)
    services.mentee_status_change(actor=coordinator, mentee=mentee, to_status=Status.MATCHED)
    change = services.mentee_status_change(
        actor=coordinator, mentee=mentee, to_status=Status.PAUSED, reason="Moved for work"
    )
    mentee.refresh_from_db()
    assert mentee.status == Status.PAUSED
    assert (change.from_status, change.to_status, change.reason) == (
        "matched",
        "paused",
        "Moved for work",
    )
    assert change.changed_by == coordinator
    assert [c.to_status for c in StatusChange.objects.filter(mentee=mentee)] == [
        "paused",
        "matched",
    ]
    assert AuditEntry.objects.filter(action="update", fields=["status"]).count() == 2


@pytest.mark.parametrize(
    ("start", "target"),
    [
        (Status.ENROLLED, Status.ACTIVE),
        (Status.ENROLLED, Status.PAUSED),
        (Status.COMPLETED, Status.ACTIVE),
        (Status.WITHDRAWN, Status.MATCHED),
        (Status.DISCHARGED, Status.COMPLETED),
    ],
)
def test_transitions_outside_the_lifecycle_are_refused(program, coordinator, start, target):
    mentee = factories.MenteeProfileFactory(program=program, status=start)
    with pytest.raises(ValidationError) as error:
        services.mentee_status_change(
            actor=coordinator, mentee=mentee, to_status=target, reason="why"
        )
    assert "to_status" in error.value.error_dict
    mentee.refresh_from_db()
    assert mentee.status == start
    assert not StatusChange.objects.filter(mentee=mentee).exists()


def test_every_allowed_transition_is_accepted(program, coordinator):
    for start, targets in services.MENTEE_TRANSITIONS.items():
        for target in targets:
            mentee = factories.MenteeProfileFactory(program=program, status=start)
            services.mentee_status_change(
                actor=coordinator, mentee=mentee, to_status=target, reason="r"
            )
            mentee.refresh_from_db()
            assert mentee.status == target


def test_leaving_needs_a_reason(program, coordinator):
    mentee = factories.MenteeProfileFactory(program=program)
    with pytest.raises(ValidationError) as error:
        services.mentee_status_change(
            actor=coordinator, mentee=mentee, to_status=Status.WITHDRAWN, reason="  "
        )
    assert "reason" in error.value.error_dict


def test_the_comparison_arm_is_never_matched(program, coordinator):
    mentee = factories.MenteeProfileFactory(program=program, study_arm="comparison")
    assert Status.MATCHED not in services.allowed_transitions(mentee)
    with pytest.raises(ValidationError, match="comparison arm"):
        services.mentee_status_change(actor=coordinator, mentee=mentee, to_status=Status.MATCHED)
    services.mentee_status_change(actor=coordinator, mentee=mentee, to_status=Status.COMPLETED)


def test_a_matched_mentee_cannot_move_to_the_comparison_arm(program, coordinator):
    mentee = factories.MenteeProfileFactory(program=program, status=Status.ACTIVE)
    with pytest.raises(ValidationError) as error:
        services.mentee_update(
            actor=coordinator,
            mentee=mentee,
            first_name="A",
            last_name="B",
            profile={"study_arm": "comparison"},
        )
    assert "study_arm" in error.value.error_dict


# --- Program settings and vocabularies


def test_program_settings_update_sets_required_trainings(program, coordinator):
    crisis = Training.objects.get(program=program, name="Crisis navigation")
    changed = services.program_settings_update(
        actor=coordinator,
        program=program,
        data={"min_recovery_months": 12, "required_trainings": [crisis]},
    )
    program.refresh_from_db()
    assert sorted(changed) == ["min_recovery_months", "required_trainings"]
    assert program.min_recovery_months == 12
    assert list(program.required_trainings.all()) == [crisis]
    assert AuditEntry.objects.get(object_type="accounts.program").program == program


def test_program_settings_refuse_an_unknown_timezone(program, coordinator):
    with pytest.raises(ValidationError):
        services.program_settings_update(
            actor=coordinator, program=program, data={"timezone": "Mars/Olympus"}
        )


def test_vocabulary_terms_are_added_at_the_end_renamed_and_deactivated(program, coordinator):
    term = services.vocabulary_term_create(
        actor=coordinator, program=program, kind="focus-areas", name="  Transport  "
    )
    assert term.name == "Transport"
    assert term.position == FocusArea.objects.filter(program=program).count() - 1
    with pytest.raises(ValidationError):
        services.vocabulary_term_create(
            actor=coordinator, program=program, kind="focus-areas", name="transport"
        )
    services.vocabulary_term_update(
        actor=coordinator, term=term, name="Transportation", description="", position=0
    )
    services.vocabulary_term_set_active(actor=coordinator, term=term, is_active=False)
    term.refresh_from_db()
    assert (term.name, term.position, term.is_active) == ("Transportation", 0, False)
    assert AuditEntry.objects.filter(object_type="accounts.focusarea").count() == 3


def test_a_mentor_that_uses_a_deactivated_term_keeps_it(program, coordinator):
    mentor = factories.MentorProfileFactory(program=program)
    term = Philosophy.objects.filter(program=program).first()
    mentor.philosophies.add(term)
    services.vocabulary_term_set_active(actor=coordinator, term=term, is_active=False)
    assert list(MentorProfile.objects.get(pk=mentor.pk).philosophies.all()) == [term]


def test_a_coordinator_edits_the_programs_name_never_the_account(program, coordinator):
    """The e-mail is the person's sign-in and the account's name is theirs: a profile edit
    changes the name this program knows them by, and nothing of the account."""
    invited = factories.MenteeProfileFactory(
        program=program, user__password="!unusable", user__first_name="Own"
    )
    fields = services.mentee_update(
        actor=coordinator, mentee=invited, first_name="A", last_name="B", profile={}
    )
    assert sorted(fields) == ["first_name", "last_name"]
    invited.refresh_from_db()
    invited.user.refresh_from_db()
    assert invited.display_name == "A B"
    assert invited.user.first_name == "Own"

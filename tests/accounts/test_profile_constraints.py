"""Database constraints on profiles hold even when a service or form is bypassed."""

import pytest
from django.db import IntegrityError, transaction

from accounts.models import ALL_AVAILABILITY, Membership, MenteeProfile, MentorProfile
from tests import factories

pytestmark = pytest.mark.django_db


def _refused(fn):
    with pytest.raises(IntegrityError), transaction.atomic():
        fn()


def test_a_comparison_mentee_can_never_be_matched_in_the_database():
    mentee = factories.MenteeProfileFactory(study_arm="comparison")
    _refused(lambda: MenteeProfile.objects.filter(pk=mentee.pk).update(status="active"))


def test_availability_has_21_slots():
    mentor = factories.MentorProfileFactory(availability=ALL_AVAILABILITY)
    mentee = factories.MenteeProfileFactory(availability=ALL_AVAILABILITY)
    _refused(lambda: MentorProfile.objects.filter(pk=mentor.pk).update(availability=1 << 21))
    _refused(lambda: MenteeProfile.objects.filter(pk=mentee.pk).update(availability=1 << 21))


def test_mentor_capacity_is_at_most_25():
    mentor = factories.MentorProfileFactory()
    _refused(lambda: MentorProfile.objects.filter(pk=mentor.pk).update(capacity=26))


def test_one_profile_and_one_membership_per_role_per_program():
    mentee = factories.MenteeProfileFactory()
    _refused(
        lambda: MenteeProfile.objects.create(
            program=mentee.program, user=mentee.user, enrolled_on=mentee.enrolled_on
        )
    )
    _refused(
        lambda: Membership.objects.create(user=mentee.user, program=mentee.program, role="mentee")
    )


def test_participant_ids_are_unique_and_not_personal():
    ids = {factories.MenteeProfileFactory().participant_id for _ in range(20)}
    assert len(ids) == 20
    assert all(pid.startswith("P-") and len(pid) == 10 for pid in ids)

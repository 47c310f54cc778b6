"""The demo program shows varied profiles, a coordinator's vocabulary edits and status history."""

import pytest

from accounts.demo import demo_seed_small
from accounts.models import MenteeProfile, MentorProfile, Philosophy, StatusChange

pytestmark = pytest.mark.django_db


def test_demo_profiles_have_history_and_edited_vocabularies():
    program, _ = demo_seed_small()
    demo_seed_small()  # idempotent
    mentees = MenteeProfile.objects.filter(program=program)
    assert (
        StatusChange.objects.filter(mentee__program=program, to_status="enrolled").count()
        == mentees.count()
    )
    assert set(mentees.values_list("status", flat=True)) >= {"enrolled", "withdrawn", "completed"}
    retired = Philosophy.objects.get(program=program, name="Celebrate Recovery")
    assert not retired.is_active
    assert not MentorProfile.objects.filter(philosophies=retired).exists()
    assert MentorProfile.objects.filter(program=program).exclude(certifications="").exists()

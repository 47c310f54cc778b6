"""The access policy: who reaches which participant record."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from accounts.models import MenteeProfile
from matching.models import Match
from mentorship import access

pytestmark = pytest.mark.django_db


def _mentees(user):
    return set(access.scope(user, MenteeProfile.objects.all()))


def test_each_role_sees_exactly_its_mentees(world):
    assert _mentees(world.coordinator) == {world.mentee_profile, world.other_mentee_profile}
    assert _mentees(world.mentor) == {world.mentee_profile}
    assert _mentees(world.mentee) == {world.mentee_profile}
    assert _mentees(world.staff) == set()
    assert _mentees(world.other_mentor) == set()
    assert _mentees(world.other_coordinator) == set()


def test_outsider_gets_404_and_read_only_role_gets_403(world):
    pk = world.mentee_profile.pk
    with pytest.raises(Http404):
        access.get_for_user(world.other_coordinator, MenteeProfile.objects.all(), pk=pk)
    assert (
        access.get_for_user(world.mentor, MenteeProfile.objects.all(), pk=pk)
        == world.mentee_profile
    )
    with pytest.raises(PermissionDenied):
        access.get_for_user(world.mentor, MenteeProfile.objects.all(), change=True, pk=pk)
    assert access.get_for_user(world.coordinator, MenteeProfile.objects.all(), change=True, pk=pk)


def test_ending_a_match_removes_the_mentors_access_at_once(world):
    Match.objects.filter(pk=world.match.pk).update(
        status=Match.Status.ENDED, ended_at=timezone.now()
    )
    with pytest.raises(Http404):
        access.get_for_user(world.mentor, MenteeProfile.objects.all(), pk=world.mentee_profile.pk)


def test_consent_gates_what_the_mentor_sees(world):
    consent = world.mentee_profile.consents.get()
    assert set(
        access.matched_mentee_ids(world.mentor, "covers_use_log").values_list("pk", flat=True)
    ) == {world.mentee_profile.pk}
    consent.revoked_at = timezone.now()
    consent.save(update_fields=["revoked_at"])
    assert not access.matched_mentee_ids(world.mentor, "covers_use_log").exists()
    # The match itself still stands: the mentor keeps seeing the profile, not the use log.
    assert _mentees(world.mentor) == {world.mentee_profile}


def test_anonymous_sees_nothing(world):
    from django.contrib.auth.models import AnonymousUser

    assert _mentees(AnonymousUser()) == set()

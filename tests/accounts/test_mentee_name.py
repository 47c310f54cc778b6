"""Who sees a mentee's last name (issue #16): the mentee, the program's coordinators and a
matched mentor under a consent naming them; any other viewer the first name only."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts import consents
from accounts.models import Consent
from tests import factories


def test_the_last_name_needs_a_consent_naming_the_mentor(world):
    mentee = world.mentee_profile
    mentee.first_name, mentee.last_name = "Rosa", "Delgado"
    mentee.save(update_fields=["first_name", "last_name"])
    for who in ("mentee", "coordinator", "mentor"):
        assert consents.mentee_name(world.user(who), mentee) == "Rosa Delgado", who
    assert consents.may_see(world.mentor, mentee, "mentee.last_name")

    Consent.objects.filter(mentee=mentee).delete()
    mentor = type(world.mentor).objects.get(pk=world.mentor.pk)  # a new request's user
    assert consents.mentee_name(mentor, mentee) == "Rosa"
    assert not consents.may_see(mentor, mentee, "mentee.last_name")
    for who in ("other_mentor", "staff", "other_coordinator"):
        assert consents.mentee_name(world.user(who), mentee) == "Rosa", who
    assert consents.mentee_name(None, mentee) == "Rosa"  # no viewer: e-mails, feeds
    assert consents.mentee_name(world.user("coordinator"), mentee) == "Rosa Delgado"

    mentee.first_name = ""
    mentee.save(update_fields=["first_name"])
    assert consents.mentee_name(mentor, mentee) == mentee.participant_id


def test_the_check_in_list_names_the_mentee_as_the_consent_allows(client, world):
    mentee = world.mentee_profile
    mentee.first_name, mentee.last_name = "Rosa", "Zentinelski"
    mentee.save(update_fields=["first_name", "last_name"])
    client.force_login(world.mentor)
    url = reverse("checkins:list")
    assert "Zentinelski" in client.get(url).content.decode()
    Consent.objects.filter(mentee=mentee).update(to_mentor=False)
    page = client.get(url).content.decode()
    assert "Rosa" in page and "Zentinelski" not in page


def test_naming_many_mentees_costs_what_naming_one_does(world, rf):
    """The viewer's reach is read once per request, not once per row."""
    mentor = type(world.mentor).objects.get(pk=world.mentor.pk)
    others = [factories.MenteeProfileFactory(program=world.program) for _ in range(5)]
    with CaptureQueriesContext(connection) as first:
        consents.mentee_name(mentor, world.mentee_profile)
    with CaptureQueriesContext(connection) as rest:
        for mentee in others:
            consents.mentee_name(mentor, mentee)
    assert len(first) <= 3 and len(rest) == 0

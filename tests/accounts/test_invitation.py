"""Invitations: a single-use link that expires, stored only as a hash, superseded by a re-send,
and explaining itself when it cannot be used."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.hashers import make_password
from django.urls import reverse
from django.utils import timezone

from accounts import invitations
from accounts.models import Invitation, Membership
from mentorship.models import AuditEntry
from tests import factories
from tests.conftest import page_queries
from tests.notifications.outbox import quiet_hours_off, send_due

NEW_PASSWORD = "blue-kettle-on-the-window-sill"


@pytest.fixture(autouse=True)
def no_quiet_hours(world):
    """The programs' default quiet hours (21:00-07:00) must not decide whether a test passes."""
    quiet_hours_off(world.program, world.other_program)


@pytest.fixture
def invitee(world):
    """A mentee enrolled without a password, as the import and the enrollment form create them."""
    mentee = factories.MenteeProfileFactory(
        program=world.program, user__password=make_password(None), user__first_name="Robin"
    )
    # As enrolled: a member of the program only once they accept the invitation.
    Membership.objects.filter(user=mentee.user).update(joined_at=None)
    return mentee


def send(client, world, mentee):
    client.force_login(world.coordinator)
    response = client.post(reverse("accounts:mentee_invite", args=[mentee.pk]))
    client.logout()
    return response


def link_in(message) -> str:
    return re.search(r"https?://\S+/invitation/\S+/", message.body).group(0)


def path_of(url: str) -> str:
    return url.split("://", 1)[1].split("/", 1)[1].join(["/", ""])


def accept(client, url, password=NEW_PASSWORD):
    return client.post(path_of(url), {"new_password1": password, "new_password2": password})


def test_invitation_email_has_a_link_and_no_clinical_content(
    client, world, invitee, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = send(client, world, invitee)
    send_due()

    assert response.status_code == 302
    [message] = mailoutbox
    assert message.to == [invitee.user.email]
    body = message.subject + message.body
    for secret in (world.program.name, "mentee", "recovery", "substance", invitee.participant_id):
        assert secret.lower() not in body.lower()
    invitation = Invitation.objects.get(user=invitee.user)
    token = link_in(message).rstrip("/").rsplit("/", 1)[1]
    assert invitation.token_hash == invitations.token_hash(token) != token  # only the hash kept
    assert invitation.expires_at - invitation.created_at == timedelta(days=7)
    entry = AuditEntry.objects.get(object_type="accounts.invitation", action="create")
    assert entry.person_id == invitee.user_id and entry.program_id == world.program.pk


def test_accepting_sets_the_password_and_signs_in(
    client, world, invitee, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        send(client, world, invitee)
    send_due()
    url = link_in(mailoutbox[0])

    page = client.get(path_of(url))
    assert page.status_code == 200 and invitee.user.email in page.content.decode()
    response = accept(client, url)

    assert response.status_code == 302 and response["Location"] == reverse("home")
    invitee.user.refresh_from_db()
    assert invitee.user.check_password(NEW_PASSWORD)
    assert client.session["_auth_user_id"] == str(invitee.user.pk)  # signed in
    assert Invitation.objects.get(user=invitee.user).used_at is not None


def test_weak_password_is_refused_by_the_validators(
    client, world, invitee, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        send(client, world, invitee)
    send_due()

    response = accept(client, link_in(mailoutbox[0]), password="short")

    assert response.status_code == 200
    assert "at least 12 characters" in str(response.context["form"].errors)
    invitee.user.refresh_from_db()
    assert not invitee.user.has_usable_password()
    assert Invitation.objects.get(user=invitee.user).used_at is None  # still usable


def test_a_used_link_explains_itself(
    client, world, invitee, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        send(client, world, invitee)
    send_due()
    url = link_in(mailoutbox[0])
    accept(client, url)
    client.logout()

    again = accept(client, url, password="another-long-pass-phrase")

    assert again.status_code == 410
    assert "already used" in again.content.decode()
    invitee.user.refresh_from_db()
    assert invitee.user.check_password(NEW_PASSWORD)


def test_an_expired_link_explains_itself(
    client, world, invitee, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        send(client, world, invitee)
    send_due()
    url = link_in(mailoutbox[0])

    with time_machine.travel(timezone.now() + timedelta(days=6, hours=23)):
        assert client.get(path_of(url)).status_code == 200
    with time_machine.travel(timezone.now() + timedelta(days=7, minutes=1)):
        response = accept(client, url)

    assert response.status_code == 410
    assert "expired" in response.content.decode()
    assert "Ask your program coordinator to send a new one" in response.content.decode()
    invitee.user.refresh_from_db()
    assert not invitee.user.has_usable_password()


def test_resending_supersedes_the_old_link(
    client, world, invitee, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        send(client, world, invitee)
    send_due()
    with django_capture_on_commit_callbacks(execute=True):
        send(client, world, invitee)
    send_due()
    old, new = link_in(mailoutbox[0]), link_in(mailoutbox[1])
    assert old != new

    response = accept(client, old)
    assert response.status_code == 410
    assert "A newer invitation was sent" in response.content.decode()
    assert accept(client, new).status_code == 302
    assert Invitation.objects.filter(user=invitee.user, superseded_at__isnull=False).count() == 1


def test_two_sends_before_the_outbox_runs_mail_only_the_newer_link(
    client, world, invitee, mailoutbox
):
    send(client, world, invitee)
    send(client, world, invitee)
    send_due()
    [message] = mailoutbox  # the superseded invitation's e-mail was withdrawn with it
    assert accept(client, link_in(message)).status_code == 302


def test_an_unknown_link_explains_itself(client, db):
    response = client.get(reverse("accounts:invitation_accept", args=["not-a-real-token"]))
    assert response.status_code == 404
    assert "not valid" in response.content.decode()


def test_the_link_cannot_be_used_twice_even_at_once(world, invitee):
    invitation = invitations.invitation_send(
        user=invitee.user, program=world.program, sent_by=world.coordinator
    )
    stale = Invitation.objects.get(pk=invitation.pk)  # a second tab loaded before the first saved

    invitations.invitation_accept(invitation=invitation, password=NEW_PASSWORD)
    with pytest.raises(invitations.InvitationUnusable) as failure:
        invitations.invitation_accept(invitation=stale, password="something-else-entirely")

    assert failure.value.state == invitations.State.USED


def test_invite_all_not_yet_invited(
    client, world, invitee, mailoutbox, django_capture_on_commit_callbacks
):
    second = factories.MenteeProfileFactory(
        program=world.program, user__password=make_password(None)
    )
    mentor = factories.MentorProfileFactory(
        program=world.program, user__password=make_password(None)
    )
    for profile in (second, mentor):  # enrolled by the coordinator: pending until they accept
        Membership.objects.filter(user=profile.user).update(joined_at=None)
    invitations.invitation_send(user=invitee.user, program=world.program, sent_by=None)
    send_due()
    mailoutbox.clear()
    send_due()
    mailoutbox.clear()
    client.force_login(world.coordinator)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("accounts:invitation_send_all", kwargs={"slug": world.program.slug})
        )
    send_due()

    assert response.status_code == 302
    assert sorted(m.to[0] for m in mailoutbox) == sorted([second.user.email, mentor.user.email])
    # People who joined the program already (the world's) are not invited.
    assert not Invitation.objects.filter(user=world.mentee).exists()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:invitation_send_all", kwargs={"slug": world.program.slug}))
    send_due()
    assert len(mailoutbox) == 2


def test_invitation_list_shows_status_in_constant_queries(client, world, invitee):
    invitations.invitation_send(user=invitee.user, program=world.program, sent_by=None)
    client.force_login(world.coordinator)
    url = reverse("accounts:invitation_list") + f"?program={world.program.slug}"
    client.get(url)  # warm the session

    response = client.get(url)
    page = response.content.decode()
    assert "link valid until" in page and "Joined" in page

    small = page_queries(client, url)
    for _ in range(50):
        factories.MenteeProfileFactory(program=world.program)
    assert page_queries(client, url) == small

"""A person's identity belongs to the person (issue #16, holes 1 and 2).

Two programs: A (world.program, coordinator world.coordinator) and B (world.other_program,
coordinator world.other_coordinator). A coordinator edits only their program's profile of a
person; the account (name, sign-in e-mail, password) is the person's. Enrolling an e-mail that
already has an account shows nothing of it, and the account joins only by accepting the
program's invitation while signed in.
"""

import re

import pytest
from django.contrib.auth.hashers import make_password
from django.contrib.messages import get_messages
from django.urls import reverse

from accounts import invitations
from accounts.models import EmailChange, Invitation, Membership, MenteeProfile, MentorProfile
from mentorship.models import AuditEntry
from notifications.models import Notification
from tests import factories
from tests.accounts.test_profile_views import mentee_post
from tests.notifications.outbox import quiet_hours_off, send_due

PASSWORD = "blue-kettle-on-the-window-sill"


@pytest.fixture(autouse=True)
def no_quiet_hours(world):
    """The programs' default quiet hours (21:00-07:00) must not decide whether a test passes."""
    quiet_hours_off(world.program, world.other_program)


@pytest.fixture
def b_person(world):
    """B's mentor with an invitation still pending: no password yet."""
    mentor = factories.MentorProfileFactory(
        program=world.other_program,
        user__email="bea.mentor@example.org",
        user__first_name="Beatrix",
        user__last_name="Quillfeather",
        user__password=make_password(None),
    )
    Membership.objects.filter(user=mentor.user).update(joined_at=None)
    invitations.invitation_send(
        user=mentor.user, program=world.other_program, sent_by=world.other_coordinator
    )
    return mentor


def enroll_in_a(client, world, email, **names):
    client.force_login(world.coordinator)
    url = reverse("accounts:mentee_create", kwargs={"program": world.program.slug})
    data = mentee_post(world.program, email=email, **names)
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return response, MenteeProfile.objects.get(program=world.program, user__email=email)


def link_in(body: str) -> str:
    return re.search(r"https?://\S+?(/\S+/)\s", body).group(1)


def test_a_coordinator_cannot_take_over_another_programs_pending_account(
    client, world, b_person, mailoutbox, django_capture_on_commit_callbacks
):
    """The reproduction from the issue: enroll B's pending mentor in A, change the e-mail on
    A's edit page to the attacker's, send A's invitation, accept it from the attacker's mailbox.
    """
    attacker = "attacker@example.org"
    b_invitation = Invitation.objects.get(user=b_person.user)
    _, profile = enroll_in_a(client, world, b_person.user.email)

    edit = reverse("accounts:mentee_edit", kwargs={"pk": profile.pk})
    client.post(edit, mentee_post(world.program, email=attacker))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:mentee_invite", args=[profile.pk]))
    send_due()

    b_person.user.refresh_from_db()
    assert b_person.user.email == "bea.mentor@example.org"  # the sign-in is not redirected
    assert attacker not in [to for message in mailoutbox for to in message.to]
    # A's invitation neither supersedes B's nor withdraws its e-mail.
    b_invitation.refresh_from_db()
    assert invitations.invitation_state(b_invitation) == invitations.State.VALID
    assert not Notification.objects.filter(about_id=b_invitation.pk, status="cancelled").exists()
    # Whoever is signed in through A's coordinator reaches nothing of B.
    b_mentee = factories.MatchFactory(program=world.other_program, mentor=b_person).mentee
    response = client.get(reverse("accounts:mentee_detail", kwargs={"pk": b_mentee.pk}))
    assert response.status_code == 404


def test_accepting_a_programs_link_without_signing_in_never_opens_an_account_in_use(
    client, world, mailoutbox, django_capture_on_commit_callbacks
):
    """An account with a password (a participant of B) joins A only while signed in as itself:
    the link alone signs nobody in."""
    b_mentor = world.other_program.mentors.create(
        user=factories.UserFactory(email="kim@example.org", password=make_password(PASSWORD)),
        first_name="Kim",
    )
    Membership.objects.create(user=b_mentor.user, program=world.other_program, role="mentor")
    _, profile = enroll_in_a(client, world, "kim@example.org", first_name="K.")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:mentee_invite", args=[profile.pk]))
    send_due()
    link = link_in(mailoutbox[-1].body)
    client.logout()

    page = client.get(link)
    assert page.status_code == 200 and "new_password1" not in page.content.decode()
    client.post(link, {"new_password1": "x" * 20, "new_password2": "x" * 20})
    assert "_auth_user_id" not in client.session
    membership = Membership.objects.get(user=b_mentor.user, program=world.program)
    assert membership.joined_at is None
    # Until they join, the person reaches nothing of A's record of them.
    client.force_login(b_mentor.user)
    detail = reverse("accounts:mentee_detail", kwargs={"pk": profile.pk})
    assert client.get(detail).status_code == 404

    # Signed in as another account: refused.
    client.force_login(world.other_mentor)
    client.post(link)
    membership.refresh_from_db()
    assert membership.joined_at is None

    # Signed in as themself: one button, and they are in.
    client.force_login(b_mentor.user)
    assert client.post(link).status_code == 302
    membership.refresh_from_db()
    assert membership.joined_at is not None
    assert client.get(detail).status_code == 200


def test_enrolling_an_existing_email_shows_nothing_another_program_holds(client, world, b_person):
    new_response, _ = enroll_in_a(
        client, world, "nobody-yet@example.org", first_name="Alias", last_name="One"
    )
    old_response, profile = enroll_in_a(
        client, world, b_person.user.email, first_name="Alias", last_name="Two"
    )

    # The same message whether or not the e-mail has an account elsewhere.
    def said(response):
        last = list(get_messages(response.wsgi_request))[-1].message
        return re.sub(r"Alias \w+|P-\w+", "_", last)

    assert said(new_response) == said(old_response)
    pages = [
        reverse("accounts:mentee_detail", kwargs={"pk": profile.pk}),
        reverse("accounts:mentee_edit", kwargs={"pk": profile.pk}),
        reverse("accounts:program_mentees", kwargs={"program": world.program.slug}),
        reverse("accounts:invitation_list") + f"?program={world.program.slug}",
    ]
    for url in pages:
        page = client.get(url).content.decode()
        assert "Beatrix" not in page and "Quillfeather" not in page, url
    assert "Alias Two" in client.get(pages[0]).content.decode()
    # Searching A's list by the name B knows finds nobody: it is not A's to search.
    search = reverse("accounts:program_mentees", kwargs={"program": world.program.slug})
    assert "Alias Two" not in client.get(search + "?q=Quillfeather").content.decode()


def test_a_coordinator_cannot_rename_another_programs_person(client, world, b_person):
    _, profile = enroll_in_a(client, world, b_person.user.email, first_name="Alias")
    edit = reverse("accounts:mentee_edit", kwargs={"pk": profile.pk})
    client.post(edit, mentee_post(world.program, first_name="Renamed", last_name="ByA"))

    profile.refresh_from_db()
    assert profile.display_name == "Renamed ByA"
    b_person.refresh_from_db()
    b_person.user.refresh_from_db()
    assert b_person.user.get_full_name() == "Beatrix Quillfeather"
    assert b_person.display_name == "Beatrix Quillfeather"
    client.force_login(world.other_coordinator)
    page = client.get(reverse("accounts:mentor_detail", kwargs={"pk": b_person.pk}))
    assert "Beatrix Quillfeather" in page.content.decode()
    assert "Renamed" not in page.content.decode()


def test_a_person_changes_their_email_from_a_link_sent_to_the_new_address(
    client, world, mailoutbox, django_capture_on_commit_callbacks
):
    person = world.mentee
    old = person.email
    client.force_login(person)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("accounts:account") + "?form=email", {"email": "Fresh@Example.org"}
        )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.email == old  # nothing changes before the confirmation
    send_due()
    (confirmation,) = mailoutbox
    assert confirmation.to == ["fresh@example.org"]
    link = link_in(confirmation.body)

    # Someone else's session cannot use it.
    client.force_login(world.mentor)
    assert client.post(link).status_code == 410
    client.force_login(person)
    assert "fresh@example.org" in client.get(link).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(link).status_code == 302
    person.refresh_from_db()
    assert person.email == "fresh@example.org"
    assert client.post(link).status_code == 410  # once
    mailoutbox.clear()
    send_due()
    (notice,) = mailoutbox
    assert notice.to == [old] and "changed" in notice.subject
    assert EmailChange.objects.get(user=person).used_at is not None


def test_a_change_to_a_person_is_audited_in_every_program_they_belong_to(client, world):
    person = world.mentee
    MentorProfile.objects.create(program=world.other_program, user=person, first_name="X")
    Membership.objects.create(user=person, program=world.other_program, role="mentor")
    pending = factories.ProgramFactory()  # enrolled, not joined: learns nothing
    Membership.objects.create(user=person, program=pending, role="mentee", joined_at=None)
    client.force_login(person)

    client.post(reverse("accounts:account") + "?form=name", {"first_name": "New", "last_name": "N"})

    entries = AuditEntry.objects.filter(
        action="update", object_type="accounts.user", object_id=str(person.pk)
    )
    assert sorted(entries.values_list("program_id", flat=True)) == sorted(
        [world.program.pk, world.other_program.pk]
    )
    assert all(
        e.fields == ["first_name", "last_name"] and e.person_id == person.pk for e in entries
    )
    person.refresh_from_db()
    assert person.get_full_name() == "New N"


def test_a_new_password_is_audited_in_the_persons_programs(client, world):
    client.force_login(world.mentor)
    response = client.post(
        reverse("password_change"),
        {"old_password": "x", "new_password1": PASSWORD, "new_password2": PASSWORD},
    )
    assert response.status_code == 200  # wrong old password: nothing changes, nothing audited
    assert not AuditEntry.objects.filter(action="update", object_type="accounts.user").exists()
    world.mentor.set_password("old-password-long-enough")
    world.mentor.save()
    client.force_login(world.mentor)
    client.post(
        reverse("password_change"),
        {
            "old_password": "old-password-long-enough",
            "new_password1": PASSWORD,
            "new_password2": PASSWORD,
        },
    )
    entry = AuditEntry.objects.get(action="update", object_type="accounts.user")
    assert (entry.program_id, entry.fields) == (world.program.pk, ["password"])

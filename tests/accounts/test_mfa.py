"""Second factor: TOTP with recovery codes, the second step of sign-in, the per-program grace
period for coordinators and evaluators, and the superuser-only reset."""

import base64
import re
from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import second_factor
from accounts.models import Membership, RecoveryCode, RecoveryCodes
from mentorship.models import AuditEntry
from notifications.models import Notification
from notifications.second_factor import SECOND_FACTOR_RESET
from tests import factories
from tests.factories import PASSWORD
from tests.notifications.outbox import quiet_hours_off, send_due


def code_for(key: bytes) -> str:
    """What the person's authenticator app shows now (RFC 6238, computed by django-otp)."""
    return f"{totp(key):06d}"


def sign_in(client, user):
    return client.post(reverse("login"), {"username": user.email, "password": PASSWORD})


def with_app(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="app", confirmed=True)


def test_coordinator_sets_up_totp_with_the_code_from_the_app_and_sees_recovery_codes_once(
    client, world
):
    client.force_login(world.coordinator)
    page = client.get(reverse("security:totp_setup")).content.decode()
    assert 'src="data:image/svg+xml;base64,' in page  # the QR code passes the strict CSP
    secret = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))

    wrong = client.post(reverse("security:totp_setup"), {"code": "000000"})
    assert b"did not match" in wrong.content
    response = client.post(reverse("security:totp_setup"), {"code": code_for(key)})

    assert response.status_code == 200
    codes = re.findall(
        r"<li>([A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4})</li>", response.content.decode()
    )
    assert len(codes) == second_factor.RECOVERY_CODE_COUNT
    assert TOTPDevice.objects.get(user=world.coordinator).confirmed
    # Stored as digests only, never the codes themselves.
    digests = set(RecoveryCode.objects.values_list("digest", flat=True))
    assert digests == {RecoveryCodes.digest(code) for code in codes}
    assert not digests & set(codes)
    # Shown once: the security page only counts them.
    again = client.get(reverse("security:index")).content.decode()
    assert codes[0] not in again and "10 unused codes left" in again
    assert (
        AuditEntry.objects.filter(
            object_type=second_factor.AUDIT_TYPE, action="create", person=world.coordinator
        ).count()
        == 2
    )  # the app, the recovery codes


def test_sign_in_with_a_device_needs_the_second_step(client, world, time_machine):
    device = with_app(world.mentor)  # a mentor who opted in
    sign_in(client, world.mentor)

    home = client.get(reverse("home"))
    assert home.status_code == 302
    assert home["Location"].startswith(reverse("security:verify"))
    # No page, and no new passkey, before the second step.
    assert client.get(reverse("accounts:mentee_list")).status_code == 302
    assert client.post(reverse("security:passkey_register_begin")).status_code == 302

    failed = client.post(reverse("security:verify"), {"code": "000000", "next": "/goals/"})
    assert b"did not work" in failed.content
    assert AuditEntry.objects.filter(action="login_failed", object_id=str(world.mentor.pk)).exists()
    time_machine.move_to(timezone.now() + timedelta(seconds=5))  # past the 1 s throttle
    passed = client.post(
        reverse("security:verify"), {"code": code_for(device.bin_key), "next": "/goals/"}
    )

    assert passed.status_code == 302 and passed["Location"] == "/goals/"
    assert client.get(reverse("home")).status_code == 200


def test_a_recovery_code_works_once(client, world):
    with_app(world.coordinator)
    codes = second_factor.recovery_codes_generate(user=world.coordinator, request=None)

    sign_in(client, world.coordinator)
    assert client.post(reverse("security:verify"), {"code": codes[0].lower()}).status_code == 302
    assert client.get(reverse("home")).status_code == 200
    client.post(reverse("logout"))

    sign_in(client, world.coordinator)
    reused = client.post(reverse("security:verify"), {"code": codes[0]})
    assert reused.status_code == 200 and b"did not work" in reused.content
    assert client.get(reverse("home")).status_code == 302
    assert RecoveryCode.objects.filter(device__user=world.coordinator).count() == 9


def test_failed_second_steps_lock_the_account_like_wrong_passwords(client, world, settings):
    with_app(world.staff)
    sign_in(client, world.staff)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert client.post(reverse("security:verify"), {"code": "123456"}).status_code == 200
    locked = client.post(reverse("security:verify"), {"code": "123456"})

    # The same refusal as five wrong passwords: a 429 that says when to try again.
    assert locked.status_code == 429 and locked["Retry-After"]
    assert b"locked" in locked.content
    # Signed out, and the password alone no longer gets in.
    assert client.get(reverse("home")).status_code == 302
    again = sign_in(client, world.staff)
    assert again.status_code == 429


@pytest.mark.parametrize("who", ["coordinator", "staff"])
def test_coordinators_and_evaluators_past_the_grace_period_must_set_one_up(client, world, who):
    user = world.user(who)
    sign_in(client, user)
    assert client.get(reverse("home")).status_code == 200  # inside the 14 days
    client.post(reverse("logout"))

    with time_machine.travel(timezone.now() + timedelta(days=15)):
        sign_in(client, user)
        home = client.get(reverse("home"))
        assert home.status_code == 302 and home["Location"] == reverse("security:index")
        assert client.get(reverse("security:index")).status_code == 200
        assert client.get(reverse("security:totp_setup")).status_code == 200
        assert client.get(reverse("healthz")).status_code == 200

        # Once set up, every page opens again.
        device = TOTPDevice.objects.get(user=user, confirmed=False)
        client.post(reverse("security:totp_setup"), {"code": code_for(device.bin_key)})
        assert client.get(reverse("home")).status_code == 200

        assert client.post(reverse("logout")).status_code == 302


def test_grace_counts_from_when_the_rule_began_in_the_program(client, world):
    # A coordinator of long standing gets the full grace period from the day the rule started.
    Membership.objects.filter(user=world.coordinator).update(
        created_at=timezone.now() - timedelta(days=400)
    )
    world.program.second_factor_since = timezone.now()
    world.program.second_factor_grace_days = 3
    world.program.save()

    with time_machine.travel(timezone.now() + timedelta(days=2)):
        sign_in(client, world.coordinator)
        assert client.get(reverse("home")).status_code == 200
        client.post(reverse("logout"))
    with time_machine.travel(timezone.now() + timedelta(days=4)):
        sign_in(client, world.coordinator)
        assert client.get(reverse("home")).status_code == 302


@pytest.mark.parametrize("who", ["mentor", "mentee"])
def test_mentors_and_mentees_are_never_made_to(client, world, who):
    with time_machine.travel(timezone.now() + timedelta(days=400)):
        sign_in(client, world.user(who))
        assert client.get(reverse("home")).status_code == 200


def test_superuser_reset_is_audited_in_every_program_and_emailed(client, world, mailoutbox):
    person = world.coordinator
    factories.MembershipFactory(user=person, program=world.other_program, role="staff")
    with_app(person)
    second_factor.recovery_codes_generate(user=person, request=None)
    quiet_hours_off(world.program, world.other_program)
    superuser = factories.UserFactory(is_superuser=True, is_staff=True)
    with_app(superuser)

    client.force_login(superuser)
    assert client.get(reverse("admin:accounts_user_changelist")).status_code == 302  # 2nd step
    client.post(
        reverse("security:verify"),
        {"code": code_for(TOTPDevice.objects.get(user=superuser).bin_key)},
    )
    response = client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "reset_second_factor", "_selected_action": [person.pk]},
    )

    assert response.status_code == 302
    assert not second_factor.has_second_factor(person)
    assert not RecoveryCodes.objects.filter(user=person).exists()
    entries = AuditEntry.objects.filter(object_type=second_factor.AUDIT_TYPE, action="delete")
    assert {(e.actor_id, e.person_id, e.program_id) for e in entries} == {
        (superuser.pk, person.pk, world.program.pk),
        (superuser.pk, person.pk, world.other_program.pk),
    }
    assert Notification.objects.filter(kind=SECOND_FACTOR_RESET, recipient=person).count() == 1
    Notification.objects.update(due_at=timezone.now(), available_at=timezone.now())
    send_due()
    [message] = mailoutbox
    body = (message.subject + message.body).lower()
    assert "security" in body
    for secret in ("recovery", "mentee", "substance", world.program.name.lower()):
        assert secret not in body


def test_a_coordinator_cannot_reset_anyones_second_factor(client, world):
    with_app(world.mentor)
    with pytest.raises(PermissionDenied):
        second_factor.second_factor_reset(actor=world.coordinator, user=world.mentor)
    client.force_login(world.coordinator)
    assert client.get(reverse("admin:accounts_user_changelist")).status_code == 302
    assert second_factor.has_second_factor(world.mentor)
    assert not AuditEntry.objects.filter(object_type=second_factor.AUDIT_TYPE).exists()


def test_a_session_that_skipped_the_second_step_cannot_change_second_factors(client, world):
    # Signed in before the app was set up in another session: this one never passed the step.
    sign_in(client, world.mentee)
    device = with_app(world.mentee)

    for url in (reverse("security:totp_remove"), reverse("security:recovery_codes")):
        response = client.post(url)
        assert response["Location"].startswith(reverse("security:verify"))
    assert client.get(reverse("security:totp_setup"))["Location"].startswith(
        reverse("security:verify")
    )
    assert TOTPDevice.objects.filter(pk=device.pk, confirmed=True).exists()
    assert not RecoveryCodes.objects.filter(user=world.mentee).exists()


def test_a_reset_while_at_the_second_step_lets_the_person_on(client, world):
    with_app(world.mentor)
    sign_in(client, world.mentor)
    assert client.get(reverse("home"))["Location"].startswith(reverse("security:verify"))
    superuser = factories.UserFactory(is_superuser=True, is_staff=True)
    second_factor.second_factor_reset(actor=superuser, user=world.mentor)

    assert client.get(reverse("security:verify")).status_code == 302
    assert client.get(reverse("home")).status_code == 200

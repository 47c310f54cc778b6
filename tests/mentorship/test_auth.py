"""Sign-in, lockout, sessions, password reset and the security headers (OWASP ASVS L2)."""

import logging
import re
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from checkins.models import CheckinSettings
from mentorship.models import AuditEntry
from notifications.models import Notification
from tests.factories import PASSWORD, UserFactory, make_user_with_role
from tests.notifications.outbox import send_due

pytestmark = pytest.mark.django_db


def _login(client, email, password=PASSWORD):
    return client.post(reverse("login"), {"username": email, "password": password})


def test_sign_in_with_email_reaches_the_dashboard(client):
    user = make_user_with_role("coordinator")
    response = _login(client, user.email.upper())  # e-mail is case-insensitive
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert b"Coordinator dashboard" in client.get(reverse("home")).content


def test_session_key_is_rotated_at_sign_in(client):
    user = make_user_with_role("mentee")
    client.get(reverse("login"))
    client.session.save()
    before = client.session.session_key
    _login(client, user.email)
    assert client.session.session_key != before


def test_wrong_password_is_refused_with_a_clear_message_and_audited(client, caplog):
    user = make_user_with_role("mentor")
    with caplog.at_level(logging.INFO, logger="mentorship.security"):
        response = _login(client, user.email, "not-the-password")
    assert response.status_code == 200
    assert b"do not match an account" in response.content
    assert AuditEntry.objects.filter(action="login_failed", object_id=str(user.pk)).exists()
    assert "not-the-password" not in caplog.text
    assert user.email not in caplog.text


def test_five_failures_lock_the_account_for_30_minutes(client):
    user = make_user_with_role("mentor")
    for _ in range(5):
        _login(client, user.email, "wrong-password-123")
    response = _login(client, user.email)  # even the right password is refused now
    assert response.status_code == 429
    assert b"locked for 30 minutes" in response.content
    assert AuditEntry.objects.filter(action="lockout", object_id=str(user.pk)).exists()
    with time_machine.travel(timezone.now() + timedelta(minutes=31)):
        assert _login(Client(), user.email).status_code == 302


def test_success_is_logged_without_the_password(client, caplog):
    user = make_user_with_role("staff")
    with caplog.at_level(logging.INFO, logger="mentorship.security"):
        _login(client, user.email)
    assert f"login succeeded user={user.pk}" in caplog.text
    assert PASSWORD not in caplog.text
    assert AuditEntry.objects.filter(action="login", actor=user).exists()


def test_session_ends_12_hours_after_sign_in_even_when_active(client):
    user = make_user_with_role("coordinator")
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        _login(client, user.email)
        for _ in range(24):  # active every 29 minutes for 11.6 hours, so never idle
            clock.shift(timedelta(minutes=29))
            assert client.get(reverse("home")).status_code == 200
        clock.shift(timedelta(minutes=29))  # now past 12 hours
        response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_idle_session_expires_after_30_minutes(client):
    user = make_user_with_role("coordinator")
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        _login(client, user.email)
        clock.shift(timedelta(minutes=31))
        response = client.get(reverse("home"))
    assert response.status_code == 302


def test_forms_require_csrf_tokens():
    client = Client(enforce_csrf_checks=True)
    user = make_user_with_role("mentee")
    assert _login(client, user.email).status_code == 403


def test_security_headers_on_every_page(client):
    response = client.get(reverse("login"))
    csp = response["Content-Security-Policy"]
    assert "object-src 'none'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"


def test_pages_with_participant_data_are_never_cached(client):
    client.force_login(make_user_with_role("coordinator"))
    assert client.get(reverse("home"))["Cache-Control"] == "no-store"


def _reset_link(message) -> str:
    return re.search(r"https?://[^/]+(/accounts/reset/\S+)", message.body).group(1)


def test_password_reset_by_email_sets_a_new_password(client, mailoutbox, caplog):
    user = make_user_with_role("mentee")
    with caplog.at_level(logging.DEBUG):
        page = client.post(reverse("password_reset"), {"email": user.email.upper()}, follow=True)
        assert b"Check your e-mail" in page.content
        # The request only queues it, in the one outbox, with nothing secret in the row.
        assert mailoutbox == []
        (queued,) = Notification.objects.filter(recipient=user)
        assert (queued.kind, queued.status, queued.data) == (
            "accounts.password_reset",
            "pending",
            {},
        )
        send_due()
        (message,) = mailoutbox
        assert message.to == [user.email]
        assert message.subject == "Recovery Mentorship: reset your password"
        link = _reset_link(message)
        form_page = client.get(link, follow=True)
        new_password = "a long new passphrase 2026"
        response = client.post(
            form_page.redirect_chain[-1][0],
            {"new_password1": new_password, "new_password2": new_password},
        )
    assert response.status_code == 302
    assert _login(Client(), user.email, new_password).status_code == 302
    # The link works once.
    assert b"expired or was already used" in client.get(link, follow=True).content
    token = link.rstrip("/").rsplit("/", 1)[-1]
    assert len(token) > 20 and token not in caplog.text


def test_password_reset_for_unknown_address_reveals_nothing(client, mailoutbox):
    known = make_user_with_role("mentee")
    no_password = make_user_with_role("mentor")  # invited, not signed up: the invitation serves
    no_password.set_unusable_password()
    no_password.save(update_fields=["password"])
    outside = UserFactory(email="admin@example.org")  # in no program: nothing to file it under
    pages = {
        email: client.post(reverse("password_reset"), {"email": email}, follow=True)
        for email in ("nobody@example.org", no_password.email, outside.email, known.email)
    }
    for page in pages.values():
        assert page.redirect_chain == [(reverse("password_reset_done"), 302)]
        assert b"Check your e-mail" in page.content
    assert list(Notification.objects.values_list("recipient", flat=True)) == [known.pk]
    send_due()
    assert [m.to for m in mailoutbox] == [[known.email]]


def test_a_reset_link_goes_out_at_once_in_the_persons_language_even_in_quiet_hours(
    client, mailoutbox
):
    user = make_user_with_role("mentee")
    user.preferred_language = "es"
    user.save(update_fields=["preferred_language"])
    program = user.memberships.get().program
    local = timezone.now().astimezone(program.tzinfo)
    CheckinSettings.objects.update_or_create(
        program=program,
        defaults={
            "quiet_start": (local - timedelta(hours=1)).time().replace(second=0, microsecond=0),
            "quiet_end": (local + timedelta(hours=1)).time().replace(second=0, microsecond=0),
        },
    )
    # Asked twice (from an English page) before it went out: one e-mail, and its link works.
    for _ in range(2):
        client.post(reverse("password_reset"), {"email": user.email}, HTTP_ACCEPT_LANGUAGE="en")
    send_due()
    (message,) = mailoutbox
    assert message.subject == "Recovery Mentorship: restablezca su contraseña"
    assert "Hola:" in message.body and "Hello" not in message.body
    form_page = client.get(_reset_link(message), follow=True)
    assert "new_password1" in form_page.content.decode()


def test_password_change_enforces_the_length_rule(client):
    user = make_user_with_role("mentor")
    client.force_login(user)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "short1", "new_password2": "short1"},
    )
    assert b"at least 12 characters" in response.content


def test_sign_out_is_a_post_and_ends_the_session(client):
    client.force_login(make_user_with_role("mentee"))
    client.post(reverse("logout"))
    assert client.get(reverse("home")).status_code == 302

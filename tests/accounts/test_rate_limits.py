"""Abuse limits (issue #16, hole 7): a stranger cannot lock a person out, one address cannot
try many accounts, and password reset, invitation links and calendar feeds refuse floods with a
clear 429 page that says when to try again, logged without the e-mail, token or address."""

import logging
from datetime import timedelta

import pytest
from django.contrib.auth.hashers import make_password
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts import invitations
from accounts.models import Invitation
from checkins import services as checkin_services
from mentorship import ratelimits
from notifications.models import Notification
from tests import factories
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

ATTACKER = "203.0.113.9"
PERSON = "198.51.100.7"
WRONG = "not-the-password-at-all"


def sign_in(client, email, password=PASSWORD, address=ATTACKER, **headers):
    return client.post(
        reverse("login"), {"username": email, "password": password}, REMOTE_ADDR=address, **headers
    )


def assert_refused(response, caplog, *secrets):
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    page = response.content.decode()
    assert "Too many attempts" in page and "Please try again in" in page
    assert "abuse limit reached limit=" in caplog.text
    for secret in secrets:
        assert secret not in page
        assert secret not in caplog.text


def test_a_strangers_guesses_do_not_lock_the_person_out_on_their_own_connection():
    person = factories.make_user_with_role("mentor")
    for _ in range(5):
        sign_in(Client(), person.email, WRONG, address=ATTACKER)
    locked = sign_in(Client(), person.email, address=ATTACKER)  # the stranger is locked out
    assert locked.status_code == 429 and b"locked for 30 minutes" in locked.content
    assert locked["Retry-After"] == str(30 * 60)
    assert sign_in(Client(), person.email, address=PERSON).status_code == 302


def test_one_address_trying_many_accounts_is_refused_and_others_are_not(settings, caplog):
    assert settings.ABUSE_LIMITS["sign-in-failures-per-address"] == "30/10m"
    settings.ABUSE_LIMITS = settings.ABUSE_LIMITS | {"sign-in-failures-per-address": "8/10m"}
    people = [factories.make_user_with_role("mentee") for _ in range(3)]
    with caplog.at_level(logging.WARNING, logger="mentorship.security"):
        for n in range(8):  # one password tried on 8 accounts, a few of them real
            email = people[n % 3].email if n < 3 else f"guess{n}@example.org"
            assert sign_in(Client(), email, WRONG).status_code == 200
        refused = sign_in(Client(), people[0].email)  # even a right password, from there
    assert_refused(refused, caplog, people[0].email, ATTACKER)
    assert "limit=sign-in-failures-per-address" in caplog.text
    for person in people:  # nobody else is affected, nor was any account locked
        assert sign_in(Client(), person.email, address=PERSON).status_code == 302


def test_successful_sign_ins_on_a_shared_connection_never_use_the_allowance_up(settings):
    settings.ABUSE_LIMITS = settings.ABUSE_LIMITS | {"sign-in-failures-per-address": "3/10m"}
    people = [factories.make_user_with_role("mentee") for _ in range(6)]
    for person in people:
        assert sign_in(Client(), person.email, address=ATTACKER).status_code == 302


def test_guesses_at_one_account_from_many_addresses_are_bounded_yet_the_person_gets_in(
    settings, caplog
):
    assert settings.ABUSE_LIMITS["sign-in-failures-per-account"] == "20/h"
    settings.ABUSE_LIMITS = settings.ABUSE_LIMITS | {"sign-in-failures-per-account": "10/h"}
    person = factories.make_user_with_role("coordinator")
    own_browser = Client()
    assert sign_in(own_browser, person.email, address=PERSON).status_code == 302
    own_browser.post(reverse("logout"))
    for n in range(10):  # two addresses, five guesses each: under every per-address limit
        sign_in(Client(), person.email, WRONG, address=f"192.0.2.{n // 5 + 1}")
    with caplog.at_level(logging.WARNING, logger="mentorship.security"):
        refused = sign_in(Client(), person.email, WRONG, address="192.0.2.50")
    assert_refused(refused, caplog, person.email, "192.0.2.50")
    assert "limit=sign-in-failures-per-account" in caplog.text
    # The browser that signed in before is recognised, from any connection; a new browser
    # waits for the window to pass (the documented trade-off).
    assert sign_in(own_browser, person.email, address="198.51.100.99").status_code == 302
    assert sign_in(Client(), person.email, address="198.51.100.98").status_code == 429


def test_the_client_address_behind_a_trusted_proxy_is_the_one_the_proxy_saw(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    person = factories.make_user_with_role("mentor")
    proxy = "10.0.0.2"
    for _ in range(5):  # the stranger forges an X-Forwarded-For entry; the proxy appends theirs
        sign_in(
            Client(),
            person.email,
            WRONG,
            address=proxy,
            HTTP_X_FORWARDED_FOR=f"{PERSON}, {ATTACKER}",
        )
    assert (
        sign_in(Client(), person.email, address=proxy, HTTP_X_FORWARDED_FOR=PERSON).status_code
        == 302
    )
    locked = sign_in(Client(), person.email, address=proxy, HTTP_X_FORWARDED_FOR=ATTACKER)
    assert locked.status_code == 429


@pytest.mark.parametrize(
    ("proxies", "remote", "forwarded", "client"),
    [
        (0, "192.0.2.1", "198.51.100.7", "192.0.2.1"),  # the header is the client's own words
        (1, "10.0.0.2", "198.51.100.7", "198.51.100.7"),
        (1, "10.0.0.2", "203.0.113.9, 198.51.100.7", "198.51.100.7"),  # left part is forged
        (2, "10.0.0.2", "203.0.113.9, 198.51.100.7, 10.0.0.3", "198.51.100.7"),
        (2, "10.0.0.2", "198.51.100.7", "10.0.0.2"),  # fewer hops: not through our proxies
        (1, "10.0.0.2", "not-an-address", "10.0.0.2"),
        (0, "", "", "0.0.0.0"),  # noqa: S104
    ],
)
def test_client_address(settings, rf, proxies, remote, forwarded, client):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = rf.get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert ratelimits.client_ip(request) == client


def test_without_a_trusted_proxy_a_forged_forwarded_header_changes_nothing():
    person = factories.make_user_with_role("mentor")
    for n in range(5):
        sign_in(Client(), person.email, WRONG, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
    assert sign_in(Client(), person.email).status_code == 429


def test_password_reset_is_limited_per_e_mail_alike_for_known_and_unknown_addresses(caplog):
    known = factories.MenteeProfileFactory(user__email="maria@example.org").user
    for email in (known.email, "nobody@example.org"):
        for _ in range(5):
            response = Client().post(
                reverse("password_reset"), {"email": email}, REMOTE_ADDR=PERSON
            )
            assert response.status_code == 302
        with caplog.at_level(logging.WARNING, logger="mentorship.security"):
            refused = Client().post(reverse("password_reset"), {"email": email.upper()})
        assert_refused(refused, caplog, email, "maria")
    # Five requests reached the outbox (each replacing the unsent one before it), none for the
    # unknown address.
    assert Notification.objects.filter(kind="accounts.password_reset").count() == 5
    assert set(Notification.objects.values_list("recipient", flat=True)) == {known.pk}
    assert "limit=password-reset-per-email" in caplog.text


def test_password_reset_is_limited_per_address(settings, caplog):
    settings.ABUSE_LIMITS = settings.ABUSE_LIMITS | {"password-reset-per-address": "3/h"}
    for n in range(3):
        Client().post(reverse("password_reset"), {"email": f"p{n}@example.org"})
    with caplog.at_level(logging.WARNING, logger="mentorship.security"):
        refused = Client().post(reverse("password_reset"), {"email": "p9@example.org"})
    assert_refused(refused, caplog, "p9@example.org")
    other = Client().post(
        reverse("password_reset"), {"email": "p9@example.org"}, REMOTE_ADDR=PERSON
    )
    assert other.status_code == 302


@pytest.fixture
def invitation_path(world):
    mentee = factories.MenteeProfileFactory(
        program=world.program, user__password=make_password(None)
    )
    token = "a-token-known-only-to-this-test-0123456789"
    Invitation.objects.create(
        user=mentee.user,
        program=world.program,
        token_hash=invitations.token_hash(token),
        expires_at=timezone.now() + timedelta(days=7),
    )
    return token, reverse("accounts:invitation_accept", args=[token])


def test_invitation_acceptance_is_limited_per_link(invitation_path, caplog):
    token, path = invitation_path
    mismatched = {"new_password1": "one-long-password-1", "new_password2": "another-one-2026"}
    for n in range(10):
        response = Client().post(path, mismatched, REMOTE_ADDR=f"192.0.2.{n}")
        assert response.status_code == 200
    with caplog.at_level(logging.WARNING, logger="mentorship.security"):
        refused = Client().post(path, mismatched, REMOTE_ADDR="192.0.2.77")
    assert_refused(refused, caplog, token)
    assert "limit=invitation-per-token" in caplog.text


def test_invitation_links_are_limited_per_address(invitation_path, caplog):
    token, path = invitation_path
    for n in range(30):
        response = Client().get(reverse("accounts:invitation_accept", args=[f"guess-{n}"]))
        assert response.status_code == 404
    with caplog.at_level(logging.WARNING, logger="mentorship.security"):
        refused = Client().get(path)
    assert_refused(refused, caplog, token)
    assert Client().get(path, REMOTE_ADDR=PERSON).status_code == 200


def test_calendar_feed_is_limited_per_token(settings, caplog):
    settings.ABUSE_LIMITS = settings.ABUSE_LIMITS | {"calendar-feed-per-token": "3/h"}
    token = checkin_services.calendar_feed_reset(user=factories.UserFactory())
    url = reverse("checkins:calendar_feed", args=[token])
    for n in range(3):
        assert Client().get(url, REMOTE_ADDR=f"192.0.2.{n}").status_code == 200
    with caplog.at_level(logging.WARNING, logger="mentorship.security"):
        refused = Client().get(url, REMOTE_ADDR=PERSON)
    assert_refused(refused, caplog, token)
    assert "limit=calendar-feed-per-token" in caplog.text


def test_calendar_feed_guessing_is_limited_per_address_but_good_fetches_are_not(settings, caplog):
    settings.ABUSE_LIMITS = settings.ABUSE_LIMITS | {"calendar-feed-misses-per-address": "5/h"}
    token = checkin_services.calendar_feed_reset(user=factories.UserFactory())
    url = reverse("checkins:calendar_feed", args=[token])
    for _ in range(20):  # a calendar service fetching a good feed often: not a miss
        assert Client().get(url, REMOTE_ADDR=ATTACKER).status_code == 200
    for n in range(5):
        missing = reverse("checkins:calendar_feed", args=[f"guess-{n}"])
        assert Client().get(missing, REMOTE_ADDR=ATTACKER).status_code == 404
    with caplog.at_level(logging.WARNING, logger="mentorship.security"):
        refused = Client().get(url, REMOTE_ADDR=ATTACKER)
    assert_refused(refused, caplog, token, ATTACKER)
    assert Client().get(url, REMOTE_ADDR=PERSON).status_code == 200


def test_sign_in_still_works_while_the_cache_is_unreachable(settings, caplog):
    person = factories.make_user_with_role("mentor")
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
        }
    }
    with caplog.at_level(logging.ERROR, logger="mentorship.security"):
        assert sign_in(Client(), person.email, address=PERSON).status_code == 302
    assert "abuse limits unavailable" in caplog.text

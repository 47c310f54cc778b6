"""A coordinator sets up a second factor and signs in with it, on a desktop and on a phone: an
authenticator app (TOTP), and a passkey made by Chromium's virtual authenticator (DevTools
Protocol, WebAuthn domain), as a phone's or laptop's built-in one would."""

import base64
import re

import pytest
from django_otp.oath import totp
from playwright.sync_api import expect

from tests.e2e.conftest import assert_accessible, assert_fits_phone, login
from tests.factories import PASSWORD, make_user_with_role


@pytest.fixture
def site(live_server, settings):
    """The live server under the name passkeys need (browsers refuse them on an IP address)."""
    url = live_server.url.replace("//127.0.0.1", "//localhost")
    settings.OTP_WEBAUTHN_RP_ID = "localhost"
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = [url]
    return url


def check_page(page, device):
    assert_accessible(page)
    if device == "phone":
        assert_fits_phone(page)


def sign_out(page):
    page.context.clear_cookies()


def test_coordinator_sets_up_an_authenticator_app_and_signs_in_with_it(page, device, site):
    coordinator = make_user_with_role("coordinator")
    login(page, site, coordinator.email, PASSWORD)

    page.goto(f"{site}/accounts/security/")
    check_page(page, device)
    page.get_by_role("link", name="Set up an authenticator app").click()
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    check_page(page, device)
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    page.get_by_label("Code from the app").fill(f"{totp(key):06d}")
    page.get_by_role("button", name="Turn on").click()

    expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    check_page(page, device)
    page.get_by_role("link", name="I have saved them").click()
    expect(page.get_by_text("Turned on since")).to_be_visible()

    sign_out(page)
    login(page, site, coordinator.email, PASSWORD)
    expect(page).to_have_url(re.compile(r"/accounts/security/verify/"))
    check_page(page, device)
    # The next 30-second code: the one used to turn the app on cannot be used twice.
    page.get_by_label("Code from your authenticator app, or a recovery code").fill(
        f"{totp(key, drift=1):06d}"
    )
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("h1")).to_have_text("Coordinator dashboard")


def test_coordinator_registers_a_passkey_and_signs_in_with_it(page, device, site):
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    coordinator = make_user_with_role("coordinator")
    login(page, site, coordinator.email, PASSWORD)

    page.goto(f"{site}/accounts/security/")
    page.get_by_role("button", name="Add a passkey").click()
    expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    page.get_by_role("link", name="I have saved them").click()
    expect(page.locator("#passkeys-heading + ul li")).to_have_count(1)
    check_page(page, device)

    sign_out(page)
    login(page, site, coordinator.email, PASSWORD)
    expect(page).to_have_url(re.compile(r"/accounts/security/verify/"))
    check_page(page, device)
    page.get_by_role("button", name="Use a passkey").click()
    expect(page.locator("h1")).to_have_text("Coordinator dashboard")

"""The 429 page a person meets after too many attempts: says what happened and when to try
again, readable on a phone and by a screen reader."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import assert_accessible, assert_fits_phone, login
from tests.factories import PASSWORD, make_user_with_role


@pytest.fixture
def one_failure_allowed(settings):
    settings.ABUSE_LIMITS = settings.ABUSE_LIMITS | {"sign-in-failures-per-address": "1/10m"}


def test_too_many_sign_in_attempts_page(page, device, live_server, one_failure_allowed):
    user = make_user_with_role("mentee")
    login(page, live_server.url, user.email, "not the right password")

    login(page, live_server.url, user.email, PASSWORD)

    expect(page.locator("h1")).to_have_text("Too many attempts")
    expect(page.get_by_role("alert")).to_contain_text(
        re.compile(r"Please try again in \d+ minutes?\.")
    )
    expect(page.get_by_role("link", name="Reset a forgotten password")).to_be_visible()
    assert_accessible(page)
    if device == "phone":
        assert_fits_phone(page)

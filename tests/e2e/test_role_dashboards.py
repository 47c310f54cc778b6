"""Each role signs in and lands on its own dashboard, on a desktop and on a phone."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import assert_accessible, assert_fits_phone, login
from tests.factories import PASSWORD, make_user_with_role

DASHBOARD_TITLES = {
    "coordinator": "Coordinator dashboard",
    "mentor": "Mentor dashboard",
    "mentee": "Mentee dashboard",
    "staff": "Evaluator dashboard",
}


@pytest.mark.parametrize("role", DASHBOARD_TITLES)
def test_each_role_signs_in_to_its_dashboard(page, device, live_server, role):
    user = make_user_with_role(role)

    login(page, live_server.url, user.email, PASSWORD)

    heading = page.locator("h1")
    expect(heading).to_have_count(1)
    expect(heading).to_have_text(DASHBOARD_TITLES[role])
    assert_accessible(page)

    toggler = page.get_by_role("button", name="Toggle navigation")
    if device == "desktop":
        expect(toggler).to_be_hidden()
        return
    assert_fits_phone(page)
    # On a phone the menu hides behind the toggler; signing out must still be reachable.
    expect(toggler).to_be_visible()
    toggler.click()
    menu = page.locator(f"#{toggler.get_attribute('aria-controls')}")
    expect(menu).to_have_class(re.compile(r"\bshow\b"))  # opened, and its animation done
    menu.locator("#nav-account").click()  # signing out sits in the account menu
    expect(menu.get_by_role("button", name="Sign out")).to_be_visible()
    assert_accessible(page)  # the opened menu, too
    assert_fits_phone(page)


def test_wrong_password_is_refused_with_a_message(page, device, live_server):
    user = make_user_with_role("mentee")

    login(page, live_server.url, user.email, "not the right password")

    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    # role="alert" makes screen readers announce the error without hunting for it.
    expect(page.get_by_role("alert")).to_contain_text(re.compile("password", re.IGNORECASE))
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    assert_accessible(page)
    if device == "phone":
        assert_fits_phone(page)

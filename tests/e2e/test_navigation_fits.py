"""The navigation fits a phone (375 px) and a desktop (1280 px): the bar keeps to one line with
"Sign out" on screen, and no page a role reaches from it is wider than the viewport."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import assert_fits_phone, login
from tests.factories import PASSWORD, make_user_with_role

ROLES = ["coordinator", "mentor", "mentee", "staff"]


def _nav_links(page):
    return page.evaluate(
        """() => [...new Set([...document.querySelectorAll("#main-nav a[href]")]
            .map((a) => a.getAttribute("href")).filter((href) => href.startsWith("/")))]"""
    )


@pytest.mark.parametrize("role", ROLES)
def test_every_page_in_the_navigation_fits_the_viewport(page, device, live_server, role):
    user = make_user_with_role(role)
    login(page, live_server.url, user.email, PASSWORD)

    if device == "desktop":
        # One line: the bar is as tall as the brand, and signing out is a click away on screen.
        bar = page.locator("nav.app-navbar").bounding_box()
        assert bar["height"] < 80, f"the navigation wraps for a {role}: {bar['height']}px tall"
        page.locator("#nav-account").click()
        sign_out = page.get_by_role("button", name="Sign out")
        expect(sign_out).to_be_visible()
        box = sign_out.bounding_box()
        assert box["x"] + box["width"] <= page.viewport_size["width"]

    links = _nav_links(page)
    assert links, f"no navigation for a {role}"
    for href in links:
        response = page.goto(live_server.url + href)
        assert response.ok, f"{href} answered {response.status} to a {role}"
        assert_fits_phone(page)  # the same check at either width


def test_the_favicon_is_linked_and_served(page, device, live_server):
    page.goto(live_server.url + "/accounts/login/")
    href = page.locator("link[rel=icon]").first.get_attribute("href")
    assert page.request.get(live_server.url + href).ok
    assert page.request.get(live_server.url + "/favicon.ico").ok

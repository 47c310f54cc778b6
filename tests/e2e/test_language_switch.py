"""The footer's language switch (issue #15): a plain form that works without script, fits a
phone, passes axe, and keeps a signed-in person's choice for their next visit and e-mails."""

from django.urls import reverse
from playwright.sync_api import expect

from accounts.models import User
from tests.e2e.conftest import assert_accessible, assert_fits_phone, login
from tests.factories import PASSWORD, make_user_with_role


def test_a_mentee_switches_to_spanish_from_the_footer(page, device, live_server):
    user = make_user_with_role("mentee")
    login(page, live_server.url, user.email, PASSWORD)
    page.goto(live_server.url + reverse("accounts:account"))
    footer = page.locator("footer")
    footer.get_by_label("Language").select_option("es")
    footer.get_by_role("button", name="Change").click()

    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page).to_have_url(live_server.url + reverse("accounts:account"))
    expect(page.locator("footer").get_by_label("Idioma")).to_have_value("es")
    assert User.objects.get(pk=user.pk).preferred_language == "es"
    assert_accessible(page)
    if device == "phone":
        assert_fits_phone(page)

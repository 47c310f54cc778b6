"""The engagement page with a crisis alert open passes axe (issue #12: its link was 3.36:1)."""

from playwright.sync_api import expect

from checkins.models import Alert
from tests import factories
from tests.e2e.conftest import assert_accessible, assert_fits_phone, login


def test_a_crisis_alert_on_the_engagement_page_is_readable(page, device, live_server):
    match = factories.MatchFactory()
    program = match.mentee.program
    coordinator = factories.make_user_with_role("coordinator", program)
    Alert.objects.create(program=program, kind=Alert.Kind.CRISIS, mentee=match.mentee, match=match)

    login(page, live_server.url, coordinator.email, factories.PASSWORD)
    page.goto(f"{live_server.url}/checkins/program/{program.pk}/engagement/")

    expect(page.locator("#open-alerts a").first).to_contain_text("Crisis")
    assert_accessible(page)  # color-contrast is one of axe's serious rules
    if device == "phone":
        assert_fits_phone(page)

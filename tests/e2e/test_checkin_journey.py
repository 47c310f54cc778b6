"""A mentor logs a check-in from a phone in a few taps and flags a concern; the coordinator
sees the alert and acknowledges it. Runs on a desktop and a phone viewport, axe-checked."""

import re
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import FocusArea
from tests import factories
from tests.e2e.conftest import assert_accessible, assert_fits_phone, login


def test_mentor_logs_a_check_in_and_the_coordinator_acknowledges_the_concern(
    page, device, live_server
):
    program = factories.ProgramFactory()
    match = factories.MatchFactory(program=program)
    coordinator = factories.make_user_with_role("coordinator", program)
    checkin = factories.CheckInFactory(
        match=match, scheduled_at=timezone.now() - timedelta(hours=1)
    )
    topic = FocusArea.objects.filter(program=program).order_by("position", "name").first()

    login(page, live_server.url, match.mentor.user.email, factories.PASSWORD)
    page.goto(f"{live_server.url}/checkins/")
    assert_accessible(page)
    if device == "phone":
        assert_fits_phone(page)
    page.locator("#to-log").get_by_role("link", name=re.compile("^Log")).click()
    expect(page.get_by_role("heading", name="Log check-in")).to_be_visible()
    assert_accessible(page)
    if device == "phone":
        assert_fits_phone(page)

    # "Completed", the planned mode, time and duration are already filled in.
    expect(page.locator("#id_status_0")).to_be_checked()
    page.locator("label[for=id_mood_3]").click()  # mood 4
    page.get_by_label("Craving (0 none – 10 strongest)").select_option("2")
    page.locator("label[for=id_use_reported_1]").click()  # no use
    page.get_by_text(topic.name, exact=True).click()
    page.get_by_label("Next steps").fill("Visit the job centre on Monday.")
    page.locator("label[for=id_risk_1]").click()  # concern
    page.get_by_role("button", name="Save check-in").click()

    expect(page.get_by_text("Check-in saved.")).to_be_visible()
    expect(page.locator("#checkin-status")).to_contain_text("Completed")
    assert_accessible(page)
    if device == "phone":
        assert_fits_phone(page)
    checkin.refresh_from_db()
    assert (checkin.mood, checkin.craving, checkin.risk) == (4, 2, "concern")

    page.context.clear_cookies()
    login(page, live_server.url, coordinator.email, factories.PASSWORD)
    expect(page.get_by_text("1 open alert")).to_be_visible()
    page.get_by_role("link", name=re.compile("^Engagement")).click()
    assert_accessible(page)
    page.locator("#open-alerts").get_by_role("link", name=re.compile("^Concern")).click()
    assert_accessible(page)
    page.get_by_role("button", name="Acknowledge").click()
    expect(page.locator("#alert-state")).to_have_text("Acknowledged")
    expect(page.get_by_text(coordinator.get_full_name()).first).to_be_visible()
    if device == "phone":
        assert_fits_phone(page)

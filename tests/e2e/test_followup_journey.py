"""Follow-up interviews in the browser: a coordinator sees whose window closes this week on the
follow-up dashboard, opens the person's locator information and records the interview, which
moves the program's follow-up rate."""

import re
from datetime import timedelta

from playwright.sync_api import expect

from outcomes.models import Interview
from tests.e2e.conftest import assert_accessible, assert_fits_phone, login
from tests.factories import PASSWORD, MenteeProfileFactory, ProgramFactory, make_user_with_role


def _check_page(page, device):
    assert_accessible(page)
    if device == "phone":
        assert_fits_phone(page)


def test_a_coordinator_records_an_interview_closing_this_week(page, device, live_server):
    program = ProgramFactory(name="Riverside", slug="riverside")
    coordinator = make_user_with_role("coordinator", program)
    today = program.today()
    # Intake 26 days ago: the intake window (30 days) closes in 4 days.
    mentee = MenteeProfileFactory(program=program, enrolled_on=today - timedelta(days=26))
    Interview.objects.create(
        mentee=mentee,
        point="intake",
        held_on=today - timedelta(days=2),
        outcome="not_located",
        conducted_by=coordinator,
    )

    login(page, live_server.url, coordinator.email, PASSWORD)
    # The dashboard's panel is the way in; the page has the week's lists and the rate.
    panel = page.get_by_role("region", name="Follow-up interviews")
    panel.get_by_role("link", name="Riverside").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Follow-up interviews")
    expect(
        page.get_by_role("heading", name=re.compile("Closing within 7 days \\(1\\)")).first
    ).to_be_visible()
    _check_page(page, device)

    page.get_by_role("link", name=re.compile("where to find")).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Locator information")
    page.get_by_label("Phone numbers").fill("555-0100")
    page.get_by_label(re.compile("The participant agreed")).check()
    page.get_by_role("button", name="Save locator information").click()
    expect(page.locator("dd").first).to_contain_text("555-0100")
    _check_page(page, device)

    page.get_by_role("link", name="Interviews", exact=True).click()
    page.get_by_role("combobox", name=re.compile("Interview")).select_option("intake")
    page.get_by_label("Date held").fill(today.isoformat())
    page.get_by_role("combobox", name=re.compile("Outcome")).select_option("completed")
    page.get_by_role("button", name="Record interview").click()
    expect(page.get_by_role("status")).to_contain_text("Interview recorded")
    expect(page.get_by_role("row", name=re.compile("Intake.*done"))).to_be_visible()
    _check_page(page, device)
    assert Interview.objects.filter(mentee=mentee, outcome="completed").count() == 1

"""A mentee sets a SMART goal through the guided form, is stopped by a missing measure, fixes
it, records progress; then their mentor comments. On a desktop and on a phone, axe-clean."""

import re
from datetime import date, timedelta

from playwright.sync_api import expect

from tests import factories
from tests.e2e.conftest import assert_accessible, assert_fits_phone, login
from tests.factories import PASSWORD


def check(page, device):
    assert_accessible(page)
    if device == "phone":
        assert_fits_phone(page)


def test_mentee_sets_a_goal_records_progress_and_the_mentor_comments(page, device, live_server):
    match = factories.MatchFactory()
    factories.ConsentFactory(mentee=match.mentee)
    base = live_server.url

    login(page, base, match.mentee.user.email, PASSWORD)
    page.goto(f"{base}/goals/")
    page.get_by_role("link", name="New goal").first.click()
    expect(page.locator("h1")).to_have_text("A new SMART goal")
    check(page, device)

    page.get_by_label("What you want to do").fill("Apply to 3 jobs a week")
    page.get_by_label("By when").fill((date.today() + timedelta(weeks=8)).isoformat())
    # The SMART parts wait, folded, under "More details"; this mentee writes them all.
    page.locator("#goal-more summary").click()
    page.get_by_label("What exactly will you do?").fill("Kitchen and warehouse jobs near home.")
    page.get_by_label("What will you count or check?").fill("job applications sent")
    page.get_by_label("At least (more is better)").check()
    page.get_by_label("Unit").fill("applications a week")
    page.get_by_label("The steps you will take").fill("Update my CV; job center on Mondays.")
    page.get_by_label("Who or what will help you").fill("My mentor and the job center.")
    page.get_by_label("Focus area").select_option(label="Employment and job search")
    page.get_by_label("Why it matters to your recovery").fill("Work keeps my days busy.")
    # The target is left out: the form must refuse the goal and say what is missing, where.
    page.get_by_role("button", name="Save goal").click()

    expect(page.get_by_role("alert").first).to_contain_text("Some parts are missing")
    target = page.get_by_label("How much: your target")
    expect(target).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#goal-form")).to_contain_text(
        "Add a number to measure, e.g. 3 job applications a week."
    )
    check(page, device)

    target.fill("3")
    page.get_by_role("button", name="Save goal").click()

    expect(page.locator("h1")).to_have_text("Apply to 3 jobs a week")
    expect(page.get_by_role("status").first).to_contain_text("Goal saved")
    check(page, device)

    page.get_by_role("link", name="Record progress").click()
    page.get_by_label("Job applications sent").fill("2")
    page.get_by_label("Note (optional)").fill("Two applications at the bakery.")
    page.get_by_role("button", name="Record progress").click()

    expect(page.get_by_role("status").first).to_contain_text("Progress recorded")
    bar = page.get_by_role("progressbar", name=re.compile("Apply to 3 jobs"))
    expect(bar).to_have_attribute("aria-valuenow", "67")
    expect(page.get_by_role("table")).to_contain_text("Two applications at the bakery.")
    check(page, device)

    # The mentor signs in on the same device and comments on the goal.
    page.context.clear_cookies()
    login(page, base, match.mentor.user.email, PASSWORD)
    page.goto(f"{base}/goals/")
    page.get_by_role("link", name="Apply to 3 jobs a week").click()
    page.get_by_role("textbox", name="Comment").fill("Great start. Let's add one more next week.")
    page.get_by_role("button", name="Add comment").click()

    expect(page.get_by_role("status").first).to_contain_text("Comment added")
    expect(page.locator("#comments-heading + div")).to_contain_text("Great start.")
    check(page, device)

"""A coordinator's day without dead ends: enroll a mentee, go from their participant page to
mentor suggestions, propose and approve a match, and see it on the participant's timeline; then
follow each count on the dashboard to the list behind it."""

import re

from playwright.sync_api import expect

from accounts.models import MenteeProfile
from tests import factories
from tests.e2e.conftest import assert_accessible, assert_fits_phone, login


def _check_page(page, device):
    assert_accessible(page)
    if device == "phone":
        assert_fits_phone(page)


def test_coordinator_enrolls_finds_a_mentor_and_sees_the_timeline(page, device, live_server):
    program = factories.ProgramFactory(name="Riverside", slug="riverside")
    coordinator = factories.make_user_with_role("coordinator", program)
    factories.MentorProfileFactory(program=program, user__first_name="Sam", user__last_name="Best")
    login(page, live_server.url, coordinator.email, factories.PASSWORD)

    page.goto(f"{live_server.url}/participants/programs/riverside/mentees/add/")
    page.get_by_label("First name").fill("Rosa")
    page.get_by_label("Last name").fill("Delgado")
    page.get_by_label("E-mail").fill("rosa.delgado@example.org")
    page.get_by_role("button", name="Save").click()
    mentee = MenteeProfile.objects.get(user__email="rosa.delgado@example.org")
    expect(page).to_have_url(re.compile(rf"/participants/mentees/{mentee.pk}/$"))
    expect(page.get_by_text("Not matched yet.")).to_be_visible()
    expect(page.locator("[data-timeline]")).to_contain_text("Enrolled")
    _check_page(page, device)

    page.get_by_role("link", name="Find a mentor").click()
    expect(page.locator("h1")).to_contain_text("Mentor suggestions for Rosa Delgado")
    _check_page(page, device)
    page.get_by_role("button", name="Propose Sam Best").click()
    expect(page.locator("#match-status")).to_have_text("Proposed")
    page.get_by_role("button", name="Approve match").click()
    expect(page.locator("#match-status")).to_have_text("Active")
    _check_page(page, device)

    # The match page names the mentee: a link back to their participant page.
    page.locator("h1").get_by_role("link", name="Rosa Delgado").click()
    expect(page).to_have_url(re.compile(rf"/participants/mentees/{mentee.pk}/$"))
    timeline = page.locator("[data-timeline]")
    expect(timeline).to_contain_text("Matched with Sam Best")
    expect(timeline).to_contain_text("Match with Sam Best proposed")
    _check_page(page, device)


def test_coordinator_follows_each_dashboard_count_to_its_list(page, device, live_server):
    program = factories.ProgramFactory(name="Riverside", slug="riverside")
    coordinator = factories.make_user_with_role("coordinator", program)
    factories.MatchFactory(program=program)
    for _ in range(12):
        factories.MenteeProfileFactory(program=program)
    login(page, live_server.url, coordinator.email, factories.PASSWORD)

    stats = page.locator(".stat-grid dd a")
    expect(stats).to_have_count(5)
    for index in range(5):
        page.goto(f"{live_server.url}/")
        link = page.locator(".stat-grid dd a").nth(index)
        number = int(link.inner_text())
        assert number > 0  # a list of rows, not an empty page, is followed
        link.click()
        if "/matching/" in page.url:
            expect(page.locator("main li.list-group-item.d-flex")).to_have_count(number)
        elif "/work/" in page.url:  # assessments due: every mentee enrolled here owes an intake
            expect(page.locator("main [data-queue=assessments] > li")).to_have_count(number)
            expect(page.get_by_role("link", name="Record assessment")).to_have_count(number)
        else:
            expect(page.get_by_role("status").first).to_contain_text(f"{number} ment")
        _check_page(page, device)

    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name=re.compile(r"^and \d+ more$")).click()
    expect(page.get_by_label("Waiting for a mentor")).to_be_checked()
    _check_page(page, device)

"""A coordinator matches people: one mentee from ranked suggestions with reasons, and a whole
cohort with a pinned pair; on a desktop and on a phone."""

import re

from playwright.sync_api import expect

from accounts.models import Membership, Philosophy
from matching.models import Match
from tests import factories
from tests.e2e.conftest import assert_accessible, assert_fits_phone, login


def _program_with_people():
    program = factories.ProgramFactory(name="Riverside", slug="riverside")
    coordinator = factories.make_user_with_role(Membership.Role.COORDINATOR, program)
    smart = Philosophy.objects.get(program=program, name="SMART Recovery")
    best = factories.MentorProfileFactory(
        program=program, user__first_name="Sam", user__last_name="Best", capacity=2
    )
    best.philosophies.set([smart])
    factories.MentorProfileFactory(
        program=program, user__first_name="Ola", user__last_name="Other", capacity=1
    )
    factories.MentorProfileFactory(
        program=program, user__first_name="Nia", user__last_name="Closed", accepting_new=False
    )
    mentees = [
        factories.MenteeProfileFactory(
            program=program,
            user__first_name=name,
            user__last_name="Mentee",
            preferred_philosophy=smart,
        )
        for name in ("Ada", "Ben", "Cy")
    ]
    return program, coordinator, mentees


def test_coordinator_reads_suggestions_and_approves_one(page, device, live_server):
    program, coordinator, mentees = _program_with_people()
    login(page, live_server.url, coordinator.email, factories.PASSWORD)

    page.goto(f"{live_server.url}/matching/mentee/{mentees[0].pk}/")

    expect(page.locator("h1")).to_contain_text("Mentor suggestions for Ada Mentee")
    first = page.locator(".suggestion").first
    expect(first).to_contain_text("Sam Best")
    expect(first).to_contain_text("Both follow SMART Recovery")
    page.get_by_text("Show why each is excluded").click()
    expect(page.get_by_text("Not accepting new mentees")).to_be_visible()
    assert_accessible(page)
    if device == "phone":
        assert_fits_phone(page)

    page.get_by_role("button", name="Propose Sam Best").click()
    expect(page.locator("#match-status")).to_have_text("Proposed")
    page.get_by_role("button", name="Approve match").click()

    expect(page.locator("#match-status")).to_have_text("Active")
    expect(page.get_by_role("status")).to_contain_text("Match approved")
    assert_accessible(page)
    if device == "phone":
        assert_fits_phone(page)
    assert Match.objects.get(mentee=mentees[0]).status == "active"


def test_coordinator_pins_a_pair_previews_and_commits_a_cohort(page, device, live_server):
    program, coordinator, mentees = _program_with_people()
    login(page, live_server.url, coordinator.email, factories.PASSWORD)

    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="Match a cohort").click()

    expect(page.locator("h1")).to_contain_text("Cohort matching")
    expect(page.locator("#cohort-matched")).to_have_text("3")
    assert_accessible(page)
    if device == "phone":
        assert_fits_phone(page)

    # Pin Cy with Ola Other; the re-run keeps that pair.
    page.get_by_role("button", name=re.compile(r"^Pin Cy Mentee with ")).first.click()
    pinned = page.locator(".cohort-pairs li", has_text="Pinned")
    expect(pinned).to_have_count(1)
    expect(pinned).to_contain_text("Cy Mentee")
    assert_accessible(page)

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name=re.compile(r"^Commit 3 matches")).click()

    expect(page.locator("h1")).to_contain_text("Matches in Riverside")
    expect(page.get_by_role("status")).to_contain_text("3 matches written")
    assert_accessible(page)
    if device == "phone":
        assert_fits_phone(page)
    assert Match.objects.filter(program=program, status="active").count() == 3

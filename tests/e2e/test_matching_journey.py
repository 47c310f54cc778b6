"""A coordinator matches people: one mentee from ranked suggestions with reasons, and a whole
cohort with a pinned pair; on a desktop and on a phone."""

import re

from playwright.sync_api import expect

from accounts.models import Membership, Philosophy
from matching import cohort_runs
from matching.models import CohortRun, Match
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
    expect(page.locator(".excluded-groups")).to_contain_text("Not accepting new mentees (1)")
    expect(page.get_by_text("Nia Closed")).to_be_visible()
    assert_accessible(page)
    if device == "phone":
        assert_fits_phone(page)

    # The never-pair picker is a search of the program's mentors.
    page.get_by_label("Find a mentor by name").fill("ola")
    page.get_by_role("button", name="Search").click()
    found = page.locator(".mentor-results li")
    expect(found).to_have_count(1)
    expect(found).to_contain_text("Ola Other")
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


def test_coordinator_runs_pins_and_proposes_a_cohort(page, device, live_server):
    program, coordinator, mentees = _program_with_people()
    login(page, live_server.url, coordinator.email, factories.PASSWORD)

    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="Match a cohort").click()
    expect(page.locator("h1")).to_contain_text("Cohort matching")
    page.get_by_role("button", name="Run cohort matching").click()

    # The run waits for a worker and the page follows its progress; the worker's part runs
    # here, in-process, and the page reloads itself when the run is done.
    expect(page.locator("[data-cohort-run]")).to_be_visible()
    assert_accessible(page)
    if device == "phone":
        assert_fits_phone(page)
    cohort_runs.cohort_run_compute(run_id=CohortRun.objects.get(program=program).pk)
    expect(page.locator("#cohort-matched")).to_have_text("3")
    assert_accessible(page)
    if device == "phone":
        assert_fits_phone(page)

    # Pin Cy's pair, remove Ada's, and filter to the pinned one.
    page.get_by_role("button", name=re.compile(r"^Pin Cy Mentee")).click()
    expect(page.locator(".cohort-pairs li", has_text="Pinned")).to_contain_text("Cy Mentee")
    page.get_by_role("button", name=re.compile(r"^Remove Ada Mentee")).click()
    expect(page.locator("#cohort-planned")).to_have_text("2")
    page.get_by_label("Show").select_option("pinned")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator(".cohort-pairs > li")).to_have_count(1)
    assert_accessible(page)
    if device == "phone":
        assert_fits_phone(page)

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name=re.compile(r"^Start all 2 matches")).click()
    expect(page.get_by_role("status").first).to_contain_text("Writing the matches")
    run = CohortRun.objects.get(program=program)
    cohort_runs.cohort_run_propose(run_id=run.pk, actor_id=coordinator.pk)
    page.reload()
    expect(page.get_by_text("2 matches written.")).to_be_visible()
    assert_accessible(page)
    assert Match.objects.filter(program=program, status="active").count() == 2
    assert not Match.objects.filter(mentee=mentees[0]).exists()

"""A coordinator enrolls a mentee through the form and finds them in the filtered list."""

import re

from playwright.sync_api import expect

from accounts.models import MenteeProfile, Training
from tests.e2e.conftest import assert_accessible, assert_fits_phone, login
from tests.factories import (
    PASSWORD,
    MatchFactory,
    MenteeProfileFactory,
    ProgramFactory,
    make_user_with_role,
)


def _check_page(page, device):
    assert_accessible(page)
    if device == "phone":
        assert_fits_phone(page)


def test_coordinator_enrolls_a_mentee_and_finds_them(page, device, live_server):
    program = ProgramFactory(name="Riverside Peer Mentorship", slug="riverside")
    coordinator = make_user_with_role("coordinator", program)
    MenteeProfileFactory(program=program)  # someone already enrolled, filtered out below

    login(page, live_server.url, coordinator.email, PASSWORD)
    if device == "phone":
        page.get_by_role("button", name="Toggle navigation").click()
    page.locator("#nav-people").click()  # the grouped menu
    page.get_by_role("link", name="Mentees", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Riverside Peer Mentorship: mentees")
    _check_page(page, device)

    page.get_by_role("link", name="Enroll a mentee").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Enroll a mentee")
    _check_page(page, device)

    # First a mistake: the page answers at the field and keeps what was typed.
    page.get_by_label("First name").fill("Rosa")
    page.get_by_label("Last name").fill("Delgado")
    page.get_by_label("E-mail").fill("rosa.delgado")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("Please correct the fields")
    expect(page.locator("#error_1_id_email")).to_contain_text("valid email")
    expect(page.get_by_label("First name")).to_have_value("Rosa")
    _check_page(page, device)

    page.get_by_label("E-mail").fill("rosa.delgado@example.org")
    page.get_by_label("Referral source").select_option(label="Treatment provider")
    page.get_by_label("Housing").select_option(label="High")
    page.get_by_label("Mon evening").check()
    page.get_by_label("Sat morning").check()
    page.get_by_role("button", name="Save").click()

    mentee = MenteeProfile.objects.get(user__email="rosa.delgado@example.org")
    expect(page).to_have_url(re.compile(rf"/participants/mentees/{mentee.pk}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Rosa Delgado")
    expect(page.get_by_text(mentee.participant_id).first).to_be_visible()
    expect(page.get_by_text("Housing (high)")).to_be_visible()
    expect(page.get_by_text("Mon evening, Sat morning")).to_be_visible()
    _check_page(page, device)

    # Consent (42 CFR Part 2, section 2.31), recorded from the participant page's consent panel.
    page.get_by_role("link", name="Record consent").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record consent")
    _check_page(page, device)
    page.get_by_label("Substance-use log").check()
    page.get_by_label("Goals", exact=True).check()
    page.get_by_label("The matched mentor").check()
    page.get_by_label("Expiry event").fill("When I leave the program")
    page.get_by_label("The participant was told they may revoke").check()
    page.get_by_label("Typed signature").fill("Rosa Delgado")
    page.get_by_role("button", name="Record consent").click()
    expect(page.get_by_role("status").first).to_contain_text("Consent version 1 recorded.")
    expect(page.get_by_text("In force", exact=True)).to_be_visible()
    assert mentee.consents.get().covers_use_log
    _check_page(page, device)

    page.goto(f"{live_server.url}/participants/programs/riverside/mentees/")
    page.get_by_label("Focus area").select_option(label="Housing")
    page.get_by_label("Waiting for a mentor").check()
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_role("status").filter(has_text="mentee")).to_contain_text(
        "1 mentee matches the filters"
    )
    results = page.locator(".participant-list")
    expect(results.get_by_role("link", name="Rosa Delgado")).to_be_visible()
    expect(results.locator("li")).to_have_count(1)
    _check_page(page, device)


def test_coordinator_pages_are_accessible_and_fit_a_phone(page, device, live_server):
    program = ProgramFactory(name="Riverside Peer Mentorship", slug="riverside")
    program.required_trainings.set(Training.objects.filter(program=program)[:1])
    coordinator = make_user_with_role("coordinator", program)
    match = MatchFactory(program=program)
    base = f"{live_server.url}/participants"
    login(page, live_server.url, coordinator.email, PASSWORD)
    for path, heading in [
        ("/programs/", "Programs"),
        ("/programs/riverside/mentors/", "Riverside Peer Mentorship: mentors"),
        ("/programs/riverside/mentors/add/", "Add a mentor"),
        (f"/mentors/{match.mentor.pk}/edit/", "Edit"),
        (f"/mentors/{match.mentor.pk}/", str(match.mentor.user)),
        (f"/mentees/{match.mentee.pk}/edit/", "Edit"),
        (f"/mentees/{match.mentee.pk}/status/", "Change the status"),
        ("/programs/riverside/settings/", "Riverside Peer Mentorship: settings"),
        ("/programs/riverside/vocabularies/", "Riverside Peer Mentorship: vocabularies"),
        ("/programs/riverside/vocabularies/focus-areas/add/", "Add a focus area"),
    ]:
        page.goto(base + path)
        expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
        _check_page(page, device)
    # The mentor is missing the required training: the page says which.
    page.goto(f"{base}/programs/riverside/mentors/")
    expect(page.get_by_text(re.compile("Needs .* training")).first).to_be_visible()

"""Outcomes in a real browser: a mentee fills in a week on the use calendar (on a phone too);
an evaluator opens the cohort report with its charts and downloads the de-identified CSV."""

import re
from datetime import timedelta

from playwright.sync_api import expect

from outcomes.models import UseDay
from outcomes.services import use_reports_import
from tests import factories
from tests.e2e.conftest import assert_accessible, assert_fits_phone, login
from tests.factories import PASSWORD


def test_a_mentee_fills_in_a_week_on_the_calendar(page, device, live_server):
    mentee = factories.MenteeProfileFactory()
    login(page, live_server.url, mentee.user.email, PASSWORD)
    page.get_by_role("link", name="Fill in your calendar").click()
    expect(page.get_by_role("heading", name="My use calendar")).to_be_visible()
    assert_accessible(page)
    if device == "phone":
        assert_fits_phone(page)

    today = mentee.program.today()
    # The calendar opens at today; there is no bulk "No use" button: one answer per day.
    expect(page.locator("#cal-today")).to_be_in_viewport()
    expect(page.get_by_role("button", name=re.compile("blank days"))).to_have_count(0)
    page.locator(f"label[for='id_day_{today:%Y%m%d}_2']").click()
    page.get_by_role("button", name="Save month").click()

    expect(page.get_by_role("status")).to_contain_text("Saved 1 day")
    saved = dict(UseDay.objects.filter(mentee=mentee).values_list("day", "used"))
    assert saved == {today: True}
    assert_accessible(page)
    if device == "phone":
        assert_fits_phone(page)

    # The day's history and the recovery-capital questionnaire are reachable and accessible.
    page.get_by_role("link", name=f"Details for {today:%B} {today.day}").click()
    expect(page.get_by_role("heading", name="History")).to_be_visible()
    assert_accessible(page)
    page.goto(f"{live_server.url}/outcomes/mentees/{mentee.pk}/assessments/barc10/0/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("BARC-10")
    assert_accessible(page)
    if device == "phone":
        assert_fits_phone(page)


def test_an_evaluator_opens_the_cohort_report_and_downloads_the_csv(page, device, live_server):
    program = factories.ProgramFactory()
    enrolled = program.today() - timedelta(days=100)
    rows = []
    for arm, pattern in (("mentored", ".U....."), ("comparison", "UU.U..U")):
        mentee = factories.MenteeProfileFactory(
            program=program, study_arm=arm, enrolled_on=enrolled
        )
        rows += [
            {
                "mentee_id": mentee.pk,
                "day": enrolled + timedelta(days=i),
                "used": ch == "U",
                "substances": [],
                "source": "self",
            }
            for i, ch in enumerate(pattern)
        ]
    use_reports_import(actor=None, program=program, rows=rows)
    staff = factories.make_user_with_role("staff", program)

    login(page, live_server.url, staff.email, PASSWORD)
    page.get_by_role("link", name="cohort report").click()
    expect(page.get_by_role("heading", name="Weeks 1-12")).to_be_visible()
    expect(page.get_by_text("What the numbers mean")).to_be_visible()
    # Chart.js drew on both canvases (it sets their pixel size when it renders).
    for chart in ("#weekly-chart", "#pda-chart"):
        page.wait_for_function(
            f"() => window.Chart && window.Chart.getChart(document.querySelector('{chart}'))"
        )
    assert_accessible(page)
    if device == "phone":
        assert_fits_phone(page)

    with page.expect_download() as info:
        page.get_by_role("link", name="participants CSV").click()
    text = open(info.value.path(), encoding="utf-8").read()  # noqa: SIM115 — tiny file
    assert text.startswith("research_id,study_arm,enrollment_year")
    assert staff.email not in text and "@" not in text

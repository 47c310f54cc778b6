"""A mentee on a phone creates a goal from a template (a sentence, no placeholder, every SMART
part prefilled) and records today's answer on the use calendar, which opens at today."""

import re

from playwright.sync_api import expect

from goals.models import Goal
from outcomes.models import UseDay
from tests import factories
from tests.e2e.conftest import assert_accessible, assert_fits_phone, login
from tests.factories import PASSWORD


def test_mentee_creates_a_goal_from_a_template_and_answers_today(page, device, live_server):
    match = factories.MatchFactory()
    mentee = match.mentee
    factories.GoalTemplateFactory(
        program=mentee.program,
        title="Apply to N jobs by DATE",
        metric="job applications sent",
        unit="applications",
        suggested_target=10,
        suggested_steps="Update my CV; apply to two jobs each week.",
    )
    base = live_server.url
    login(page, base, mentee.user.email, PASSWORD)

    page.goto(f"{base}/goals/")
    page.get_by_role("link", name="New goal").first.click()
    options = page.locator("#template-choice option").all_inner_texts()
    assert "Apply to 10 jobs by a date you choose (Life goal)" in options, options
    page.locator("#template-choice").select_option(
        label="Apply to 10 jobs by a date you choose (Life goal)"
    )
    page.get_by_role("button", name="Use template").click()
    title = page.get_by_label("Your goal in a few words")
    expect(title).to_have_value(re.compile(r"^Apply to 10 jobs by \w{3} \d+, \d{4}$"))
    expect(page.get_by_label("Target")).to_have_value("10")
    assert_accessible(page)
    assert_fits_phone(page)
    page.get_by_role("button", name="Save goal").click()
    expect(page.get_by_role("status").first).to_contain_text("Goal saved")
    goal = Goal.objects.get(mentee=mentee)
    assert goal.title.startswith("Apply to 10 jobs by ") and goal.target == 10
    assert all([goal.specific, goal.metric, goal.steps, goal.why_it_matters, goal.due_date])

    page.goto(f"{base}/outcomes/calendar/")
    today = mentee.program.today()
    expect(page.locator("#cal-today")).to_be_in_viewport()
    page.locator(f"label[for='id_day_{today:%Y%m%d}_1']").click()  # no use
    page.get_by_role("button", name="Save month").click()
    expect(page.get_by_role("status")).to_contain_text("Saved 1 day")
    assert dict(UseDay.objects.filter(mentee=mentee).values_list("day", "used")) == {today: False}
    assert_accessible(page)
    assert_fits_phone(page)

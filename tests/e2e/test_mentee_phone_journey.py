"""A mentee on a phone creates a goal from a template (a sentence, no placeholder; the form asks
only what, how much and by when, the rest folded under "More details") and records today's
answer on the use calendar, which opens at today."""

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
    title = page.get_by_label("What you want to do")
    expect(title).to_have_value(re.compile(r"^Apply to 10 jobs by \w{3} \d+, \d{4}$"))
    expect(page.get_by_label("How much: your target")).to_have_value("10")
    expect(page.get_by_label("By when")).not_to_have_value("")
    # Three questions on sight; the five SMART parts wait, closed, under "More details".
    expect(
        page.locator("#goal-form :is(input, select, textarea):visible:not([type=submit])")
    ).to_have_count(3)
    more = page.locator("#goal-more")
    expect(more).not_to_have_attribute("open", "")
    more.locator("summary").click()
    expect(page.get_by_label("What will you count or check?")).to_have_value(
        "job applications sent"
    )
    expect(page.get_by_label("The steps you will take")).to_have_value(
        "Update my CV; apply to two jobs each week."
    )
    more.locator("summary").click()  # folded again: the mentee saves the three answers
    assert_accessible(page)
    assert_fits_phone(page)
    page.get_by_role("button", name="Save goal").click()
    expect(page.get_by_role("status").first).to_contain_text("Goal saved")
    goal = Goal.objects.get(mentee=mentee)
    assert goal.title.startswith("Apply to 10 jobs by ") and goal.target == 10
    # Every SMART part is there, the ones not asked for filled in by the goals service.
    assert all([goal.specific, goal.metric, goal.unit, goal.steps, goal.support])
    assert all([goal.why_it_matters, goal.focus_area_id, goal.start_date, goal.due_date])
    assert goal.metric == "job applications sent" and goal.direction == "at_least"

    page.goto(f"{base}/outcomes/calendar/")
    today = mentee.program.today()
    expect(page.locator("#cal-today")).to_be_in_viewport()
    page.locator(f"label[for='id_day_{today:%Y%m%d}_1']").click()  # no use
    page.get_by_role("button", name="Save month").click()
    expect(page.get_by_role("status")).to_contain_text("Saved 1 day")
    assert dict(UseDay.objects.filter(mentee=mentee).values_list("day", "used")) == {today: False}
    assert_accessible(page)
    assert_fits_phone(page)

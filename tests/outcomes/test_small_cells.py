"""Small cells (issue #13): the aggregate (publication) export suppresses every cell of fewer
people than the program's minimum cell size and says so; the internal report page shows small
n but no interval below n = 3."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse

from accounts.models import MenteeProfile
from outcomes.models import OutcomeSettings, Source
from outcomes.services import use_reports_import
from tests import factories

MENTORED, COMPARISON = MenteeProfile.Arm.MENTORED, MenteeProfile.Arm.COMPARISON


def _cohort(mentored: int, comparison: int):
    program = factories.ProgramFactory()
    today = program.today()
    rows = []
    for arm, count in ((MENTORED, mentored), (COMPARISON, comparison)):
        for i in range(count):
            enrolled = today - timedelta(days=100 + i)
            mentee = factories.MenteeProfileFactory(
                program=program, enrolled_on=enrolled, study_arm=arm
            )
            rows += [
                {
                    "mentee_id": mentee.pk,
                    "day": enrolled + timedelta(days=n),
                    "used": n == i,
                    "substances": [],
                    "source": Source.SELF,
                }
                for n in range(90)
            ]
    use_reports_import(actor=None, program=program, rows=rows)
    return program


def _summary(client, program):
    client.force_login(factories.make_user_with_role("staff", program))
    url = reverse("outcomes:export", kwargs={"slug": program.slug, "kind": "summary", "fmt": "csv"})
    text = b"".join(client.get(url).streaming_content).decode()
    return text, list(csv.reader(io.StringIO(text)))


def _cell(rows, table, figure, arm):
    (found,) = [r for r in rows if r[:3] == [table, figure, arm]]
    return found


def test_a_cell_of_ten_is_suppressed_and_one_of_eleven_shown(client, db):
    program = _cohort(mentored=10, comparison=11)
    text, rows = _summary(client, program)
    assert _cell(rows, "participants", "n", MENTORED)[3] == ""
    assert _cell(rows, "participants", "n", COMPARISON)[3] == "11"
    ten = _cell(rows, "Weeks 1-12", "Days of use", MENTORED)
    eleven = _cell(rows, "Weeks 1-12", "Days of use", COMPARISON)
    assert ten[3:9] == [""] * 6 and ten[9] == "suppressed: fewer than 11 people"
    assert eleven[3] == "11" and eleven[4] == "1.0" and eleven[9] == ""
    assert rows[-1][0] == "Cells of fewer than 11 people are suppressed."
    # Retention at week 12: 10 eligible suppressed; 11 of 11 (no one left: no small complement)
    assert _cell(rows, "retention", "week 12", MENTORED)[9] == "suppressed: fewer than 11 people"
    assert _cell(rows, "retention", "week 12", COMPARISON)[3:9] == ["11", "", "", "", "11", "100.0"]


def test_the_minimum_is_the_programs_bounded_setting(client, db):
    program = _cohort(mentored=10, comparison=11)
    OutcomeSettings.objects.create(program=program, min_cell_size=5)
    _, rows = _summary(client, program)
    assert _cell(rows, "Weeks 1-12", "Days of use", MENTORED)[3] == "10"
    from outcomes.forms import OutcomeSettingsForm

    form = OutcomeSettingsForm(data={"min_cell_size": 2}, instance=OutcomeSettings(program=program))
    assert not form.is_valid() and "min_cell_size" in form.errors


@pytest.mark.parametrize("per_arm", [2, 3])
def test_the_report_page_shows_small_n_without_an_interval_below_three(client, db, per_arm):
    program = _cohort(mentored=per_arm, comparison=per_arm)
    client.force_login(factories.make_user_with_role("staff", program))
    response = client.get(reverse("outcomes:report", kwargs={"slug": program.slug}))
    summary = response.context["summary"]
    row = summary["tables"][0]["rows"][0]  # days of use, weeks 1-12
    assert {s.n for s in row.by_arm.values()} == {per_arm}
    assert (row.difference[1] is None) == (per_arm < 3)
    for outcome in summary["abstinence"]:
        for p in outcome.by_arm.values():
            if p.n:
                assert (p.low is None) == (p.n < 3)


def test_the_report_charts_leave_out_a_cell_of_ten_and_show_one_of_eleven(client, db):
    program = _cohort(mentored=10, comparison=11)
    client.force_login(factories.make_user_with_role("staff", program))
    response = client.get(reverse("outcomes:report", kwargs={"slug": program.slug}))
    chart = response.context["summary"]["chart"]
    # Every mentee has a record in weeks 1-12: 10 people a week in one arm, 11 in the other.
    assert chart["weekly"][MENTORED][:12] == [None] * 12
    assert all(value is not None for value in chart["weekly"][COMPARISON][:12])
    # Percent days abstinent: everyone lands in the 90-100% bar.
    assert chart["pda_bins"][MENTORED] == [None] * 10
    assert chart["pda_bins"][COMPARISON][9] == 11
    # The same rule as the summary export, and the caption says so.
    assert chart["suppressed"] and chart["min_cell_size"] == 11
    page = response.content.decode()
    assert "fewer than 11 people are left out of the charts" in page
    assert '"weekly": {"mentored": [null' in page  # nothing small reaches the browser


def test_the_report_charts_say_nothing_when_no_cell_is_small(client, db):
    program = _cohort(mentored=11, comparison=11)
    client.force_login(factories.make_user_with_role("staff", program))
    response = client.get(reverse("outcomes:report", kwargs={"slug": program.slug}))
    chart = response.context["summary"]["chart"]
    assert chart["pda_bins"][MENTORED][9] == 11 and chart["weekly"][MENTORED][0] is not None
    assert "left out of the charts" not in response.content.decode()

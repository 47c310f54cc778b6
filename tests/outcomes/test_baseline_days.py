"""Baseline days (issue #13): a use day before enrollment, inside the Timeline Followback
baseline window, is shown as baseline counted back from enrollment, never as a negative day
number, and the per-day exports mark it with period = baseline."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse

from outcomes import exports, services
from outcomes.models import Source
from tests import factories


@pytest.fixture
def mentee(db):
    program = factories.ProgramFactory()
    mentee = factories.MenteeProfileFactory(
        program=program, enrolled_on=program.today() - timedelta(days=100)
    )
    for offset, used in ((-12, True), (0, False)):
        services.use_report_record(
            actor=mentee.user,
            mentee=mentee,
            day=mentee.enrolled_on + timedelta(days=offset),
            used=used,
            source=Source.SELF,
        )
    return mentee


def test_the_day_page_names_a_baseline_day_by_the_days_before_enrollment(client, mentee):
    client.force_login(mentee.user)

    def label(offset):
        day = mentee.enrolled_on + timedelta(days=offset)
        url = reverse("outcomes:day", kwargs={"mentee_pk": mentee.pk, "day": f"{day:%Y-%m-%d}"})
        return client.get(url).context["day_label"]

    assert label(-12) == "Baseline (12 days before enrollment)"
    assert label(-1) == "Baseline (1 day before enrollment)"
    assert label(0) == "Day 1"
    page = client.get(
        reverse(
            "outcomes:day",
            kwargs={
                "mentee_pk": mentee.pk,
                "day": f"{mentee.enrolled_on - timedelta(days=12):%Y-%m-%d}",
            },
        )
    ).content.decode()
    assert "Baseline (12 days before enrollment)" in page and "Day -11" not in page


def test_the_calendar_marks_baseline_days(client, mentee):
    client.force_login(mentee.user)
    baseline_day = mentee.enrolled_on - timedelta(days=12)
    response = client.get(
        reverse("outcomes:calendar", kwargs={"mentee_pk": mentee.pk})
        + f"?month={baseline_day:%Y-%m}"
    )
    cells = [cell for week in response.context["weeks"] for cell in week["cells"] if cell]
    (cell,) = [c for c in cells if c["day"] == baseline_day]
    assert cell["baseline"] and cell["label"] == "Baseline (12 days before enrollment)"
    assert not [c for c in cells if c["day"] >= mentee.enrolled_on and c["baseline"]]
    assert "Baseline (12 days before enrollment)" in response.content.decode()


def _period_by_day_number(header, rows):
    return {row[header.index("day_number")]: row[header.index("period")] for row in rows}


def test_the_day_exports_mark_the_baseline_period(client, mentee):
    program = mentee.program
    today = program.today()
    for identified in (True, False):  # the typed rows (XLSX, identified export)
        export = exports.export_rows(
            program=program, kind="days", today=today, identified=identified
        )
        assert _period_by_day_number(export.header, list(export.rows)) == {
            -11: "baseline",
            1: "enrolled",
        }
    # The de-identified CSV that PostgreSQL writes itself.
    client.force_login(factories.make_user_with_role("staff", program))
    url = reverse("outcomes:export", kwargs={"slug": program.slug, "kind": "days", "fmt": "csv"})
    text = b"".join(client.get(url).streaming_content).decode()
    header, *rows = list(csv.reader(io.StringIO(text)))
    assert _period_by_day_number(header, rows) == {"-11": "baseline", "1": "enrolled"}

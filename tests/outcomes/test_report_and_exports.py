"""The cohort report and the de-identified exports."""

import csv
import io
import re
from datetime import datetime, time, timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import MenteeProfile, Substance
from mentorship.models import AuditEntry
from outcomes import exports
from outcomes.models import Interview, Source
from outcomes.services import use_reports_import
from tests import factories
from tests.conftest import page_queries


def log_days(program, mentee, pattern: str, start_day: int = 1, source=Source.SELF):
    """pattern: one character per day from `start_day`: U used, . no use, space missing."""
    rows = [
        {
            "mentee_id": mentee.pk,
            "day": mentee.enrolled_on + timedelta(days=start_day - 1 + i),
            "used": ch == "U",
            "substances": ["Alcohol"] if ch == "U" else [],
            "source": source,
        }
        for i, ch in enumerate(pattern)
        if ch != " "
    ]
    use_reports_import(actor=None, program=program, rows=rows)


@pytest.fixture
def cohort(db):
    program = factories.ProgramFactory(slug="cohort")
    today = program.today()
    enrolled = today - timedelta(days=200)  # both standard windows have fully happened
    a = factories.MenteeProfileFactory(program=program, enrolled_on=enrolled)
    b = factories.MenteeProfileFactory(program=program, enrolled_on=enrolled)
    c = factories.MenteeProfileFactory(
        program=program, enrolled_on=enrolled, study_arm=MenteeProfile.Arm.COMPARISON
    )
    log_days(program, a, ".......")  # 7 recorded, 0 use
    log_days(program, b, "..U. ..")  # 6 recorded, 1 use on day 3
    log_days(program, c, "UUU....")  # 7 recorded, 3 use
    match = factories.MatchFactory(program=program, mentee=a)
    noon = datetime.combine(enrolled, time(12), tzinfo=program.tzinfo)
    factories.CheckInFactory(
        match=match, scheduled_at=noon + timedelta(days=1), status="completed", actual_minutes=60
    )
    factories.CheckInFactory(match=match, scheduled_at=noon + timedelta(days=8), status="no_show")
    factories.CheckInFactory(match=match, scheduled_at=noon + timedelta(days=9), status="cancelled")
    factories.GoalFactory(
        mentee=a, start_date=enrolled, due_date=enrolled + timedelta(days=19), status="achieved"
    )
    factories.GoalFactory(
        mentee=a, start_date=enrolled, due_date=enrolled + timedelta(days=29), status="not_achieved"
    )
    factories.AssessmentFactory(mentee=a, week=0, answers=[3] * 10, total=30)
    factories.AssessmentFactory(mentee=a, week=12, answers=[5] * 10, total=50)
    Interview.objects.create(mentee=a, point="intake", held_on=enrolled, outcome="completed")
    staff = factories.make_user_with_role("staff", program)
    return program, staff, (a, b, c)


def test_the_report_shows_hand_computed_figures_by_arm(client, cohort):
    program, staff, _ = cohort
    client.force_login(staff)
    response = client.get(reverse("outcomes:report", kwargs={"slug": program.slug}))
    assert response.status_code == 200
    summary = response.context["summary"]
    assert summary["n"] == {"mentored": 2, "comparison": 1}
    active = {row.label: row for row in summary["tables"][0]["rows"]}
    use = active["Days of use"]
    assert use.by_arm["mentored"].mean == 0.5 and use.by_arm["comparison"].mean == 3.0
    assert use.difference[0] == -2.5
    pda = active["Percent days abstinent"].by_arm["mentored"]
    assert pda.mean == pytest.approx((100 + 5 / 6 * 100) / 2)
    assert active["Days to first use"].by_arm["mentored"].n == 1  # only b used
    assert active["Longest abstinent run (days)"].by_arm["comparison"].mean == 4
    assert active["Check-ins scheduled"].by_arm["mentored"].mean == 1.0  # cancelled: not counted
    assert active["Check-ins completed (% of scheduled)"].by_arm["mentored"].n == 1
    assert active["Check-ins completed (% of scheduled)"].by_arm["mentored"].mean == 50.0
    hours = active["Contact hours per week"].by_arm["mentored"]
    assert hours.mean == pytest.approx((1 / 12 + 0) / 2)
    assert active["Goals achieved (% of goals due)"].by_arm["mentored"].mean == 50.0
    barc = {row.label: row for row in summary["score_rows"]}
    assert barc["BARC-10 change from intake to latest"].by_arm["mentored"].mean == 20
    assert summary["retention"]["mentored"] == {"retained": 2, "eligible": 2, "percent": 100.0}
    # The charts are published figures: one person's week is a small cell, left out.
    assert summary["chart"]["weekly"]["comparison"][0] is None and summary["chart"]["suppressed"]
    body = response.content.decode()
    assert "What the numbers mean" in body and 'id="chart-data"' in body
    assert "vendor/chartjs/chart.umd.min.js" in body
    # No participant is named on a de-identified report.
    for mentee in cohort[2]:
        assert mentee.user.get_full_name() not in body and mentee.participant_id not in body


def test_a_custom_window_and_enrollment_period_filter_the_report(client, cohort):
    program, staff, _ = cohort
    client.force_login(staff)
    url = reverse("outcomes:report", kwargs={"slug": program.slug})
    response = client.get(url, {"first_week": 1, "last_week": 1})
    assert [t["window"].label for t in response.context["summary"]["tables"]][-1] == "Weeks 1-1"
    response = client.get(url, {"first_week": 3, "last_week": 1})
    assert b"before the first week" in response.content


def _add_participants(program, count):
    for _ in range(count):
        mentee = factories.MenteeProfileFactory(program=program)
        log_days(program, mentee, ".U.")
        factories.AssessmentFactory(mentee=mentee)


def test_the_report_runs_a_constant_number_of_queries(client, db):
    program = factories.ProgramFactory(slug="sizes")
    staff = factories.make_user_with_role("staff", program)
    client.force_login(staff)
    url = reverse("outcomes:report", kwargs={"slug": program.slug})
    counts = []
    for added in (1, 49):  # 1 participant, then 50
        _add_participants(program, added)
        counts.append(page_queries(client, url))
    assert counts[0] == counts[1]


EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")
PHONE = re.compile(r"\(?\d{3}\)?[ .-]\d{3}[ .-]\d{4}")
FULL_DATE = re.compile(r"\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}/\d{2,4}")


def _download(client, program, kind, fmt):
    return client.get(
        reverse("outcomes:export", kwargs={"slug": program.slug, "kind": kind, "fmt": fmt})
    )


@pytest.mark.parametrize("kind", exports.ROW_KINDS)
def test_de_identified_csv_exports_hold_no_names_contacts_or_dates(client, cohort, kind):
    program, staff, mentees = cohort
    client.force_login(staff)
    response = _download(client, program, kind, "csv")
    assert response.status_code == 200 and response.streaming
    text = b"".join(response.streaming_content).decode()
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][0] == "research_id" and len(rows) > 1
    assert not EMAIL.search(text) and not PHONE.search(text) and not FULL_DATE.search(text)
    # The research ID, never the participant ID staff see beside names on every screen.
    assert exports.research_ids(program, [mentees[0].pk])[mentees[0].pk] in text
    assert all(m.participant_id not in text for m in mentees)
    for mentee in mentees:
        # Full names: a short surname alone ("Day", "Mode") can be a column heading.
        for name in (mentee.user.get_full_name(), mentee.user.email):
            assert name not in text
    entry = AuditEntry.objects.get(action="export")
    assert entry.actor == staff and entry.object_type == f"outcomes.export.{kind}"


def test_days_export_uses_day_numbers_relative_to_enrollment(client, cohort):
    program, staff, (a, b, c) = cohort
    client.force_login(staff)
    text = b"".join(_download(client, program, "days", "csv").streaming_content).decode()
    key = exports.research_ids(program, [b.pk])[b.pk]
    rows = [r for r in csv.DictReader(io.StringIO(text)) if r["research_id"] == key]
    assert [r["day_number"] for r in rows] == ["1", "2", "3", "4", "6", "7"]
    assert rows[2]["used"] == "yes" and rows[2]["week"] == "1"


def test_every_cell_is_neutralised_against_formula_injection(client, cohort):
    program, staff, (a, *_rest) = cohort
    Substance.objects.create(program=program, name="=HYPERLINK(1)")
    Substance.objects.create(program=program, name="@SUM(1)")
    use_reports_import(
        actor=None,
        program=program,
        rows=[
            {
                "mentee_id": a.pk,
                "day": a.enrolled_on + timedelta(days=20),
                "used": True,
                "substances": ["=HYPERLINK(1)"],
                "source": Source.SELF,
            }
        ],
    )
    client.force_login(staff)
    text = b"".join(_download(client, program, "days", "csv").streaming_content).decode()
    assert "'=HYPERLINK(1)" in text
    for cell in (c for row in csv.reader(io.StringIO(text)) for c in row):
        assert not cell.startswith(exports.DANGEROUS_START)
    response = _download(client, program, "days", "xlsx")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    values = [cell.value for row in sheet.iter_rows() for cell in row]
    assert "'=HYPERLINK(1)" in values
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    assert exports.neutralise("\tx") == "'\tx" and exports.neutralise(-3) == -3


def test_participant_record_cells_are_neutralised_and_figures_written_as_they_are(cohort):
    program, _, (a, b, _c) = cohort
    # A program's own study ID and a status as a spreadsheet would run them.
    MenteeProfile.objects.filter(pk=a.pk).update(participant_id="=HYPERLINK(1)", status="@SUM(1)")
    # A score that went down: its change is a negative number, which is no formula.
    factories.AssessmentFactory(mentee=b, week=0, answers=[5] * 10, total=50)
    factories.AssessmentFactory(mentee=b, week=12, answers=[3] * 10, total=30)
    today = program.today()
    header, made = exports.participant_rows(program=program, today=today)
    export = exports.export_rows(program=program, kind="participants", today=today, identified=True)
    text = b"".join(exports.export_chunks(export, fmt="csv")).decode()
    header_written, *rows = csv.reader(io.StringIO(text))
    assert header_written == header
    written = {row[0]: row for row in rows}
    assert written["'=HYPERLINK(1)"][header.index("status")] == "'@SUM(1)"
    change = header.index("barc10_change")
    assert written[b.participant_id][change] == "-20"
    # Every figure cell is the participant rows' own value, untouched.
    figures = len(exports.PARTICIPANT_TEXT_COLUMNS)
    for row in made:
        key = "'" + row[0] if row[0].startswith("=") else row[0]
        assert written[key][figures:] == ["" if v is None else str(v) for v in row[figures:]]


def test_xlsx_participant_export_opens_with_one_row_per_participant(client, cohort):
    program, staff, mentees = cohort
    client.force_login(staff)
    response = _download(client, program, "participants", "xlsx")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.values)
    header = rows[0]
    assert header[:3] == ("research_id", "study_arm", "enrollment_year")
    assert len(rows) == 1 + len(mentees)
    assert {r[2] for r in rows[1:]} == {mentees[0].enrolled_on.year}


def test_an_unknown_export_is_404(client, cohort):
    program, staff, _ = cohort
    client.force_login(staff)
    assert _download(client, program, "names", "csv").status_code == 404
    assert _download(client, program, "days", "pdf").status_code == 404


def test_export_command_shares_the_code_path(cohort, tmp_path):
    from django.core.management import call_command

    program, _, mentees = cohort
    out = tmp_path / "days.csv"
    call_command(
        "export_outcomes",
        "--program",
        program.slug,
        "--kind",
        "days",
        "--format",
        "csv",
        "--output",
        str(out),
    )
    text = out.read_text()
    assert text.startswith("research_id,") and mentees[0].participant_id not in text
    assert exports.research_ids(program, [mentees[0].pk])[mentees[0].pk] in text
    assert AuditEntry.objects.filter(action="export", actor=None).count() == 1


@pytest.mark.parametrize("kind", exports.KINDS)
def test_a_background_job_writes_the_same_file_as_the_direct_download(
    client, cohort, settings, tmp_path, kind
):
    from outcomes.export_jobs import export_job_run
    from outcomes.models import ExportJob

    settings.MEDIA_ROOT = tmp_path
    program, staff, (a, *_rest) = cohort
    Substance.objects.create(program=program, name="-dash")
    use_reports_import(
        actor=None,
        program=program,
        rows=[
            {
                "mentee_id": a.pk,
                "day": a.enrolled_on - timedelta(days=3),  # before enrollment: day -2, week 0
                "used": True,
                "substances": ["-dash", "Alcohol"],
                "source": Source.LAB,
            }
        ],
    )
    from outcomes.models import UseDay

    UseDay.objects.filter(mentee=a, day=a.enrolled_on - timedelta(days=3)).update(amount=2.5)
    client.force_login(staff)
    direct = {
        fmt: b"".join(_download(client, program, kind, fmt).streaming_content)
        for fmt in exports.FORMATS
    }
    for fmt in exports.FORMATS:
        job = ExportJob.objects.create(program=program, requested_by=staff, kind=kind, fmt=fmt)
        export_job_run(job_id=job.pk)
        job.refresh_from_db()
        written = job.file.read()
        if fmt == "csv":
            assert written == direct["csv"]
        else:  # a workbook carries no time of writing: the same bytes too
            assert written == direct["xlsx"]
    # The CSV and the workbook hold the same cells (the workbook keeps numbers as numbers).
    rows = list(csv.reader(io.StringIO(direct["csv"].decode())))
    sheet = list(load_workbook(io.BytesIO(direct["xlsx"])).active.values)

    def cell(value):
        try:
            return float(value)
        except (TypeError, ValueError):
            return "" if value is None else value

    assert [[cell(v) for v in row] for row in rows] == [[cell(v) for v in row] for row in sheet]
    if kind == "days":
        assert "'-dash; Alcohol" in direct["csv"].decode()
        key = exports.research_ids(program, [a.pk])[a.pk]
        assert [key, "mentored", "-2", "baseline", "0"] in [r[:5] for r in rows]
        assert any(r[8] == "2.5" for r in rows)


def test_a_window_that_has_not_begun_gives_no_figures_rather_than_zeros(client, db):
    program = factories.ProgramFactory(slug="young")
    mentee = factories.MenteeProfileFactory(program=program, enrolled_on=program.today())
    log_days(program, mentee, ".")
    staff = factories.make_user_with_role("staff", program)
    client.force_login(staff)
    summary = client.get(reverse("outcomes:report", kwargs={"slug": program.slug})).context[
        "summary"
    ]
    follow_up = {row.label: row for row in summary["tables"][1]["rows"]}
    assert follow_up["Recorded days"].by_arm["mentored"].n == 0
    active = {row.label: row for row in summary["tables"][0]["rows"]}
    assert active["Recorded days"].by_arm["mentored"].n == 1
    assert summary["retention"]["mentored"]["eligible"] == 0


def test_a_background_export_shows_progress_and_offers_the_file(
    client, cohort, django_capture_on_commit_callbacks, settings, tmp_path
):
    from outcomes.export_jobs import export_job_run
    from outcomes.models import ExportJob

    settings.MEDIA_ROOT = tmp_path
    program, staff, (a, *_rest) = cohort
    client.force_login(staff)
    url = reverse(
        "outcomes:export_job_start", kwargs={"slug": program.slug, "kind": "days", "fmt": "csv"}
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(url)
    assert response.status_code == 302 and len(callbacks) == 1  # sent only after commit
    job = ExportJob.objects.get()
    page = client.get(response["Location"])
    assert b"<progress" in page.content and b"Waiting for a worker" in page.content
    export_job_run(job_id=job.pk)
    export_job_run(job_id=job.pk)  # a redelivered message changes nothing
    kwargs = {"slug": program.slug, "job_pk": job.pk}
    progress = client.get(reverse("outcomes:export_job_progress", kwargs=kwargs)).json()
    assert progress == {"status": "done", "label": "Ready", "percent": 100}
    download = client.get(reverse("outcomes:export_job_download", kwargs=kwargs))
    text = b"".join(download.streaming_content).decode()
    direct = b"".join(_download(client, program, "days", "csv").streaming_content).decode()
    assert list(csv.reader(io.StringIO(text))) == list(csv.reader(io.StringIO(direct)))
    assert AuditEntry.objects.filter(action="export", actor=staff).count() == 2


def test_export_files_are_deleted_after_a_week_and_the_page_says_so(
    client, cohort, settings, tmp_path
):
    from outcomes.export_jobs import export_job_run, export_jobs_expire
    from outcomes.models import ExportJob

    settings.MEDIA_ROOT = tmp_path
    program, staff, _ = cohort
    old, recent = (
        ExportJob.objects.create(program=program, requested_by=staff, kind="days", fmt="csv")
        for _ in range(2)
    )
    for job in (old, recent):
        export_job_run(job_id=job.pk)
    old.refresh_from_db()
    recent.refresh_from_db()
    old_file = Path(old.file.path)
    assert old_file.exists()
    ExportJob.objects.filter(pk=old.pk).update(finished_at=timezone.now() - timedelta(days=8))
    assert export_jobs_expire() == 1
    assert export_jobs_expire() == 0  # nothing left to do on the next run
    old.refresh_from_db()
    assert old.status == "expired" and not old.file and not old_file.exists()
    assert Path(recent.file.path).exists()
    assert AuditEntry.objects.filter(
        action="delete", object_type="outcomes.export", object_id=str(old.pk), actor=None
    ).exists()
    client.force_login(staff)
    kwargs = {"slug": program.slug, "job_pk": old.pk}
    page = client.get(reverse("outcomes:export_job", kwargs=kwargs)).content.decode()
    assert "This file has been deleted" in page
    assert client.get(reverse("outcomes:export_job_download", kwargs=kwargs)).status_code == 404
    download = client.get(
        reverse("outcomes:export_job_download", kwargs={"slug": program.slug, "job_pk": recent.pk})
    )
    assert download.status_code == 200


def test_a_check_in_export_job_counts_its_progress_in_check_ins(cohort, settings, tmp_path):
    from outcomes.export_jobs import export_job_run
    from outcomes.models import ExportJob

    settings.MEDIA_ROOT = tmp_path
    program, staff, (a, *_rest) = cohort
    match = a.matches.get()
    # A fourth check-in inside a completed window (a de-identified export leaves out later ones).
    in_window = datetime.combine(a.enrolled_on + timedelta(days=20), time(12), program.tzinfo)
    factories.CheckInFactory(
        match=match, scheduled_at=in_window, status="completed", actual_minutes=30
    )
    job = ExportJob.objects.create(program=program, requested_by=staff, kind="checkins", fmt="csv")
    export_job_run(job_id=job.pk)
    job.refresh_from_db()
    rows = list(csv.reader(io.StringIO(job.file.read().decode())))[1:]
    # Three mentees but four check-ins: the bar's 100% is the rows the file holds.
    assert job.rows_total == job.rows_done == len(rows) == 4
    assert job.percent == 100


def test_the_sql_and_python_neutralisation_are_one_rule(db):
    texts = [c + "x" for c in exports.DANGEROUS_START] + ["x", "'=x", " =x", "", "a-b"]
    with connection.cursor() as cursor:
        for text in texts:
            sql = f"SELECT {exports._neutralised_sql('%(text)s::text')}"  # noqa: S608
            cursor.execute(sql, {"text": text})
            assert cursor.fetchone()[0] == exports.neutralise(text), repr(text)

"""CSV import of use days: row-by-row report, all-or-nothing, one code path for page and command."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from mentorship.models import AuditEntry
from outcomes.assessment_imports import assessments_file_import
from outcomes.importing import use_days_import
from outcomes.models import Assessment, Source, UseDay, UseReport
from tests import factories


@pytest.fixture
def setup(db):
    program = factories.ProgramFactory()
    mentee = factories.MenteeProfileFactory(program=program)
    coordinator = factories.make_user_with_role("coordinator", program)
    return program, mentee, coordinator


def csv_for(mentee, *lines):
    return ("participant_id,date,used,substances,source\n" + "\n".join(lines) + "\n").format(
        pid=mentee.participant_id, d0=mentee.enrolled_on, d1=mentee.enrolled_on + timedelta(days=1)
    )


def test_good_rows_are_imported_with_their_sources(setup):
    program, mentee, coordinator = setup
    text = csv_for(
        mentee,
        "{pid},{d0},no,,self-report",
        "{pid},{d1},yes,Alcohol; cannabis,lab test",
        "{pid},{d0},yes,Alcohol,",
    )
    result = use_days_import(program=program, data=text.encode(), actor=coordinator)
    assert result.ok and result.written == 3
    days = dict(UseDay.objects.filter(mentee=mentee).values_list("day", "used"))
    # Day 1: the self-report counts over the import (default rule); day 2: positive lab test.
    assert days == {mentee.enrolled_on: False, mentee.enrolled_on + timedelta(days=1): True}
    second = UseDay.objects.get(mentee=mentee, day=mentee.enrolled_on + timedelta(days=1))
    assert second.substances == ["Alcohol", "Cannabis"] and second.source == Source.LAB
    assert AuditEntry.objects.filter(object_id="import", person=mentee.user).count() == 1


def test_one_bad_row_imports_nothing_and_every_bad_row_is_named(setup):
    program, mentee, coordinator = setup
    future = program.today() + timedelta(days=3)
    other = factories.MenteeProfileFactory()  # a different program
    text = csv_for(
        mentee,
        "{pid},{d0},no,,self",
        "P-NOTHERE,{d0},no,,self",
        "{pid},14/03/2026,no,,self",
        f"{{pid}},{future},no,,self",
        "{pid},{d1},maybe,,self",
        "{pid},{d1},yes,Glue,self",
        "{pid},{d1},no,,carrier pigeon",
        f"{other.participant_id},{{d0}},no,,self",
        "{pid},{d0},no,,self",
    )
    result = use_days_import(program=program, data=text.encode(), actor=coordinator)
    assert not result.ok
    lines = dict(result.errors)
    assert sorted(lines) == [3, 4, 5, 6, 7, 8, 9, 10]
    assert "not in this program" in lines[3]
    assert "YYYY-MM-DD" in lines[4]
    assert "has not happened yet" in lines[5]
    assert "yes or no" in lines[6]
    assert "unknown substance" in lines[7].lower()
    assert "unknown source" in lines[8].lower()
    assert "Same participant, date and source as row 2" in lines[10]
    assert not UseReport.objects.exists() and not UseDay.objects.exists()


@pytest.mark.parametrize(
    "data, message",
    [
        (b"name,when\nx,y\n", "Missing column"),
        (b"participant_id,date,used\n", "no data rows"),
        ("participant_id,date,used\nP-\xe9,2026-01-01,yes\n".encode("latin-1"), "not UTF-8"),
        (b"participant_id,date,used\x00\x00\x01", "binary data"),
    ],
)
def test_a_malformed_file_is_refused_with_a_message(setup, data, message):
    program, _, coordinator = setup
    result = use_days_import(program=program, data=data, actor=coordinator)
    assert message in " ".join(m for _, m in result.errors)


def test_the_command_shares_the_code_path_and_supports_dry_run(setup, tmp_path):
    program, mentee, _ = setup
    path = tmp_path / "days.csv"
    path.write_text(csv_for(mentee, "{pid},{d0},no,,self"))
    call_command("import_use_days", str(path), "--program", program.slug, "--dry-run")
    assert not UseReport.objects.exists()
    call_command("import_use_days", str(path), "--program", program.slug)
    assert UseDay.objects.get(mentee=mentee).used is False
    path.write_text(csv_for(mentee, "{pid},not-a-date,no,,self"))
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_use_days", str(path), "--program", program.slug)
    with pytest.raises(CommandError, match="No program"):
        call_command("import_use_days", str(path), "--program", "nope")


def test_the_upload_page_reports_bad_rows_and_imports_good_files(client, setup):
    program, mentee, coordinator = setup
    client.force_login(coordinator)
    url = reverse("outcomes:import", kwargs={"slug": program.slug})
    bad = SimpleUploadedFile("d.csv", csv_for(mentee, "{pid},{d0},perhaps,,self").encode())
    response = client.post(url, {"file": bad})
    assert response.status_code == 400
    assert b"Line" in response.content and b"yes or no" in response.content
    assert not UseReport.objects.exists()
    good = SimpleUploadedFile("d.csv", csv_for(mentee, "{pid},{d0},yes,,self").encode())
    response = client.post(url, {"file": good})
    # Upload shows the preview and writes nothing; the confirmation writes the previewed file.
    assert response.status_code == 200 and b"Preview: nothing is written yet" in response.content
    assert not UseReport.objects.exists()
    token = response.context["confirm_form"].initial["token"]
    confirm = reverse("outcomes:import_confirm", kwargs={"slug": program.slug})
    response = client.post(confirm, {"token": token}, follow=True)
    assert b"Imported 1 row: 1 new, 0 unchanged, 0 changed, 0 conflicting" in response.content
    assert UseDay.objects.get(mentee=mentee).used is True
    # The token is spent: confirming twice writes nothing more.
    response = client.post(confirm, {"token": token}, follow=True)
    assert b"no longer kept" in response.content and UseReport.objects.count() == 1


def test_the_preview_page_lists_changed_answers_and_conflicts(client, setup):
    program, mentee, coordinator = setup
    use_days_import(
        program=program,
        data=csv_for(mentee, "{pid},{d0},no,,self", "{pid},{d1},no,,self").encode(),
        actor=coordinator,
    )
    client.force_login(coordinator)
    url = reverse("outcomes:import", kwargs={"slug": program.slug})
    upload = SimpleUploadedFile(
        "d.csv", csv_for(mentee, "{pid},{d0},yes,Alcohol,self", "{pid},{d1},yes,,lab").encode()
    )
    page = client.post(url, {"file": upload}).content.decode()
    assert f"<td>{mentee.participant_id}</td><td>{mentee.enrolled_on:%Y-%m-%d}</td>" in page
    assert "<td>no</td><td>yes (Alcohol)</td>" in page
    assert "Lab or biological test: yes; Self-report: no" in page
    assert UseReport.objects.count() == 2


def test_reimporting_on_the_page_says_there_is_nothing_to_import(client, setup):
    program, mentee, coordinator = setup
    text = csv_for(mentee, "{pid},{d0},no,,self").encode()
    use_days_import(program=program, data=text, actor=coordinator)
    client.force_login(coordinator)
    url = reverse("outcomes:import", kwargs={"slug": program.slug})
    response = client.post(url, {"file": SimpleUploadedFile("d.csv", text)})
    assert b"there is nothing to import" in response.content
    assert "confirm_form" not in response.context


# --- One header and date rule for every import; use-day re-imports, changes, baseline window


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (
            "participant_id,date,used,substance",
            "Unknown column “substance”. Expected columns: participant_id, date, used, "
            "substances, source.",
        ),
        ("participant_id,date,used,notes", "Unknown column “notes”"),
        ("participant_id,used", "Missing column(s): date. Expected columns:"),
    ],
)
def test_unknown_or_missing_columns_are_refused_with_the_expected_list(setup, header, message):
    program, mentee, coordinator = setup
    text = f"{header}\n{mentee.participant_id},{mentee.enrolled_on},no,x\n"
    result = use_days_import(program=program, data=text.encode(), actor=coordinator)
    assert not result.ok and result.errors[0][0] == 1
    assert message in " ".join(m for _, m in result.errors)
    assert not UseReport.objects.exists()


@pytest.mark.parametrize("written", ["03/06/2026", "2026/03/06", "6 March 2026", "2026-3-6"])
def test_a_date_not_written_iso_is_refused_with_the_row_and_the_form(setup, written):
    program, mentee, coordinator = setup
    text = csv_for(mentee, "{pid},{d0},no,,self", f"{{pid}},{written},no,,self")
    result = use_days_import(program=program, data=text.encode(), actor=coordinator)
    [(line, message)] = result.errors
    assert line == 3 and written in message and "YYYY-MM-DD" in message
    assert not UseReport.objects.exists()


def test_reimporting_the_same_file_changes_nothing_and_says_unchanged(setup):
    program, mentee, coordinator = setup
    text = csv_for(mentee, "{pid},{d0},no,,self", "{pid},{d1},yes,Alcohol,self").encode()
    first = use_days_import(program=program, data=text, actor=coordinator)
    assert (first.new, first.unchanged, first.changed, first.written) == (2, 0, 0, 2)
    again = use_days_import(program=program, data=text, actor=coordinator)
    assert again.ok and (again.new, again.unchanged, again.changed, again.written) == (
        2 - 2,
        2,
        0,
        0,
    )
    assert "0 new, 2 unchanged, 0 changed, 0 conflicting" in again.summary()
    assert UseReport.objects.count() == 2


def test_a_changed_answer_is_listed_in_the_preview_and_kept_in_history(setup):
    program, mentee, coordinator = setup
    use_days_import(
        program=program, data=csv_for(mentee, "{pid},{d0},no,,self").encode(), actor=coordinator
    )
    flipped = csv_for(mentee, "{pid},{d0},yes,Alcohol,self").encode()
    preview = use_days_import(program=program, data=flipped, actor=coordinator, dry_run=True)
    [change] = preview.changes
    assert (change.participant_id, change.day, change.old, change.new) == (
        mentee.participant_id,
        mentee.enrolled_on,
        "no",
        "yes (Alcohol)",
    )
    assert UseReport.objects.count() == 1  # a preview writes nothing
    done = use_days_import(program=program, data=flipped, actor=coordinator)
    assert done.changed == 1 and done.written == 1
    history = list(UseReport.objects.filter(mentee=mentee).values_list("used", flat=True))
    assert history == [False, True]
    assert UseDay.objects.get(mentee=mentee).used is True


def test_a_conflict_between_sources_is_listed_with_the_rules_outcome(setup):
    program, mentee, coordinator = setup
    use_days_import(
        program=program, data=csv_for(mentee, "{pid},{d0},no,,self").encode(), actor=coordinator
    )
    lab = csv_for(mentee, "{pid},{d0},yes,,lab test").encode()
    result = use_days_import(program=program, data=lab, actor=coordinator, dry_run=True)
    [conflict] = result.conflicts
    assert conflict.day == mentee.enrolled_on
    assert (
        "Self-report: no" in conflict.answers and "Lab or biological test: yes" in conflict.answers
    )
    assert conflict.counted.startswith("yes (Lab")  # a positive lab test wins by default
    assert result.summary().startswith("1 new, 0 unchanged, 0 changed, 1 conflicting")


@pytest.mark.parametrize(
    ("days_before", "accepted"), [(1, True), (90, True), (91, False), (13 * 365, False)]
)
def test_days_before_enrollment_only_inside_the_baseline_window(setup, days_before, accepted):
    program, mentee, coordinator = setup
    day = mentee.enrolled_on - timedelta(days=days_before)
    text = csv_for(mentee, f"{{pid}},{day},no,,self").encode()
    result = use_days_import(program=program, data=text, actor=coordinator)
    assert result.ok is accepted, result.errors
    if accepted:
        assert result.baseline == 1 and UseReport.objects.get().day == day
    else:
        assert "outside the 90-day baseline window" in result.errors[0][1]
        assert not UseReport.objects.exists()


def test_the_baseline_window_is_a_program_setting(setup):
    from outcomes.models import OutcomeSettings

    program, mentee, coordinator = setup
    OutcomeSettings.objects.create(program=program, baseline_days=7)
    day = mentee.enrolled_on - timedelta(days=8)
    text = csv_for(mentee, f"{{pid}},{day},no,,self").encode()
    result = use_days_import(program=program, data=text, actor=coordinator)
    assert "outside the 7-day baseline window" in result.errors[0][1]


def test_the_command_reports_the_summary(setup, tmp_path, capsys):
    program, mentee, _ = setup
    path = tmp_path / "days.csv"
    path.write_text(csv_for(mentee, "{pid},{d0},no,,self"))
    call_command("import_use_days", str(path), "--program", program.slug)
    call_command("import_use_days", str(path), "--program", program.slug, "--dry-run")
    out = capsys.readouterr().out
    assert "0 new, 1 unchanged, 0 changed, 0 conflicting" in out


@pytest.mark.parametrize(
    "file_import", [use_days_import, assessments_file_import], ids=["use days", "assessments"]
)
@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("participant_id\nÁlvarez\n".encode("latin-1"), "The file is not UTF-8 text."),
        # A cell past the csv module's field limit: the reader refuses the file.
        (b'"' + b"x" * 200_000 + b'"\n', "The file is not valid CSV:"),
    ],
    ids=["not utf-8", "not csv"],
)
def test_a_file_that_cannot_be_read_is_one_bad_row_and_nothing_is_written(
    setup, file_import, data, message
):
    program, _, coordinator = setup
    result = file_import(program=program, data=data, actor=coordinator)
    assert [(line, text[: len(message)]) for line, text in result.errors] == [(1, message)]
    assert not result.dry_run and result.written == 0
    assert not UseReport.objects.exists() and not Assessment.objects.exists()

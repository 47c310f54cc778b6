"""CSV import of use days: row-by-row report, all-or-nothing, one code path for page and command."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from mentorship.models import AuditEntry
from outcomes.importing import use_days_import
from outcomes.models import Source, UseDay, UseReport
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
    assert message in result.errors[0][1]


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
    good = SimpleUploadedFile("d.csv", csv_for(mentee, "{pid},{d0},yes,,self").encode())
    response = client.post(url, {"file": good, "dry_run": ""})
    assert response.status_code == 200 and b"Imported 1 rows" in response.content
    assert UseDay.objects.get(mentee=mentee).used is True

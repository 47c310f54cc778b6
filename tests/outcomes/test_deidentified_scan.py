"""De-identification that holds (issue #13): every de-identified export, CSV and XLSX (the
workbook's internal XML and its zip entries too), of people enrolled yesterday and a year ago
holds no name, e-mail, phone, screen participant ID or date finer than a year; rows stop at each
person's last completed 12-week window and a running window shows no day count."""

import csv
import io
import re
import zipfile
from datetime import datetime, time, timedelta

import pytest
from django.urls import reverse

from outcomes import exports
from outcomes.models import Interview, Source
from outcomes.services import use_reports_import
from tests import factories

EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")
PHONE = re.compile(r"\(?\d{3}\)?[ .-]\d{3}[ .-]\d{4}")
# YYYY-MM-DD, MM/DD(/YY), and ISO timestamps (the dates inside docProps/core.xml)
FINER_THAN_YEAR = re.compile(r"\d{4}-\d{2}-\d{2}|\b\d{1,2}/\d{1,2}\b|\d{4}-\d{2}T|T\d{2}:\d{2}")


@pytest.fixture
def two_people(db):
    program = factories.ProgramFactory(slug="scan")
    today = program.today()
    staff = factories.make_user_with_role("staff", program)
    people = []
    for ago in (1, 365):
        enrolled = today - timedelta(days=ago)
        mentee = factories.MenteeProfileFactory(program=program, enrolled_on=enrolled)
        days = [enrolled + timedelta(days=n) for n in range(ago + 1)]
        use_reports_import(
            actor=None,
            program=program,
            rows=[
                {"mentee_id": mentee.pk, "day": d, "used": d.day == 5, "substances": []}
                | {"source": Source.SELF}
                for d in days
            ],
        )
        match = factories.MatchFactory(program=program, mentee=mentee)
        for n in (0, ago):
            at = datetime.combine(enrolled + timedelta(days=n), time(12), program.tzinfo)
            factories.CheckInFactory(match=match, scheduled_at=at, status="completed")
        Interview.objects.create(
            mentee=mentee, point="intake", held_on=enrolled, outcome="completed"
        )
        people.append(mentee)
    return program, staff, people


def _body(client, program, kind, fmt) -> bytes:
    url = reverse("outcomes:export", kwargs={"slug": program.slug, "kind": kind, "fmt": fmt})
    response = client.get(url)
    assert response.status_code == 200
    assert re.fullmatch(
        rf'attachment; filename="{program.slug}-{kind}-deidentified\.{fmt}"',
        response["Content-Disposition"],
    )
    return b"".join(response.streaming_content)


def _texts(body: bytes, fmt: str) -> list[str]:
    """The file's text: the CSV, or every part of the workbook's archive."""
    if fmt == "csv":
        return [body.decode()]
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        for entry in archive.infolist():  # the archive's own write times
            assert entry.date_time == (1980, 1, 1, 0, 0, 0), entry.filename
        return [archive.read(name).decode() for name in archive.namelist()]


@pytest.mark.parametrize("fmt", exports.FORMATS)
@pytest.mark.parametrize("kind", exports.KINDS)
def test_no_export_reveals_a_person_or_a_date(client, two_people, kind, fmt):
    program, staff, people = two_people
    client.force_login(staff)
    texts = _texts(_body(client, program, kind, fmt), fmt)
    everything = "\n".join(texts)
    assert not EMAIL.search(everything) and not PHONE.search(everything)
    assert not FINER_THAN_YEAR.search(everything), FINER_THAN_YEAR.search(everything)
    for mentee in people:
        for found in (mentee.participant_id, mentee.user.email, mentee.display_name):
            assert found not in everything
    # The same file twice is the same bytes: no moment of export inside.
    assert _body(client, program, kind, fmt) == _body(client, program, kind, fmt)


def _rows(client, program, kind):
    text = _body(client, program, kind, "csv").decode()
    return list(csv.DictReader(io.StringIO(text)))


def test_rows_stop_at_the_last_completed_window(client, two_people):
    program, staff, (recent, year) = two_people
    client.force_login(staff)
    ids = exports.research_ids(program, [recent.pk, year.pk])
    days = _rows(client, program, "days")
    assert {r["research_id"] for r in days} == {ids[year.pk]}  # yesterday's: nothing complete
    assert max(int(r["day_number"]) for r in days) == 336  # 4 x 12 weeks of 365 days
    checkins = _rows(client, program, "checkins")
    assert [r["day_number"] for r in checkins] == ["1"]  # not the one on day 366
    assert [r["research_id"] for r in _rows(client, program, "interviews")] == [ids[year.pk]]
    people = {r["research_id"]: r for r in _rows(client, program, "participants")}
    assert people[ids[recent.pk]]["w1_12_window_days"] == exports.IN_PROGRESS
    assert people[ids[recent.pk]]["w1_12_recorded_days"] == ""
    assert people[ids[recent.pk]]["w13_24_window_days"] == ""  # not begun
    assert people[ids[year.pk]]["w13_24_window_days"] == "84"


def test_the_research_id_is_stable_per_program_and_not_the_screen_id(two_people):
    program, _, (recent, _) = two_people
    other = factories.ProgramFactory()
    first = exports.research_ids(program, [recent.pk])[recent.pk]
    assert exports.research_ids(program, [recent.pk])[recent.pk] == first
    assert exports.research_ids(other, [recent.pk])[recent.pk] != first
    assert recent.participant_id.removeprefix("P-") not in first

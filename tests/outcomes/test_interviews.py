"""Follow-up interviews: due dates and windows, the in-window rule, the follow-up rate, the
week's lists, the coordinator-only pages and locator data, and the interview export."""

import csv
import io
from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine
from django.urls import reverse

from accounts.models import MenteeProfile
from mentorship.models import AuditEntry
from notifications.models import Notification
from outcomes import exports, followup_notices, interviews
from outcomes.models import Interview, InterviewSchedule, Locator, Source
from outcomes.services import use_reports_import
from tests import factories
from tests.conftest import page_queries

Point, Outcome = Interview.Point, Interview.Outcome


def _midday(day: date) -> datetime:
    """Noon in UTC is the same calendar day in every program's time zone we test with."""
    return datetime.combine(day, time(16, 0), tzinfo=UTC)


# --- Due dates and windows (calendar months, dateutil's relativedelta)


@pytest.mark.parametrize(
    ("intake", "due", "opens", "closes"),
    [
        # An ordinary month: due on the same day 6 months on; 30 days before, 60 after.
        (date(2025, 1, 15), date(2025, 7, 15), date(2025, 6, 15), date(2025, 9, 13)),
        # The 31st into a month of 30 days: the last day of that month.
        (date(2025, 3, 31), date(2025, 9, 30), date(2025, 8, 31), date(2025, 11, 29)),
        # The 31st of August into February: the 28th, or the 29th in a leap year.
        (date(2025, 8, 31), date(2026, 2, 28), date(2026, 1, 29), date(2026, 4, 29)),
        (date(2023, 8, 31), date(2024, 2, 29), date(2024, 1, 30), date(2024, 4, 29)),
        # A leap day intake: 29 August; and the window crosses into the next year.
        (date(2024, 2, 29), date(2024, 8, 29), date(2024, 7, 30), date(2024, 10, 28)),
        (date(2025, 9, 30), date(2026, 3, 30), date(2026, 2, 28), date(2026, 5, 29)),
    ],
)
def test_six_month_due_date_and_window(intake, due, opens, closes):
    found = interviews.window(Point.MONTH_6, intake=intake)
    assert (found.due, found.opens, found.closes) == (due, opens, closes)


def test_three_month_intake_and_discharge_windows():
    three = interviews.window(Point.MONTH_3, intake=date(2024, 11, 30))
    assert three.due == date(2025, 2, 28)
    intake = interviews.window(Point.INTAKE, intake=date(2025, 1, 1))
    assert (intake.opens, intake.closes) == (date(2025, 1, 1), date(2025, 1, 31))
    assert interviews.window(Point.DISCHARGE, intake=date(2025, 1, 1)) is None
    discharge = interviews.window(
        Point.DISCHARGE, intake=date(2025, 1, 1), discharged_on=date(2025, 5, 1)
    )
    assert (discharge.opens, discharge.closes) == (date(2025, 4, 17), date(2025, 5, 15))


@pytest.mark.parametrize(
    ("held_on", "counts"),
    [
        (date(2025, 6, 14), False),  # a day before the window opens
        (date(2025, 6, 15), True),  # the first day
        (date(2025, 7, 15), True),  # the due date
        (date(2025, 9, 13), True),  # the last day
        (date(2025, 9, 14), False),  # a day late: kept, does not count
    ],
)
def test_in_window_edges(held_on, counts):
    interview = Interview(point=Point.MONTH_6, held_on=held_on, outcome=Outcome.COMPLETED)
    assert interviews.in_window(interview, intake=date(2025, 1, 15)) is counts


# --- The rate, the coverage and the week's lists, against hand-computed values


def _mentee(program, enrolled_on, arm=MenteeProfile.Arm.MENTORED):
    return factories.MenteeProfileFactory(program=program, enrolled_on=enrolled_on, study_arm=arm)


def _interview(mentee, point, held_on, outcome=Outcome.COMPLETED):
    return Interview.objects.create(mentee=mentee, point=point, held_on=held_on, outcome=outcome)


@pytest.fixture
def cohort(db):
    """Today is 2026-03-03. Six people enrolled 2025-07-01 (due 2026-01-01, window 2025-12-02
    to 2026-03-02: 30 days before, 60 after, through February's 28 days; closed yesterday) and
    two whose window is still open:

    a: intake done, follow-up completed in window          -> counts 1/1
    b: intake done, follow-up completed a day late         -> 0/1 (kept, not counted)
    c: intake done, follow-up refused in window            -> 0/1
    d: intake done, no follow-up                           -> 0/1 (missed yesterday)
    e: intake done out of its window (day 31 + 1)          -> not an intake
    f: comparison arm, intake done, follow-up in window    -> 1/1 in its arm
    g: enrolled 2025-09-20, intake done, window open until 2026-05-19 -> not yet due
    h: enrolled 2025-09-20, no intake (missed)             -> not an intake
    Everyone: 5 intakes whose window closed (a b c d f), 2 completed in window -> 40 %.
    Intake coverage: a b c d f g done in window = 6 of 8.
    """
    program = factories.ProgramFactory()
    july, september = date(2025, 7, 1), date(2025, 9, 20)
    people = {name: _mentee(program, july) for name in "abcde"}
    people["f"] = _mentee(program, july, MenteeProfile.Arm.COMPARISON)
    people["g"] = _mentee(program, september)
    people["h"] = _mentee(program, september)
    for name in "abcdfg":
        _interview(people[name], Point.INTAKE, people[name].enrolled_on + timedelta(days=3))
    _interview(people["e"], Point.INTAKE, july + timedelta(days=31))
    _interview(people["a"], Point.MONTH_6, date(2026, 1, 5))
    _interview(people["b"], Point.MONTH_6, date(2026, 3, 3))
    _interview(people["c"], Point.MONTH_6, date(2026, 1, 10), Outcome.REFUSED)
    _interview(people["f"], Point.MONTH_6, date(2026, 2, 27))
    return program, people


TODAY = date(2026, 3, 3)


def test_follow_up_rate_and_intake_coverage(cohort):
    program, _people = cohort
    state = interviews.follow_up_read(program=program, today=TODAY)
    rate = interviews.follow_up_rate(state, Point.MONTH_6)
    assert (rate.numerator, rate.denominator) == (2, 5)
    assert rate.percent == pytest.approx(40.0)
    coverage = interviews.intake_coverage(state)
    assert (coverage.numerator, coverage.denominator) == (6, 8)
    by_arm = {row["arm"]: row for row in interviews.follow_up_summary(program=program, today=TODAY)}
    assert (
        by_arm["mentored"]["headline"].numerator,
        by_arm["mentored"]["headline"].denominator,
    ) == (1, 4)
    assert (
        by_arm["comparison"]["headline"].numerator,
        by_arm["comparison"]["headline"].denominator,
    ) == (1, 1)


def test_one_arm_schedule_counts_only_that_arm(cohort):
    program, _people = cohort
    InterviewSchedule.objects.create(program=program, arm=MenteeProfile.Arm.COMPARISON)
    state = interviews.follow_up_read(program=program, today=TODAY)
    assert len(state.people) == 1
    rate = interviews.follow_up_rate(state, Point.MONTH_6)
    assert (rate.numerator, rate.denominator) == (1, 1)


def test_week_lists_opening_closing_missed(db):
    program = factories.ProgramFactory()
    today = date(2026, 3, 2)
    # Month-6 window opens = due - 30 days. Due 2026-04-05 -> opens 2026-03-06 (in 4 days).
    opening = _mentee(program, date(2025, 10, 5))
    # Opens in 7 days (2026-03-09): next week, not this one.
    later = _mentee(program, date(2025, 10, 8))
    # Closes = due + 60. Due 2026-01-03 -> closes 2026-03-04 (in 2 days).
    closing = _mentee(program, date(2025, 7, 3))
    # The same window, already done: on no list.
    done = _mentee(program, date(2025, 7, 3))
    # Closed 2026-02-28 (due 2025-12-30, intake 2025-06-30): missed 2 days ago.
    missed = _mentee(program, date(2025, 6, 30))
    # Closed 8 days ago (2026-02-22): no longer this week's news.
    old = _mentee(program, date(2025, 6, 24))
    for person in (opening, later, closing, done, missed, old):
        _interview(person, Point.INTAKE, person.enrolled_on)
    _interview(done, Point.MONTH_6, date(2026, 2, 1))
    lists = interviews.week_lists(interviews.follow_up_read(program=program, today=today))
    assert [(p.mentee, p.point) for p in lists.opening] == [(opening, Point.MONTH_6)]
    assert [(p.mentee, p.point) for p in lists.closing] == [(closing, Point.MONTH_6)]
    assert [(p.mentee, p.point) for p in lists.missed] == [(missed, Point.MONTH_6)]


# --- Recording, the pages and who reaches them


def _url(name, world, **kwargs):
    return reverse(f"outcomes:{name}", kwargs=kwargs or {"mentee_pk": world.mentee_profile.pk})


def test_coordinator_records_an_interview_audited_and_flagged(client, world):
    client.force_login(world.coordinator)
    mentee = world.mentee_profile
    mentee.enrolled_on = world.program.today() - timedelta(days=40)
    mentee.save(update_fields=["enrolled_on"])
    late = mentee.enrolled_on + timedelta(days=31)  # the intake window is days 0-30
    response = client.post(
        _url("interviews", world),
        {
            "point": Point.INTAKE,
            "held_on": late.isoformat(),
            "outcome": Outcome.COMPLETED,
            "conducted_by": world.coordinator.pk,
        },
    )
    assert response.status_code == 302
    page = client.get(_url("interviews", world)).content.decode()
    interview = Interview.objects.get(mentee=mentee)
    assert interview.conducted_by == world.coordinator and interview.held_on == late
    assert "no (kept, does not count)" in page
    entry = AuditEntry.objects.get(object_type="outcomes.interview", action="create")
    assert entry.person_id == mentee.user_id and "outcome" in entry.fields


@pytest.mark.parametrize("held_on", ["2999-01-01", "0001-01-01", "NaN", "\x00"])
def test_far_or_bad_dates_are_refused(client, world, held_on):
    client.force_login(world.coordinator)
    response = client.post(
        _url("interviews", world),
        {"point": Point.INTAKE, "held_on": held_on, "outcome": Outcome.COMPLETED},
    )
    assert response.status_code == 400
    assert not Interview.objects.exists()


@pytest.mark.parametrize("conducted_by", ["99999999999999999999", "NaN", "\x00", "-1"])
def test_an_unknown_interviewer_is_refused(client, world, conducted_by):
    client.force_login(world.coordinator)
    response = client.post(
        _url("interviews", world),
        {
            "point": Point.INTAKE,
            "held_on": world.mentee_profile.enrolled_on.isoformat(),
            "outcome": Outcome.COMPLETED,
            "conducted_by": conducted_by,
        },
    )
    assert response.status_code == 400
    assert not Interview.objects.exists()


def test_a_point_the_program_does_not_use_is_refused(client, world):
    client.force_login(world.coordinator)
    response = client.post(
        _url("interviews", world),
        {
            "point": Point.MONTH_3,
            "held_on": world.mentee_profile.enrolled_on,
            "outcome": "completed",
        },
    )
    assert response.status_code == 400 and not Interview.objects.exists()


def _locator(world):
    return Locator.objects.create(
        mentee=world.mentee_profile,
        phones="555-0199",
        addresses="1 Hidden Lane",
        contacts="Aunt, 555-0123",
        participant_agreed=True,
    )


@pytest.mark.parametrize("who", ["mentor", "mentee", "staff", "other_coordinator", "other_mentor"])
def test_locator_is_404_for_everyone_but_coordinators(client, world, who):
    _locator(world)
    client.force_login(getattr(world, who))
    assert client.get(_url("locator", world)).status_code == 404
    assert client.get(_url("interviews", world)).status_code == 404
    assert not AuditEntry.objects.filter(action="view", object_type="outcomes.locator").exists()


def test_coordinator_sees_locator_and_each_view_is_audited(client, world):
    locator = _locator(world)
    client.force_login(world.coordinator)
    for _ in range(2):
        page = client.get(_url("locator", world)).content.decode()
        assert "1 Hidden Lane" in page and "555-0123" in page
    views = AuditEntry.objects.filter(
        action="view", object_type="outcomes.locator", object_id=str(locator.pk)
    )
    assert views.count() == 2
    assert {v.person_id for v in views} == {world.mentee_profile.user_id}


def test_locator_is_saved_only_with_the_participants_agreement(client, world):
    client.force_login(world.coordinator)
    data = {"phones": "555-0100", "addresses": "", "contacts": ""}
    assert client.post(_url("locator", world), data).status_code == 400
    assert (
        client.post(_url("locator", world), data | {"participant_agreed": "on"}).status_code == 302
    )
    assert Locator.objects.get(mentee=world.mentee_profile).phones == "555-0100"
    entry = AuditEntry.objects.get(object_type="outcomes.locator", action="create")
    assert entry.fields == ["participant_agreed", "phones"]  # names, never the values


def test_no_export_carries_locator_data(client, world):
    _locator(world)
    Interview.objects.create(
        mentee=world.mentee_profile,
        point=Point.INTAKE,
        held_on=world.mentee_profile.enrolled_on,
        outcome=Outcome.COMPLETED,
    )
    today = world.program.today()
    for kind in exports.KINDS:
        export = exports.export_rows(program=world.program, kind=kind, today=today)
        body = b"".join(exports.export_chunks(export, fmt="csv")).decode()
        assert "Hidden Lane" not in body and "555-01" not in body


def test_schedule_settings_bound_the_target(client, world):
    client.force_login(world.coordinator)
    url = reverse("outcomes:followup_schedule", kwargs={"slug": world.program.slug})
    for bad in ("0", "101", "NaN", "99999999999999999999"):
        assert client.post(url, {"target_rate": bad}).status_code == 400
    assert client.post(url, {"target_rate": "90", "three_month": "on"}).status_code == 302
    schedule = InterviewSchedule.objects.get(program=world.program)
    assert schedule.target_rate == 90 and schedule.three_month and schedule.arm == ""


# --- Constant query counts


def test_followup_dashboard_queries_do_not_grow_with_people(client, world):
    client.force_login(world.coordinator)
    url = reverse("outcomes:followup", kwargs={"slug": world.program.slug})
    today = world.program.today()
    counts = []
    for total in (1, 50):
        while MenteeProfile.objects.filter(program=world.program).count() < total + 2:
            mentee = _mentee(world.program, today - timedelta(days=160))
            _interview(mentee, Point.INTAKE, mentee.enrolled_on)
        counts.append(page_queries(client, url))
    assert counts[0] == counts[1]


def test_interview_page_queries_do_not_grow_with_interviews(client, world):
    client.force_login(world.coordinator)
    mentee = world.mentee_profile
    counts = []
    for total in (1, 50):
        while Interview.objects.filter(mentee=mentee).count() < total:
            Interview.objects.create(
                mentee=mentee,
                point=Point.INTAKE,
                held_on=mentee.enrolled_on,
                outcome=Outcome.NOT_LOCATED,
                conducted_by=world.coordinator,
            )
        counts.append(page_queries(client, _url("interviews", world)))
    assert counts[0] == counts[1]


# --- The interview export


@pytest.fixture
def interviewed(world):
    """An intake on day 1 and a 6-month follow-up on day 190 with a logged month before it:
    days 160-189 recorded except 5 (25 of 30), use on 3 of them."""
    mentee = world.mentee_profile
    mentee.enrolled_on = date(2025, 1, 1)
    mentee.save(update_fields=["enrolled_on"])
    rows = []
    for number in range(160, 190):
        if number in (161, 170, 171, 180, 188):
            continue
        rows.append(
            {
                "mentee_id": mentee.pk,
                "day": mentee.enrolled_on + timedelta(days=number - 1),
                "used": number in (165, 175, 185),
                "substances": [],
                "source": Source.SELF,
            }
        )
    use_reports_import(actor=None, program=world.program, rows=rows)
    _interview(mentee, Point.INTAKE, date(2025, 1, 1))
    _interview(mentee, Point.MONTH_6, mentee.enrolled_on + timedelta(days=189))
    return world


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_deidentified_interview_export(client, interviewed):
    client.force_login(interviewed.staff)
    response = client.get(
        reverse(
            "outcomes:export",
            kwargs={"slug": interviewed.program.slug, "kind": "interviews", "fmt": "csv"},
        )
    )
    header, intake, follow_up = _csv(response)
    assert header == ["research_id", *exports.INTERVIEW_HEADER[1:]]
    row = dict(zip(header, follow_up, strict=True))
    # 2025-01-01 + 6 months = 2025-07-01, day 182; window days 152-242; held on day 190.
    assert row["interview"] == "month_6"
    assert (row["due_day_number"], row["window_opens_day_number"]) == ("182", "152")
    assert (row["window_closes_day_number"], row["day_number"]) == ("242", "190")
    assert (row["outcome"], row["in_window"]) == ("completed", "yes")
    assert (row["use_days_past_30"], row["recorded_days_past_30"]) == ("3", "25")
    assert row["coverage_past_30_pct"] == "83.3"
    first = dict(zip(header, intake, strict=True))
    assert first["day_number"] == "1" and first["recorded_days_past_30"] == "0"
    body = ",".join(",".join(r) for r in (header, intake, follow_up))
    mentee = interviewed.mentee_profile
    assert "2025-" not in body and mentee.user.email not in body


def test_identified_interview_export_gives_dates_with_consent(client, interviewed):
    client.force_login(interviewed.coordinator)
    response = client.post(
        reverse("outcomes:identified_export", kwargs={"slug": interviewed.program.slug}),
        {
            "kind": "interviews",
            "fmt": "csv",
            "recipient": "State evaluator",
            "purpose": "GPRA",
            "only_consented": "on",
        },
    )
    assert response.status_code == 200
    _notice, header, _intake, follow_up = _csv(response)
    row = dict(zip(header, follow_up, strict=True))
    assert row["name"] == interviewed.mentee_profile.user.get_full_name()
    assert (row["due_date"], row["window_opens_date"]) == ("2025-07-01", "2025-06-01")
    assert (row["window_closes_date"], row["date"]) == ("2025-08-30", "2025-07-09")


# --- Notices to coordinators


def test_window_notices_are_planned_once_and_withdrawn_when_done(world):
    mentee = world.mentee_profile
    mentee.enrolled_on = date(2025, 1, 1)
    mentee.save(update_fields=["enrolled_on"])
    _interview(mentee, Point.INTAKE, date(2025, 1, 1))
    # The month-6 window opens on 2025-06-01.
    with time_machine.travel(_midday(date(2025, 6, 1))):
        assert followup_notices.followup_notices_plan(program=world.program) == 1
        assert followup_notices.followup_notices_plan(program=world.program) == 0
        notice = Notification.objects.get(kind=followup_notices.OPENS)
        assert notice.recipient == world.coordinator
        interviews.interview_record(
            actor=world.coordinator,
            mentee=mentee,
            point=Point.MONTH_6,
            held_on=date(2025, 6, 1),
            outcome=Outcome.COMPLETED,
            conducted_by=world.coordinator,
        )
    notice.refresh_from_db()
    assert notice.status == "cancelled"


def test_closing_and_missed_notices(world):
    mentee = world.mentee_profile
    mentee.enrolled_on = date(2025, 1, 1)
    mentee.save(update_fields=["enrolled_on"])
    _interview(mentee, Point.INTAKE, date(2025, 1, 1))
    # Closes 2025-08-30: the closing notice on 2025-08-23, the missed one on 2025-08-31.
    with time_machine.travel(_midday(date(2025, 8, 23))):
        followup_notices.followup_notices_plan(program=world.program)
    with time_machine.travel(_midday(date(2025, 8, 31))):
        followup_notices.followup_notices_plan(program=world.program)
    kinds = set(Notification.objects.values_list("kind", flat=True))
    assert kinds == {followup_notices.CLOSING, followup_notices.MISSED}
    for notice in Notification.objects.all():
        assert mentee.user.get_full_name() not in str(notice.data)

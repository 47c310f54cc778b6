"""Schedules: occurrences generated ahead, at the same wall-clock time across DST."""

import zoneinfo
from datetime import UTC, date, datetime, time

import pytest
import time_machine
from django.core.exceptions import ValidationError

from checkins import services
from checkins.models import Attendance, CheckIn, Schedule
from checkins.scheduling import occurrence_dates, outside_quiet_hours
from matching.models import Match
from notifications.models import Notification
from tests import factories

CHICAGO = zoneinfo.ZoneInfo("America/Chicago")


def _local(checkins):
    return [c.scheduled_at.astimezone(CHICAGO) for c in checkins]


@pytest.fixture
def match(db):
    program = factories.ProgramFactory(timezone="America/Chicago")
    return factories.MatchFactory(program=program)


@time_machine.travel(datetime(2026, 10, 20, 12, tzinfo=UTC), tick=False)
def test_weekly_occurrences_keep_local_time_across_the_fall_back(match):
    # US DST ends Sunday 2026-11-01: 6 pm CDT is 23:00 UTC, 6 pm CST is 00:00 UTC.
    schedule = services.schedule_create(
        actor=match.mentor.user,
        match=match,
        cadence="weekly",
        starts_on=date(2026, 10, 22),
        time_of_day=time(18, 0),
        mode="phone",
        duration_minutes=45,
    )
    checkins = list(schedule.checkins.order_by("scheduled_at"))
    assert [c.date() for c in _local(checkins)] == [
        date(2026, 10, 22),
        date(2026, 10, 29),
        date(2026, 11, 5),
        date(2026, 11, 12),
    ]
    assert {c.time() for c in _local(checkins)} == {time(18, 0)}
    assert checkins[1].scheduled_at.hour == 23 and checkins[2].scheduled_at.hour == 0


@time_machine.travel(datetime(2026, 3, 1, 12, tzinfo=UTC), tick=False)
def test_spring_forward_keeps_local_time(match):
    schedule = services.schedule_create(
        actor=match.mentor.user,
        match=match,
        cadence="weekdays",
        weekdays=[5, 6],  # Saturday and Sunday; DST starts Sunday 2026-03-08
        starts_on=date(2026, 3, 1),
        time_of_day=time(9, 30),
    )
    local = _local(schedule.checkins.order_by("scheduled_at"))
    assert {t.time() for t in local} == {time(9, 30)}
    assert {t.weekday() for t in local} == {5, 6}
    utc_hours = {c.scheduled_at.hour for c in schedule.checkins.all()}
    assert utc_hours == {15, 14}  # CST then CDT


def test_biweekly_dates_skip_a_week():
    days = occurrence_dates(
        cadence="biweekly",
        starts_on=date(2026, 1, 5),
        weekdays=[],
        start=date(2026, 1, 10),
        end=date(2026, 2, 10),
    )
    assert days == [date(2026, 1, 19), date(2026, 2, 2)]


@time_machine.travel(datetime(2026, 5, 4, 12, tzinfo=UTC), tick=False)
def test_generation_is_idempotent(match):
    schedule = services.schedule_create(
        actor=match.mentor.user, match=match, starts_on=date(2026, 5, 5)
    )
    count = schedule.checkins.count()
    assert count == 4
    assert services.occurrences_generate(schedule=schedule) == []
    assert services.occurrences_generate_all() == 0
    assert schedule.checkins.count() == count


def test_editing_a_schedule_changes_only_future_occurrences(match):
    with time_machine.travel(datetime(2026, 5, 4, 12, tzinfo=UTC), tick=False):
        schedule = services.schedule_create(
            actor=match.mentor.user, match=match, starts_on=date(2026, 5, 5), time_of_day=time(18)
        )
    first = schedule.checkins.order_by("scheduled_at").first()
    with time_machine.travel(datetime(2026, 5, 12, 12, tzinfo=UTC), tick=False):
        services.checkin_log(
            actor=match.mentor.user,
            checkin=first,
            data=services.LogData(status="completed", mood=4),
        )
        services.schedule_update(
            actor=match.mentor.user, schedule=schedule, time_of_day=time(7, 15)
        )
        checkins = list(schedule.checkins.order_by("scheduled_at"))
    past = [c for c in checkins if c.scheduled_at < datetime(2026, 5, 12, 12, tzinfo=UTC)]
    future = [c for c in checkins if c not in past]
    assert [c.pk for c in past][0] == first.pk
    assert {c.scheduled_at.astimezone(CHICAGO).time() for c in past} == {time(18)}
    assert {c.scheduled_at.astimezone(CHICAGO).time() for c in future} == {time(7, 15)}
    assert CheckIn.objects.get(pk=first.pk).status == "completed"


@time_machine.travel(datetime(2026, 5, 4, 12, tzinfo=UTC), tick=False)
def test_deactivating_a_schedule_removes_planned_occurrences_and_their_reminders(match):
    schedule = services.schedule_create(
        actor=match.mentor.user, match=match, starts_on=date(2026, 5, 8)
    )
    assert Notification.objects.filter(
        about_id__in=schedule.checkins.values("pk"), status="pending"
    ).exists()
    services.schedule_update(actor=match.mentor.user, schedule=schedule, is_active=False)
    assert not schedule.checkins.exists()
    assert not Notification.objects.filter(status="pending").exists()


def test_schedules_need_an_active_match(match):
    match.status = Match.Status.ENDED
    match.save()
    with pytest.raises(ValidationError):
        services.schedule_create(actor=match.mentor.user, match=match, starts_on=date.today())
    assert not Schedule.objects.exists()


def test_one_off_and_group_sessions(match):
    when = datetime(2030, 1, 7, 18, tzinfo=UTC)
    one_off = services.checkin_create(actor=match.mentor.user, match=match, scheduled_at=when)
    assert one_off.schedule is None and one_off.mentee == match.mentee
    other = factories.MatchFactory(program=match.program, mentor=match.mentor)
    group = services.group_session_create(
        actor=match.mentor.user,
        facilitator=match.mentor,
        mentees=[match.mentee, other.mentee],
        scheduled_at=when,
    )
    assert group.kind == "group" and group.mentee is None
    assert Attendance.objects.filter(checkin=group).count() == 2
    services.checkin_log(
        actor=match.mentor.user,
        checkin=group,
        data=services.LogData(
            status="completed", attendance={match.mentee.pk: "attended", other.mentee.pk: "absent"}
        ),
    )
    assert dict(group.attendances.values_list("mentee_id", "status")) == {
        match.mentee.pk: "attended",
        other.mentee.pk: "absent",
    }


def test_quiet_hours_move_reminders_out_of_the_night():
    tz = CHICAGO
    quiet = {"tz": tz, "quiet_start": time(21), "quiet_end": time(8)}
    # 2 h before a 9:00 check-in is 7:00: moved to 8:00, still before the check-in.
    checkin = datetime(2026, 6, 2, 9, tzinfo=tz)
    moved = outside_quiet_hours(datetime(2026, 6, 2, 7, tzinfo=tz), not_after=checkin, **quiet)
    assert moved.astimezone(tz).time() == time(8)
    # 2 h before a 00:30 check-in is 22:30: the end of quiet hours is too late, so before 21:00.
    checkin = datetime(2026, 6, 3, 0, 30, tzinfo=tz)
    moved = outside_quiet_hours(datetime(2026, 6, 2, 22, 30, tzinfo=tz), not_after=checkin, **quiet)
    assert moved.astimezone(tz) == datetime(2026, 6, 2, 20, 59, tzinfo=tz)
    noon = datetime(2026, 6, 2, 12, tzinfo=tz)
    assert outside_quiet_hours(noon, **quiet) == noon

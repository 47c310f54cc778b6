"""Quiet hours, in the recipient's time zone, DST-correct: every notification kind obeys them
but those registered with `quiet_hours=False` (crisis alerts to coordinators, password reset
links).

Wall-clock times are combined with the zone and only then converted to UTC, so 9 pm is 9 pm
local on both sides of a daylight-saving change (its UTC hour moves).
"""

import zoneinfo
from datetime import UTC, date, datetime, time, timedelta


def local_to_utc(day: date, at: time, tz: zoneinfo.ZoneInfo) -> datetime:
    """The UTC instant of a wall-clock time. A time skipped by a spring-forward gap (2:30 am on
    the change day) is read with the offset before the change, i.e. an hour later on the clock;
    a repeated time (fall back) takes its first occurrence (fold=0)."""
    return datetime.combine(day, at, tzinfo=tz).astimezone(UTC)


def quiet_period(
    moment: datetime, tz: zoneinfo.ZoneInfo, quiet_start: time, quiet_end: time
) -> tuple[datetime, datetime] | None:
    """The quiet period (start, end) in UTC that contains `moment`, or None."""
    if quiet_start == quiet_end:
        return None
    local = moment.astimezone(tz)
    t, today = local.time(), local.date()
    if quiet_start > quiet_end:  # overnight, e.g. 21:00-08:00
        if t >= quiet_start:
            start_day, end_day = today, today + timedelta(days=1)
        elif t < quiet_end:
            start_day, end_day = today - timedelta(days=1), today
        else:
            return None
    else:
        if not quiet_start <= t < quiet_end:
            return None
        start_day = end_day = today
    return local_to_utc(start_day, quiet_start, tz), local_to_utc(end_day, quiet_end, tz)


def outside_quiet_hours(
    due: datetime,
    *,
    tz: zoneinfo.ZoneInfo,
    quiet_start: time,
    quiet_end: time,
    not_after: datetime | None = None,
) -> datetime:
    """Move `due` out of quiet hours: to when they end, or, if that would be later than
    `not_after` (the check-in itself), to just before they began."""
    period = quiet_period(due, tz, quiet_start, quiet_end)
    if period is None:
        return due
    start, end = period
    if not_after is None or end <= not_after - timedelta(minutes=15):
        return end
    return start - timedelta(minutes=1)

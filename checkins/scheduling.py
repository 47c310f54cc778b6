"""Pure time arithmetic: occurrences of a schedule and quiet hours, all DST-correct.

Wall-clock times are combined with the zone and only then converted to UTC, so a weekly 6 pm
check-in is at 6 pm local on both sides of a daylight-saving change (its UTC hour moves).
"""

from datetime import date, timedelta

from notifications.quiet import local_to_utc, outside_quiet_hours, quiet_period

__all__ = ["local_to_utc", "occurrence_dates", "outside_quiet_hours", "quiet_period"]


def occurrence_dates(
    *, cadence: str, starts_on: date, weekdays: list[int], start: date, end: date
) -> list[date]:
    """Dates of a schedule between `start` and `end` inclusive."""
    if end < start:
        return []
    if cadence == "weekdays":
        chosen = set(weekdays or [starts_on.weekday()])
        first = max(start, starts_on)
        return [
            first + timedelta(days=i)
            for i in range((end - first).days + 1)
            if (first + timedelta(days=i)).weekday() in chosen
        ]
    step = 14 if cadence == "biweekly" else 7
    if start <= starts_on:
        first = starts_on
    else:
        periods = -(-(start - starts_on).days // step)  # ceiling division
        first = starts_on + timedelta(days=periods * step)
    days = []
    current = first
    while current <= end:
        days.append(current)
        current += timedelta(days=step)
    return days

"""Dose and engagement per window: check-ins completed / scheduled, contact hours per week and
goals achieved / due. Pure functions over plain tuples; the queries live in outcomes.reports."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from outcomes.metrics import Window, date_of_day

# Statuses of a check-in that was planned and whose time has come. Cancelled ones were called
# off in advance and rescheduled ones live on as their new occurrence, so neither counts.
HELD = "completed"
COUNTED = ("scheduled", "completed", "no_show")
GOAL_ACHIEVED = "achieved"


@dataclass(frozen=True)
class Engagement:
    checkins_scheduled: int
    checkins_completed: int
    contact_hours_per_week: float | None
    goals_due: int
    goals_achieved: int

    @property
    def checkin_rate(self) -> float | None:
        if not self.checkins_scheduled:
            return None
        return self.checkins_completed / self.checkins_scheduled * 100

    @property
    def goal_rate(self) -> float | None:
        return self.goals_achieved / self.goals_due * 100 if self.goals_due else None


def engagement(
    *,
    checkins: Iterable[tuple[date, str, int]],  # (local date, status, minutes of contact)
    goals: Iterable[tuple[date, str]],  # (due date, status)
    enrolled_on: date,
    window: Window,
    today: date,
) -> Engagement:
    start = date_of_day(enrolled_on, window.first_day)
    last = min(date_of_day(enrolled_on, window.last_day), today)
    window_days = max(0, (last - start).days + 1)
    scheduled = completed = minutes = 0
    for day, status, length in checkins:
        if start <= day <= last and status in COUNTED:
            scheduled += 1
            if status == HELD:
                completed += 1
                minutes += length
    due = achieved = 0
    for day, status in goals:
        if start <= day <= last:
            due += 1
            achieved += status == GOAL_ACHIEVED
    return Engagement(
        checkins_scheduled=scheduled,
        checkins_completed=completed,
        contact_hours_per_week=minutes / 60 / (window_days / 7) if window_days else None,
        goals_due=due,
        goals_achieved=achieved,
    )

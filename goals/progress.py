"""Progress arithmetic: how far a goal is toward its target, and whether that is on track for
the time elapsed. Pure functions of the goal's numbers and a date, so they are easy to test."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

# A goal counts as on track while its progress is within this share of where time says it
# should be: at day 2 of 60 nobody is "behind" for not having started yet.
ON_TRACK_GRACE = 0.10

STATE_LABELS = {
    "met": _("Target reached"),
    "on_track": _("On track"),
    "behind": _("Behind"),
    "overdue": _("Overdue"),
    "not_started": _("Not started yet"),
    "achieved": _("Achieved"),
    "not_achieved": _("Not achieved"),
    "abandoned": _("Abandoned"),
}
STATE_STYLES = {
    "met": "success",
    "achieved": "success",
    "on_track": "primary",
    "behind": "warning",
    "overdue": "danger",
    "not_achieved": "secondary",
    "abandoned": "secondary",
    "not_started": "secondary",
}


def progress_fraction(
    *, direction: str, baseline: Decimal, target: Decimal | None, current: Decimal | None
) -> tuple[float, bool]:
    """(share of the way from baseline to target, clamped to 0..1; whether the target is met).

    No entry yet means the mentee is still at the baseline. "At most" goals count down: from
    a baseline of 5 drinks a day to a target of 2, a current 3 is two thirds of the way.
    """
    if direction == "done":
        done = current is not None and current >= 1
        return (1.0 if done else 0.0), done
    if target is None:
        return 0.0, False
    level = baseline if current is None else current
    if direction == "at_most":
        met = level <= target
        span, moved = baseline - target, baseline - level
    else:
        met = level >= target
        span, moved = target - baseline, level - baseline
    if span <= 0:
        # The form refuses these, but old data or a template edit must not divide by zero.
        return (1.0 if met else 0.0), met
    return max(0.0, min(1.0, float(moved / span))), met


def elapsed_fraction(*, start: date, due: date, today: date) -> float:
    if today <= start:
        return 0.0
    if today >= due:
        return 1.0
    return (today - start).days / (due - start).days


@dataclass(frozen=True)
class Standing:
    state: str
    fraction: float
    expected: float
    met: bool

    @property
    def percent(self) -> int:
        return round(self.fraction * 100)

    @property
    def expected_percent(self) -> int:
        return round(self.expected * 100)

    @property
    def label(self) -> str:
        return STATE_LABELS[self.state]

    @property
    def style(self) -> str:
        return STATE_STYLES[self.state]


def goal_standing(
    *,
    status: str,
    direction: str,
    baseline: Decimal,
    target: Decimal | None,
    current: Decimal | None,
    start: date,
    due: date,
    today: date,
) -> Standing:
    fraction, met = progress_fraction(
        direction=direction, baseline=baseline, target=target, current=current
    )
    expected = elapsed_fraction(start=start, due=due, today=today)
    if status in ("achieved", "not_achieved", "abandoned"):
        state = status
    elif met:
        state = "met"
    elif today < start:
        state = "not_started"
    elif today > due:
        state = "overdue"
    elif direction == "done":
        # A done/not-done goal has no halfway point: it is on track until it is overdue.
        state = "on_track"
    else:
        state = "on_track" if fraction + ON_TRACK_GRACE >= expected else "behind"
    return Standing(state=state, fraction=fraction, expected=expected, met=met)

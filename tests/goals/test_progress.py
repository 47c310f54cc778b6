"""Progress arithmetic and standings: pure functions, no database."""

from datetime import date
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from goals.progress import elapsed_fraction, goal_standing, progress_fraction

START, DUE = date(2026, 1, 1), date(2026, 3, 2)  # 60 days


def standing(**overrides):
    values = {
        "status": "active",
        "direction": "at_least",
        "baseline": D(0),
        "target": D(10),
        "current": None,
        "start": START,
        "due": DUE,
        "today": date(2026, 1, 31),
    }
    values.update(overrides)
    return goal_standing(**values)


@pytest.mark.parametrize(
    ("direction", "baseline", "target", "current", "fraction", "met"),
    [
        ("at_least", 0, 10, None, 0.0, False),  # no entry yet: still at the zero baseline
        ("at_least", 0, 10, 4, 0.4, False),
        ("at_least", 0, 10, 10, 1.0, True),
        ("at_least", 0, 10, 15, 1.0, True),  # beyond the target is clamped, still met
        ("at_least", 2, 6, 4, 0.5, False),  # measured from the baseline, not from zero
        ("at_least", 2, 6, 1, 0.0, False),  # below the baseline is not negative progress
        ("at_most", 5, 1, None, 0.0, False),
        ("at_most", 5, 1, 3, 0.5, False),  # counting down: 5 -> 3 is half way to 1
        ("at_most", 5, 1, 1, 1.0, True),
        ("at_most", 5, 0, 0, 1.0, True),  # a zero target (e.g. no use days) is reachable
        ("at_most", 5, 1, 7, 0.0, False),  # worse than the start is shown as no progress
        ("done", 0, None, None, 0.0, False),
        ("done", 0, None, 0, 0.0, False),
        ("done", 0, None, 1, 1.0, True),
        ("at_least", 3, 3, 3, 1.0, True),  # baseline equal to target: no division by zero
        ("at_most", 0, 0, 1, 0.0, False),
    ],
)
def test_progress_fraction(direction, baseline, target, current, fraction, met):
    result = progress_fraction(
        direction=direction,
        baseline=D(baseline),
        target=None if target is None else D(target),
        current=None if current is None else D(current),
    )
    assert result == (pytest.approx(fraction), met)


def test_elapsed_fraction_is_clamped_to_the_goal_period():
    assert elapsed_fraction(start=START, due=DUE, today=date(2025, 12, 1)) == 0
    assert elapsed_fraction(start=START, due=DUE, today=date(2026, 1, 31)) == 0.5
    assert elapsed_fraction(start=START, due=DUE, today=date(2027, 1, 1)) == 1


def test_on_track_when_progress_keeps_up_with_time():
    assert standing(current=D(5)).state == "on_track"  # half the time, half the way


def test_a_little_behind_time_is_still_on_track():
    assert standing(current=D(4)).state == "on_track"  # within the grace


def test_behind_when_progress_lags_elapsed_time():
    result = standing(current=D(2))
    assert result.state == "behind"
    assert (result.percent, result.expected_percent) == (20, 50)


def test_at_most_goal_behind_and_on_track():
    at_most = {"direction": "at_most", "baseline": D(5), "target": D(1)}
    assert standing(**at_most, current=D(4)).state == "behind"
    assert standing(**at_most, current=D(3)).state == "on_track"


def test_target_met_wins_over_time():
    assert standing(current=D(10)).state == "met"
    assert standing(current=D(10), today=date(2026, 6, 1)).state == "met"


def test_overdue_after_the_due_date_unless_met():
    assert standing(current=D(9), today=date(2026, 3, 3)).state == "overdue"


def test_not_started_before_the_start_date():
    assert standing(today=date(2025, 12, 31)).state == "not_started"


def test_done_goal_is_on_track_until_due():
    done = {"direction": "done", "target": None}
    assert standing(**done, today=date(2026, 3, 1)).state == "on_track"
    assert standing(**done, today=date(2026, 3, 3)).state == "overdue"
    assert standing(**done, current=D(1)).state == "met"


@pytest.mark.parametrize("status", ["achieved", "not_achieved", "abandoned"])
def test_closed_goals_show_their_status(status):
    assert standing(status=status, current=D(0)).state == status


numbers = st.decimals(min_value=0, max_value=10**6, places=2, allow_nan=False)


@given(
    direction=st.sampled_from(["at_least", "at_most", "done"]),
    baseline=numbers,
    target=st.one_of(st.none(), numbers),
    current=st.one_of(st.none(), numbers),
    today=st.dates(),
)
def test_standing_is_always_defined(direction, baseline, target, current, today):
    result = standing(
        direction=direction, baseline=baseline, target=target, current=current, today=today
    )
    assert 0 <= result.fraction <= 1
    assert 0 <= result.percent <= 100
    assert result.label

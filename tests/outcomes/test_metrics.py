"""Metrics against hand-computed fixtures and, by property, against a brute-force definition."""

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from outcomes.metrics import (
    ACTIVE,
    FOLLOW_UP,
    Window,
    day_number,
    mean_difference,
    summarize,
    use_metrics,
    week_of_day,
    weekly_use_days,
)
from tests.outcomes.oracle import assessment_change

ENROLLED = date(2026, 1, 7)  # a Wednesday: weeks run Wed..Tue, not calendar weeks
FAR_FUTURE = date(2030, 1, 1)


def d(n: int) -> date:
    """The calendar date of day n (day 1 = enrollment)."""
    return ENROLLED + timedelta(days=n - 1)


def test_day_one_is_the_enrollment_date_and_week_k_covers_days_7k_minus_6_to_7k():
    assert day_number(ENROLLED, ENROLLED) == 1
    assert day_number(ENROLLED, ENROLLED - timedelta(days=1)) == 0
    assert [week_of_day(n) for n in (1, 7, 8, 14, 84, 85)] == [1, 1, 2, 2, 12, 13]
    assert (ACTIVE.first_day, ACTIVE.last_day) == (1, 84)
    assert (FOLLOW_UP.first_day, FOLLOW_UP.last_day) == (85, 168)


def test_hand_computed_window_with_missing_days():
    # Days 1-5 abstinent, 6 missing, 7-9 abstinent, 10 used, 11 abstinent, rest missing.
    days = {d(n): False for n in (1, 2, 3, 4, 5, 7, 8, 9, 11)} | {d(10): True}
    m = use_metrics(days, enrolled_on=ENROLLED, window=ACTIVE, today=FAR_FUTURE)
    assert m.window_days == 84
    assert m.recorded_days == 10
    assert m.use_days == 1
    assert m.abstinent_days == 9
    assert m.pda == pytest.approx(90.0)
    assert m.pda_of_window is None  # coverage incomplete: no PDA over window days
    assert m.coverage == pytest.approx(10 / 84 * 100)
    assert m.longest_abstinent_run == 5  # the missing day 6 breaks the run, it is not abstinent
    assert m.days_to_first_use == 10
    assert m.complete


def test_records_outside_the_window_are_ignored():
    days = {d(0): True, d(85): True, d(84): False}
    m = use_metrics(days, enrolled_on=ENROLLED, window=ACTIVE, today=FAR_FUTURE)
    assert (m.recorded_days, m.use_days, m.days_to_first_use) == (1, 0, None)
    follow = use_metrics(days, enrolled_on=ENROLLED, window=FOLLOW_UP, today=FAR_FUTURE)
    assert (follow.recorded_days, follow.use_days, follow.days_to_first_use) == (1, 1, 1)


def test_a_window_reaching_past_today_counts_only_days_that_happened():
    today = d(20)
    days = {d(n): False for n in range(1, 21)}
    m = use_metrics(days, enrolled_on=ENROLLED, window=ACTIVE, today=today)
    assert m.window_days == 20
    assert m.coverage == pytest.approx(100.0)
    assert m.pda_of_window == pytest.approx(100.0)
    assert not m.complete
    later = use_metrics(days, enrolled_on=ENROLLED, window=FOLLOW_UP, today=today)
    assert later.window_days == 0 and later.coverage is None and later.pda is None


def test_leap_day_is_one_day_of_the_window():
    enrolled = date(2028, 2, 27)  # day 3 is 29 February 2028
    days = {date(2028, 2, 27): False, date(2028, 2, 28): False, date(2028, 2, 29): True}
    m = use_metrics(days, enrolled_on=enrolled, window=Window(1, 1), today=FAR_FUTURE)
    assert m.days_to_first_use == 3
    assert day_number(enrolled, date(2028, 3, 1)) == 4


def test_a_mentee_with_no_records_has_no_figures_but_a_zero_coverage():
    m = use_metrics({}, enrolled_on=ENROLLED, window=ACTIVE, today=FAR_FUTURE)
    assert (m.recorded_days, m.use_days, m.coverage) == (0, 0, 0.0)
    assert m.pda is None and m.days_to_first_use is None and m.longest_abstinent_run == 0


def test_weekly_use_days_leaves_unrecorded_weeks_empty():
    days = {d(1): True, d(2): False, d(15): True}
    weeks = weekly_use_days(days, enrolled_on=ENROLLED, weeks=3, today=FAR_FUTURE)
    assert weeks == [(1, 2), None, (1, 1)]


def test_barc10_change_from_intake():
    assert assessment_change({0: 30, 4: 35, 12: 44}) == 14
    assert assessment_change({0: 30, 4: 35, 12: 44}, to_week=4) == 5
    assert assessment_change({4: 35}) is None
    assert assessment_change({0: 30}) is None


def test_summary_and_difference_between_arms():
    a, b = summarize([10, 20, 30, None]), summarize([5, 5, 5])
    assert (a.n, a.mean, a.median) == (3, 20.0, 20.0)
    assert a.sd == pytest.approx(10.0)
    diff, low, high = mean_difference(a, b)
    assert diff == 15.0 and low < 15.0 < high
    assert summarize([]).mean is None
    assert mean_difference(summarize([1]), summarize([2])) == (-1.0, None, None)


# --- Property: the efficient function agrees with the definition spelled out day by day.


def brute_force(days, enrolled_on, window, today):
    window_dates = [
        enrolled_on + timedelta(days=n - 1)
        for n in range(window.first_day, window.last_day + 1)
        if enrolled_on + timedelta(days=n - 1) <= today
    ]
    recorded = [day for day in window_dates if day in days]
    used = [day for day in recorded if days[day]]
    runs, best = 0, 0
    for day in window_dates:
        runs = runs + 1 if days.get(day) is False else 0
        best = max(best, runs)
    first = next((i + 1 for i, day in enumerate(window_dates) if days.get(day) is True), None)
    return len(window_dates), len(recorded), len(used), best, first


@settings(max_examples=300, deadline=None)
@given(
    enrolled_on=st.dates(date(2020, 1, 1), date(2030, 12, 31)),
    offsets=st.dictionaries(st.integers(-20, 200), st.booleans(), max_size=120),
    first_week=st.integers(1, 20),
    length=st.integers(0, 12),
    today_offset=st.integers(-10, 220),
)
def test_use_metrics_match_the_brute_force_definition(
    enrolled_on, offsets, first_week, length, today_offset
):
    window = Window(first_week, first_week + length)
    days = {enrolled_on + timedelta(days=o): used for o, used in offsets.items()}
    today = enrolled_on + timedelta(days=today_offset)
    m = use_metrics(days, enrolled_on=enrolled_on, window=window, today=today)
    window_days, recorded, used, longest, first = brute_force(days, enrolled_on, window, today)
    assert m.window_days == window_days
    assert m.recorded_days == recorded
    assert m.use_days == used
    assert m.abstinent_days == recorded - used
    assert m.longest_abstinent_run == longest
    assert m.days_to_first_use == first
    if recorded:
        assert m.pda == pytest.approx((recorded - used) / recorded * 100)
        assert 0 <= m.pda <= 100
    assert m.use_days <= m.recorded_days <= m.window_days


@settings(max_examples=200, deadline=None)
@given(
    offsets=st.dictionaries(st.integers(0, 200), st.booleans(), max_size=150),
    weeks=st.integers(1, 26),
)
def test_weekly_use_days_sum_to_the_window_figures(offsets, weeks):
    days = {ENROLLED + timedelta(days=o): used for o, used in offsets.items()}
    weekly = weekly_use_days(days, enrolled_on=ENROLLED, weeks=weeks, today=FAR_FUTURE)
    window = use_metrics(days, enrolled_on=ENROLLED, window=Window(1, weeks), today=FAR_FUTURE)
    assert sum(w[0] for w in weekly if w) == window.use_days
    assert sum(w[1] for w in weekly if w) == window.recorded_days

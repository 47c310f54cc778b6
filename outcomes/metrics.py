"""Outcome metrics exactly as DESIGN.md defines them. Pure functions: no database, no clock.

- Day 1 is the enrollment date; week k covers days 7k-6 .. 7k.
- A day without a record is missing, never abstinent; every figure comes with its coverage.
- Only days that have happened (up to `today`) count towards a window still in progress.
"""

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Window:
    first_week: int
    last_week: int

    def __post_init__(self):
        if not 1 <= self.first_week <= self.last_week:
            raise ValueError("A window runs from week 1 or later to a week not before it.")

    @property
    def first_day(self) -> int:
        return 7 * self.first_week - 6

    @property
    def last_day(self) -> int:
        return 7 * self.last_week

    @property
    def label(self) -> str:
        return _("Weeks %(first)s-%(last)s") % {"first": self.first_week, "last": self.last_week}

    @property
    def key(self) -> str:
        return f"w{self.first_week}_{self.last_week}"


@dataclass(frozen=True)
class Days:
    """A window of day numbers not aligned to weeks (day 1 = enrollment; 0 and below are before
    it), e.g. the 30 days before an interview. use_metrics() reads only first_day and last_day,
    so such a window is counted by the same code as the standard ones."""

    first_day: int
    last_day: int


ACTIVE = Window(1, 12)  # active mentoring, as in MAP
FOLLOW_UP = Window(13, 24)
STANDARD_WINDOWS = (ACTIVE, FOLLOW_UP)


def day_number(enrolled_on: date, day: date) -> int:
    """Day 1 is the enrollment date itself; the day before it is day 0."""
    return (day - enrolled_on).days + 1


def date_of_day(enrolled_on: date, number: int) -> date:
    return enrolled_on + timedelta(days=number - 1)


def week_of_day(number: int) -> int:
    """Week k covers days 7k-6 .. 7k; days before enrollment have week 0 or less."""
    return (number + 6) // 7


@dataclass(frozen=True)
class UseMetrics:
    window_days: int  # days of the window that have happened
    recorded_days: int
    use_days: int
    abstinent_days: int
    longest_abstinent_run: int
    days_to_first_use: int | None  # day of the window with the first recorded use (1-based)
    complete: bool  # the whole window has happened

    @property
    def coverage(self) -> float | None:
        return self.recorded_days / self.window_days * 100 if self.window_days else None

    @property
    def pda(self) -> float | None:
        """Percent days abstinent of the recorded days."""
        return self.abstinent_days / self.recorded_days * 100 if self.recorded_days else None

    @property
    def pda_of_window(self) -> float | None:
        """Percent days abstinent of all window days, defined only when coverage is complete."""
        if self.window_days and self.recorded_days == self.window_days:
            return self.abstinent_days / self.window_days * 100
        return None


def use_metrics(
    days: Mapping[date, bool], *, enrolled_on: date, window: Window | Days, today: date
) -> UseMetrics:
    """`days` maps a calendar date to whether use was recorded that day (only recorded days)."""
    start = date_of_day(enrolled_on, window.first_day)
    end = date_of_day(enrolled_on, window.last_day)
    last = min(end, today)
    window_days = max(0, (last - start).days + 1)
    recorded = use = run = longest = 0
    first_use = None
    for offset in range(window_days):
        used = days.get(start + timedelta(days=offset))
        if used is None:
            run = 0  # missing days are not abstinent: they break a run
            continue
        recorded += 1
        if used:
            use += 1
            run = 0
            if first_use is None:
                first_use = offset + 1
        else:
            run += 1
            longest = max(longest, run)
    return UseMetrics(
        window_days=window_days,
        recorded_days=recorded,
        use_days=use,
        abstinent_days=recorded - use,
        longest_abstinent_run=longest,
        days_to_first_use=first_use,
        complete=end <= today,
    )


def weekly_use_days(
    days: Mapping[date, bool], *, enrolled_on: date, weeks: int, today: date
) -> list[tuple[int, int] | None]:
    """Per week 1..weeks: (use days, recorded days), or None for a week with no record yet."""
    result: list[tuple[int, int] | None] = []
    for week in range(1, weeks + 1):
        start = date_of_day(enrolled_on, 7 * week - 6)
        recorded = use = 0
        for offset in range(7):
            day = start + timedelta(days=offset)
            if day > today:
                break
            used = days.get(day)
            if used is not None:
                recorded += 1
                use += used
        result.append((use, recorded) if recorded else None)
    return result


@dataclass(frozen=True)
class Summary:
    n: int
    mean: float | None
    sd: float | None
    median: float | None


def summarize(values: Iterable[float | None]) -> Summary:
    """summarize_array() of plain values, in which None marks a missing value."""
    return summarize_array(np.fromiter((np.nan if v is None else v for v in values), dtype=float))


def summarize_array(values: np.ndarray) -> Summary:
    """n, mean, sample SD (n-1) and median of the values that exist (NaN is missing)."""
    present = values[~np.isnan(values)]
    if not present.size:
        return Summary(0, None, None, None)
    sd = float(present.std(ddof=1)) if present.size > 1 else None
    return Summary(int(present.size), float(present.mean()), sd, float(np.median(present)))


def mean_difference(a: Summary, b: Summary) -> tuple[float | None, float | None, float | None]:
    """Difference of means a - b with a Welch 95% confidence interval (None when undefined)."""
    if a.mean is None or b.mean is None:
        return None, None, None
    diff = a.mean - b.mean
    if a.sd is None or b.sd is None or a.n < 2 or b.n < 2:
        return diff, None, None
    va, vb = a.sd**2 / a.n, b.sd**2 / b.n
    se = math.sqrt(va + vb)
    if se == 0:
        return diff, diff, diff
    df = (va + vb) ** 2 / (va**2 / (a.n - 1) + vb**2 / (b.n - 1))
    # The t quantile from scipy.special (stdtrit), imported late: scipy.stats costs a second
    # to import and only reports need this.
    from scipy.special import stdtrit

    half = float(stdtrit(df, 0.975)) * se
    return diff, diff - half, diff + half


# --- Abstinence outcomes (Hughes et al. 2003; SRNT 2022), as DESIGN.md defines them ---------
# A participant's days as one row of a grid: per day number 1..D, MISSING, ABSTINENT or USED.
MISSING, ABSTINENT, USED = 0, 1, 2


def use_to_date(states: bytes) -> UseMetrics:
    """A mentee's figures from enrollment to their last recorded day, read from the day states
    stored in the use summary ("days", one byte per day number): what the participant page
    shows without reading the log. The same counting as `use_metrics` (a missing day breaks
    an abstinent run)."""
    grid = np.frombuffer(states, dtype=np.uint8)
    longest = run = 0
    for state in grid:
        run = run + 1 if state == ABSTINENT else 0
        longest = max(longest, run)
    used = int((grid == USED).sum())
    abstinent = int((grid == ABSTINENT).sum())
    first_use = int(np.argmax(grid == USED)) + 1 if used else None
    return UseMetrics(
        window_days=len(grid),
        recorded_days=used + abstinent,
        use_days=used,
        abstinent_days=abstinent,
        longest_abstinent_run=longest,
        days_to_first_use=first_use,
        complete=False,
    )


STRICT, NOT_RELAPSED = "strict", "not_relapsed"
RELAPSE_RUN_DAYS = (
    7  # use on this many consecutive days is a relapse (as is use in 2 weeks in a row)
)
LOOKBACKS = (7, 30)  # point-prevalence: days before the timepoint, the timepoint included


@dataclass(frozen=True)
class AbstinenceRules:
    """A program's choices (outcomes.models.OutcomeSettings), with the defaults of DESIGN.md."""

    timepoints: tuple[int, ...] = (84, 168)  # day numbers
    windows: tuple[Window, ...] = STANDARD_WINDOWS
    grace_days: int = 14
    lapse_rule: str = STRICT


@dataclass(frozen=True)
class AbstinencePeriod:
    """One abstinence outcome: the days it looks at and whether a lapse is any use (strict) or
    only a relapse (not_relapsed). Due once its last day has happened."""

    key: str
    kind: str  # "ppa", "continuous", "prolonged"
    first_day: int
    last_day: int
    rule: str = STRICT
    lookback: int | None = None  # point prevalence only
    timepoint: int | None = None  # the day the outcome is assessed at
    window: Window | None = None


def abstinence_periods(rules: AbstinenceRules) -> list[AbstinencePeriod]:
    """Point prevalence (7 and 30 days) at each timepoint, continuous and prolonged
    abstinence over each window. A lookback longer than the time since enrollment starts on
    day 1; prolonged abstinence starts `grace_days` after the window's first day."""
    periods = []
    for timepoint in rules.timepoints:
        for lookback in LOOKBACKS:
            periods.append(
                AbstinencePeriod(
                    key=f"ppa{lookback}_day{timepoint}",
                    kind="ppa",
                    first_day=max(1, timepoint - lookback + 1),
                    last_day=timepoint,
                    lookback=lookback,
                    timepoint=timepoint,
                )
            )
    for window in rules.windows:
        periods.append(
            AbstinencePeriod(
                key=f"continuous_{window.key}",
                kind="continuous",
                first_day=window.first_day,
                last_day=window.last_day,
                timepoint=window.last_day,
                window=window,
            )
        )
        periods.append(
            AbstinencePeriod(
                key=f"prolonged_{window.key}",
                kind="prolonged",
                first_day=min(window.first_day + rules.grace_days, window.last_day),
                last_day=window.last_day,
                rule=rules.lapse_rule,
                timepoint=window.last_day,
                window=window,
            )
        )
    return periods


def abstinence_grid_days(rules: AbstinenceRules) -> int:
    """How many day numbers the grid must hold for these rules."""
    return max([*rules.timepoints, *(w.last_day for w in rules.windows), 1])


def abstinence_outcomes(
    grid: np.ndarray, elapsed: np.ndarray, periods: list[AbstinencePeriod]
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per period: (intent-to-treat, responders-only), each 1.0 abstinent, 0.0 not, NaN not
    counted. `grid[i, d - 1]` is participant i's day d (MISSING / ABSTINENT / USED), `elapsed[i]`
    today's day number - 1.

    Intent-to-treat counts everyone whose period has ended, a missing day as use.
    Responders-only counts those with a record for every day of the period."""
    result = {}
    for period in periods:
        days = grid[:, period.first_day - 1 : period.last_day]
        due = elapsed + 1 >= period.last_day
        lapse = days != ABSTINENT  # missing counts as use (intent-to-treat)
        complete = (days != MISSING).all(axis=1)
        if period.rule == STRICT:
            lapsed = lapse.any(axis=1)
        else:
            lapsed = _relapsed(lapse, first_day=period.first_day)
        abstinent = (~lapsed).astype(float)
        result[period.key] = (
            np.where(due, abstinent, np.nan),
            np.where(due & complete, abstinent, np.nan),
        )
    return result


def _relapsed(lapse: np.ndarray, *, first_day: int) -> np.ndarray:
    """Use on RELAPSE_RUN_DAYS consecutive days, or in each of two consecutive program weeks (week k = days 7k-6..7k, only its days inside the period), within the period
    whose first day number is `first_day`."""
    count, length = lapse.shape
    runs = np.zeros(count, dtype=bool)
    if length >= RELAPSE_RUN_DAYS:
        sums = np.cumsum(np.pad(lapse.astype(np.int32), ((0, 0), (1, 0))), axis=1)
        runs = (sums[:, RELAPSE_RUN_DAYS:] - sums[:, :-RELAPSE_RUN_DAYS] == RELAPSE_RUN_DAYS).any(
            axis=1
        )
    # Each program week's days inside the period: offsets [start, stop) into the period.
    slices, offset = [], 0
    while offset < length:
        stop = min(length, offset + 7 - (first_day + offset - 1) % 7)
        slices.append((offset, stop))
        offset = stop
    weekly = [lapse[:, a:b].any(axis=1) for a, b in slices]
    for earlier, later in zip(weekly, weekly[1:], strict=False):
        runs |= earlier & later
    return runs


@dataclass(frozen=True)
class Proportion:
    """`count` of `n` with its Wilson score 95% interval (None when n is 0)."""

    count: int
    n: int
    low: float | None
    high: float | None

    @property
    def percent(self) -> float | None:
        return self.count / self.n * 100 if self.n else None

    @property
    def value(self) -> float | None:
        return self.count / self.n if self.n else None


def proportion(count: int, n: int) -> Proportion:
    if not n:
        return Proportion(0, 0, None, None)
    # scipy.stats costs a second to import; only reports need it.
    from scipy.stats import binomtest

    interval = binomtest(count, n).proportion_ci(confidence_level=0.95, method="wilson")
    return Proportion(count, n, float(interval.low), float(interval.high))


def proportion_difference(
    a: Proportion, b: Proportion
) -> tuple[float | None, float | None, float | None]:
    """a - b with Newcombe's hybrid score 95% interval, built from the two Wilson intervals
    (Newcombe 1998, method 10)."""
    if not a.n or not b.n:
        return None, None, None
    pa, pb = a.value, b.value
    diff = pa - pb
    low = diff - math.sqrt((pa - a.low) ** 2 + (b.high - pb) ** 2)
    high = diff + math.sqrt((a.high - pa) ** 2 + (pb - b.low) ** 2)
    return diff, low, high

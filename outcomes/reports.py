"""The cohort report and the per-participant export: every figure of every participant,
computed once, as columns (`Cohort.columns`).

A fixed number of queries whatever the cohort size: participants with their stored use
summaries, and their check-ins, goals, questionnaire scores and withdrawals; their recorded days
for the abstinence outcomes. The report summarises the columns by study arm; the export writes
them out one participant per row.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from functools import cached_property

import numpy as np
from django.db import connection
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import MenteeProfile, Program, StatusChange
from checkins.models import Attendance, CheckIn
from goals.models import Goal
from outcomes import metrics
from outcomes.instruments import SCORES
from outcomes.models import Assessment, OutcomeSettings, UseDay, UseSummary
from outcomes.selectors import outcome_settings_get

ARMS = [MenteeProfile.Arm.MENTORED, MenteeProfile.Arm.COMPARISON]
LEFT = [MenteeProfile.Status.WITHDRAWN, MenteeProfile.Status.DISCHARGED]
CHART_WEEKS = 24
RETENTION_DAY = 84  # the last day of week 12

# Statuses of a check-in that was planned and whose time has come. Cancelled ones were called
# off in advance and rescheduled ones live on as their new occurrence, so neither counts.
COUNTED = [CheckIn.Status.SCHEDULED, CheckIn.Status.COMPLETED, CheckIn.Status.NO_SHOW]
HELD = CheckIn.Status.COMPLETED
# Drafts and abandoned goals never fell due.
GOALS_COUNTED = [Goal.Status.ACTIVE, Goal.Status.ACHIEVED, Goal.Status.NOT_ACHIEVED]

# The rows of the report's table per window: (key in Columns.values, label).
METRICS = [
    ("use_days", gettext_lazy("Days of use")),
    ("recorded_days", gettext_lazy("Recorded days")),
    # xgettext:no-python-format
    ("coverage", gettext_lazy("Coverage (% of window days recorded)")),
    ("pda", gettext_lazy("Percent days abstinent")),
    ("longest_abstinent_run", gettext_lazy("Longest abstinent run (days)")),
    ("days_to_first_use", gettext_lazy("Days to first use")),
    ("checkins_completed", gettext_lazy("Check-ins completed")),
    ("checkins_scheduled", gettext_lazy("Check-ins scheduled")),
    # xgettext:no-python-format
    ("checkin_rate", gettext_lazy("Check-ins completed (% of scheduled)")),
    ("contact_hours_per_week", gettext_lazy("Contact hours per week")),
    # xgettext:no-python-format
    ("goal_rate", gettext_lazy("Goals achieved (% of goals due)")),
]
# Per score of each instrument (instruments.SCORES): (key in Columns.scores[column], label).
SCORE_ROWS = [
    ("intake", gettext_lazy("%(score)s at intake")),
    ("change", gettext_lazy("%(score)s change from intake to latest")),
]


PACKED_FORMAT = 1  # the first byte of a packed summary; change it with the layout
PACKED_LENGTH = 1 + 4 * len(metrics.STANDARD_WINDOWS) + 2 * CHART_WEEKS


def summary_compute(*, days: dict, enrolled_on: date) -> dict:
    """The stored, time-independent part of a participant's standard-window figures."""
    windows = {}
    for window in metrics.STANDARD_WINDOWS:
        m = metrics.use_metrics(days, enrolled_on=enrolled_on, window=window, today=date.max)
        windows[window.key] = [
            m.recorded_days,
            m.use_days,
            m.longest_abstinent_run,
            m.days_to_first_use,
        ]
    weekly = metrics.weekly_use_days(
        days, enrolled_on=enrolled_on, weeks=CHART_WEEKS, today=date.max
    )
    # The same figures as bytes, one per number, first use 0 when none, a week without a
    # record (0, 0): what the cohort report reads for thousands of participants at once.
    numbers = [PACKED_FORMAT] + [n or 0 for key in windows for n in windows[key]]
    numbers += [n for w in weekly for n in (w or (0, 0))]
    return {
        "windows": windows,
        "weekly": [list(w) if w else None for w in weekly],
        "packed": bytes(numbers),
        "days": day_states(days, enrolled_on=enrolled_on),
    }


GRID_DAYS = 3640  # the last day number abstinence outcomes can look at (520 weeks)


def day_states(days: dict, *, enrolled_on: date) -> bytes:
    """One byte per day number from 1 to the last recorded one (at most GRID_DAYS):
    metrics.MISSING, ABSTINENT or USED. Stored in the summary (`days`) for the abstinence
    outcomes, which look at single days."""
    numbers = {(day - enrolled_on).days + 1: used for day, used in days.items()}
    last = min(max((n for n in numbers if n >= 1), default=0), GRID_DAYS)
    missing = metrics.MISSING
    return bytes(
        missing if n not in numbers else metrics.USED if numbers[n] else metrics.ABSTINENT
        for n in range(1, last + 1)
    )


def participants_compute(
    *,
    program: Program,
    today: date,
    windows: list[metrics.Window],
    enrolled_from: date | None = None,
    enrolled_to: date | None = None,
) -> "Cohort":
    """The program's participants (optionally those enrolled in a period). Lazy: nothing is
    read until `columns` is."""
    return Cohort(
        program=program,
        today=today,
        windows=list(windows),
        enrolled_from=enrolled_from,
        enrolled_to=enrolled_to,
    )


@dataclass
class Columns:
    """Every figure of every participant, one array entry per participant in primary key order
    (so that sums come out the same to the last bit however the participants were read), NaN
    where a participant has none: what the report summarises and the export writes out."""

    ids: np.ndarray  # the participants' primary keys, ascending
    arm: np.ndarray  # index into ARMS, -1 for any other arm
    window_days: dict[str, np.ndarray]  # per window key: days of the window that have happened
    # per window key: one array per METRICS key, plus the raw goals_due and goals_achieved
    values: dict[str, dict[str, np.ndarray]]
    # per instruments.SCORES column ("barc10", "bam_use", ...): "intake", "latest" follow-up,
    # "change" between them
    scores: dict[str, dict[str, np.ndarray]]
    retained: np.ndarray  # 1.0 / 0.0, NaN until the participant has reached day 84
    weekly: dict[int, tuple[list[int], list[int]]]  # per arm: per week (use days, participants)
    # The program's abstinence outcomes and, per period key, (intent-to-treat, responders-only):
    # 1.0 abstinent, 0.0 not, NaN not counted (see metrics.abstinence_outcomes).
    periods: list[metrics.AbstinencePeriod]
    abstinence: dict[str, tuple[np.ndarray, np.ndarray]]

    def position(self, mentee_pk: int) -> int | None:
        """The index of a participant in every array, None for someone not in the columns."""
        at = int(np.searchsorted(self.ids, mentee_pk))
        return at if at < len(self.ids) and self.ids[at] == mentee_pk else None

    def positions(self, mentee_pks: list[int]) -> list[int | None]:
        """position() of many participants in one search."""
        wanted = np.asarray(mentee_pks, dtype=self.ids.dtype)
        at = np.searchsorted(self.ids, wanted)
        found = np.zeros(len(wanted), dtype=bool)
        inside = at < len(self.ids)
        found[inside] = self.ids[at[inside]] == wanted[inside]
        return [a if f else None for a, f in zip(at.tolist(), found.tolist(), strict=True)]


def arm_index(arm: str) -> int:
    return ARMS.index(arm) if arm in ARMS else -1


class Cohort:
    """participants_compute's answer: `columns`, computed by the database in a fixed number of
    queries on first use."""

    def __init__(self, *, program, today, windows, enrolled_from, enrolled_to):
        self.program, self.today, self.windows = program, today, windows
        self.enrolled_from, self.enrolled_to = enrolled_from, enrolled_to

    @cached_property
    def abstinence_rules(self) -> metrics.AbstinenceRules:
        return outcome_settings_get(program=self.program).abstinence_rules

    @cached_property
    def columns(self) -> Columns:
        return _columns_from_database(self)


def _window_clause(window: metrics.Window, day_number: str) -> str:
    """SQL: the day numbered `day_number` (1 = enrollment) of mentee `p` lies in the window's
    days so far."""
    elapsed = "(%(today)s::date - p.enrolled_on)"
    return f"{day_number} BETWEEN {window.first_day} AND LEAST({window.last_day}, {elapsed} + 1)"


NEVER_LEFT = 2**31 - 1


def _activity_dtype(windows: list[metrics.Window]) -> np.dtype:
    """A participant's activity figures (big-endian int4s): per window so far the check-ins
    scheduled, completed and minutes held, the goals due and achieved; per instruments.SCORES
    the intake and latest follow-up score (-1 when missing). Stored in the use summary for the
    standard windows (UseSummary.activity), counted live for the others."""
    return np.dtype(
        [
            ("sessions", ">i4", (len(windows), 3)),
            ("goals", ">i4", (len(windows), 2)),
            ("scores", ">i4", (len(SCORES), 2)),
        ]
    )


ACTIVITY = _activity_dtype(list(metrics.STANDARD_WINDOWS))
ACTIVITY_LENGTH = ACTIVITY.itemsize  # bytes of UseSummary.activity


def _participant_dtype(last_day: int) -> np.dtype:
    """One participant's record in _participants_sql's bytes (big-endian)."""
    return np.dtype(
        [
            ("id", ">i8"),
            ("arm", ">i2"),  # 1-based position in ARMS, 0 for any other arm
            ("elapsed", ">i4"),  # today's day number - 1
            ("packed", "u1", (PACKED_LENGTH,)),  # the stored summary (see summary_compute)
            # 1 when the summary's activity figures are current (_FRESH_ACTIVITY), then those
            ("activity_fresh", "u1"),
            ("activity", ACTIVITY),
            # 1 when the summary has the day states for this enrollment date, then the states
            # of days 1..last_day (missing ones 0), for the abstinence outcomes
            ("days_current", "u1"),
            ("days", "u1", (last_day,)),
        ]
    )


# "Since" is the oldest figures of any program (one read of the `summary_counted` index, where
# the program's own oldest would cost a pass over its summaries): no later than the program's.
_CHANGED_SQL = f"""
    WITH since AS (SELECT min(u2.activity_at) AS at FROM {UseSummary._meta.db_table} u2)
    SELECT changed.mentee_id, max(changed.at) AS changed_at FROM (
        SELECT c.mentee_id, c.updated_at AS at
        FROM {CheckIn._meta.db_table} c
        WHERE c.kind = '{CheckIn.Kind.INDIVIDUAL.value}' AND c.program_id = %(program)s
          AND c.updated_at > (SELECT at FROM since)
        UNION ALL
        SELECT g.mentee_id, g.updated_at
        FROM {Goal._meta.db_table} g
        WHERE g.updated_at > (SELECT at FROM since)
        UNION ALL
        SELECT a.mentee_id, a.recorded_at
        FROM {Assessment._meta.db_table} a
        WHERE a.recorded_at > (SELECT at FROM since)
    ) changed
    GROUP BY changed.mentee_id
"""  # noqa: S608 — only table names and a fixed kind are interpolated
# What tells whether participant `p`'s stored figures are current: `ch`, their last change
# (_CHANGED_SQL), and `grp`, whether they have a place in a group session (attendance rows
# carry no change time, so such participants are always counted afresh).
_WATCHED = f"""
    LEFT JOIN ({_CHANGED_SQL}) ch ON ch.mentee_id = p.id
    LEFT JOIN (SELECT DISTINCT a.mentee_id FROM {Attendance._meta.db_table} a) grp
         ON grp.mentee_id = p.id"""  # noqa: S608
# The stored activity figures of summary `u` are those of participant `p` today (with
# _WATCHED joined): counted for today and this enrollment date, nothing changed since, no
# group session. Never NULL: a summary without figures yet is not fresh.
_FRESH_ACTIVITY = f"""coalesce((
    %(stored)s AND u.activity_on = %(today)s AND u.enrolled_on = p.enrolled_on
    AND length(u.activity) = {ACTIVITY_LENGTH}
    AND (ch.changed_at IS NULL OR ch.changed_at <= u.activity_at)
    AND grp.mentee_id IS NULL), false)"""


def _period(enrolled_from, enrolled_to) -> str:
    period = ""
    if enrolled_from:
        period += " AND p.enrolled_on >= %(enrolled_from)s"
    if enrolled_to:
        period += " AND p.enrolled_on <= %(enrolled_to)s"
    return period


def _participants_sql(*, last_day: int, enrolled_from, enrolled_to) -> str:
    """One bytea: a fixed-width _participant_dtype record per participant (in no particular order),
    read into numpy in one go (reading 10,000 rows as Python tuples would cost more than the
    rest of the report). A summary computed for another enrollment date, or in an older format,
    reads as zeros, which the format byte tells apart from a current summary."""
    return f"""
    SELECT string_agg(
        int8send(p.id)
        || int2send(coalesce(array_position(%(arms)s::text[], p.study_arm::text), 0)::int2)
        || int4send(%(today)s::date - p.enrolled_on)
        || substring(
            coalesce(
                CASE WHEN u.enrolled_on = p.enrolled_on THEN u.packed END,
                ''::bytea
            ) || decode(repeat('00', {PACKED_LENGTH}), 'hex')
            FROM 1 FOR {PACKED_LENGTH})
        || CASE WHEN {_FRESH_ACTIVITY} THEN '\\x01'::bytea || u.activity
                ELSE decode(repeat('00', {1 + ACTIVITY_LENGTH}), 'hex') END
        || CASE WHEN u.enrolled_on = p.enrolled_on AND u.days IS NOT NULL
                THEN '\\x01'::bytea ELSE '\\x00'::bytea END
        || substring(
            coalesce(
                CASE WHEN u.enrolled_on = p.enrolled_on THEN u.days END,
                ''::bytea
            ) || decode(repeat('00', {last_day}), 'hex')
            FROM 1 FOR {last_day}),
        ''::bytea)
    FROM {MenteeProfile._meta.db_table} p
    LEFT JOIN {UseSummary._meta.db_table} u ON u.mentee_id = p.id
    {_WATCHED}
    WHERE p.program_id = %(program)s{_period(enrolled_from, enrolled_to)}
    """  # noqa: S608 — only table names and fixed numbers are interpolated


def _activity_sql(windows: list[metrics.Window], *, scope: str) -> tuple[str, list[str]]:
    """The CTEs behind the activity figures (_activity_dtype) of the participants in `scope`
    among the mentees `%(recount_all)s` or in `%(recount)s`: `sessions` (one row per individual
    check-in and per place in a group session), `se` (per window so far: scheduled s{n},
    completed c{n}, minutes held m{n}), `go` (goals due d{n} and achieved a{n}) and `sc` (per
    score, at intake si{n} and latest follow-up sl{n}); and the figures as SQL expressions in
    _activity_dtype's order, 0 (or -1 for a score) where none. The one count behind the
    report's live figures and the stored ones (activity_figures_update_sql)."""
    session_day, goal_day = "(s.day - p.enrolled_on + 1)", "(g.due_date - p.enrolled_on + 1)"
    session_cols, sessions_out, goal_cols, goals_out = [], [], [], []
    for n, w in enumerate(windows):
        inside = _window_clause(w, session_day)
        session_cols += [
            f"count(*) FILTER (WHERE {inside} AND s.status = ANY(%(counted)s)) AS s{n}",
            f"count(*) FILTER (WHERE {inside} AND s.status = %(held)s) AS c{n}",
            f"sum(s.minutes) FILTER (WHERE {inside} AND s.status = %(held)s) AS m{n}",
        ]
        sessions_out += [f"coalesce({c}{n}, 0)" for c in "scm"]
        inside = _window_clause(w, goal_day)
        goal_cols += [
            f"count(*) FILTER (WHERE {inside}) AS d{n}",
            f"count(*) FILTER (WHERE {inside} AND g.status = %(achieved)s) AS a{n}",
        ]
        goals_out += [f"coalesce({c}{n}, 0)" for c in "da"]
    score_cols, scores_out = [], []
    for n in range(len(SCORES)):
        # The instrument's code and the score's key are bound (i{n}, k{n} in the parameters).
        value, mine = f"(a.scores ->> %(k{n})s)::int", f"a.instrument = %(i{n})s"
        score_cols += [
            f"max({value}) FILTER (WHERE {mine} AND a.week = 0) AS si{n}",
            f"(array_agg({value} ORDER BY a.week DESC) FILTER "
            f"(WHERE {mine} AND a.week > 0 AND a.scores ? %(k{n})s))[1] AS sl{n}",
        ]
        scores_out += [f"coalesce(si{n}, -1)", f"coalesce(sl{n}, -1)"]
    checkins, mentees = CheckIn._meta.db_table, MenteeProfile._meta.db_table
    wanted = "(%(recount_all)s OR {}.mentee_id = ANY(%(recount)s::bigint[]))"
    sql = f"""
    sessions AS (
        SELECT c.mentee_id, (c.scheduled_at AT TIME ZONE %(tz)s)::date AS day, c.status,
               coalesce(nullif(c.actual_minutes, 0), c.duration_minutes) AS minutes
        FROM {checkins} c
        WHERE c.kind = %(individual)s AND c.program_id = %(program)s AND {wanted.format("c")}
        UNION ALL
        SELECT a.mentee_id, (c.scheduled_at AT TIME ZONE %(tz)s)::date,
               CASE a.status WHEN %(attended)s THEN %(held)s
                             WHEN %(absent)s THEN %(no_show)s ELSE %(scheduled)s END,
               coalesce(nullif(c.actual_minutes, 0), c.duration_minutes)
        FROM {Attendance._meta.db_table} a JOIN {checkins} c ON c.id = a.checkin_id
        WHERE a.status IN (%(attended)s, %(absent)s, %(expected)s) AND c.program_id = %(program)s
          AND c.status NOT IN (%(cancelled)s, %(rescheduled)s) AND {wanted.format("a")}
    ),
    se AS (
        SELECT s.mentee_id, {", ".join(session_cols)}
        FROM sessions s JOIN {mentees} p ON p.id = s.mentee_id
        WHERE {scope} GROUP BY s.mentee_id
    ),
    go AS (
        SELECT g.mentee_id, {", ".join(goal_cols)}
        FROM {Goal._meta.db_table} g JOIN {mentees} p ON p.id = g.mentee_id
        WHERE g.status = ANY(%(goals_counted)s) AND {scope} AND {wanted.format("g")}
        GROUP BY g.mentee_id
    ),
    sc AS (
        SELECT a.mentee_id, {", ".join(score_cols)}
        FROM {Assessment._meta.db_table} a JOIN {mentees} p ON p.id = a.mentee_id
        WHERE {scope} AND {wanted.format("a")} GROUP BY a.mentee_id
    )"""  # noqa: S608 — only table names and window day numbers are interpolated
    return sql, [*sessions_out, *goals_out, *scores_out]


def activity_figures_update_sql() -> str:
    """Store the standard windows' activity figures so far in the summaries of the program's
    mentees `%(recount_all)s` or in `%(recount)s`, as counted for `%(today)s` from the records
    as they stand at `%(at)s`."""
    ctes, figures = _activity_sql(
        list(metrics.STANDARD_WINDOWS), scope="p.program_id = %(program)s"
    )
    return f"""
    WITH {ctes}
    UPDATE {UseSummary._meta.db_table} u
    SET activity = {" || ".join(f"int4send(({f})::int)" for f in figures)},
        activity_on = %(today)s, activity_at = %(at)s
    FROM {MenteeProfile._meta.db_table} p
         LEFT JOIN se ON se.mentee_id = p.id
         LEFT JOIN go ON go.mentee_id = p.id
         LEFT JOIN sc ON sc.mentee_id = p.id
    WHERE u.mentee_id = p.id AND p.program_id = %(program)s
      AND (%(recount_all)s OR p.id = ANY(%(recount)s::bigint[]))
    """  # noqa: S608 — only table names and window day numbers are interpolated


def activity_figures_stale_sql() -> str:
    """The program's mentees whose stored activity figures are not current (_FRESH_ACTIVITY)."""
    return f"""
    SELECT p.id FROM {MenteeProfile._meta.db_table} p
    JOIN {UseSummary._meta.db_table} u ON u.mentee_id = p.id
    {_WATCHED}
    WHERE p.program_id = %(program)s AND NOT {_FRESH_ACTIVITY}
    """  # noqa: S608 — only table names and fixed numbers are interpolated


def _extras_dtype(windows: list[metrics.Window]) -> np.dtype:
    return np.dtype(
        [
            ("id", ">i8"),
            ("activity", _activity_dtype(windows)),
            ("left_day", ">i4"),  # day number of leaving, NEVER_LEFT when still here
        ]
    )


def _extras_sql(windows: list[metrics.Window], *, enrolled_from, enrolled_to) -> str:
    """One bytea: a record (_extras_dtype) for each participant with any leaving, and for each
    participant counted afresh (_activity_sql's mentees) with any check-in, goal or assessment:
    their activity figures and the day number of leaving. Leaving is read for everyone: a
    status change may be recorded with an earlier date, so it has no change time to watch."""
    scope = f"p.program_id = %(program)s{_period(enrolled_from, enrolled_to)}"
    ctes, figures = _activity_sql(windows, scope=scope)
    numbers = [*figures, f"coalesce(left_day, {NEVER_LEFT})"]
    return f"""
    WITH {ctes},
    gone AS (
        SELECT x.mentee_id,
               (min(x.changed_at) AT TIME ZONE %(tz)s)::date - min(p.enrolled_on) + 1 AS left_day
        FROM {StatusChange._meta.db_table} x JOIN {MenteeProfile._meta.db_table} p
             ON p.id = x.mentee_id
        WHERE x.to_status = ANY(%(left)s) AND {scope} GROUP BY x.mentee_id
    )
    SELECT string_agg(
        int8send(mentee_id) || {" || ".join(f"int4send(({n})::int)" for n in numbers)}, ''::bytea)
    FROM se FULL JOIN go USING (mentee_id) FULL JOIN sc USING (mentee_id)
         FULL JOIN gone USING (mentee_id)
    """  # noqa: S608 — only table names and window day numbers are interpolated


def _abstinence(cohort: Cohort, table: np.ndarray, elapsed: np.ndarray):
    """The grid of recorded days (participants x day numbers, from the stored summaries read
    with the participants, or from the days themselves where a summary is missing or out of
    date) and the outcomes."""
    periods = metrics.abstinence_periods(cohort.abstinence_rules)
    ids = table["id"]
    grid = table["days"].astype(np.int8)  # metrics.MISSING where nothing is stored
    last_day = grid.shape[1]
    stale = np.flatnonzero(table["days_current"] == 0)
    if stale.size:
        mentee_ids = ids[stale].tolist()
        enrolled = dict(
            MenteeProfile.objects.filter(pk__in=mentee_ids).values_list("pk", "enrolled_on")
        )
        days: dict[int, dict[date, bool]] = defaultdict(dict)
        for mentee_id, day, used in UseDay.objects.filter(mentee_id__in=mentee_ids).values_list(
            "mentee_id", "day", "used"
        ):
            days[mentee_id][day] = used
        for mentee_id, position in zip(mentee_ids, stale.tolist(), strict=True):
            states = day_states(days[mentee_id], enrolled_on=enrolled[mentee_id])[:last_day]
            grid[position] = 0
            grid[position, : len(states)] = np.frombuffer(states, dtype=np.uint8)
    return periods, metrics.abstinence_outcomes(grid, elapsed, periods)


def query_params(program: Program, *, today: date, **more) -> dict:
    """The parameters every query of this module binds."""
    return {
        "program": program.pk,
        "today": today,
        "tz": program.timezone,
        "arms": [str(a) for a in ARMS],
        "individual": str(CheckIn.Kind.INDIVIDUAL),
        "attended": str(Attendance.Status.ATTENDED),
        "absent": str(Attendance.Status.ABSENT),
        "expected": str(Attendance.Status.EXPECTED),
        "scheduled": str(CheckIn.Status.SCHEDULED),
        "no_show": str(CheckIn.Status.NO_SHOW),
        "cancelled": str(CheckIn.Status.CANCELLED),
        "rescheduled": str(CheckIn.Status.RESCHEDULED),
        "counted": [str(s) for s in COUNTED],
        "held": str(HELD),
        "achieved": str(Goal.Status.ACHIEVED),
        "goals_counted": [str(s) for s in GOALS_COUNTED],
        **{f"i{n}": instrument.code for n, (instrument, score) in enumerate(SCORES)},
        **{f"k{n}": score.code for n, (instrument, score) in enumerate(SCORES)},
        "left": [str(s) for s in LEFT],
        **more,
    }


def _columns_from_database(cohort: Cohort) -> Columns:
    windows, today = cohort.windows, cohort.today
    standard = windows == list(metrics.STANDARD_WINDOWS)
    period = {"enrolled_from": cohort.enrolled_from, "enrolled_to": cohort.enrolled_to}
    # The stored check-in figures are the standard windows'; a custom window counts them all.
    params = query_params(cohort.program, today=today, **period, stored=standard)
    with connection.cursor() as cursor:
        last_day = metrics.abstinence_grid_days(cohort.abstinence_rules)
        cursor.execute(_participants_sql(last_day=last_day, **period), params)
        record = _participant_dtype(last_day)
        table = np.frombuffer(bytes(cursor.fetchone()[0] or b""), dtype=record)
        table = table[np.argsort(table["id"], kind="stable")]  # the order of Columns
        # Activity is counted only for those whose stored figures are not current.
        fresh = table["activity_fresh"] == 1
        recount = table["id"][~fresh]
        params["recount_all"] = bool(len(recount) == len(table))
        params["recount"] = [] if params["recount_all"] else recount.tolist()
        cursor.execute(_extras_sql(windows, **period), params)
        extras = np.frombuffer(bytes(cursor.fetchone()[0] or b""), dtype=_extras_dtype(windows))
    count = len(table)
    arm = table["arm"].astype(int) - 1
    elapsed = table["elapsed"].astype(int)
    if standard:
        use, weekly = _unpack(table["packed"])  # (n, windows, 4) with NaN, (n, weeks, 2)
        # No summary, or one computed for another enrollment date: count the days themselves.
        stale = np.flatnonzero(table["packed"][:, 0] != PACKED_FORMAT)
    else:
        # A custom window is not in the stored summaries: everyone's days are counted.
        use = np.full((count, len(windows), 4), np.nan)
        weekly = np.zeros((count, CHART_WEEKS, 2), dtype=np.int64)
        stale = np.arange(count)
    if stale.size:
        _recount(cohort, table["id"][stale].tolist(), stale, use, weekly)
    # The stored figures, then the sparse extras spread over the participants (zeros, or
    # NaN / NEVER_LEFT, elsewhere).
    sessions = np.zeros((count, len(windows), 3))
    goals = np.zeros((count, len(windows), 2))
    scores = np.full((count, len(SCORES), 2), np.nan)
    left_day = np.full(count, NEVER_LEFT, dtype=np.int64)

    def spread(where: np.ndarray, figures: np.ndarray) -> None:
        sessions[where] = figures["sessions"]
        goals[where] = figures["goals"]
        scores[where] = np.where(figures["scores"] < 0, np.nan, figures["scores"])

    if standard and fresh.any():
        spread(fresh, table["activity"][fresh])
    if len(extras):
        where = np.searchsorted(table["id"], extras["id"])
        left_day[where] = extras["left_day"]
        # A current participant's extras row only carries their leaving.
        counted = ~fresh[where]
        spread(where[counted], extras["activity"][counted])
    window_days, values = {}, {}
    with np.errstate(divide="ignore", invalid="ignore"):
        for n, window in enumerate(windows):
            days = np.clip(np.minimum(window.last_day, elapsed + 1) - window.first_day + 1, 0, None)
            recorded, used, longest, first = (use[:, n, i] for i in range(4))
            scheduled, completed, minutes = (sessions[:, n, i] for i in range(3))
            due, achieved = goals[:, n, 0], goals[:, n, 1]
            window_days[window.key] = days
            values[window.key] = {
                "use_days": np.where(recorded > 0, used, np.nan),
                "recorded_days": recorded,
                "coverage": np.where(days > 0, recorded / days * 100, np.nan),
                "pda": np.where(recorded > 0, (recorded - used) / recorded * 100, np.nan),
                # No recorded day: no run to measure, not a run of 0 (as days of use).
                "longest_abstinent_run": np.where(recorded > 0, longest, np.nan),
                "days_to_first_use": first,
                "checkins_completed": completed,
                "checkins_scheduled": scheduled,
                "checkin_rate": np.where(scheduled > 0, completed / scheduled * 100, np.nan),
                "contact_hours_per_week": np.where(days > 0, minutes / 60 / (days / 7), np.nan),
                "goal_rate": np.where(due > 0, achieved / due * 100, np.nan),
                "goals_due": due,
                "goals_achieved": achieved,
            }
    reached = elapsed >= RETENTION_DAY - 1
    retained = np.where(reached, (left_day > RETENTION_DAY).astype(float), np.nan)
    # Weekly chart: weeks that have begun (week k begins on day 7k-6), with a record.
    begun = 7 * np.arange(CHART_WEEKS)[None, :] <= elapsed[:, None]
    with_record = begun & (weekly[:, :, 1] > 0)
    chart = {}
    for index in range(len(ARMS)):
        mine = with_record & (arm == index)[:, None]
        sums = np.where(mine, weekly[:, :, 0], 0).sum(axis=0)
        chart[index] = ([int(v) for v in sums], [int(v) for v in mine.sum(axis=0)])
    periods, abstinence = _abstinence(cohort, table, elapsed)
    return Columns(
        periods=periods,
        abstinence=abstinence,
        ids=table["id"].astype(np.int64),
        arm=arm,
        window_days=window_days,
        values=values,
        scores={
            score.column: {
                "intake": scores[:, n, 0],
                "latest": scores[:, n, 1],
                "change": scores[:, n, 1] - scores[:, n, 0],
            }
            for n, (instrument, score) in enumerate(SCORES)
        },
        retained=retained,
        weekly=chart,
    )


def _unpack(packed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The stored figures as float window figures (first use 0 -> NaN) and int weekly pairs."""
    count = len(metrics.STANDARD_WINDOWS)
    use = packed[:, 1 : 1 + 4 * count].reshape(-1, count, 4).astype(float)
    first = use[:, :, 3]
    first[first == 0] = np.nan
    weekly = packed[:, 1 + 4 * count :].reshape(-1, CHART_WEEKS, 2).astype(np.int64)
    return use, weekly


def _recount(cohort: Cohort, mentee_ids: list[int], positions, use, weekly) -> None:
    """Fill these participants' use figures from their days themselves (what summary_compute
    stores, for today)."""
    enrolled = dict(
        MenteeProfile.objects.filter(pk__in=mentee_ids).values_list("pk", "enrolled_on")
    )
    days: dict[int, dict[date, bool]] = defaultdict(dict)
    for mentee_id, day, used in UseDay.objects.filter(mentee_id__in=mentee_ids).values_list(
        "mentee_id", "day", "used"
    ):
        days[mentee_id][day] = used
    for mentee_id, position in zip(mentee_ids, positions.tolist(), strict=True):
        mine, enrolled_on, today = days[mentee_id], enrolled[mentee_id], cohort.today
        for n, window in enumerate(cohort.windows):
            m = metrics.use_metrics(mine, enrolled_on=enrolled_on, window=window, today=today)
            first = np.nan if m.days_to_first_use is None else m.days_to_first_use
            use[position, n] = [m.recorded_days, m.use_days, m.longest_abstinent_run, first]
        weekly[position] = [
            w or (0, 0)
            for w in metrics.weekly_use_days(
                mine, enrolled_on=enrolled_on, weeks=CHART_WEEKS, today=today
            )
        ]


@dataclass
class Row:
    label: str
    by_arm: dict[str, metrics.Summary]
    difference: tuple


INTERVAL_MIN_N = 3  # below this the internal report shows n and figures but no interval


def _row(label: str, values: np.ndarray, masks: dict[str, np.ndarray]) -> Row:
    summaries = {arm: metrics.summarize_array(values[masks[arm]]) for arm in ARMS}
    difference = metrics.mean_difference(summaries[ARMS[0]], summaries[ARMS[1]])
    if min(s.n for s in summaries.values()) < INTERVAL_MIN_N:
        difference = (difference[0], None, None)
    return Row(label, summaries, difference)


# The default of OutcomeSettings.min_cell_size (CMS's cell size rule).
DEFAULT_MIN_CELL_SIZE = OutcomeSettings._meta.get_field("min_cell_size").default


def small_cell(*counts: int, minimum: int) -> bool:
    """The one small-cell rule of every aggregate output (the summary export, the report's
    charts): a cell is suppressed when any count behind it (its people, a count among them, or
    that count's complement) is from 1 to minimum - 1. Zero is not a person to protect."""
    return any(0 < count < minimum for count in counts)


def cohort_summary(cohort: Cohort, *, min_cell_size: int = DEFAULT_MIN_CELL_SIZE) -> dict:
    """n, mean, SD and median of every metric per window and arm, with the difference between
    arms; retention at week 12; chart data (small cells suppressed): the cohort report page."""
    return columns_summary(cohort.columns, windows=cohort.windows, min_cell_size=min_cell_size)


def columns_summary(
    cols: Columns, *, windows: list[metrics.Window], min_cell_size: int = DEFAULT_MIN_CELL_SIZE
) -> dict:
    masks = {arm: cols.arm == index for index, arm in enumerate(ARMS)}
    tables = []
    for window in windows:
        # Someone whose window has not begun yet has no figure for it, not zeros.
        begun = cols.window_days[window.key] > 0
        in_window = {arm: mask & begun for arm, mask in masks.items()}
        rows = [_row(str(label), cols.values[window.key][key], in_window) for key, label in METRICS]
        tables.append({"window": window, "rows": rows})
    score_rows = [
        _row(str(label) % {"score": score.label}, cols.scores[score.column][key], masks)
        for instrument, score in SCORES
        for key, label in SCORE_ROWS
    ]
    retention = {}
    for arm in ARMS:
        flags = cols.retained[masks[arm]]
        eligible = flags[~np.isnan(flags)]
        retained, count = int(eligible.sum()), int(eligible.size)
        retention[arm] = {
            "retained": retained,
            "eligible": count,
            "percent": retained / count * 100 if count else None,
        }
    return {
        "n": {arm: int(masks[arm].sum()) for arm in ARMS},
        "abstinence": abstinence_rows(cols, masks),
        "tables": tables,
        "score_rows": score_rows,
        "retention": retention,
        "chart": _chart_data(cols, masks, minimum=min_cell_size),
    }


ANALYSES = [("itt", 0), ("responders", 1)]  # the position in Columns.abstinence's pairs


def period_label(period: metrics.AbstinencePeriod) -> str:
    if period.kind == "ppa":
        return _("%(lookback)s-day point prevalence at day %(day)s") % {
            "lookback": period.lookback,
            "day": period.timepoint,
        }
    weeks = {"first": period.window.first_week, "last": period.window.last_week}
    if period.kind == "continuous":
        return _("Continuous, weeks %(first)s-%(last)s") % weeks
    if period.rule == metrics.STRICT:
        return _("Prolonged (strict), weeks %(first)s-%(last)s") % weeks
    return _("Prolonged (not relapsed), weeks %(first)s-%(last)s") % weeks


ANALYSIS_LABELS = {
    "itt": gettext_lazy("Intent-to-treat"),
    "responders": gettext_lazy("Responders only"),
}


@dataclass
class AbstinenceRow:
    period: metrics.AbstinencePeriod
    analysis: str  # "itt" or "responders"
    label: str
    analysis_label: str
    by_arm: dict[str, metrics.Proportion]
    difference: tuple  # mentored - comparison with Newcombe's 95% interval


def abstinence_rows(cols: Columns, masks: dict[str, np.ndarray]) -> list[AbstinenceRow]:
    """Per abstinence outcome and analysis: abstinent / counted per arm with Wilson intervals,
    and the difference between the arms."""
    rows = []
    for period in cols.periods:
        for analysis, index in ANALYSES:
            values = cols.abstinence[period.key][index]
            by_arm = {}
            for arm in ARMS:
                mine = values[masks[arm]]
                counted = mine[~np.isnan(mine)]
                by_arm[arm] = metrics.proportion(int(counted.sum()), int(counted.size))
            difference = metrics.proportion_difference(by_arm[ARMS[0]], by_arm[ARMS[1]])
            if min(p.n for p in by_arm.values()) < INTERVAL_MIN_N:
                difference = (difference[0], None, None)
            by_arm = {
                arm: p if p.n >= INTERVAL_MIN_N else metrics.Proportion(p.count, p.n, None, None)
                for arm, p in by_arm.items()
            }
            rows.append(
                AbstinenceRow(
                    period,
                    analysis,
                    period_label(period),
                    str(ANALYSIS_LABELS[analysis]),
                    by_arm,
                    difference,
                )
            )
    return rows


def _chart_data(cols: Columns, masks: dict[str, np.ndarray], *, minimum: int) -> dict:
    """Weekly mean days of use (among participants with a record that week) and the
    distribution of percent days abstinent in weeks 1-12, per arm. A chart is published as
    much as a table is: a point or bar of fewer than `minimum` people (small_cell) is left out
    (None: a gap), and `suppressed` tells the caption to say so."""
    weekly, pda_bins = {}, {}
    suppressed = False
    for index, arm in enumerate(ARMS):
        sums, counts = cols.weekly[index]
        weekly[arm] = []
        for total, n in zip(sums, counts, strict=True):
            hidden = small_cell(int(n), minimum=minimum)
            suppressed |= hidden
            weekly[arm].append(round(int(total) / int(n), 2) if n and not hidden else None)
        pda = cols.values[metrics.ACTIVE.key]["pda"][masks[arm]]
        pda = pda[~np.isnan(pda)]
        bins = np.bincount(np.minimum((pda // 10).astype(int), 9), minlength=10)
        # A small arm is hidden whole: its bars would add up to its n.
        small_arm = small_cell(int(pda.size), minimum=minimum)
        pda_bins[arm] = [
            None if small_arm or small_cell(int(b), minimum=minimum) else int(b) for b in bins
        ]
        suppressed |= None in pda_bins[arm]
    return {
        "weeks": list(range(1, CHART_WEEKS + 1)),
        "weekly": weekly,
        "pda_labels": [f"{i * 10}-{i * 10 + 10}%" for i in range(10)],
        "pda_bins": pda_bins,
        "min_cell_size": minimum,
        "suppressed": suppressed,
        "arm_labels": dict(MenteeProfile.Arm.choices),
        # The charts' words, in the page's language (static/js/outcomes.js reads them).
        "week_labels": [_("W%(week)s") % {"week": w} for w in range(1, CHART_WEEKS + 1)],
        "titles": {"weekly": _("Days of use"), "pda": _("Participants")},
    }

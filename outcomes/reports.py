"""The cohort report: per-participant outcomes, summarised by study arm.

A fixed number of queries whatever the cohort size: participants, their use days (streamed in
order), their BARC-10 totals and their withdrawals. All arithmetic is in outcomes.metrics.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import groupby

from accounts.models import MenteeProfile, Program, StatusChange
from checkins.models import Attendance, CheckIn
from goals.models import Goal
from outcomes import metrics
from outcomes.engagement import Engagement, engagement
from outcomes.instruments import BARC10
from outcomes.models import Assessment, UseDay, UseSummary

ARMS = [MenteeProfile.Arm.MENTORED, MenteeProfile.Arm.COMPARISON]
LEFT = [MenteeProfile.Status.WITHDRAWN, MenteeProfile.Status.DISCHARGED]
CHART_WEEKS = 24
RETENTION_DAY = 84  # the last day of week 12

# (label, how to read it from a participant's UseMetrics and Engagement for one window)
METRICS = [
    ("Days of use", lambda m, e: m.use_days if m.recorded_days else None),
    ("Recorded days", lambda m, e: m.recorded_days),
    ("Coverage (% of window days recorded)", lambda m, e: m.coverage),
    ("Percent days abstinent", lambda m, e: m.pda),
    ("Longest abstinent run (days)", lambda m, e: m.longest_abstinent_run),
    ("Days to first use", lambda m, e: m.days_to_first_use),
    ("Check-ins completed", lambda m, e: e.checkins_completed),
    ("Check-ins scheduled", lambda m, e: e.checkins_scheduled),
    ("Check-ins completed (% of scheduled)", lambda m, e: e.checkin_rate),
    ("Contact hours per week", lambda m, e: e.contact_hours_per_week),
    ("Goals achieved (% of goals due)", lambda m, e: e.goal_rate),
]
GOALS_COUNTED = ["active", "achieved", "not_achieved"]  # drafts and abandoned goals never fell due


@dataclass
class Participant:
    pk: int
    participant_id: str
    arm: str
    enrolled_on: date
    status: str
    windows: dict[str, metrics.UseMetrics] = field(default_factory=dict)
    engagement: dict[str, Engagement] = field(default_factory=dict)
    checkins: list = field(default_factory=list)  # (local date, status, minutes)
    goals: list = field(default_factory=list)  # (due date, status)
    weekly: list = field(default_factory=list)
    barc: dict[int, int] = field(default_factory=dict)
    left_on: date | None = None

    @property
    def barc_change(self) -> int | None:
        return metrics.assessment_change(self.barc)

    def retained_at_week_12(self, today: date) -> bool | None:
        """None until the participant has reached day 84."""
        day_84 = self.enrolled_on + timedelta(days=RETENTION_DAY - 1)
        if day_84 > today:
            return None
        return self.left_on is None or self.left_on > day_84


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
    return {"windows": windows, "weekly": [list(w) if w else None for w in weekly]}


def _from_summary(person: "Participant", stored: dict, today: date) -> None:
    """Standard-window metrics from a stored summary plus today's date (how much of each
    window has happened)."""
    for window in metrics.STANDARD_WINDOWS:
        recorded, use, longest, first = stored["windows"][window.key]
        start = metrics.date_of_day(person.enrolled_on, window.first_day)
        end = metrics.date_of_day(person.enrolled_on, window.last_day)
        person.windows[window.key] = metrics.UseMetrics(
            window_days=max(0, (min(end, today) - start).days + 1),
            recorded_days=recorded,
            use_days=use,
            abstinent_days=recorded - use,
            longest_abstinent_run=longest,
            days_to_first_use=first,
            complete=end <= today,
        )
    person.weekly = [
        tuple(w) if w and metrics.date_of_day(person.enrolled_on, 7 * i + 1) <= today else None
        for i, w in enumerate(stored["weekly"])
    ]


def participants_compute(
    *,
    program: Program,
    today: date,
    windows: list[metrics.Window],
    enrolled_from: date | None = None,
    enrolled_to: date | None = None,
) -> list[Participant]:
    mentees = MenteeProfile.objects.filter(program=program)
    if enrolled_from:
        mentees = mentees.filter(enrolled_on__gte=enrolled_from)
    if enrolled_to:
        mentees = mentees.filter(enrolled_on__lte=enrolled_to)
    people = {
        row["pk"]: Participant(
            pk=row["pk"],
            participant_id=row["participant_id"],
            arm=row["study_arm"],
            enrolled_on=row["enrolled_on"],
            status=row["status"],
        )
        for row in mentees.order_by("participant_id").values(
            "pk", "participant_id", "study_arm", "enrolled_on", "status"
        )
    }
    ids = mentees.values("pk")
    live = set(people)
    if all(w in metrics.STANDARD_WINDOWS for w in windows):
        # The common case: one stored summary row per participant, not every logged day.
        for mentee_id, enrolled_on, windows_json, weekly in UseSummary.objects.filter(
            mentee__in=ids
        ).values_list("mentee_id", "enrolled_on", "windows", "weekly"):
            person = people[mentee_id]
            if enrolled_on == person.enrolled_on:  # else the enrollment date changed: recount
                _from_summary(person, {"windows": windows_json, "weekly": weekly}, today)
                live.discard(mentee_id)
        # No summary means no record at all, unless the summary is stale (handled below).
        without_days = (
            live
            - set(
                UseDay.objects.filter(mentee_id__in=list(live)).values_list("mentee_id", flat=True)
            )
            if live
            else set()
        )
        for pk in without_days:
            _fill(people[pk], {}, windows, today)
        live -= without_days
    if live:
        # Custom windows (or stale summaries) read the days themselves.
        chosen = mentees if len(live) == len(people) else MenteeProfile.objects.filter(pk__in=live)
        rows = (
            UseDay.objects.filter(mentee__in=chosen.values("pk"))
            .order_by("mentee_id", "day")
            .values_list("mentee_id", "day", "used")
            .iterator(chunk_size=20_000)
        )
        seen = set()
        for mentee_id, group in groupby(rows, key=lambda r: r[0]):
            _fill(people[mentee_id], {day: used for _, day, used in group}, windows, today)
            seen.add(mentee_id)
        for pk in live - seen:
            _fill(people[pk], {}, windows, today)
    _load_engagement(people, ids, program)
    for person in people.values():
        for window in windows:
            person.engagement[window.key] = engagement(
                checkins=person.checkins,
                goals=person.goals,
                enrolled_on=person.enrolled_on,
                window=window,
                today=today,
            )
    for mentee_id, week, total in Assessment.objects.filter(
        mentee__in=ids, instrument=BARC10.code
    ).values_list("mentee_id", "week", "total"):
        people[mentee_id].barc[week] = total
    for mentee_id, changed_at in (
        StatusChange.objects.filter(mentee__in=ids, to_status__in=LEFT)
        .order_by("changed_at")
        .values_list("mentee_id", "changed_at")
    ):
        person = people[mentee_id]
        if person.left_on is None:
            person.left_on = changed_at.astimezone(program.tzinfo).date()
    return list(people.values())


def _load_engagement(people: dict[int, Participant], ids, program: Program) -> None:
    tz = program.tzinfo
    for mentee_id, at, status, actual, planned in CheckIn.objects.filter(
        mentee__in=ids, kind=CheckIn.Kind.INDIVIDUAL
    ).values_list("mentee_id", "scheduled_at", "status", "actual_minutes", "duration_minutes"):
        people[mentee_id].checkins.append((at.astimezone(tz).date(), status, actual or planned))
    # A group session counts like a check-in for each mentee expected at it.
    group_status = {
        Attendance.Status.ATTENDED: "completed",
        Attendance.Status.ABSENT: "no_show",
        Attendance.Status.EXPECTED: "scheduled",
    }
    for mentee_id, state, at, status, actual, planned in Attendance.objects.filter(
        mentee__in=ids
    ).values_list(
        "mentee_id",
        "status",
        "checkin__scheduled_at",
        "checkin__status",
        "checkin__actual_minutes",
        "checkin__duration_minutes",
    ):
        if state in group_status and status not in ("cancelled", "rescheduled"):
            people[mentee_id].checkins.append(
                (at.astimezone(tz).date(), group_status[state], actual or planned)
            )
    for mentee_id, due_on, status in Goal.objects.filter(
        mentee__in=ids, status__in=GOALS_COUNTED
    ).values_list("mentee_id", "due_date", "status"):
        people[mentee_id].goals.append((due_on, status))


def _fill(person: Participant, days, windows, today) -> None:
    for window in windows:
        person.windows[window.key] = metrics.use_metrics(
            days, enrolled_on=person.enrolled_on, window=window, today=today
        )
    person.weekly = metrics.weekly_use_days(
        days, enrolled_on=person.enrolled_on, weeks=CHART_WEEKS, today=today
    )


@dataclass
class Row:
    label: str
    by_arm: dict[str, metrics.Summary]
    difference: tuple


def cohort_summary(
    people: list[Participant], *, windows: list[metrics.Window], today: date
) -> dict:
    by_arm = defaultdict(list)
    for person in people:
        by_arm[person.arm].append(person)
    tables = []
    for window in windows:
        rows = []
        for label, read in METRICS:
            summaries = {
                arm: metrics.summarize(
                    read(p.windows[window.key], p.engagement[window.key])
                    for p in by_arm[arm]
                    # Someone whose window has not begun yet has no figure for it, not zeros.
                    if p.windows[window.key].window_days
                )
                for arm in ARMS
            }
            rows.append(
                Row(
                    label,
                    summaries,
                    metrics.mean_difference(summaries[ARMS[0]], summaries[ARMS[1]]),
                )
            )
        tables.append({"window": window, "rows": rows})
    barc_rows = []
    for label, read in [
        ("BARC-10 at intake", lambda p: p.barc.get(0)),
        ("BARC-10 change from intake to latest", lambda p: p.barc_change),
    ]:
        summaries = {arm: metrics.summarize(read(p) for p in by_arm[arm]) for arm in ARMS}
        barc_rows.append(
            Row(label, summaries, metrics.mean_difference(summaries[ARMS[0]], summaries[ARMS[1]]))
        )
    retention = {}
    for arm in ARMS:
        flags = [p.retained_at_week_12(today) for p in by_arm[arm]]
        eligible = [f for f in flags if f is not None]
        retention[arm] = {
            "retained": sum(eligible),
            "eligible": len(eligible),
            "percent": sum(eligible) / len(eligible) * 100 if eligible else None,
        }
    return {
        "n": {arm: len(by_arm[arm]) for arm in ARMS},
        "tables": tables,
        "barc_rows": barc_rows,
        "retention": retention,
        "chart": _chart_data(by_arm),
    }


def _chart_data(by_arm) -> dict:
    """Weekly mean days of use (among participants with a record that week) and the
    distribution of percent days abstinent in weeks 1-12, per arm."""
    weekly, pda_bins = {}, {}
    for arm in ARMS:
        means = []
        for week in range(CHART_WEEKS):
            values = [p.weekly[week][0] for p in by_arm[arm] if p.weekly[week] is not None]
            means.append(round(sum(values) / len(values), 2) if values else None)
        weekly[arm] = means
        bins = [0] * 10
        for person in by_arm[arm]:
            pda = person.windows[metrics.ACTIVE.key].pda
            if pda is not None:
                bins[min(int(pda // 10), 9)] += 1
        pda_bins[arm] = bins
    return {
        "weeks": list(range(1, CHART_WEEKS + 1)),
        "weekly": weekly,
        "pda_labels": [f"{i * 10}-{i * 10 + 10}%" for i in range(10)],
        "pda_bins": pda_bins,
        "arm_labels": dict(MenteeProfile.Arm.choices),
    }

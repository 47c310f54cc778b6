"""The per-participant reference the report and the export are checked against: every figure
computed person by person in plain Python, straight from DESIGN.md's definitions. Test-only:
the product computes each figure once, in `outcomes.reports.Cohort.columns`."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from accounts.models import MenteeProfile, Program, StatusChange
from checkins.models import Attendance, CheckIn
from goals.models import Goal
from outcomes import metrics
from outcomes.instruments import SCORES
from outcomes.models import Assessment, UseDay
from outcomes.reports import CHART_WEEKS, GOALS_COUNTED, LEFT, RETENTION_DAY

HELD = CheckIn.Status.COMPLETED
COUNTED = (CheckIn.Status.SCHEDULED, CheckIn.Status.COMPLETED, CheckIn.Status.NO_SHOW)


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
    window: metrics.Window,
    today: date,
) -> Engagement:
    start = metrics.date_of_day(enrolled_on, window.first_day)
    last = min(metrics.date_of_day(enrolled_on, window.last_day), today)
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
            achieved += status == Goal.Status.ACHIEVED
    return Engagement(
        checkins_scheduled=scheduled,
        checkins_completed=completed,
        contact_hours_per_week=minutes / 60 / (window_days / 7) if window_days else None,
        goals_due=due,
        goals_achieved=achieved,
    )


def assessment_change(totals: Mapping[int, int], *, to_week: int | None = None) -> int | None:
    """Change in total from intake (week 0) to `to_week`, or to the latest follow-up."""
    if 0 not in totals:
        return None
    followups = [w for w in totals if w > 0 and (to_week is None or w == to_week)]
    if not followups:
        return None
    return totals[max(followups)] - totals[0]


def abstinence(
    days: Mapping[date, bool], *, enrolled_on: date, today: date, rules: metrics.AbstinenceRules
) -> dict[str, tuple[bool | None, bool | None]]:
    """Every abstinence outcome of one person, day by day from DESIGN.md's definitions:
    {key: (intent-to-treat, responders-only)}, None where the person is not counted."""

    def on(number: int) -> bool | None:  # None: no record
        return days.get(enrolled_on + timedelta(days=number - 1))

    def week(number: int) -> int:
        return (number - 1) // 7 + 1

    def judge(first: int, last: int, relapse_rule: bool):
        if enrolled_on + timedelta(days=last - 1) > today:  # not over yet: nobody counted
            return None, None
        numbers = list(range(first, last + 1))
        complete = all(on(n) is not None for n in numbers)
        # intent-to-treat: a day without a record is a day of use
        lapses = [n for n in numbers if on(n) is not False]
        if not relapse_rule:
            abstinent = not lapses
        else:
            lapse_set = set(lapses)
            seven_in_a_row = any(all(n + k in lapse_set for k in range(7)) for n in numbers)
            weeks_with_use = {week(n) for n in lapses}
            two_weeks = any(w + 1 in weeks_with_use for w in weeks_with_use)
            abstinent = not (seven_in_a_row or two_weeks)
        return abstinent, (abstinent if complete else None)

    result = {}
    for timepoint in rules.timepoints:
        for lookback in (7, 30):
            result[f"ppa{lookback}_day{timepoint}"] = judge(
                max(1, timepoint - lookback + 1), timepoint, False
            )
    for window in rules.windows:
        first, last = 7 * window.first_week - 6, 7 * window.last_week
        result[f"continuous_{window.key}"] = judge(first, last, False)
        result[f"prolonged_{window.key}"] = judge(
            min(first + rules.grace_days, last), last, rules.lapse_rule == "not_relapsed"
        )
    return result


# (report row key, how to read it from a participant's UseMetrics and Engagement in a window)
READERS = {
    "use_days": lambda m, e: m.use_days if m.recorded_days else None,
    "recorded_days": lambda m, e: m.recorded_days,
    "coverage": lambda m, e: m.coverage,
    "pda": lambda m, e: m.pda,
    "longest_abstinent_run": lambda m, e: m.longest_abstinent_run if m.recorded_days else None,
    "days_to_first_use": lambda m, e: m.days_to_first_use,
    "checkins_completed": lambda m, e: e.checkins_completed,
    "checkins_scheduled": lambda m, e: e.checkins_scheduled,
    "checkin_rate": lambda m, e: e.checkin_rate,
    "contact_hours_per_week": lambda m, e: e.contact_hours_per_week,
    "goal_rate": lambda m, e: e.goal_rate,
}


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
    scores: dict[str, dict[int, int]] = field(default_factory=dict)  # column: {week: score}
    left_on: date | None = None
    abstinence: dict = field(default_factory=dict)  # see abstinence()

    def score_change(self, column: str) -> int | None:
        return assessment_change(self.scores.get(column, {}))

    def retained_at_week_12(self, today: date) -> bool | None:
        """None until the participant has reached day 84."""
        day_84 = self.enrolled_on + timedelta(days=RETENTION_DAY - 1)
        if day_84 > today:
            return None
        return self.left_on is None or self.left_on > day_84


def participants_build(
    *,
    program: Program,
    today: date,
    windows: list[metrics.Window],
    enrolled_from: date | None = None,
    enrolled_to: date | None = None,
    rules: metrics.AbstinenceRules | None = None,
) -> list[Participant]:
    """One Participant per person (in participant ID order), every figure from the raw rows.
    `rules`: the abstinence rules (the defaults unless given)."""
    rules = rules or metrics.AbstinenceRules()
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
    days: dict[int, dict[date, bool]] = {pk: {} for pk in people}
    for mentee_id, day, used in UseDay.objects.filter(mentee__in=ids).values_list(
        "mentee_id", "day", "used"
    ):
        days[mentee_id][day] = used
    tz = program.tzinfo
    for mentee_id, at, status, actual, planned in CheckIn.objects.filter(
        mentee__in=ids, kind=CheckIn.Kind.INDIVIDUAL
    ).values_list("mentee_id", "scheduled_at", "status", "actual_minutes", "duration_minutes"):
        people[mentee_id].checkins.append((at.astimezone(tz).date(), status, actual or planned))
    # A group session counts like a check-in for each mentee expected at it.
    group_status = {
        Attendance.Status.ATTENDED: CheckIn.Status.COMPLETED,
        Attendance.Status.ABSENT: CheckIn.Status.NO_SHOW,
        Attendance.Status.EXPECTED: CheckIn.Status.SCHEDULED,
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
        if state in group_status and status not in (
            CheckIn.Status.CANCELLED,
            CheckIn.Status.RESCHEDULED,
        ):
            people[mentee_id].checkins.append(
                (at.astimezone(tz).date(), group_status[state], actual or planned)
            )
    for mentee_id, due_on, status in Goal.objects.filter(
        mentee__in=ids, status__in=GOALS_COUNTED
    ).values_list("mentee_id", "due_date", "status"):
        people[mentee_id].goals.append((due_on, status))
    for mentee_id, instrument, week, scores in Assessment.objects.filter(
        mentee__in=ids
    ).values_list("mentee_id", "instrument", "week", "scores"):
        for definition, score in SCORES:
            if definition.code == instrument and score.code in scores:
                mine = people[mentee_id].scores.setdefault(score.column, {})
                mine[week] = scores[score.code]
    for mentee_id, changed_at in (
        StatusChange.objects.filter(mentee__in=ids, to_status__in=LEFT)
        .order_by("changed_at")
        .values_list("mentee_id", "changed_at")
    ):
        person = people[mentee_id]
        if person.left_on is None:
            person.left_on = changed_at.astimezone(tz).date()
    for person in people.values():
        mine = days[person.pk]
        for window in windows:
            person.windows[window.key] = metrics.use_metrics(
                mine, enrolled_on=person.enrolled_on, window=window, today=today
            )
            person.engagement[window.key] = engagement(
                checkins=person.checkins,
                goals=person.goals,
                enrolled_on=person.enrolled_on,
                window=window,
                today=today,
            )
        person.weekly = metrics.weekly_use_days(
            mine, enrolled_on=person.enrolled_on, weeks=CHART_WEEKS, today=today
        )
        person.abstinence = abstinence(
            mine, enrolled_on=person.enrolled_on, today=today, rules=rules
        )
    return list(people.values())


def _fmt(value: float | None) -> float | str:
    return "" if value is None else round(value, 1)


def participant_export_rows(people: list[Participant], *, today: date) -> list[list]:
    """The per-participant export's rows, as the export wrote them from these objects."""
    rows = []
    for p in people:
        row = [p.participant_id, p.arm, p.enrolled_on.year, p.status]
        for window in metrics.STANDARD_WINDOWS:
            m, e = p.windows[window.key], p.engagement[window.key]
            if not m.window_days:  # not begun: no figure at all, not zeros
                row += [""] * 12  # the twelve per-window columns
                continue
            none = not m.recorded_days  # begun, nothing recorded: no use figure
            row += [
                m.window_days,
                m.recorded_days,
                _fmt(m.coverage),
                "" if none else m.use_days,
                _fmt(m.pda),
                "" if none else m.longest_abstinent_run,
                "" if m.days_to_first_use is None else m.days_to_first_use,
                e.checkins_scheduled,
                e.checkins_completed,
                _fmt(e.contact_hours_per_week),
                e.goals_due,
                e.goals_achieved,
            ]
        for _, score in SCORES:
            mine = p.scores.get(score.column, {})
            change = p.score_change(score.column)
            row += [
                mine.get(0, ""),
                mine[max(mine)] if mine else "",
                "" if change is None else change,
            ]
        retained = p.retained_at_week_12(today)
        row.append("" if retained is None else ("yes" if retained else "no"))
        for itt, responders in p.abstinence.values():
            row += ["" if v is None else ("yes" if v else "no") for v in (itt, responders)]
        rows.append(row)
    return rows

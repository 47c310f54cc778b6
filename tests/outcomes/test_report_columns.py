"""The cohort report and the per-participant export read every figure from columns the
database hands over in bulk (outcomes.reports.Columns). On random cohorts they must give
exactly the figures computed participant by participant by the reference in
tests/outcomes/oracle.py."""

import random
from datetime import datetime, time, timedelta

import numpy as np
import pytest

from accounts.models import MenteeProfile, StatusChange
from checkins.models import Attendance, CheckIn
from outcomes import exports, metrics, services
from outcomes.instruments import BAM, SCORES
from outcomes.models import OutcomeSettings, Source, UseSummary
from outcomes.reports import (
    ARMS,
    CHART_WEEKS,
    Columns,
    arm_index,
    cohort_summary,
    columns_summary,
    participants_compute,
)
from outcomes.selectors import outcome_settings_get
from outcomes.services import use_reports_import
from tests import factories
from tests.outcomes import oracle

STANDARD = list(metrics.STANDARD_WINDOWS)


def _random_cohort(rng: random.Random):
    program = factories.ProgramFactory(timezone="America/New_York")
    today = program.today()
    mentor = factories.MentorProfileFactory(program=program)
    group = CheckIn.objects.create(
        kind=CheckIn.Kind.GROUP,
        program=program,
        facilitator=mentor,
        scheduled_at=datetime.combine(today - timedelta(days=30), time(23, 30), program.tzinfo),
        status=rng.choice(["completed", "scheduled", "cancelled"]),
        actual_minutes=rng.choice([None, 0, 45]),
    )
    rows, mentees = [], []
    for i in range(24):
        enrolled = today - timedelta(days=rng.randint(-5, 230))  # some not yet enrolled
        mentee = factories.MenteeProfileFactory(
            program=program,
            enrolled_on=enrolled,
            study_arm=rng.choice([MenteeProfile.Arm.MENTORED, MenteeProfile.Arm.COMPARISON]),
        )
        mentees.append(mentee)
        for offset in range(-3, (today - enrolled).days + 1):
            if rng.random() < 0.5:
                rows.append(
                    {
                        "mentee_id": mentee.pk,
                        "day": enrolled + timedelta(days=offset),
                        "used": rng.random() < 0.3,
                        "substances": [],
                        "source": Source.SELF,
                    }
                )
        if i % 3 == 0:
            match = factories.MatchFactory(program=program, mentee=mentee)
            for _ in range(rng.randint(1, 6)):
                factories.CheckInFactory(
                    match=match,
                    # late evening in New York: the local date differs from the UTC one
                    scheduled_at=datetime.combine(
                        enrolled + timedelta(days=rng.randint(-3, 200)),
                        time(22, 30),
                        program.tzinfo,
                    ),
                    status=rng.choice(["scheduled", "completed", "no_show", "cancelled"]),
                    actual_minutes=rng.choice([None, 0, 30, 90]),
                )
        if i % 4 == 0:
            Attendance.objects.create(
                checkin=group,
                mentee=mentee,
                status=rng.choice(["expected", "attended", "absent", "excused"]),
            )
        if i % 3 == 1:
            for status in rng.sample(["active", "achieved", "not_achieved", "draft"], 2):
                due = enrolled + timedelta(days=rng.randint(1, 200))
                factories.GoalFactory(
                    mentee=mentee, start_date=due - timedelta(days=1), due_date=due, status=status
                )
        if i % 2 == 0:
            for week in rng.sample([0, 4, 12, 24], rng.randint(1, 3)):
                total = rng.randint(10, 60)
                factories.AssessmentFactory(mentee=mentee, week=week, answers=[1] * 10, total=total)
        if i % 5 == 0:
            StatusChange.objects.create(
                mentee=mentee,
                to_status=rng.choice(["withdrawn", "discharged", "active"]),
                changed_at=datetime.combine(
                    enrolled + timedelta(days=rng.randint(0, 120)), time(2), program.tzinfo
                ),
            )
    factories.MenteeProfileFactory(program=program)  # no records at all
    # Full or nearly full, mostly abstinent logs (drawn last, so the cohort above is unchanged):
    # abstinence outcomes go both ways, responders-only counts someone.
    for recorded, use in [(1.0, 0.0), (1.0, 0.0), (1.0, 0.02), (0.99, 0.0), (1.0, 0.01)] * 2:
        enrolled = today - timedelta(days=rng.randint(60, 230))
        mentee = factories.MenteeProfileFactory(
            program=program,
            enrolled_on=enrolled,
            study_arm=rng.choice([MenteeProfile.Arm.MENTORED, MenteeProfile.Arm.COMPARISON]),
        )
        for offset in range((today - enrolled).days + 1):
            if rng.random() < recorded:
                day = enrolled + timedelta(days=offset)
                rows.append(
                    {
                        "mentee_id": mentee.pk,
                        "day": day,
                        "used": rng.random() < use,
                        "substances": [],
                        "source": Source.SELF,
                    }
                )
    # BAM at a few time points for every third person (drawn last, like the logs above).
    for mentee in mentees[::3]:
        for week in rng.sample([0, 4, 12, 24], rng.randint(1, 3)):
            answers = [rng.choice([v for v, _ in BAM.scale_of(item)]) for item in BAM.items]
            services.assessment_record(
                actor=None,
                mentee=mentee,
                instrument=BAM.code,
                week=week,
                answers=answers,
                completed_on=min(mentee.enrolled_on, today),
            )
    use_reports_import(actor=None, program=program, rows=rows)
    # A summary computed for an earlier enrollment date, and one missing: both are recounted.
    MenteeProfile.objects.filter(pk=mentees[1].pk).update(
        enrolled_on=mentees[1].enrolled_on - timedelta(days=2)
    )
    UseSummary.objects.filter(mentee=mentees[2]).delete()
    return program


RULES = [  # the program's abstinence settings per seed: defaults, and odd ones
    None,
    {
        "abstinence_timepoints": "5,30,100",
        "abstinence_windows": "1-12,3-5,13-24",
        "grace_days": 10,
        "lapse_rule": "not_relapsed",
    },
    {
        "abstinence_timepoints": "84,168",
        "abstinence_windows": "1-12,13-24",
        "grace_days": 3,
        "lapse_rule": "not_relapsed",
    },
]


def _set_rules(program, seed) -> metrics.AbstinenceRules:
    chosen = RULES[seed % len(RULES)]
    if chosen:
        OutcomeSettings.objects.create(program=program, **chosen)
    return outcome_settings_get(program=program).abstinence_rules


def _columns_from_objects(people, *, windows, today, rules=None) -> Columns:
    """The oracle: the columns computed participant by participant from the Participant
    objects of the reference."""

    def floats(values) -> np.ndarray:
        return np.array([np.nan if v is None else v for v in values], dtype=float)

    people = sorted(people, key=lambda p: p.pk)
    ids = np.array([p.pk for p in people], dtype=np.int64)
    arm = np.array([arm_index(p.arm) for p in people], dtype=int)
    window_days, values = {}, {}
    for window in windows:
        key = window.key
        window_days[key] = np.array([p.windows[key].window_days for p in people], dtype=int)
        values[key] = {
            name: floats(read(p.windows[key], p.engagement[key]) for p in people)
            for name, read in oracle.READERS.items()
        }
    weekly = {}
    for index in range(len(ARMS)):
        sums, counts = [0] * CHART_WEEKS, [0] * CHART_WEEKS
        for person in people:
            if arm_index(person.arm) != index:
                continue
            for week, figures in enumerate(person.weekly):
                if figures is not None:
                    sums[week] += figures[0]
                    counts[week] += 1
        weekly[index] = (sums, counts)
    periods = metrics.abstinence_periods(rules or metrics.AbstinenceRules())
    abstinence = {
        period.key: tuple(
            floats(p.abstinence[period.key][index] for p in people) for index in (0, 1)
        )
        for period in periods
    }
    return Columns(
        periods=periods,
        abstinence=abstinence,
        ids=ids,
        arm=arm,
        window_days=window_days,
        values=values,
        scores={
            score.column: {
                "intake": floats(p.scores.get(score.column, {}).get(0) for p in people),
                "change": floats(p.score_change(score.column) for p in people),
            }
            for _, score in SCORES
        },
        retained=floats(p.retained_at_week_12(today) for p in people),
        weekly=weekly,
    )


def _assert_same(from_columns: dict, from_objects: dict):
    assert from_columns["n"] == from_objects["n"]
    assert from_columns["retention"] == from_objects["retention"]
    assert from_columns["chart"] == from_objects["chart"]
    for ours, theirs in zip(
        [r for t in from_columns["tables"] for r in t["rows"]] + from_columns["score_rows"],
        [r for t in from_objects["tables"] for r in t["rows"]] + from_objects["score_rows"],
        strict=True,
    ):
        assert ours.label == theirs.label
        assert ours.by_arm == theirs.by_arm, ours.label  # same values, same order: exactly equal
        assert ours.difference == theirs.difference, ours.label
    assert len(from_columns["abstinence"]) == len(from_objects["abstinence"])
    for ours, theirs in zip(from_columns["abstinence"], from_objects["abstinence"], strict=True):
        assert (ours.label, ours.analysis) == (theirs.label, theirs.analysis)
        assert ours.by_arm == theirs.by_arm, (ours.label, ours.analysis)
        assert ours.difference == theirs.difference, (ours.label, ours.analysis)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_database_columns_give_the_figures_of_the_participant_objects(db, seed):
    program = _random_cohort(random.Random(seed))
    rules = _set_rules(program, seed)
    today = program.today()
    for later in (today, today + timedelta(days=60), today + timedelta(days=400)):
        for period in ({}, {"enrolled_from": today - timedelta(days=120)}):
            # A custom window (weeks 2-5, chosen on the report page) takes the same path.
            for windows in (STANDARD, [*STANDARD, metrics.Window(2, 5)]):
                cohort = participants_compute(
                    program=program, today=later, windows=windows, **period
                )
                fast = cohort_summary(cohort)
                people = oracle.participants_build(
                    program=program, today=later, windows=windows, rules=rules, **period
                )
                slow = columns_summary(
                    _columns_from_objects(people, windows=windows, today=later, rules=rules),
                    windows=windows,
                )
                _assert_same(fast, slow)
    # The cohort exercised every source of figures.
    fast = cohort_summary(participants_compute(program=program, today=today, windows=STANDARD))
    rows = {r.label: r for t in fast["tables"] for r in t["rows"]} | {
        r.label: r for r in fast["score_rows"]
    }
    for label in [
        "Check-ins scheduled",
        "Goals achieved (% of goals due)",
        "BARC-10 change from intake to latest",
        "BAM use change from intake to latest",
        "BAM protective factors at intake",
        "Contact hours per week",
    ]:
        assert sum(s.n for s in rows[label].by_arm.values()) >= 1, label
    assert any(r["retained"] < r["eligible"] for r in fast["retention"].values())
    counted = [p for row in fast["abstinence"] for p in row.by_arm.values()]
    assert any(0 < p.count < p.n for p in counted)
    assert any(
        row.analysis == "responders" and row.by_arm["mentored"].n for row in fast["abstinence"]
    )


def test_an_empty_cohort_has_no_figures(db):
    program = factories.ProgramFactory()
    cohort = participants_compute(program=program, today=program.today(), windows=STANDARD)
    summary = cohort_summary(cohort)
    assert summary["n"] == {"mentored": 0, "comparison": 0}
    assert all(
        s.n == 0
        for table in summary["tables"]
        for row in table["rows"]
        for s in row.by_arm.values()
    )


@pytest.mark.parametrize("seed", [4, 5])
def test_the_participant_export_gives_the_figures_of_the_participant_objects(db, seed):
    program = _random_cohort(random.Random(seed))
    rules = _set_rules(program, seed)
    today = program.today()
    for later in (today, today + timedelta(days=60), today + timedelta(days=400)):
        header, rows = exports.participant_rows(program=program, today=later)
        expected = oracle.participant_export_rows(
            oracle.participants_build(program=program, today=later, windows=STANDARD, rules=rules),
            today=later,
        )
        typed = [[(type(v), v) for v in row] for row in rows]
        assert typed == [[(type(v), v) for v in row] for row in expected]
        assert len(header) == len(expected[0])

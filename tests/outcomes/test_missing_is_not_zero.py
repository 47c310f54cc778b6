"""Missing is not zero (issue #13): in the participants export a window not begun, and the use
figures of a begun window without a recorded day, are blank, as the cohort report counts them:
every per-window column of the export summarises to the report's n and mean."""

import random
from datetime import timedelta

import pytest

from accounts.models import MenteeProfile
from outcomes import exports, metrics
from outcomes.models import Source
from outcomes.reports import ARMS, METRICS, cohort_summary, participants_compute
from outcomes.services import use_reports_import
from tests import factories
from tests.outcomes.test_report_columns import _random_cohort

STANDARD = list(metrics.STANDARD_WINDOWS)
# export column suffix -> the report's key for the same figure
COMPARED = {
    "use_days": "use_days",
    "recorded_days": "recorded_days",
    "coverage_pct": "coverage",
    "pda": "pda",
    "longest_abstinent_run": "longest_abstinent_run",
    "days_to_first_use": "days_to_first_use",
    "checkins_completed": "checkins_completed",
    "checkins_scheduled": "checkins_scheduled",
    "contact_hours_per_week": "contact_hours_per_week",
}
SELF = {"substances": [], "source": Source.SELF}
ARM_OF = {MenteeProfile.Arm.MENTORED: ARMS[0], MenteeProfile.Arm.COMPARISON: ARMS[1]}


def _export(program, today):
    header, rows = exports.participant_rows(program=program, today=today)
    return header, [dict(zip(header, row, strict=True)) for row in rows]


@pytest.mark.parametrize("seed", [4, 7])
def test_every_window_column_summarises_to_the_report(db, seed):
    program = _random_cohort(random.Random(seed))
    today = program.today()
    _, rows = _export(program, today)
    summary = cohort_summary(participants_compute(program=program, today=today, windows=STANDARD))
    labels = dict(METRICS)
    for window, table in zip(STANDARD, summary["tables"], strict=True):
        by_label = {row.label: row for row in table["rows"]}
        for suffix, key in COMPARED.items():
            column = f"{window.key}_{suffix}"
            for arm_value, arm in ARM_OF.items():
                cells = [r[column] for r in rows if r["study_arm"] == arm_value]
                present = [c for c in cells if c != ""]
                expected = by_label[labels[key]].by_arm[arm]
                assert len(present) == expected.n, (column, arm)
                if present:
                    mean = sum(present) / len(present)
                    assert mean == pytest.approx(expected.mean, abs=0.06), (column, arm)


def test_a_window_not_begun_or_without_a_record_is_blank_not_zero(db):
    program = factories.ProgramFactory()
    today = program.today()
    yesterday = factories.MenteeProfileFactory(program=program, enrolled_on=today - timedelta(1))
    silent = factories.MenteeProfileFactory(program=program, enrolled_on=today - timedelta(30))
    abstinent = factories.MenteeProfileFactory(program=program, enrolled_on=today - timedelta(30))
    use_reports_import(
        actor=None,
        program=program,
        rows=[
            {"mentee_id": abstinent.pk, "day": today - timedelta(3), "used": False, **SELF},
            {"mentee_id": yesterday.pk, "day": today - timedelta(1), "used": False, **SELF},
        ],
    )
    _, rows = _export(program, today)
    by_id = {r["participant_id"]: r for r in rows}
    # Weeks 13-24 have not begun for anyone: every figure blank.
    for person in (yesterday, silent, abstinent):
        row = by_id[person.participant_id]
        later = [v for k, v in row.items() if k.startswith("w13_24_")]
        assert later and all(v == "" for v in later)
    begun = by_id[silent.participant_id]
    assert begun["w1_12_recorded_days"] == 0  # a true count
    for suffix in ("use_days", "pda", "longest_abstinent_run", "days_to_first_use"):
        assert begun[f"w1_12_{suffix}"] == "", suffix
    counted = by_id[abstinent.participant_id]
    assert counted["w1_12_use_days"] == 0
    assert counted["w1_12_longest_abstinent_run"] == 1
    assert by_id[yesterday.participant_id]["w1_12_use_days"] == 0

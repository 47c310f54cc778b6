"""The stored per-participant summaries give exactly the figures computed from every day."""

import random
from datetime import timedelta

import numpy as np
from django.core.management import call_command

from outcomes import metrics
from outcomes.models import Source, UseSummary
from outcomes.reports import participants_compute
from outcomes.services import use_report_record, use_reports_import
from tests import factories

CUSTOM = metrics.Window(2, 3)  # any non-standard window forces the day-by-day path


def _both_ways(program, today):
    """The standard windows' columns from the stored summaries, and counted from every day."""
    stored = participants_compute(
        program=program, today=today, windows=list(metrics.STANDARD_WINDOWS)
    ).columns
    live = participants_compute(
        program=program, today=today, windows=[*metrics.STANDARD_WINDOWS, CUSTOM]
    ).columns
    return stored, live


def _assert_same(stored, live):
    np.testing.assert_array_equal(stored.ids, live.ids)
    for window in metrics.STANDARD_WINDOWS:
        for key, values in stored.values[window.key].items():
            np.testing.assert_array_equal(values, live.values[window.key][key], err_msg=key)
    assert stored.weekly == live.weekly


def _first_use(columns, mentee) -> float:
    return columns.values[metrics.ACTIVE.key]["days_to_first_use"][columns.position(mentee.pk)]


def test_summaries_match_the_day_by_day_figures_on_random_logs(db):
    rng = random.Random(7)
    program = factories.ProgramFactory()
    today = program.today()
    rows = []
    for _ in range(12):
        enrolled = today - timedelta(days=rng.randint(0, 220))
        mentee = factories.MenteeProfileFactory(program=program, enrolled_on=enrolled)
        for offset in range(-10, (today - enrolled).days + 1):
            if rng.random() < 0.6:
                rows.append(
                    {
                        "mentee_id": mentee.pk,
                        "day": enrolled + timedelta(days=offset),
                        "used": rng.random() < 0.3,
                        "substances": [],
                        "source": Source.SELF,
                    }
                )
    factories.MenteeProfileFactory(program=program)  # no records at all
    use_reports_import(actor=None, program=program, rows=rows)
    for later in (today, today + timedelta(days=40), today + timedelta(days=400)):
        _assert_same(*_both_ways(program, later))


def test_a_changed_enrollment_date_is_recounted_not_read_from_the_summary(db):
    mentee = factories.MenteeProfileFactory()
    use_report_record(
        actor=mentee.user, mentee=mentee, day=mentee.enrolled_on, used=True, source=Source.SELF
    )
    type(mentee).objects.filter(pk=mentee.pk).update(
        enrolled_on=mentee.enrolled_on - timedelta(days=3)
    )
    stored, live = _both_ways(mentee.program, mentee.program.today())
    _assert_same(stored, live)
    assert _first_use(stored, mentee) == 4


def test_the_rebuild_command_restores_missing_summaries(db):
    mentee = factories.MenteeProfileFactory()
    use_report_record(
        actor=mentee.user, mentee=mentee, day=mentee.enrolled_on, used=False, source=Source.SELF
    )
    UseSummary.objects.all().delete()
    stored, live = _both_ways(mentee.program, mentee.program.today())
    _assert_same(stored, live)  # without a summary the days are read directly
    call_command("rebuild_use_summaries", "--program", mentee.program.slug)
    assert UseSummary.objects.get(mentee=mentee).windows[metrics.ACTIVE.key][0] == 1

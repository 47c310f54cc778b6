"""The use summary stores each participant's check-in figures so far (they change when a planned
check-in's day comes), kept current by the check-in hand-off and the hourly pass; the cohort
report reads them, and counts afresh anyone whose check-ins changed since or whose figures are
of an earlier day, so its figures never differ from counting every check-in."""

from datetime import datetime, time, timedelta

import numpy as np
import time_machine
from django.utils import timezone

from checkins import services as checkins
from checkins.models import CheckIn
from outcomes import metrics
from outcomes.models import UseSummary
from outcomes.reports import participants_compute
from outcomes.services import checkin_figures_refresh_stale, use_summaries_refresh
from tests import factories

CUSTOM = metrics.Window(2, 3)  # a non-standard window: every check-in is counted


def _stored(mentee) -> dict[str, list[int]]:
    """The summary's figures per standard window: [scheduled, completed, minutes held]."""
    raw = bytes(UseSummary.objects.get(mentee=mentee).checkins)
    table = np.frombuffer(raw, dtype=">i4").reshape(len(metrics.STANDARD_WINDOWS), 3)
    return {w.key: table[n].tolist() for n, w in enumerate(metrics.STANDARD_WINDOWS)}


def _report(program, mentee, today=None) -> tuple[float, float, float]:
    """The weeks 1-12 check-in figures of one participant, as the cohort report reads them."""
    cols = participants_compute(
        program=program, today=today or program.today(), windows=list(metrics.STANDARD_WINDOWS)
    ).columns
    values, at = cols.values[metrics.ACTIVE.key], cols.position(mentee.pk)
    return (
        values["checkins_scheduled"][at],
        values["checkins_completed"][at],
        values["contact_hours_per_week"][at],
    )


def _counted(program, mentee, today=None) -> tuple[float, float, float]:
    """The same figures counted from every check-in (a custom window takes that path)."""
    cols = participants_compute(
        program=program,
        today=today or program.today(),
        windows=[*metrics.STANDARD_WINDOWS, CUSTOM],
    ).columns
    values, at = cols.values[metrics.ACTIVE.key], cols.position(mentee.pk)
    return (
        values["checkins_scheduled"][at],
        values["checkins_completed"][at],
        values["contact_hours_per_week"][at],
    )


def _at(program, day, hour=10):
    return datetime.combine(day, time(hour), tzinfo=program.tzinfo)


def _setting(world):
    """The world's match with two held check-ins, a no-show and one planned for tomorrow, all
    stamped an hour ago, and a summary for the mentee."""
    program, match = world.program, world.match
    today = program.today()
    match.mentee.enrolled_on = today - timedelta(days=20)
    match.mentee.save(update_fields=["enrolled_on"])
    for days_ago, status in [(14, "completed"), (7, "completed"), (3, "no_show"), (-1, "")]:
        factories.CheckInFactory(
            match=match,
            scheduled_at=_at(program, today - timedelta(days=days_ago)),
            status=status or CheckIn.Status.SCHEDULED,
            duration_minutes=45,
        )
    CheckIn.objects.filter(match=match).update(updated_at=timezone.now() - timedelta(hours=1))
    use_summaries_refresh(mentee_ids=[match.mentee.pk])
    return program, match.mentee


def test_the_hourly_pass_stores_the_figures_the_report_shows(world):
    program, mentee = _setting(world)
    CheckIn.objects.filter(match=world.match).update(updated_at=timezone.now() - timedelta(hours=2))
    # As after the migration: a summary with no check-in figures yet.
    UseSummary.objects.filter(mentee=mentee).update(checkins=None, checkins_on=None)
    assert _report(program, mentee) == _counted(program, mentee)
    assert checkin_figures_refresh_stale() == 1
    # Three check-ins have come (the planned one is tomorrow), two held of 45 minutes each.
    assert _stored(mentee)[metrics.ACTIVE.key] == [3, 2, 90]
    assert UseSummary.objects.get(mentee=mentee).checkins_on == program.today()
    assert _report(program, mentee) == _counted(program, mentee)
    assert _report(program, mentee)[:2] == (3, 2)
    # Nothing changed since: the next pass has nothing to count.
    assert checkin_figures_refresh_stale() == 0


def test_a_logged_check_in_moves_the_stored_figures_and_the_report(world):
    program, mentee = _setting(world)
    planned = CheckIn.objects.get(match=world.match, status=CheckIn.Status.NO_SHOW)
    checkins.checkin_log(
        actor=world.mentor,
        checkin=planned,
        data=checkins.LogData(status=CheckIn.Status.COMPLETED, use_reported="no"),
    )
    assert _stored(mentee)[metrics.ACTIVE.key] == [3, 3, 135]
    assert _report(program, mentee)[:2] == (3, 3)
    assert _report(program, mentee) == _counted(program, mentee)


def test_a_cancelled_check_in_leaves_the_stored_figures_and_the_report(world):
    program, mentee = _setting(world)
    missed = CheckIn.objects.get(match=world.match, status=CheckIn.Status.NO_SHOW)
    checkins.checkin_cancel(actor=world.mentor, checkin=missed)
    assert _stored(mentee)[metrics.ACTIVE.key] == [2, 2, 90]
    assert _report(program, mentee)[:2] == (2, 2)


def test_a_check_in_changed_without_the_services_is_counted_on_the_next_report(world):
    program, mentee = _setting(world)
    checkin_figures_refresh_stale()
    # A script marks the no-show as held: the stored figures are behind, the report is not.
    CheckIn.objects.filter(match=world.match, status=CheckIn.Status.NO_SHOW).update(
        status=CheckIn.Status.COMPLETED, updated_at=timezone.now()
    )
    assert _report(program, mentee)[:2] == (3, 3)
    assert _report(program, mentee) == _counted(program, mentee)


def test_when_a_day_passes_the_planned_check_in_counts(world):
    program, mentee = _setting(world)
    checkin_figures_refresh_stale()
    assert _report(program, mentee)[:2] == (3, 2)
    tomorrow = program.today() + timedelta(days=1)
    with time_machine.travel(_at(program, tomorrow, hour=12), tick=False):
        # Before the pass the stored figures are yesterday's: the report counts afresh.
        assert _report(program, mentee)[:2] == (4, 2)
        assert checkin_figures_refresh_stale() >= 1
        assert _stored(mentee)[metrics.ACTIVE.key] == [4, 2, 90]
        assert UseSummary.objects.get(mentee=mentee).checkins_on == tomorrow
        assert _report(program, mentee) == _counted(program, mentee)

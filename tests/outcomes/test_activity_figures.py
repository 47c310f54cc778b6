"""The use summary stores each participant's activity figures so far (check-ins, goals, scores:
they change when a planned check-in's day comes or a goal falls due), kept current by the
hand-offs and the hourly pass; the cohort report reads them, and counts afresh anyone whose
records changed since or whose figures are of an earlier day, so its figures never differ from
counting every record."""

from datetime import datetime, time, timedelta

import numpy as np
import time_machine
from django.utils import timezone

from accounts import services as accounts
from checkins import services as checkins
from checkins.models import CheckIn
from goals.models import Goal
from outcomes import metrics
from outcomes.instruments import SCORES
from outcomes.models import Assessment, UseSummary
from outcomes.reports import ACTIVITY, participants_compute
from outcomes.services import (
    activity_figures_refresh_stale,
    assessment_record,
    use_summaries_refresh,
)
from tests import factories

CUSTOM = metrics.Window(2, 3)  # a non-standard window: every record is counted
BARC10 = [score.column for _, score in SCORES].index("barc10")  # its place in the record
CHECKINS = ("checkins_scheduled", "checkins_completed", "contact_hours_per_week")


def _stored(mentee) -> dict[str, list[int]]:
    """The summary's figures per standard window: [scheduled, completed, minutes held]."""
    raw = bytes(UseSummary.objects.get(mentee=mentee).activity)
    table = np.frombuffer(raw, dtype=ACTIVITY)[0]["sessions"]
    return {w.key: table[n].tolist() for n, w in enumerate(metrics.STANDARD_WINDOWS)}


def _report(program, mentee, today=None, *, figures=CHECKINS, windows=None) -> tuple:
    """One participant's weeks 1-12 figures (check-ins by default; "barc10": the latest
    BARC-10), as the cohort report reads them."""
    cols = participants_compute(
        program=program,
        today=today or program.today(),
        windows=windows or list(metrics.STANDARD_WINDOWS),
    ).columns
    values, at = cols.values[metrics.ACTIVE.key], cols.position(mentee.pk)
    scores = {"barc10": cols.scores["barc10"]["latest"]}
    return tuple((scores[name] if name in scores else values[name])[at] for name in figures)


def _counted(program, mentee, today=None) -> tuple:
    """The same figures counted from every record (a custom window takes that path)."""
    return _report(program, mentee, today, windows=[*metrics.STANDARD_WINDOWS, CUSTOM])


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
    UseSummary.objects.filter(mentee=mentee).update(activity=None, activity_on=None)
    assert _report(program, mentee) == _counted(program, mentee)
    assert activity_figures_refresh_stale() == 1
    # Three check-ins have come (the planned one is tomorrow), two held of 45 minutes each.
    assert _stored(mentee)[metrics.ACTIVE.key] == [3, 2, 90]
    assert UseSummary.objects.get(mentee=mentee).activity_on == program.today()
    assert _report(program, mentee) == _counted(program, mentee)
    assert _report(program, mentee)[:2] == (3, 2)
    # Nothing changed since: the next pass has nothing to count.
    assert activity_figures_refresh_stale() == 0


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
    activity_figures_refresh_stale()
    # A script marks the no-show as held: the stored figures are behind, the report is not.
    CheckIn.objects.filter(match=world.match, status=CheckIn.Status.NO_SHOW).update(
        status=CheckIn.Status.COMPLETED, updated_at=timezone.now()
    )
    assert _report(program, mentee)[:2] == (3, 3)
    assert _report(program, mentee) == _counted(program, mentee)


def test_when_a_day_passes_the_planned_check_in_counts(world):
    program, mentee = _setting(world)
    activity_figures_refresh_stale()
    assert _report(program, mentee)[:2] == (3, 2)
    tomorrow = program.today() + timedelta(days=1)
    with time_machine.travel(_at(program, tomorrow, hour=12), tick=False):
        # Before the pass the stored figures are yesterday's: the report counts afresh.
        assert _report(program, mentee)[:2] == (4, 2)
        assert activity_figures_refresh_stale() >= 1
        assert _stored(mentee)[metrics.ACTIVE.key] == [4, 2, 90]
        assert UseSummary.objects.get(mentee=mentee).activity_on == tomorrow
        assert _report(program, mentee) == _counted(program, mentee)


def _goals_and_scores(program, mentee) -> tuple:
    """Weeks 1-12 goals due and achieved, and the latest BARC-10, as the report reads them."""
    return _report(program, mentee, figures=("goals_due", "goals_achieved", "barc10"))


def test_goals_and_scores_are_stored_and_their_changes_seen_at_once(world):
    """A goal achieved or a questionnaire recorded by any path shows in the next report; the
    hourly pass stores it, after which the report reads the summary alone."""
    program, mentee = _setting(world)
    today = program.today()
    goal = factories.GoalFactory(
        mentee=mentee, start_date=today - timedelta(days=15), due_date=today - timedelta(days=2)
    )
    factories.AssessmentFactory(mentee=mentee, week=0, answers=[3] * 10)
    factories.AssessmentFactory(mentee=mentee, week=2, answers=[5] * 10)
    assert _goals_and_scores(program, mentee) == (1, 0, 50)
    activity_figures_refresh_stale()
    stored = np.frombuffer(bytes(UseSummary.objects.get(mentee=mentee).activity), dtype=ACTIVITY)
    assert stored[0]["goals"][0].tolist() == [1, 0]
    assert stored[0]["scores"][BARC10].tolist() == [30, 50]
    # Changed without the services (a script, the admin): seen on the next read, not stale.
    goal.status = "achieved"
    goal.save()
    assert _goals_and_scores(program, mentee) == (1, 1, 50)
    assert activity_figures_refresh_stale() == 1
    assert _goals_and_scores(program, mentee) == (1, 1, 50)
    # Once the change is older than the pass's margin, nothing is left to count.
    Goal.objects.filter(pk=goal.pk).update(updated_at=timezone.now() - timedelta(hours=1))
    Assessment.objects.filter(mentee=mentee).update(recorded_at=timezone.now() - timedelta(hours=1))
    assert activity_figures_refresh_stale() == 0


def test_an_assessment_recorded_through_the_service_updates_the_stored_scores(world):
    program, mentee = _setting(world)
    activity_figures_refresh_stale()
    assessment_record(
        actor=world.coordinator,
        mentee=mentee,
        instrument="barc10",
        week=0,
        answers=[6] * 10,
        completed_on=mentee.enrolled_on,
    )
    stored = np.frombuffer(bytes(UseSummary.objects.get(mentee=mentee).activity), dtype=ACTIVITY)
    assert stored[0]["scores"][BARC10].tolist() == [60, -1]
    assert np.isnan(_goals_and_scores(program, mentee)[2])  # no follow-up yet


def test_a_new_timezone_leaves_no_stored_figure_current(world):
    """Check-ins' days were counted in the old zone: after the change the report counts afresh
    (the same figures as counting every check-in) until the hourly pass stores them again."""
    program, mentee = _setting(world)
    activity_figures_refresh_stale()
    accounts.program_settings_update(
        actor=world.coordinator, program=program, data={"timezone": "Pacific/Auckland"}
    )
    program.refresh_from_db()
    assert UseSummary.objects.get(mentee=mentee).activity_on is None
    assert _report(program, mentee) == _counted(program, mentee)
    assert activity_figures_refresh_stale() >= 1
    assert UseSummary.objects.get(mentee=mentee).activity_on == program.today()

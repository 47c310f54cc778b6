"""Use reported at a check-in reaches the use log in the check-in's own transaction
(checkins.hooks.use_reported, received by outcomes), and any later correction is applied."""

from datetime import datetime, time, timedelta

import pytest
import time_machine
from django.db import DatabaseError
from django.urls import reverse
from django.utils import timezone

from checkins import services as checkins
from checkins.models import CheckIn
from outcomes.models import Source, UseDay, UseReport
from outcomes.services import use_report_record
from outcomes.tasks import use_log_repair
from tests import factories
from tests.dbroles import owner_connection


def _log(world, checkin, days, *, status="completed"):
    return checkins.checkin_log(
        actor=world.mentor,
        checkin=checkin,
        data=checkins.LogData(
            status=status, use_reported="yes" if days else "no", use_days=list(days)
        ),
    )


def _day_page(client, world, day):
    client.force_login(world.coordinator)
    url = reverse(
        "outcomes:day", kwargs={"mentee_pk": world.mentee_profile.pk, "day": day.isoformat()}
    )
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def _counts(page: str) -> str:
    """What the day page says counts for the day: "Used", "No use" or "Nothing recorded"."""
    section = page.split('id="counts"', 1)[1].split("</section>", 1)[0]
    if "Nothing recorded yet" in section:
        return "Nothing recorded"
    return section.split("<strong>", 1)[1].split("</strong>", 1)[0]


@pytest.fixture
def start(world):
    # Noon in the program's zone, so "five days later" never crosses a date boundary oddly.
    today = world.program.today()
    return datetime.combine(today, time(12), tzinfo=world.program.tzinfo)


def test_a_correction_five_days_later_reaches_the_use_log(client, world, start):
    # The reproduction: the old 3-day look-back on logged_at never saw this correction.
    day = start.date() - timedelta(days=1)
    with time_machine.travel(start, tick=False):
        checkin = factories.CheckInFactory(
            match=world.match, scheduled_at=start - timedelta(hours=2)
        )
        _log(world, checkin, [day])
        use_log_repair()
        assert _counts(_day_page(client, world, day)) == "Used"
    with time_machine.travel(start + timedelta(days=5), tick=False):
        _log(world, checkin, [])
        use_log_repair()
    assert UseDay.objects.get(mentee=world.mentee_profile, day=day).used is False
    assert _counts(_day_page(client, world, day)) == "No use"


def test_use_then_no_use_then_use_again_keeps_every_report_in_the_history(client, world, start):
    day = start.date() - timedelta(days=1)
    checkin = factories.CheckInFactory(match=world.match, scheduled_at=start - timedelta(hours=2))
    for offset, days, shown in [(0, [day], "Used"), (5, [], "No use"), (12, [day], "Used")]:
        with time_machine.travel(start + timedelta(days=offset), tick=False):
            _log(world, checkin, days)
        # Seen at once: no periodic job runs between the log and the page.
        assert _counts(_day_page(client, world, day)) == shown
    page = _day_page(client, world, day)
    history = page.split('id="history"', 1)[1].split("</table>", 1)[0]
    assert history.count("Mentor report at a check-in") == 3
    reports = UseReport.objects.filter(mentee=world.mentee_profile, day=day).order_by("id")
    assert [(r.used, r.recorded_at.date()) for r in reports] == [
        (True, start.date()),
        (False, (start + timedelta(days=5)).date()),
        (True, (start + timedelta(days=12)).date()),
    ]
    assert {r.checkin_id for r in reports} == {checkin.pk}


def test_logging_twice_the_same_way_adds_no_history(world):
    today = world.program.today()
    days = [today - timedelta(days=2), today - timedelta(days=1)]
    checkin = factories.CheckInFactory(
        match=world.match, scheduled_at=timezone.now() - timedelta(hours=2)
    )
    _log(world, checkin, days)
    _log(world, checkin, days)
    assert use_log_repair() == 0
    counted = UseDay.objects.filter(mentee=world.mentee_profile).order_by("day")
    assert [(d.day, d.used, d.source) for d in counted] == [(d, True, Source.MENTOR) for d in days]
    assert UseReport.objects.filter(mentee=world.mentee_profile).count() == 2


def test_a_check_in_logged_as_a_no_show_withdraws_its_use_days(client, world):
    day = world.program.today() - timedelta(days=1)
    checkin = factories.CheckInFactory(
        match=world.match, scheduled_at=timezone.now() - timedelta(hours=2)
    )
    _log(world, checkin, [day])
    _log(world, checkin, [day], status="no_show")
    assert _counts(_day_page(client, world, day)) == "No use"


def test_cancelling_a_logged_check_in_withdraws_its_use_days(client, world):
    day = world.program.today() - timedelta(days=1)
    checkin = factories.CheckInFactory(
        match=world.match, scheduled_at=timezone.now() - timedelta(hours=2)
    )
    _log(world, checkin, [day])
    checkins.checkin_cancel(actor=world.coordinator, checkin=checkin)
    assert _counts(_day_page(client, world, day)) == "No use"


def test_a_self_report_still_counts_over_the_mentor_report_by_default(world):
    day = world.program.today() - timedelta(days=1)
    use_report_record(
        actor=world.mentee, mentee=world.mentee_profile, day=day, used=False, source=Source.SELF
    )
    checkin = factories.CheckInFactory(
        match=world.match, scheduled_at=timezone.now() - timedelta(hours=2)
    )
    _log(world, checkin, [day])
    counted = UseDay.objects.get(mentee=world.mentee_profile, day=day)
    assert counted.used is False and counted.conflicting and counted.report_count == 2


@pytest.fixture
def use_log_closed(django_db_setup, django_db_blocker):
    """A real failure inside the receiver: the database refuses any new use report. Made by the
    owner (the suite's role may not create triggers), before the test's transaction opens and
    dropped after it ends (this fixture is requested first)."""
    with django_db_blocker.unblock(), owner_connection() as conn:
        conn.execute(
            "CREATE FUNCTION refuse_use_report() RETURNS trigger LANGUAGE plpgsql AS"
            " $$ BEGIN RAISE EXCEPTION 'use log closed'; END $$;"
            " CREATE TRIGGER refuse_use_report BEFORE INSERT ON outcomes_usereport"
            " FOR EACH ROW EXECUTE FUNCTION refuse_use_report();"
        )
        conn.commit()
        try:
            yield
        finally:
            conn.execute(
                "DROP TRIGGER refuse_use_report ON outcomes_usereport;"
                " DROP FUNCTION refuse_use_report();"
            )
            conn.commit()


def test_when_the_use_log_refuses_the_report_the_check_in_log_is_rolled_back(use_log_closed, world):
    day = world.program.today() - timedelta(days=1)
    checkin = factories.CheckInFactory(
        match=world.match, scheduled_at=timezone.now() - timedelta(hours=2)
    )
    with pytest.raises(DatabaseError, match="use log closed"):
        _log(world, checkin, [day])
    checkin.refresh_from_db()
    assert checkin.status == CheckIn.Status.SCHEDULED and checkin.use_days == []
    assert checkin.logged_at is None
    assert not UseDay.objects.filter(mentee=world.mentee_profile).exists()


def test_the_repair_pass_applies_a_change_made_without_the_services(client, world, start):
    # E.g. a data migration fixing a check-in weeks after it was logged: no hook runs, and
    # only the repair pass, which reads rows changed since its last run, brings the log along.
    day = start.date() - timedelta(days=1)
    with time_machine.travel(start, tick=False):
        checkin = factories.CheckInFactory(
            match=world.match, scheduled_at=start - timedelta(hours=2)
        )
        _log(world, checkin, [day])
        use_log_repair()
    with time_machine.travel(start + timedelta(days=30), tick=False):
        checkin.refresh_from_db()
        checkin.use_reported, checkin.use_days = "no", []
        checkin.save()
    # Read at the real time: a month on, the coordinator would first be asked for a second factor.
    assert _counts(_day_page(client, world, day)) == "Used"
    with time_machine.travel(start + timedelta(days=30, hours=1), tick=False):
        assert use_log_repair() == 1
        assert use_log_repair() == 0  # the next run finds nothing left to do
    assert _counts(_day_page(client, world, day)) == "No use"


def test_check_in_days_are_marked_on_the_calendar(client, world):
    today = world.program.today()
    noon = datetime.combine(today, time(12), tzinfo=world.program.tzinfo)
    factories.CheckInFactory(match=world.match, scheduled_at=noon)
    client.force_login(world.mentee)
    url = reverse("outcomes:calendar", kwargs={"mentee_pk": world.mentee_profile.pk})
    assert b"check-in day</span>" in client.get(url).content

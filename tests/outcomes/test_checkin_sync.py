"""Use reported at a check-in becomes mentor-report use days (outcomes reads check-ins)."""

from datetime import datetime, time, timedelta

from django.urls import reverse
from django.utils import timezone

from outcomes.models import Source, UseDay, UseReport
from outcomes.services import use_report_record, use_reports_from_checkins
from outcomes.tasks import checkin_use_sync
from tests import factories


def _logged_checkin(match, days):
    return factories.CheckInFactory(
        match=match,
        scheduled_at=timezone.now() - timedelta(hours=2),
        status="completed",
        logged_at=timezone.now(),
        logged_by=match.mentor.user,
        use_reported="yes" if days else "no",
        use_days=[d.isoformat() for d in days],
    )


def test_use_days_from_a_check_in_become_mentor_reports_once(world):
    today = world.program.today()
    days = [today - timedelta(days=2), today - timedelta(days=1)]
    checkin = _logged_checkin(world.match, days)
    assert checkin_use_sync() == 2
    assert checkin_use_sync() == 0  # idempotent
    counted = UseDay.objects.filter(mentee=world.mentee_profile).order_by("day")
    assert [(d.day, d.used, d.source) for d in counted] == [(d, True, Source.MENTOR) for d in days]
    assert set(UseReport.objects.values_list("checkin_id", flat=True)) == {checkin.pk}


def test_a_self_report_still_counts_over_the_mentor_report_by_default(world):
    day = world.program.today() - timedelta(days=1)
    use_report_record(
        actor=world.mentee, mentee=world.mentee_profile, day=day, used=False, source=Source.SELF
    )
    _logged_checkin(world.match, [day])
    use_reports_from_checkins(program=world.program)
    counted = UseDay.objects.get(mentee=world.mentee_profile, day=day)
    assert counted.used is False and counted.conflicting and counted.report_count == 2


def test_a_day_removed_from_the_check_in_log_gets_a_correction_not_a_deletion(world):
    day = world.program.today() - timedelta(days=1)
    checkin = _logged_checkin(world.match, [day])
    use_reports_from_checkins(program=world.program)
    checkin.use_days = []
    checkin.save(update_fields=["use_days"])
    use_reports_from_checkins(program=world.program)
    assert list(UseReport.objects.order_by("id").values_list("used", flat=True)) == [True, False]
    assert UseDay.objects.get(mentee=world.mentee_profile, day=day).used is False


def test_check_in_days_are_marked_on_the_calendar(client, world):
    today = world.program.today()
    noon = datetime.combine(today, time(12), tzinfo=world.program.tzinfo)
    factories.CheckInFactory(match=world.match, scheduled_at=noon)
    client.force_login(world.mentee)
    url = reverse("outcomes:calendar", kwargs={"mentee_pk": world.mentee_profile.pk})
    assert b"check-in day</span>" in client.get(url).content

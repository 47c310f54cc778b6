"""Ending a match calls off the check-ins still planned for the pair, in the same transaction
(matching.hooks.match_ended, received by checkins)."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from checkins import services
from matching import services as matching
from notifications.models import Notification
from tests import factories


def _reminders(checkin):
    return Notification.objects.filter(kind__startswith="checkins.before", about_id=checkin.pk)


def test_ending_a_match_cancels_its_planned_check_ins_and_their_reminders(client, world):
    soon = services.checkin_create(
        actor=world.mentor, match=world.match, scheduled_at=timezone.now() + timedelta(days=2)
    )
    awaiting_log = factories.CheckInFactory(
        match=world.match, scheduled_at=timezone.now() - timedelta(hours=3)
    )
    assert _reminders(soon).filter(status="pending").exists()
    matching.match_end(match=world.match, actor=world.coordinator, reason="completed")
    soon.refresh_from_db()
    awaiting_log.refresh_from_db()
    assert soon.status == "cancelled"
    assert not _reminders(soon).filter(status__in=["pending", "claimed"]).exists()
    assert awaiting_log.status == "scheduled"  # it may have happened: still to be logged
    client.force_login(world.coordinator)
    page = client.get(reverse("checkins:detail", args=[soon.pk])).content.decode()
    assert "Cancelled" in page

"""Goals reviewed at a check-in are withdrawn when the check-in turns out not to have taken
place (checkins.hooks.not_held, received by goals in the check-in's transaction)."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from checkins import services as checkins
from goals.services import goal_reviews_set
from mentorship.models import AuditEntry
from tests import factories


def test_a_check_in_re_logged_as_a_no_show_no_longer_lists_its_goal_reviews(client, world):
    goal = factories.GoalFactory(mentee=world.mentee_profile)
    checkin = factories.CheckInFactory(
        match=world.match, scheduled_at=timezone.now() - timedelta(hours=2)
    )
    checkins.checkin_log(
        actor=world.mentor, checkin=checkin, data=checkins.LogData(status="completed")
    )
    goal_reviews_set(actor=world.mentor, checkin=checkin, goals=[goal])
    client.force_login(world.coordinator)
    url = reverse("goals:goal_detail", args=[goal.pk])
    assert b"Reviewed at check-ins" in client.get(url).content
    checkins.checkin_log(
        actor=world.mentor, checkin=checkin, data=checkins.LogData(status="no_show")
    )
    assert b"Reviewed at check-ins" not in client.get(url).content
    assert AuditEntry.objects.filter(object_type="goals.goalreview", action="delete").exists()

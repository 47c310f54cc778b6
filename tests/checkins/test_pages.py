"""Page contents the roles rely on."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from checkins import services
from tests import factories


def test_engagement_page_shows_contact_and_plans_per_match(client, world):
    done = factories.CheckInFactory(
        match=world.match, scheduled_at=timezone.now() - timedelta(days=2)
    )
    services.checkin_log(
        actor=world.mentor,
        checkin=done,
        data=services.LogData(status="completed", actual_minutes=120),
    )
    factories.CheckInFactory(match=world.match, scheduled_at=timezone.now() + timedelta(days=1))
    client.force_login(world.coordinator)
    response = client.get(reverse("checkins:engagement", args=[world.program.pk]))
    (row,) = response.context["page"]
    assert row.hours_per_week == 0.5  # 2 h over four weeks
    assert row.next_checkin is not None and row.last_contact is not None
    assert "0.5" in response.content.decode()


def test_mentor_list_groups_today_this_week_and_later(client, world):
    now = timezone.now()
    for delta in (timedelta(hours=-3), timedelta(days=3), timedelta(days=20)):
        factories.CheckInFactory(match=world.match, scheduled_at=now + delta)
    client.force_login(world.mentor)
    response = client.get(reverse("checkins:list"))
    assert len(response.context["to_log"]) == 1
    titles = [title for title, _ in response.context["sections"]]
    assert "Later" in titles and ("This week" in titles or "Today" in titles)


def test_admin_lists_open_for_superusers(client, db):
    admin = factories.UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    for model in ("checkinsettings", "schedule", "checkin", "alert", "reminder"):
        assert client.get(reverse(f"admin:checkins_{model}_changelist")).status_code == 200

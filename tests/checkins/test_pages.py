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
    for model in ("checkinsettings", "schedule", "checkin", "alert"):
        assert client.get(reverse(f"admin:checkins_{model}_changelist")).status_code == 200
    assert client.get(reverse("admin:notifications_notification_changelist")).status_code == 200


def test_coordinator_sets_thresholds_with_field_errors_for_bad_input(client, world):
    client.force_login(world.coordinator)
    url = reverse("checkins:program_settings", args=[world.program.pk])
    data = {
        "overdue_log_hours": "24",
        "no_contact_days": "0",
        "quiet_start": "22:00",
        "quiet_end": "7:00",
        "weeks_ahead": "4",
    }
    bad = client.post(url, data)
    assert bad.status_code == 200 and "no_contact_days" in bad.context["form"].errors
    bad = client.post(url, {**data, "no_contact_days": "10", "quiet_end": "25:99"})
    assert "quiet_end" in bad.context["form"].errors
    assert client.post(url, {**data, "no_contact_days": "10"}).status_code == 302
    world.program.checkin_settings.refresh_from_db()
    assert world.program.checkin_settings.no_contact_days == 10


def test_mentor_plans_a_schedule_and_a_one_off_from_the_pages(client, world):
    client.force_login(world.mentor)
    url = reverse("checkins:schedule", args=[world.match.pk])
    data = {
        "cadence": "weekly",
        "starts_on": (timezone.now() + timedelta(days=1)).date().isoformat(),
        "time_of_day": "18:30",
        "mode": "video",
        "duration_minutes": "45",
        "is_active": "on",
    }
    for field, value in [
        ("cadence", "weekdays"),
        ("timezone", "Mars/Olympus"),
        ("duration_minutes", "0"),
        ("time_of_day", "31:00"),
        ("starts_on", "yesterday"),
    ]:
        response = client.post(url, {**data, field: value})
        assert response.status_code == 200
        errors = response.context["form"].errors
        assert (field if field != "cadence" else "weekdays") in errors
    assert client.post(url, data).status_code == 302
    assert world.match.checkins.filter(mode="video").count() >= 4
    create = reverse("checkins:create", args=[world.match.pk])
    past = client.post(create, {"scheduled_at": "2001-01-01T10:00", "duration_minutes": "30"})
    assert "scheduled_at" in past.context["form"].errors
    later = (timezone.now() + timedelta(days=40)).strftime("%Y-%m-%dT%H:%M")
    ok = client.post(create, {"scheduled_at": later, "duration_minutes": "30", "mode": "text"})
    assert ok.status_code == 302
    assert world.match.checkins.filter(mode="text", schedule=None).count() == 1


def test_mentor_plans_a_group_session_with_their_own_mentees_only(client, world):
    client.force_login(world.mentor)
    url = reverse("checkins:group_create", args=[world.program.pk])
    page = client.get(url)
    choices = [m.pk for m in page.context["form"].fields["mentees"].queryset]
    assert choices == [world.mentee_profile.pk]
    when = (timezone.now() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    data = {"title": "Tuesday group", "scheduled_at": when, "duration_minutes": "60"}
    outsider = client.post(
        url, {**data, "mode": "video", "mentees": [world.other_mentee_profile.pk]}
    )
    assert "mentees" in outsider.context["form"].errors
    response = client.post(url, {**data, "mode": "video", "mentees": [world.mentee_profile.pk]})
    assert response.status_code == 302
    client.force_login(world.mentee)
    assert b"Tuesday group" in client.get(reverse("checkins:list")).content

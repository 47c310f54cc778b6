"""Private calendar feeds and per-check-in .ics files carry times, not clinical detail."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from tests import factories


@pytest.fixture
def checkin(world):
    return factories.CheckInFactory(
        match=world.match, scheduled_at=timezone.now() + timedelta(days=2)
    )


def _events(content: bytes):
    return [c for c in Calendar.from_ical(content).walk() if c.name == "VEVENT"]


def _feed_url(client, user) -> str:
    client.force_login(user)
    response = client.post(reverse("checkins:preferences"), {"action": "feed_reset"})
    client.logout()
    return response.context["feed_url"].split("testserver", 1)[1]


def test_feed_lists_own_upcoming_check_ins_without_clinical_detail(client, world, checkin):
    checkin.next_steps = "Sensitive next step"
    checkin.save()
    url = _feed_url(client, world.mentee)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "text/calendar"
    events = _events(response.content)
    assert len(events) == 1
    assert events[0]["summary"] == "Check-in (Phone)"
    assert events[0].decoded("dtstart") == checkin.scheduled_at.replace(microsecond=0)
    text = response.content.decode()
    for word in ("Sensitive", world.mentor.last_name, world.program.name, "ecovery"):
        assert word not in text


def test_resetting_or_revoking_the_token_ends_the_old_url(client, world, checkin):
    old = _feed_url(client, world.mentor)
    assert client.get(old).status_code == 200
    new = _feed_url(client, world.mentor)
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200
    client.force_login(world.mentor)
    client.post(reverse("checkins:preferences"), {"action": "feed_revoke"})
    client.logout()
    assert client.get(new).status_code == 404


def test_ending_the_match_empties_the_feed(client, world, checkin):
    url = _feed_url(client, world.mentor)
    world.match.status = "ended"
    world.match.save()
    assert _events(client.get(url).content) == []


def test_ics_download(client, world, checkin):
    client.force_login(world.mentee)
    response = client.get(reverse("checkins:ics", args=[checkin.pk]))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    (event,) = _events(response.content)
    assert event.decoded("dtend") - event.decoded("dtstart") == timedelta(minutes=60)


def test_preferences_page_saves_reminder_choice(client, world):
    client.force_login(world.mentee)
    response = client.post(reverse("checkins:preferences"), {"before": "both"})
    assert response.status_code == 302
    assert world.mentee.reminder_preference.before == "both"
    bad = client.post(reverse("checkins:preferences"), {"before": "always"})
    assert bad.status_code == 200 and "before" in bad.context["form"].errors


def test_the_calendar_link_subscribes_in_one_tap_and_can_be_copied(client, world):
    client.force_login(world.mentor)
    response = client.post(reverse("checkins:preferences"), {"action": "feed_reset"})
    page = response.content.decode()
    feed = response.context["feed_url"]
    assert f'href="webcal://testserver{feed.split("testserver", 1)[1]}"' in page
    assert 'data-copy-target="feed-url"' in page and "<script>" not in page


def test_my_mentees_on_the_mentor_dashboard_are_links(client, world):
    client.force_login(world.mentor)
    page = client.get(reverse("home")).content.decode()
    assert reverse("accounts:mentee_detail", kwargs={"pk": world.match.mentee_id}) in page


def test_match_page_times_are_in_the_program_timezone(client, world):
    world.program.timezone = "America/Los_Angeles"
    world.program.save(update_fields=["timezone"])
    client.force_login(world.coordinator)
    page = client.get(reverse("matching:match_detail", kwargs={"pk": world.match.pk}))
    assert "America/Los_Angeles" in page.content.decode()

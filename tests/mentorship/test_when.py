"""`{{ value|when }}`: dates and moments in the program's zone, relative where that reads
better, the absolute date (and the zone) in the `<time>` element's title."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone

from checkins.models import CheckIn
from matching.models import Match
from tests import factories

CHICAGO = ZoneInfo("America/Chicago")


def render(value, zone="America/Chicago") -> str:
    return Template("{% load when %}{{ value|when:zone }}").render(
        Context({"value": value, "zone": zone})
    )


def words(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html).replace("\xa0", " ")


def test_days_read_relative_in_the_programs_zone():
    today = timezone.now().astimezone(CHICAGO).date()
    assert words(render(today)) == "today"
    assert words(render(today + timedelta(days=1))) == "tomorrow"
    assert words(render(today - timedelta(days=1))) == "yesterday"
    assert words(render(today + timedelta(days=2))) == "in 2 days"
    assert words(render(today - timedelta(days=3))) == "3 days ago"
    assert words(render(today - timedelta(days=21))) == "3 weeks ago"
    assert render(today).startswith(f'<time datetime="{today:%Y-%m-%d}" title="')


def test_moments_say_the_time_and_the_zone_in_the_title():
    now = timezone.now()
    assert words(render(now - timedelta(hours=3))) == "3 hours ago"
    tomorrow = datetime.combine(
        now.astimezone(CHICAGO).date() + timedelta(days=1),
        datetime.min.time().replace(hour=14, minute=30),
        tzinfo=CHICAGO,
    )
    html = render(tomorrow)
    assert words(html) == "tomorrow at 2:30 PM"
    offset = tomorrow.strftime("%z")
    assert f'datetime="{tomorrow:%Y-%m-%dT%H:%M}{offset[:3]}:{offset[3:]}"' in html
    assert "(America/Chicago time)" in html and "2:30 PM" in html
    # The same instant seen from another zone is another local time, and says that zone.
    assert "(Asia/Tokyo time)" in render(tomorrow, "Asia/Tokyo")
    assert render(None) == ""


@pytest.mark.django_db
def test_pages_say_when_in_words(client, world):
    factories.CheckInFactory(
        match=world.match,
        status=CheckIn.Status.SCHEDULED,
        scheduled_at=timezone.now() + timedelta(days=2),
    )
    factories.MatchFactory(
        program=world.program,
        mentee=world.other_mentee_profile,
        status=Match.Status.PROPOSED,
        started_at=None,
        proposed_at=timezone.now() - timedelta(days=3),
    )
    client.force_login(world.coordinator)

    page = words(
        client.get(
            reverse("accounts:mentee_detail", args=[world.mentee_profile.pk])
        ).content.decode()
    )
    assert "in 2 days" in page
    queue = words(client.get(reverse("work_queues", args=[world.program.slug])).content.decode())
    assert "proposed 3 days ago" in queue

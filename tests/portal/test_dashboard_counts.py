"""Every count on the coordinator's dashboard opens the list behind it, and that list holds as
many rows as the count said."""

import re

import pytest
from django.urls import reverse

from checkins.models import Alert
from matching.models import Match
from tests import factories

pytestmark = pytest.mark.django_db


def _rows(html: str, url: str) -> int:
    if "/matching/" in url:
        return html.count('<li class="list-group-item d-flex flex-wrap justify-content-between')
    if "/work/" in url:  # the assessments-due queue: one row per mentee, each with its action
        return html.count(">Record assessment<span")
    found = re.search(r'role="status">(\d+) (mentee|mentor)', html)
    return int(found.group(1))


def test_each_dashboard_count_opens_a_list_of_that_many(client, world):
    for _ in range(3):
        factories.MenteeProfileFactory(program=world.program)  # waiting
    factories.MatchFactory(program=world.program, status=Match.Status.ENDED)
    factories.MentorProfileFactory(program=world.program, is_active=False)
    client.force_login(world.coordinator)
    html = client.get(reverse("home")).content.decode()
    counts = re.findall(r'<dd><a href="([^"]+)">(\d+)</a></dd>', html)
    assert len(counts) == 5  # the coordinator's one program card
    for url, number in counts:
        listed = client.get(url.replace("&amp;", "&"))
        assert listed.status_code == 200, url
        assert _rows(listed.content.decode(), url) == int(number), url


def test_open_alerts_and_more_waiting_are_links(client, world):
    for _ in range(12):
        Alert.objects.create(
            program=world.program, mentee=world.mentee_profile, kind=Alert.Kind.CONCERN
        )
    for _ in range(12):
        factories.MenteeProfileFactory(program=world.program)
    client.force_login(world.coordinator)
    html = client.get(reverse("home")).content.decode()
    engagement = reverse("checkins:engagement", args=[world.program.pk])
    assert f'<a href="{engagement}#open-alerts">12 open alerts</a>' in html
    more = re.search(r'<a href="([^"]+)">and (\d+) more</a>', html)
    assert more, "“and N more” is a link"
    listed = client.get(more.group(1).replace("&amp;", "&")).content.decode()
    assert "Waiting for a mentor" in listed

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


def test_waiting_for_a_mentor_counts_what_its_list_and_queue_show(client, world):
    """One definition of "waiting": a mentee with a proposal is not waiting, in the count, the
    matching panel's "and N more", the list they link to and the work queue alike."""
    waiting = [factories.MenteeProfileFactory(program=world.program) for _ in range(12)]
    factories.MatchFactory(
        program=world.program, mentee=waiting.pop(), status=Match.Status.PROPOSED, started_at=None
    )
    factories.MatchFactory(program=world.program, mentee=waiting.pop(), status=Match.Status.PAUSED)
    factories.MenteeProfileFactory(program=world.program, study_arm="comparison")
    factories.MenteeProfileFactory(program=world.program, status="withdrawn")
    expected = len(waiting) + 1  # world.other_mentee waits too
    client.force_login(world.coordinator)
    html = client.get(reverse("home")).content.decode()

    url, number = re.search(
        r'<dt>Waiting for a mentor</dt><dd><a href="([^"]+)">(\d+)</a>', html
    ).groups()
    listed = client.get(url.replace("&amp;", "&")).content.decode()
    assert int(number) == _rows(listed, url) == expected
    more_url, more = re.search(r'<a href="([^"]+)">and (\d+) more</a>', html).groups()
    assert int(more) == expected - 10
    assert _rows(client.get(more_url.replace("&amp;", "&")).content.decode(), more_url) == expected
    queue = client.get(reverse("work_queues", args=[world.program.slug]))
    assert queue.context["waiting"].paginator.count == expected

"""Ending a match ends everything of it (issue #16, hole 4): the former mentor gets 404 on every
page of the match, its planned check-ins are cancelled with the reason, and no reminder of them
is sent. Coordinators keep seeing the ended match and why its check-ins were called off."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from checkins import services as checkins
from checkins.models import CheckIn, ReminderPreference, Schedule
from matching import services as matching
from tests import factories
from tests.notifications.outbox import send_due
from tests.portal.test_url_permissions import CASES

# Pages the mentor reaches only because of the match: where the matrix lets the mentor in but
# not a mentor of the same program without the match. After the end both must look the same.
MATCH_PAGES = [case for case in CASES if case.expect["mentor"] != case.expect["other_mentor"]]
# The mentor's own pages stay theirs after the match ends.
OWN_PAGES = {"accounts:mentor_detail", "accounts:mentor_edit", "accounts:mentor_invite"}


def _end(world):
    matching.match_end(match=world.match, actor=world.coordinator, reason="completed")


@pytest.mark.parametrize("case", [c for c in MATCH_PAGES if c.name not in OWN_PAGES], ids=str)
def test_former_mentor_gets_404_on_every_page_of_the_match(client, world, case):
    # The page's objects exist before the end, as they would for a mentor with a bookmark.
    kwargs, data = case.kwargs(world), case.data(world)
    _end(world)
    client.force_login(world.mentor)
    url = reverse(case.name, kwargs=kwargs) + (f"?{case.query}" if case.query else "")
    response = client.post(url, data) if case.method == "post" else client.get(url)
    assert response.status_code == 404, f"{case}: got {response.status_code}"


def test_former_mentor_loses_schedule_one_off_and_check_in_pages(client, world):
    checkins.schedule_create(
        actor=world.mentor,
        match=world.match,
        starts_on=timezone.localdate() + timedelta(days=1),
        cadence=Schedule.Cadence.WEEKLY,
    )
    planned = CheckIn.objects.filter(match=world.match, status="scheduled").first()
    feed = reverse("checkins:calendar_feed", args=[checkins.calendar_feed_reset(user=world.mentor)])
    assert f"checkin-{planned.pk}@" in client.get(feed).content.decode()
    _end(world)
    assert f"checkin-{planned.pk}@" not in client.get(feed).content.decode()
    client.force_login(world.mentor)
    for url in (
        reverse("matching:match_detail", args=[world.match.pk]),
        reverse("checkins:schedule", args=[world.match.pk]),
        reverse("checkins:create", args=[world.match.pk]),
        reverse("checkins:detail", args=[planned.pk]),
        reverse("checkins:ics", args=[planned.pk]),
        reverse("goals:checkin_review", args=[planned.pk]),
    ):
        assert client.get(url).status_code == 404, url
    # The coordinator still sees the ended match and its schedule.
    client.force_login(world.coordinator)
    assert client.get(reverse("matching:match_detail", args=[world.match.pk])).status_code == 200
    assert client.get(reverse("checkins:schedule", args=[world.match.pk])).status_code == 200


def test_ending_a_match_cancels_its_check_ins_with_the_reason_and_sends_no_reminder(client, world):
    for user in (world.mentor, world.mentee):
        ReminderPreference.objects.update_or_create(user=user, defaults={"before": "both"})
    planned = checkins.checkin_create(
        actor=world.mentor, match=world.match, scheduled_at=timezone.now() + timedelta(days=3)
    )
    _end(world)
    planned.refresh_from_db()
    assert planned.status == CheckIn.Status.CANCELLED
    assert planned.cancel_reason == CheckIn.CancelReason.MATCH_ENDED
    # Past the check-in's time: every reminder and nudge of it would have been due.
    with time_machine.travel(planned.scheduled_at + timedelta(days=1), tick=False):
        send_due()
    assert not [m for m in mail.outbox if m.to[0] in (world.mentor.email, world.mentee.email)]
    client.force_login(world.coordinator)
    page = client.get(reverse("checkins:detail", args=[planned.pk])).content.decode()
    assert "Match ended" in page


def test_a_check_in_cancelled_by_hand_gives_no_match_reason(world):
    checkin = factories.CheckInFactory(
        match=world.match, scheduled_at=timezone.now() + timedelta(days=1)
    )
    checkins.checkin_cancel(actor=world.mentor, checkin=checkin)
    checkin.refresh_from_db()
    assert checkin.status == CheckIn.Status.CANCELLED
    assert checkin.cancel_reason == ""

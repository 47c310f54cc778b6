"""An unplanned contact that already happened is logged in one step: a completed check-in
with its log, audited, counted like any other; a future time is refused; a concern says who
was told and what happens next."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from checkins.forms import LOCAL_FORMAT
from checkins.models import Alert, CheckIn
from mentorship.models import AuditEntry


def _local(world, moment):
    return moment.astimezone(world.program.tzinfo).strftime(LOCAL_FORMAT)


def test_the_form_opens_at_now_in_the_program_timezone(client, world):
    client.force_login(world.mentor)
    page = client.get(reverse("checkins:contact", args=[world.match.pk])).content.decode()
    today = timezone.now().astimezone(world.program.tzinfo).date().isoformat()
    assert f'value="{today}T' in page
    assert world.program.timezone in page


def test_a_mentor_logs_a_contact_in_one_step(client, world):
    client.force_login(world.mentor)
    when = timezone.now() - timedelta(hours=3)
    response = client.post(
        reverse("checkins:contact", args=[world.match.pk]),
        {"happened_at": _local(world, when), "mode": "text", "minutes": "10", "risk": ""},
        follow=True,
    )
    checkin = CheckIn.objects.get(match=world.match)
    assert checkin.status == CheckIn.Status.COMPLETED and checkin.mode == "text"
    assert checkin.actual_minutes == 10 and checkin.logged_by == world.mentor
    assert abs(checkin.actual_at - when) < timedelta(minutes=1)
    actions = set(
        AuditEntry.objects.filter(object_type="checkins.checkin").values_list("action", flat=True)
    )
    assert {"create", "update"} <= actions
    assert "Contact logged." in response.content.decode()


def test_a_contact_in_the_future_is_refused(client, world):
    client.force_login(world.mentor)
    response = client.post(
        reverse("checkins:contact", args=[world.match.pk]),
        {
            "happened_at": _local(world, timezone.now() + timedelta(hours=2)),
            "mode": "phone",
            "minutes": "15",
        },
    )
    assert response.status_code == 200 and "already happened" in response.content.decode()
    assert not CheckIn.objects.filter(match=world.match).exists()


def test_a_concern_says_who_was_told_and_what_happens_next(client, world):
    client.force_login(world.mentor)
    response = client.post(
        reverse("checkins:contact", args=[world.match.pk]),
        {
            "happened_at": _local(world, timezone.now() - timedelta(minutes=5)),
            "mode": "phone",
            "minutes": "15",
            "risk": "concern",
        },
        follow=True,
    )
    page = response.content.decode()
    assert "coordinators have been told" in page and "A coordinator will review it" in page
    assert Alert.objects.filter(kind="concern", mentee=world.match.mentee).exists()

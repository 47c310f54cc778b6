"""Logging a check-in from the phone form, note confidentiality, crisis escalation."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import Consent, FocusArea, Membership
from checkins import services
from checkins.models import Alert, CheckIn, CheckInNote
from mentorship.models import AuditEntry
from notifications import services as notifications
from notifications.models import Notification
from tests import factories
from tests.conftest import page_queries


@pytest.fixture
def checkin(world):
    return factories.CheckInFactory(
        match=world.match, scheduled_at=timezone.now() - timedelta(hours=2)
    )


def _log(client, checkin, **data):
    payload = {"status": "completed", "mode": "phone", "actual_minutes": "45", **data}
    return client.post(reverse("checkins:log", args=[checkin.pk]), payload)


def test_mentor_logs_a_check_in_with_defaults(client, world, checkin):
    client.force_login(world.mentor)
    page = client.get(reverse("checkins:log", args=[checkin.pk]))
    assert page.status_code == 200
    assert b'value="completed" class="btn-check"' in page.content or b"btn-check" in page.content
    topic = FocusArea.objects.filter(program=world.program).first()
    day = timezone.now().astimezone(world.program.tzinfo).date().isoformat()
    response = _log(
        client,
        checkin,
        mood="4",
        craving="3",
        use_reported="yes",
        use_days=[day],
        topics=[topic.pk],
        goals_reviewed="on",
        notes="Talked about the hard week at work.",
        next_steps="Call the housing office.",
    )
    assert response.status_code == 302
    checkin.refresh_from_db()
    assert checkin.status == "completed" and checkin.mood == 4 and checkin.craving == 3
    assert checkin.use_days == [day] and list(checkin.topics.all()) == [topic]
    assert checkin.actual_minutes == 45 and checkin.logged_by == world.mentor
    assert CheckInNote.objects.get(checkin=checkin).text.startswith("Talked")
    entry = AuditEntry.objects.filter(object_type="checkins.checkin", action="update").get()
    assert "notes" in entry.fields and "Talked" not in str(entry.fields)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"mood": "9"}, "mood"),
        ({"craving": "-1"}, "craving"),
        ({"status": "bogus"}, "status"),
        ({"actual_minutes": "0"}, "actual_minutes"),
        ({"actual_at": "not a time"}, "actual_at"),
        ({"actual_at": "2999-01-01T10:00"}, "actual_at"),
        ({"use_reported": "yes"}, "use_days"),
        ({"use_reported": "no", "use_days": ["1999-01-01"]}, "use_days"),
        ({"status": "rescheduled"}, "reschedule_to"),
        ({"status": "rescheduled", "reschedule_to": "2001-01-01T10:00"}, "reschedule_to"),
        ({"topics": ["999999"]}, "topics"),
        ({"risk": "panic"}, "risk"),
    ],
)
def test_bad_input_is_answered_at_the_field(client, world, checkin, data, field):
    client.force_login(world.mentor)
    response = _log(client, checkin, **data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    checkin.refresh_from_db()
    assert checkin.status == "scheduled"


def test_a_time_skipped_by_daylight_saving_is_refused(client, world, checkin):
    client.force_login(world.mentor)
    # Program A is in America/Chicago: 2:30 am on 2026-03-08 does not exist.
    response = _log(client, checkin, actual_at="2026-03-08T02:30")
    assert response.status_code == 200
    assert "actual_at" in response.context["form"].errors


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    payload=st.dictionaries(
        st.sampled_from(
            [
                "status",
                "mode",
                "mood",
                "craving",
                "use_reported",
                "use_days",
                "actual_at",
                "actual_minutes",
                "risk",
                "reschedule_to",
                "notes",
                "topics",
            ]
        ),
        st.one_of(st.text(max_size=30), st.integers(-5, 20).map(str)),
    )
)
def test_fuzzed_log_input_never_errors(client, world, checkin, payload):
    client.force_login(world.mentor)
    response = client.post(reverse("checkins:log", args=[checkin.pk]), payload)
    assert response.status_code in (200, 302)


def test_no_show_clears_clinical_fields_and_two_in_a_row_alert(world, checkin):
    services.checkin_log(
        actor=world.mentor, checkin=checkin, data=services.LogData(status="no_show", mood=3)
    )
    checkin.refresh_from_db()
    assert checkin.mood is None
    second = factories.CheckInFactory(
        match=world.match, scheduled_at=timezone.now() - timedelta(hours=1)
    )
    services.checkin_log(
        actor=world.mentor, checkin=second, data=services.LogData(status="no_show")
    )
    assert services.engagement_scan() >= 1
    assert Alert.objects.filter(kind="no_shows", match=world.match).count() == 1
    services.engagement_scan()
    assert Alert.objects.filter(kind="no_shows", match=world.match).count() == 1


def test_rescheduling_creates_the_new_check_in(world, checkin):
    new_time = timezone.now() + timedelta(days=2)
    services.checkin_log(
        actor=world.mentor,
        checkin=checkin,
        data=services.LogData(status="rescheduled", reschedule_to=new_time),
    )
    checkin.refresh_from_db()
    assert checkin.rescheduled_to.scheduled_at == new_time
    assert checkin.rescheduled_to.status == "scheduled"


def _notes_shown(client, user, checkin):
    client.force_login(user)
    return (
        b"Confidential words" in client.get(reverse("checkins:detail", args=[checkin.pk])).content
    )


def test_notes_are_seen_by_author_and_coordinators_and_by_others_only_with_consent(
    client, world, checkin
):
    services.checkin_log(
        actor=world.mentor,
        checkin=checkin,
        data=services.LogData(status="completed", notes="Confidential words"),
    )
    assert _notes_shown(client, world.mentor, checkin)
    assert _notes_shown(client, world.coordinator, checkin)
    assert not _notes_shown(client, world.mentee, checkin)
    # A new mentor takes over the match: they read the notes only while consent covers them;
    # the former mentor no longer reaches the mentee's check-ins at all.
    new_mentor = factories.MentorProfileFactory(program=world.program)
    world.match.mentor = new_mentor
    world.match.save()
    assert _notes_shown(client, new_mentor.user, checkin)  # consent covers check-in notes
    Consent.objects.filter(mentee=world.mentee_profile).update(covers_checkin_notes=False)
    assert not _notes_shown(client, new_mentor.user, checkin)
    assert _notes_shown(client, world.coordinator, checkin)
    client.force_login(world.mentor)
    assert client.get(reverse("checkins:detail", args=[checkin.pk])).status_code == 404


def test_mentee_confirms_attendance(client, world, checkin):
    client.force_login(world.mentee)
    response = client.post(reverse("checkins:confirm", args=[checkin.pk]))
    assert response.status_code == 302
    checkin.refresh_from_db()
    assert checkin.mentee_confirmed_at is not None


def test_crisis_alerts_every_coordinator_without_content(
    client, world, checkin, mailoutbox, django_capture_on_commit_callbacks
):
    second = factories.make_user_with_role(Membership.Role.COORDINATOR, world.program)
    client.force_login(world.mentor)
    with django_capture_on_commit_callbacks(execute=False):
        response = _log(client, checkin, risk="crisis", notes="Secret plan details")
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert escape(world.program.crisis_resources) in page.content.decode()
    assert b"988" in page.content
    alert = Alert.objects.get(kind="crisis", checkin=checkin)
    reminders = Notification.objects.filter(kind="checkins.crisis", about_id=alert.pk)
    assert {r.recipient for r in reminders} == {world.coordinator, second}
    notifications.notifications_dispatch()
    token = reminders.values_list("claim_token", flat=True).first()
    notifications.notification_send_batch(token=token)
    assert sorted(m.to[0] for m in mailoutbox) == sorted([world.coordinator.email, second.email])
    for message in mailoutbox:
        body = message.subject + message.body
        assert "Secret" not in body and world.mentee.last_name not in body
        assert reverse("checkins:alert", args=[alert.pk]) in body
        assert "988" in body
    # The coordinator's dashboard shows a banner until the alert is resolved.
    client.force_login(world.coordinator)
    home = client.get(reverse("home")).content.decode()
    assert "Crisis flagged" in home and reverse("checkins:alert", args=[alert.pk]) in home
    client.post(reverse("checkins:alert_update", args=[alert.pk, "acknowledge"]))
    alert.refresh_from_db()
    assert alert.acknowledged_by == world.coordinator and alert.acknowledged_at
    client.post(reverse("checkins:alert_update", args=[alert.pk, "resolve"]))
    alert.refresh_from_db()
    assert alert.state == "resolved" and alert.resolved_by == world.coordinator
    assert "Crisis flagged" not in client.get(reverse("home")).content.decode()
    # Outside the program nobody sees the banner.
    client.force_login(world.other_coordinator)
    assert "Crisis flagged" not in client.get(reverse("home")).content.decode()


def test_engagement_alerts_for_overdue_log_and_no_contact(world):
    program = world.program
    old = factories.CheckInFactory(
        match=world.match, scheduled_at=timezone.now() - timedelta(hours=60)
    )
    recent = factories.CheckInFactory(
        match=world.match, scheduled_at=timezone.now() - timedelta(hours=3)
    )
    world.match.started_at = timezone.now() - timedelta(days=20)
    world.match.save()
    services.engagement_scan()
    kinds = set(Alert.objects.filter(program=program).values_list("kind", "checkin_id"))
    assert ("overdue_log", old.pk) in kinds
    assert ("overdue_log", recent.pk) not in kinds
    assert ("no_contact", None) in kinds
    services.checkin_log(actor=world.mentor, checkin=old, data=services.LogData(status="completed"))
    assert Alert.objects.get(kind="overdue_log").resolved_at is not None


def test_list_pages_keep_a_constant_query_count(client, world, django_assert_max_num_queries):
    def count(n):
        CheckIn.objects.all().delete()
        for i in range(n):
            factories.CheckInFactory(
                match=world.match, scheduled_at=timezone.now() + timedelta(hours=i + 1)
            )
            factories.CheckInFactory(
                match=world.match,
                scheduled_at=timezone.now() - timedelta(hours=i + 1),
                status="completed",
            )
        counts = []
        for user, url in [
            (world.mentor, reverse("checkins:list")),
            (world.mentor, reverse("checkins:list") + "?view=past"),
            (world.mentee, reverse("checkins:list")),
            (world.coordinator, reverse("checkins:engagement", args=[world.program.pk])),
            (world.coordinator, reverse("home")),
            (world.mentor, reverse("home")),
        ]:
            client.force_login(user)
            counts.append(page_queries(client, url))
        return counts

    assert count(1) == count(50)


def test_mentee_confirms_their_place_in_a_group_session(client, world):
    group = services.group_session_create(
        actor=world.mentor,
        facilitator=world.mentor_profile,
        mentees=[world.mentee_profile],
        scheduled_at=timezone.now() + timedelta(days=1),
    )
    client.force_login(world.mentee)
    assert b"My group sessions" in client.get(reverse("checkins:list")).content
    assert client.post(reverse("checkins:confirm", args=[group.pk])).status_code == 302
    assert group.attendances.get().mentee_confirmed_at is not None
    client.force_login(world.other_mentee)
    assert client.post(reverse("checkins:confirm", args=[group.pk])).status_code == 404


def test_editing_a_log_keeps_notes_the_editor_may_not_read(client, world, checkin):
    services.checkin_log(
        actor=world.mentor,
        checkin=checkin,
        data=services.LogData(status="completed", notes="Confidential words"),
    )
    client.force_login(world.mentor)
    form = client.get(reverse("checkins:log", args=[checkin.pk])).context["form"]
    assert form["notes"].initial == "Confidential words"
    new_mentor = factories.MentorProfileFactory(program=world.program)
    world.match.mentor = new_mentor
    world.match.save()
    Consent.objects.filter(mentee=world.mentee_profile).update(covers_checkin_notes=False)
    client.force_login(new_mentor.user)
    page = client.get(reverse("checkins:log", args=[checkin.pk]))
    assert "notes" not in page.context["form"].fields
    assert b"Confidential words" not in page.content
    assert _log(client, checkin, notes="overwrite attempt").status_code == 302
    assert CheckInNote.objects.get(checkin=checkin).text == "Confidential words"


def test_use_reported_on_the_log_form_shows_on_the_use_log_at_once(client, world, checkin):
    # The hand-off to outcomes runs in the log's own transaction: no periodic job in between.
    day = world.program.today()
    client.force_login(world.mentor)
    _log(client, checkin, use_reported="yes", use_days=[day.isoformat()])
    url = reverse("outcomes:day", kwargs={"mentee_pk": world.mentee_profile.pk, "day": day})
    assert "<strong>Used</strong> — from the mentor report" in client.get(url).content.decode()
    _log(client, checkin, use_reported="no")
    assert "<strong>No use</strong> — from the mentor report" in client.get(url).content.decode()

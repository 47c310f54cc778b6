"""Messages about something due (no check-in), planned by a higher app through
`notifications_plan_topics` and sent through the same claim/send path as every kind."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.urls import reverse

from checkins import services
from notifications import services as notifications
from notifications.models import Notification
from notifications.selectors import failed_notifications
from tests import factories

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)  # 7 am in Chicago
DUE_ON = date(2026, 6, 1)


@pytest.fixture
def mentee(db):
    program = factories.ProgramFactory(timezone="America/Chicago")
    return factories.MenteeProfileFactory(program=program, enrolled_on=DUE_ON)


def _item(mentee, topic="thing:1"):
    return notifications.TopicItem(
        recipient=mentee.user,
        topic=topic,
        for_time=datetime(2026, 6, 1, 5, tzinfo=UTC),
        due_at=datetime(2026, 6, 1, 15, tzinfo=UTC),  # 10 am in Chicago on the day due
        data={"due_on": DUE_ON.isoformat(), "path": "/x/"},
    )


def _plan(mentee, items, at=NOW):
    with time_machine.travel(at, tick=False):
        return notifications.notifications_plan_topics(
            program=mentee.program,
            kind="outcomes.assessment_due",
            items=items,
            topic_prefix="thing:",
        )


def _dispatch_and_send(at):
    with time_machine.travel(at, tick=False):
        tokens = []
        while (token := notifications.notification_claim_due()) is not None:
            tokens.append(token)
        return [notifications.notification_send_batch(token=str(t)) for t in tokens]


def test_one_message_per_recipient_and_topic(mentee):
    base = {
        "kind": "outcomes.assessment_due",
        "program": mentee.program,
        "recipient": mentee.user,
        "topic": "t",
        "due_at": NOW,
        "for_time": NOW,
        "available_at": NOW,
    }
    Notification.objects.create(**base)
    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.create(**base)


def test_planning_is_idempotent_and_reconciles(mentee):
    assert _plan(mentee, [_item(mentee, "thing:1"), _item(mentee, "thing:2")]) == 2
    assert _plan(mentee, [_item(mentee, "thing:1"), _item(mentee, "thing:2")]) == 0
    # thing:2 no longer wanted -> withdrawn; other prefixes are left alone.
    Notification.objects.create(
        recipient=mentee.user,
        kind="outcomes.assessment_due",
        program=mentee.program,
        topic="other:1",
        data={"due_on": DUE_ON.isoformat(), "path": "/y/"},
        due_at=NOW,
        for_time=NOW,
        available_at=NOW,
    )
    assert _plan(mentee, [_item(mentee, "thing:1")]) == 0
    statuses = dict(Notification.objects.values_list("topic", "status"))
    assert statuses == {"thing:1": "pending", "thing:2": "cancelled", "other:1": "pending"}
    assert (
        notifications.notifications_cancel(kinds=["outcomes.assessment_due"], topics=["thing:1"])
        == 1
    )


def test_a_failed_due_reminder_is_shown_to_coordinators(mentee, settings, client):
    settings.EMAIL_BACKEND = "tests.checkins.test_reminders.FailingBackend"
    _plan(mentee, [_item(mentee)])
    reminder = Notification.objects.get()
    now = reminder.due_at
    assert now == datetime(2026, 6, 1, 15, tzinfo=UTC)  # 10 am Chicago on the day due
    for _ in range(notifications.MAX_ATTEMPTS):
        _dispatch_and_send(now)
        reminder.refresh_from_db()
        now = max(reminder.available_at, now)
    assert reminder.status == "failed" and reminder.attempts == notifications.MAX_ATTEMPTS
    coordinator = factories.make_user_with_role("coordinator", mentee.program)
    assert list(failed_notifications(coordinator, mentee.program)) == [reminder]
    client.force_login(coordinator)
    page = client.get(reverse("checkins:engagement", args=[mentee.program.pk])).content.decode()
    assert mentee.user.email in page and "Questionnaire due" in page


def test_an_inactive_recipient_gets_nothing(mentee, mailoutbox):
    _plan(mentee, [_item(mentee)])
    mentee.user.is_active = False
    mentee.user.save(update_fields=["is_active"])
    counts = _dispatch_and_send(NOW + timedelta(hours=3))
    assert counts[0]["cancelled"] == 1 and mailoutbox == []


def test_turning_reminders_off_withdraws_due_reminders_at_once(mentee, mailoutbox):
    _plan(mentee, [_item(mentee)])
    services.reminder_preference_set(user=mentee.user, before="none")
    assert Notification.objects.get().status == "cancelled"
    services.reminder_preference_set(user=mentee.user, before="24h")
    assert _plan(mentee, [_item(mentee)], at=NOW + timedelta(minutes=2)) == 1
    _dispatch_and_send(NOW + timedelta(hours=3))
    assert len(mailoutbox) == 1

"""Reminders of something due (no check-in), planned by a higher app through
`due_reminders_plan` and sent through the same claim/send path as check-in reminders."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.urls import reverse

from checkins import selectors, services
from checkins.models import Reminder
from tests import factories

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)  # 7 am in Chicago
DUE_ON = date(2026, 6, 1)


@pytest.fixture
def mentee(db):
    program = factories.ProgramFactory(timezone="America/Chicago")
    return factories.MenteeProfileFactory(program=program, enrolled_on=DUE_ON)


def _item(mentee, topic="thing:1"):
    return services.DueItem(recipient=mentee.user, topic=topic, due_on=DUE_ON, link_path="/x/")


def _plan(mentee, items, at=NOW):
    with time_machine.travel(at, tick=False):
        return services.due_reminders_plan(
            program=mentee.program, kind="assessment_due", items=items, topic_prefix="thing:"
        )


def _dispatch_and_send(at):
    with time_machine.travel(at, tick=False):
        tokens = []
        while (token := services.reminder_claim_due()) is not None:
            tokens.append(token)
        return [services.reminder_send_batch(token=str(t)) for t in tokens]


def test_each_kind_keeps_its_required_fields(mentee):
    base = {
        "recipient": mentee.user,
        "due_at": NOW,
        "for_time": NOW,
        "available_at": NOW,
    }
    due = {
        "kind": "assessment_due",
        "program": mentee.program,
        "due_on": DUE_ON,
        "topic": "t",
        "link_path": "/x/",
    }
    for missing in ["program", "due_on", "topic", "link_path"]:
        broken = {**due, missing: None if missing in ("program", "due_on") else ""}
        with pytest.raises(IntegrityError), transaction.atomic():
            Reminder.objects.create(**base, **broken)
    with pytest.raises(IntegrityError), transaction.atomic():
        Reminder.objects.create(**base, kind="before_24h")  # a check-in kind needs its check-in
    Reminder.objects.create(**base, **due)
    with pytest.raises(IntegrityError), transaction.atomic():
        Reminder.objects.create(**base, **due)  # once per recipient and topic


def test_planning_is_idempotent_and_reconciles(mentee):
    assert _plan(mentee, [_item(mentee, "thing:1"), _item(mentee, "thing:2")]) == 2
    assert _plan(mentee, [_item(mentee, "thing:1"), _item(mentee, "thing:2")]) == 0
    # thing:2 no longer wanted -> withdrawn; other prefixes are left alone.
    Reminder.objects.create(
        recipient=mentee.user,
        kind="assessment_due",
        program=mentee.program,
        due_on=DUE_ON,
        topic="other:1",
        link_path="/y/",
        due_at=NOW,
        for_time=NOW,
        available_at=NOW,
    )
    assert _plan(mentee, [_item(mentee, "thing:1")]) == 0
    statuses = dict(Reminder.objects.values_list("topic", "status"))
    assert statuses == {"thing:1": "pending", "thing:2": "cancelled", "other:1": "pending"}
    assert services.due_reminders_cancel(kind="assessment_due", topics=["thing:1"]) == 1


def test_a_failed_due_reminder_is_shown_to_coordinators(mentee, settings, client):
    settings.EMAIL_BACKEND = "tests.checkins.test_reminders.FailingBackend"
    _plan(mentee, [_item(mentee)])
    reminder = Reminder.objects.get()
    now = reminder.due_at
    assert now == datetime(2026, 6, 1, 15, tzinfo=UTC)  # 10 am Chicago on the day due
    for _ in range(services.MAX_ATTEMPTS):
        _dispatch_and_send(now)
        reminder.refresh_from_db()
        now = max(reminder.available_at, now)
    assert reminder.status == "failed" and reminder.attempts == services.MAX_ATTEMPTS
    coordinator = factories.make_user_with_role("coordinator", mentee.program)
    assert list(selectors.failed_reminders(coordinator, mentee.program)) == [reminder]
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
    assert Reminder.objects.get().status == "cancelled"
    assert _plan(mentee, [_item(mentee)], at=NOW + timedelta(minutes=1)) == 0
    services.reminder_preference_set(user=mentee.user, before="24h")
    assert _plan(mentee, [_item(mentee)], at=NOW + timedelta(minutes=2)) == 1
    _dispatch_and_send(NOW + timedelta(hours=3))
    assert len(mailoutbox) == 1

"""Notification rows: planned per preference and quiet hours, claimed once, retried, cancelled."""

import smtplib
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.urls import reverse
from django.utils import timezone

from checkins import services
from checkins.models import ReminderPreference
from checkins.selectors import checkin_reminders
from notifications import services as notifications
from notifications.models import Notification
from tests import factories


class FailingBackend(EmailBackend):
    """The SMTP server refuses every message."""

    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("connection lost")


@pytest.fixture
def match(db):
    return factories.MatchFactory(program=factories.ProgramFactory(timezone="America/Chicago"))


def _dispatch_and_send(now=None):
    with time_machine.travel(now or timezone.now(), tick=False):
        tokens = []
        while (token := notifications.notification_claim_due()) is not None:
            tokens.append(token)
        return [notifications.notification_send_batch(token=str(t)) for t in tokens]


@time_machine.travel(datetime(2026, 6, 1, 15, tzinfo=UTC), tick=False)
def test_reminders_follow_each_persons_preference(match):
    ReminderPreference.objects.create(user=match.mentee.user, before="both")
    ReminderPreference.objects.create(user=match.mentor.user, before="none")
    # Wednesday 1 pm Chicago: 24 h and 2 h before fall in the day.
    checkin = services.checkin_create(
        actor=match.mentor.user, match=match, scheduled_at=datetime(2026, 6, 3, 18, tzinfo=UTC)
    )
    rows = set(checkin_reminders(checkin).values_list("recipient_id", "kind", "due_at"))
    assert rows == {
        (match.mentee.user_id, "checkins.before_24h", datetime(2026, 6, 2, 18, tzinfo=UTC)),
        (match.mentee.user_id, "checkins.before_2h", datetime(2026, 6, 3, 16, tzinfo=UTC)),
    }
    services.reminder_preference_set(user=match.mentor.user, before="2h")
    kinds = set(
        checkin_reminders(checkin)
        .filter(recipient=match.mentor.user)
        .values_list("kind", flat=True)
    )
    assert kinds == {"checkins.before_2h", "checkins.log_nudge"}
    services.reminder_preference_set(user=match.mentee.user, before="none")
    assert (
        not checkin_reminders(checkin)
        .filter(recipient=match.mentee.user, status="pending")
        .exists()
    )


@time_machine.travel(datetime(2026, 6, 1, 15, tzinfo=UTC), tick=False)
def test_no_reminder_is_due_in_quiet_hours(match):
    ReminderPreference.objects.create(user=match.mentee.user, before="both")
    # 9 am Chicago (14:00 UTC): 2 h before is 7 am, inside 21:00-08:00 -> 8 am.
    checkin = services.checkin_create(
        actor=match.mentor.user, match=match, scheduled_at=datetime(2026, 6, 3, 14, tzinfo=UTC)
    )
    due = (
        checkin_reminders(checkin)
        .get(recipient=match.mentee.user, kind="checkins.before_2h")
        .due_at
    )
    assert due == datetime(2026, 6, 3, 13, tzinfo=UTC)  # 8 am CDT


def test_each_due_reminder_is_sent_once_with_no_clinical_detail(match, mailoutbox):
    start = datetime(2026, 6, 1, 15, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        checkin = services.checkin_create(
            actor=match.mentor.user, match=match, scheduled_at=start + timedelta(hours=25)
        )
    _dispatch_and_send(start + timedelta(hours=2))
    assert sorted(m.to[0] for m in mailoutbox) == sorted(
        [match.mentee.user.email, match.mentor.user.email]
    )
    _dispatch_and_send(start + timedelta(hours=3))
    assert len(mailoutbox) == 2
    for message in mailoutbox:
        assert reverse("checkins:detail", args=[checkin.pk]) in message.body
        assert "11:00 AM CDT" in message.body  # 16:00 UTC in the program's Chicago time
        for word in ("recovery", "craving", "use", "substance", match.mentee.user.last_name):
            assert word.lower() not in message.subject.lower()
        assert match.mentee.user.last_name not in message.body
        # Naming the program would tell anyone who sees the inbox that the person is in a
        # recovery program, which 42 CFR Part 2 protects.
        assert match.program.name not in message.subject + message.body


def test_a_cancelled_or_moved_check_in_gets_no_stale_reminder(match, mailoutbox):
    start = datetime(2026, 6, 1, 15, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        cancelled = services.checkin_create(
            actor=match.mentor.user, match=match, scheduled_at=start + timedelta(hours=25)
        )
        moved = services.checkin_create(
            actor=match.mentor.user, match=match, scheduled_at=start + timedelta(hours=26)
        )
    with time_machine.travel(start + timedelta(hours=3), tick=False):
        token = notifications.notification_claim_due()  # claimed, not sent yet
        services.checkin_cancel(actor=match.mentor.user, checkin=cancelled)
        services.checkin_move(
            actor=match.mentor.user, checkin=moved, scheduled_at=start + timedelta(days=5)
        )
        notifications.notification_send_batch(token=str(token))
    assert mailoutbox == []
    assert not checkin_reminders(cancelled).filter(status__in=["pending", "claimed"]).exists()
    new = checkin_reminders(moved).filter(status="pending", for_time=start + timedelta(days=5))
    assert new.exists()


def test_smtp_failures_retry_with_backoff_then_fail_and_show_to_coordinators(
    match, settings, client
):
    settings.EMAIL_BACKEND = "tests.checkins.test_reminders.FailingBackend"
    start = datetime(2026, 6, 1, 15, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        checkin = services.checkin_create(
            actor=match.mentor.user, match=match, scheduled_at=start + timedelta(hours=30)
        )
    reminder = checkin_reminders(checkin).get(
        recipient=match.mentee.user, kind="checkins.before_24h"
    )
    now = reminder.due_at
    for attempt in range(1, notifications.MAX_ATTEMPTS):
        _dispatch_and_send(now)
        reminder.refresh_from_db()
        assert reminder.status == "pending" and reminder.attempts == attempt
        assert reminder.available_at == now + timedelta(minutes=2**attempt)
        _dispatch_and_send(now + timedelta(seconds=30))  # not yet: backing off
        reminder.refresh_from_db()
        assert reminder.attempts == attempt
        now = reminder.available_at
    _dispatch_and_send(now)
    reminder.refresh_from_db()
    assert reminder.status == "failed" and reminder.last_error == "SMTPServerDisconnected"
    coordinator = factories.make_user_with_role("coordinator", match.program)
    client.force_login(coordinator)
    page = client.get(reverse("checkins:engagement", args=[match.program.pk])).content.decode()
    assert match.mentee.user.email in page and "could not be sent" in page


def test_two_claims_at_once_never_share_a_row(match):
    start = datetime(2026, 6, 1, 15, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        for hours in range(25, 35):
            services.checkin_create(
                actor=match.mentor.user, match=match, scheduled_at=start + timedelta(hours=hours)
            )
    with time_machine.travel(start + timedelta(hours=12), tick=False):
        first = notifications.notification_claim_due(limit=3)
        second = notifications.notification_claim_due(limit=100)
    a = set(Notification.objects.filter(claim_token=first).values_list("pk", flat=True))
    b = set(Notification.objects.filter(claim_token=second).values_list("pk", flat=True))
    assert len(a) == 3 and b and not a & b


def test_a_claim_whose_lease_ran_out_is_claimed_again(match, mailoutbox):
    start = datetime(2026, 6, 1, 15, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        services.checkin_create(
            actor=match.mentor.user, match=match, scheduled_at=start + timedelta(hours=25)
        )
    with time_machine.travel(start + timedelta(hours=2), tick=False):
        lost = notifications.notification_claim_due()  # its batch message is lost with Redis
        assert notifications.notification_claim_due() is None  # leased: nobody else takes it yet
    later = start + timedelta(hours=2) + notifications.lease() + timedelta(seconds=1)
    _dispatch_and_send(later)
    assert len(mailoutbox) == 2
    notifications.notification_send_batch(token=str(lost))  # the old message turns up after all
    assert len(mailoutbox) == 2
    assert mail.outbox is mailoutbox


def test_a_reminder_delayed_into_quiet_hours_waits_until_morning(match, mailoutbox):
    # Due at 8 pm Chicago, but the workers were down until 11 pm: it goes at 8 am instead.
    start = datetime(2026, 6, 1, 15, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        checkin = services.checkin_create(
            actor=match.mentor.user, match=match, scheduled_at=datetime(2026, 6, 3, 1, tzinfo=UTC)
        )
    late_evening = datetime(2026, 6, 2, 4, tzinfo=UTC)  # 11 pm CDT
    _dispatch_and_send(late_evening)
    assert mailoutbox == []
    reminder = checkin_reminders(checkin).get(
        recipient=match.mentee.user, kind="checkins.before_24h"
    )
    assert reminder.status == "pending"
    assert reminder.available_at == datetime(2026, 6, 2, 13, tzinfo=UTC)  # 8 am CDT
    _dispatch_and_send(datetime(2026, 6, 2, 13, 1, tzinfo=UTC))
    assert match.mentee.user.email in [m.to[0] for m in mailoutbox]


def test_a_log_nudge_for_a_late_planned_check_in_respects_quiet_hours(match):
    night = datetime(2026, 6, 2, 6, tzinfo=UTC)  # 1 am CDT
    with time_machine.travel(night, tick=False):
        checkin = services.checkin_create(
            actor=match.mentor.user, match=match, scheduled_at=night - timedelta(hours=8)
        )
    nudge = checkin_reminders(checkin).get(kind="checkins.log_nudge")
    assert nudge.due_at == datetime(2026, 6, 2, 13, tzinfo=UTC)  # 8 am CDT

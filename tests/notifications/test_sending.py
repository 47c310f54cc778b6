"""Sending a claimed batch: each kind worded on its own in its recipient's time zone, one
Message-ID per message, one send per row however often its batch is delivered, nothing sent
once the lease is nearly over, and a coordinator's retry of any failed kind."""

import smtplib
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.mail.backends.locmem import EmailBackend
from django.urls import reverse

from checkins import services
from checkins.models import ReminderPreference
from checkins.selectors import checkin_reminders
from notifications import services as notifications
from notifications.models import Notification
from tests import factories

START = datetime(2026, 6, 1, 15, tzinfo=UTC)  # 10 am in Chicago


@pytest.fixture
def match(db):
    return factories.MatchFactory(program=factories.ProgramFactory(timezone="America/Chicago"))


def _claim(at: datetime) -> list:
    with time_machine.travel(at, tick=False):
        tokens = []
        while (token := notifications.notification_claim_due()) is not None:
            tokens.append(token)
        return tokens


def _send(tokens, at: datetime) -> list[dict]:
    with time_machine.travel(at, tick=False):
        return [notifications.notification_send_batch(token=str(token)) for token in tokens]


def test_one_batch_words_each_kind_and_each_time_for_its_recipient(match, mailoutbox):
    mentee, mentor = match.mentee.user, match.mentor.user
    mentor.timezone = "America/New_York"
    mentor.save()
    ReminderPreference.objects.create(user=mentee, before="24h")
    ReminderPreference.objects.create(user=mentor, before="24h")
    with time_machine.travel(START, tick=False):
        upcoming = services.checkin_create(
            actor=mentor,
            match=match,
            scheduled_at=START + timedelta(hours=25, minutes=30),
            mode="in_person",
        )
        # Planned after it happened: its mentor is nudged to log it at once.
        past = services.checkin_create(
            actor=mentor, match=match, scheduled_at=START - timedelta(hours=3)
        )
    _send(_claim(START + timedelta(hours=2)), START + timedelta(hours=2))
    by_subject = {(m.to[0], m.subject): m.body for m in mailoutbox}
    assert set(by_subject) == {
        (mentee.email, "Check-in reminder: Tue Jun 2, 11:30 AM"),  # Chicago, the program's
        (mentor.email, "Check-in reminder: Tue Jun 2, 12:30 PM"),  # New York, the mentor's own
        (mentor.email, "Please log your check-in"),
    }
    detail = reverse("checkins:detail", args=[upcoming.pk])
    mentee_body = by_subject[(mentee.email, "Check-in reminder: Tue Jun 2, 11:30 AM")]
    assert "Tuesday, June 2, 11:30 AM CDT (In person)" in mentee_body and detail in mentee_body
    nudge = by_subject[(mentor.email, "Please log your check-in")]
    assert "Monday, June 1, 8:00 AM EDT has not been logged yet" in nudge
    assert reverse("checkins:log", args=[past.pk]) in nudge and detail not in nudge


class RefusingBackend(EmailBackend):
    """The SMTP server takes each message's headers, then drops the connection."""

    refused: list[str] = []

    def send_messages(self, messages):
        RefusingBackend.refused += [m.message()["Message-ID"] for m in messages]
        raise smtplib.SMTPServerDisconnected("connection lost")


def test_each_reminder_keeps_one_message_id_so_a_repeat_shows_once(match, mailoutbox, settings):
    with time_machine.travel(START, tick=False):
        services.checkin_create(
            actor=match.mentor.user, match=match, scheduled_at=START + timedelta(hours=25)
        )
    first = START + timedelta(hours=2)
    settings.EMAIL_BACKEND = "tests.notifications.test_sending.RefusingBackend"
    RefusingBackend.refused = []
    _send(_claim(first), first)
    assert mailoutbox == [] and len(RefusingBackend.refused) == 2
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    retry = first + timedelta(minutes=3)  # after the 2-minute backoff
    _send(_claim(retry), retry)
    reminders = set(Notification.objects.filter(status="sent").values_list("pk", flat=True))
    assert {notifications.notification_of(m) for m in mailoutbox} == reminders
    ids = [m.message()["Message-ID"] for m in mailoutbox]
    assert len(set(ids)) == len(ids) == 2
    assert all(i.startswith("<notification.") for i in ids)
    # The attempt that failed and the one that went out carry the same Message-ID.
    assert sorted(ids) == sorted(RefusingBackend.refused)


def test_a_batch_delivered_twice_sends_each_message_once(match, mailoutbox):
    with time_machine.travel(START, tick=False):
        checkin = services.checkin_create(
            actor=match.mentor.user, match=match, scheduled_at=START + timedelta(hours=25)
        )
    (token,) = _claim(START + timedelta(hours=2))
    # Another delivery of the same batch message has just taken the first row (its send has
    # started): this run must leave it alone and send only the other.
    first, second = checkin_reminders(checkin).filter(claim_token=token).order_by("pk")
    Notification.objects.filter(pk=first.pk).update(status="sending")
    (counts,) = _send([token], START + timedelta(hours=2))
    assert [m.to[0] for m in mailoutbox] == [second.recipient.email]
    assert counts["sent"] == 1
    _send([token], START + timedelta(hours=2))  # and a third delivery sends nothing more
    assert len(mailoutbox) == 1


def test_a_batch_whose_lease_is_nearly_over_leaves_its_rows_for_a_later_claim(match, mailoutbox):
    with time_machine.travel(START, tick=False):
        services.checkin_create(
            actor=match.mentor.user, match=match, scheduled_at=START + timedelta(hours=25)
        )
    claimed_at = START + timedelta(hours=2)
    (token,) = _claim(claimed_at)
    late = claimed_at + notifications.lease() - notifications.LEASE_MARGIN / 2
    (counts,) = _send([token], late)
    assert counts["skipped"] == 2 and mailoutbox == []
    assert Notification.objects.filter(status="claimed").count() == 2
    # After the lease a new claim sends them, once each.
    after = claimed_at + notifications.lease() + timedelta(seconds=1)
    _send(_claim(after), after)
    assert len(mailoutbox) == 2
    assert Notification.objects.filter(status="sent", attempts=1).count() == 2


def test_a_coordinator_sends_a_failed_reminder_again(match, client, mailoutbox):
    from mentorship.models import AuditEntry

    with time_machine.travel(START, tick=False):
        checkin = services.checkin_create(
            actor=match.mentor.user, match=match, scheduled_at=START + timedelta(hours=30)
        )
    reminder = checkin_reminders(checkin).get(
        recipient=match.mentee.user, kind="checkins.before_24h"
    )
    Notification.objects.filter(pk=reminder.pk).update(
        status="failed", attempts=4, last_error="SMTPServerDisconnected"
    )
    coordinator = factories.make_user_with_role("coordinator", match.program)
    client.force_login(coordinator)
    engagement = reverse("checkins:engagement", args=[match.program.pk])
    assert "Try again" in client.get(engagement).content.decode()

    retry = reverse("notifications:retry", args=[reminder.pk])
    with time_machine.travel(START + timedelta(hours=6), tick=False):
        assert client.post(retry, {"next": engagement})["Location"] == engagement
        client.post(retry, {"next": engagement})  # pressed twice: queued once
    reminder.refresh_from_db()
    assert (reminder.status, reminder.attempts, reminder.last_error) == ("pending", 0, "")
    assert AuditEntry.objects.filter(actor=coordinator, object_id=str(reminder.pk)).count() == 1
    later = START + timedelta(hours=7)
    _send(_claim(later), later)
    assert [m.to[0] for m in mailoutbox if notifications.notification_of(m) == reminder.pk] == [
        match.mentee.user.email
    ]
    assert "Try again" not in client.get(engagement).content.decode()

"""Sending a claimed batch: each kind worded on its own, one Message-ID per reminder, one sender
per claim, nothing sent once the lease is nearly over, and the plain (SQLite) way of recording
a reminder sent."""

import smtplib
import uuid
from datetime import UTC, datetime, timedelta

import psycopg
import pytest
import time_machine
from checkins.sending import SentMarks
from django.core.mail.backends.locmem import EmailBackend
from django.db import connection
from django.urls import reverse

from checkins import services
from checkins.emails import reminder_of
from checkins.models import Reminder, ReminderPreference
from tests import factories

START = datetime(2026, 6, 1, 15, tzinfo=UTC)  # 10 am in Chicago


@pytest.fixture
def match(db):
    return factories.MatchFactory(program=factories.ProgramFactory(timezone="America/Chicago"))


def _claim(at: datetime) -> list[uuid.UUID]:
    with time_machine.travel(at, tick=False):
        tokens = []
        while (token := services.reminder_claim_due()) is not None:
            tokens.append(token)
        return tokens


def _send(tokens, at: datetime) -> list[dict]:
    with time_machine.travel(at, tick=False):
        return [services.reminder_send_batch(token=str(token)) for token in tokens]


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
    settings.EMAIL_BACKEND = "tests.checkins.test_sending.RefusingBackend"
    RefusingBackend.refused = []
    _send(_claim(first), first)
    assert mailoutbox == [] and len(RefusingBackend.refused) == 2
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    retry = first + timedelta(minutes=3)  # after the 2-minute backoff
    _send(_claim(retry), retry)
    reminders = set(Reminder.objects.filter(status="sent").values_list("pk", flat=True))
    assert {reminder_of(m) for m in mailoutbox} == reminders
    ids = [m.message()["Message-ID"] for m in mailoutbox]
    assert len(set(ids)) == len(ids) == 2
    assert all(i.startswith("<reminder.") for i in ids)
    # The attempt that failed and the one that went out carry the same Message-ID.
    assert sorted(ids) == sorted(RefusingBackend.refused)


def test_a_claim_another_run_is_sending_is_left_to_it(match, mailoutbox):
    with time_machine.travel(START, tick=False):
        services.checkin_create(
            actor=match.mentor.user, match=match, scheduled_at=START + timedelta(hours=25)
        )
    (token,) = _claim(START + timedelta(hours=2))
    # The same batch message delivered twice: the first run holds the claim's lock.
    settings = connection.settings_dict
    other = psycopg.connect(
        dbname=settings["NAME"],
        user=settings["USER"],
        host=settings["HOST"] or "127.0.0.1",
        port=settings["PORT"] or 5432,
        autocommit=True,
    )
    try:
        other.execute("SELECT pg_advisory_lock(%s)", [(token.int >> 64) - 2**63])
        counts = _send([token], START + timedelta(hours=2))
    finally:
        other.close()
    assert counts == [dict.fromkeys(counts[0], 0)]
    assert mailoutbox == []
    assert Reminder.objects.filter(claim_token=token, status="claimed").count() == 2
    # Once that run is gone, a later delivery sends them.
    _send([token], START + timedelta(hours=2))
    assert len(mailoutbox) == 2


def test_a_batch_whose_lease_is_nearly_over_leaves_its_rows_for_a_later_claim(match, mailoutbox):
    with time_machine.travel(START, tick=False):
        services.checkin_create(
            actor=match.mentor.user, match=match, scheduled_at=START + timedelta(hours=25)
        )
    claimed_at = START + timedelta(hours=2)
    (token,) = _claim(claimed_at)
    late = claimed_at + services.reminder_lease() - services.LEASE_MARGIN / 2
    (counts,) = _send([token], late)
    assert counts["skipped"] == 2 and mailoutbox == []
    assert Reminder.objects.filter(status="claimed").count() == 2
    # After the lease a new claim sends them, once each.
    after = claimed_at + services.reminder_lease() + timedelta(seconds=1)
    _send(_claim(after), after)
    assert len(mailoutbox) == 2
    assert Reminder.objects.filter(status="sent", attempts=1).count() == 2


def test_the_plain_way_of_recording_sent_marks_only_its_own_claim(match):
    """What `make run` (SQLite) uses: an UPDATE per reminder, matched on the claim token."""
    with time_machine.travel(START, tick=False):
        checkin = services.checkin_create(
            actor=match.mentor.user, match=match, scheduled_at=START + timedelta(hours=25)
        )
    (token,) = _claim(START + timedelta(hours=2))
    mine, theirs = checkin.reminders.filter(claim_token=token).order_by("pk")
    Reminder.objects.filter(pk=theirs.pk).update(claim_token=uuid.uuid4())  # claimed again
    with SentMarks(token) as marks:
        marks.sent(mine.pk, at=START + timedelta(hours=2))
        marks.sent(theirs.pk, at=START + timedelta(hours=2))
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.status, mine.attempts, mine.sent_at) == ("sent", 1, START + timedelta(hours=2))
    assert theirs.status == "claimed"


def test_a_coordinator_sends_a_failed_reminder_again(match, client, mailoutbox):
    from mentorship.models import AuditEntry

    with time_machine.travel(START, tick=False):
        checkin = services.checkin_create(
            actor=match.mentor.user, match=match, scheduled_at=START + timedelta(hours=30)
        )
    reminder = checkin.reminders.get(recipient=match.mentee.user, kind="before_24h")
    Reminder.objects.filter(pk=reminder.pk).update(
        status="failed", attempts=4, last_error="SMTPServerDisconnected"
    )
    coordinator = factories.make_user_with_role("coordinator", match.program)
    client.force_login(coordinator)
    engagement = reverse("checkins:engagement", args=[match.program.pk])
    assert "Try again" in client.get(engagement).content.decode()

    retry = reverse("checkins:reminder_retry", args=[reminder.pk])
    with time_machine.travel(START + timedelta(hours=6), tick=False):
        assert client.post(retry)["Location"] == engagement
        client.post(retry)  # pressed twice: queued once
    reminder.refresh_from_db()
    assert (reminder.status, reminder.attempts, reminder.last_error) == ("pending", 0, "")
    assert AuditEntry.objects.filter(actor=coordinator, object_id=str(reminder.pk)).count() == 1
    later = START + timedelta(hours=7)
    _send(_claim(later), later)
    assert [m.to[0] for m in mailoutbox if reminder_of(m) == reminder.pk] == [
        match.mentee.user.email
    ]
    assert "Try again" not in client.get(engagement).content.decode()

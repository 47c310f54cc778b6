"""E-mails in their recipient's language (issue #15): each message of one batch is rendered in
its own recipient's language, dates included; the person's choice wins over the program's."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from checkins import services
from checkins.models import ReminderPreference
from notifications import services as notifications
from tests import factories

START = datetime(2026, 6, 1, 15, tzinfo=UTC)  # 10 am in Chicago


@pytest.fixture
def match(db):
    return factories.MatchFactory(program=factories.ProgramFactory(timezone="America/Chicago"))


def _remind_both(match) -> dict[str, tuple[str, str]]:
    mentee, mentor = match.mentee.user, match.mentor.user
    for user in (mentee, mentor):
        ReminderPreference.objects.create(user=user, before="24h")
    with time_machine.travel(START, tick=False):
        services.checkin_create(
            actor=mentor,
            match=match,
            scheduled_at=START + timedelta(hours=25, minutes=30),
            mode="in_person",
        )
    later = START + timedelta(hours=2)
    with time_machine.travel(later, tick=False):
        tokens = []
        while (token := notifications.notification_claim_due()) is not None:
            tokens.append(token)
        assert len(tokens) == 1  # both reminders go in one batch
        notifications.notification_send_batch(token=str(tokens[0]))


def _by_recipient(mailoutbox) -> dict[str, tuple[str, str]]:
    return {m.to[0]: (m.subject, m.body) for m in mailoutbox}


def test_one_batch_reminds_each_recipient_in_their_language(match, mailoutbox):
    mentee, mentor = match.mentee.user, match.mentor.user
    mentee.preferred_language = "es"
    mentee.save(update_fields=["preferred_language"])
    _remind_both(match)
    sent = _by_recipient(mailoutbox)
    assert len(mailoutbox) == 2
    subject, body = sent[mentee.email]
    assert subject == "Recordatorio de seguimiento: mar. 2 jun, 11:30"
    # Spanish as the glossary writes it (usted), with the date in Spanish too.
    assert "Tiene un seguimiento el martes 2 de junio, 11:30 CDT (En persona)." in body
    assert "Puede cambiar la configuración de sus recordatorios" in body
    assert "Hola:" in body
    assert not any(english in body for english in ("Hello", "check-in", "Tuesday", "reminder"))
    subject, body = sent[mentor.email]
    assert subject == "Check-in reminder: Tue Jun 2, 11:30 AM"
    assert "You have a check-in on Tuesday, June 2, 11:30 AM CDT (In person)." in body


def test_the_programs_language_serves_people_who_chose_none(match, mailoutbox):
    match.program.default_language = "es"
    match.program.save(update_fields=["default_language"])
    mentor = match.mentor.user
    mentor.preferred_language = "en"  # their own choice wins over the program's
    mentor.save(update_fields=["preferred_language"])
    _remind_both(match)
    sent = _by_recipient(mailoutbox)
    assert sent[match.mentee.user.email][0].startswith("Recordatorio de seguimiento")
    assert sent[mentor.email][0].startswith("Check-in reminder")

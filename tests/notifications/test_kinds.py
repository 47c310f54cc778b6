"""What every registered kind's e-mail says, and the rules every kind obeys: no clinical
content, quiet hours in the recipient's time zone (crisis alerts and reset links excepted), and
nothing pointing behind sign-in for a person who cannot sign in yet."""

import re
from datetime import datetime, timedelta

import pytest
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from checkins import emails
from checkins.models import CheckinSettings
from matching import notices
from notifications import password_reset
from notifications.models import Notification
from tests import factories
from tests.notifications.kinds import MAKERS
from tests.notifications.outbox import send_due

KINDS = sorted(MAKERS)
CLINICAL = re.compile(
    r"substance|alcohol|drug|mood|craving|relapse|use day|score|barc|note|risk", re.I
)


@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_says_where_to_look_and_nothing_clinical(kind, db, mailoutbox):
    ids = MAKERS[kind].make(2)
    send_due()
    assert Notification.objects.filter(pk__in=ids, status="sent").count() == len(ids)
    assert len(mailoutbox) == len(ids)
    for message in mailoutbox:
        text = message.subject + "\n" + message.body
        assert not CLINICAL.search(text), text
        assert "http" in message.body  # a link to where the details are, behind sign-in
        assert message.extra_headers["Message-ID"].startswith("<notification.")


def _quiet_now(program) -> None:
    """Quiet hours from an hour ago to an hour from now, in the program's time zone."""
    local = timezone.now().astimezone(program.tzinfo)
    CheckinSettings.objects.filter(program=program).update(
        quiet_start=(local - timedelta(hours=1)).time().replace(second=0, microsecond=0),
        quiet_end=(local + timedelta(hours=1)).time().replace(second=0, microsecond=0),
    )


# Sent at any hour: coordinators are told of a crisis flag (the program's on-call signal), and
# a person who asked for a password reset link is waiting for it.
ANY_HOUR = {emails.CRISIS, password_reset.PASSWORD_RESET}


@pytest.mark.parametrize("kind", KINDS)
def test_quiet_hours_hold_back_every_kind_but_a_crisis_alert_and_a_reset_link(kind, db, mailoutbox):
    ids = MAKERS[kind].make(2)
    row = Notification.objects.select_related("program").get(pk=ids[0])
    _quiet_now(row.program)
    send_due()
    if kind in ANY_HOUR:
        assert len(mailoutbox) == len(ids)
        return
    assert mailoutbox == []
    waiting = Notification.objects.filter(pk__in=ids)
    assert {r.status for r in waiting} == {"pending"}
    local_end = {r.available_at.astimezone(row.program.tzinfo) for r in waiting}
    assert all(end > timezone.now() + timedelta(minutes=50) for end in local_end)


def test_a_person_who_cannot_sign_in_gets_the_invitation_not_a_match_notice(db, mailoutbox):
    from accounts import invitations

    match = factories.MatchFactory(
        mentee=factories.MenteeProfileFactory(
            user=factories.UserFactory(password=make_password(None))
        )
    )
    CheckinSettings.objects.create(
        program=match.program, quiet_start=datetime.min.time(), quiet_end=datetime.min.time()
    )
    notices.notices_send(kind=notices.STARTED, matches=[match], to_mentee=True, to_mentor=True)
    invitations.invitation_send(user=match.mentee.user, program=match.program, sent_by=None)
    send_due()
    by_person = {m.to[0]: m.subject for m in mailoutbox}
    assert by_person == {
        match.mentor.user.email: "Your mentorship match has started",
        match.mentee.user.email: "Set up your sign-in",
    }


def test_a_notice_queued_before_a_password_was_reset_to_unusable_is_withdrawn(db, mailoutbox):
    match = factories.MatchFactory()
    CheckinSettings.objects.create(
        program=match.program, quiet_start=datetime.min.time(), quiet_end=datetime.min.time()
    )
    notices.notices_send(kind=notices.STARTED, matches=[match], to_mentee=True, to_mentor=False)
    match.mentee.user.set_unusable_password()
    match.mentee.user.save(update_fields=["password"])
    (counts,) = send_due()
    assert counts["cancelled"] == 1 and mailoutbox == []

"""The reminders that were waiting in checkins' table when the outbox arrived are sent by it."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from checkins.models import Alert
from mentorship.management.commands.migrate import owner_role
from notifications.models import Notification
from tests import factories

BEFORE = [("checkins", "0004_checkin_updated_at")]


@pytest.mark.django_db(transaction=True)
def test_waiting_reminders_are_carried_into_the_outbox():
    # Migrations are the owner role's to run; the suite's application role may not change the
    # schema (tests/mentorship/test_db_roles.py).
    with owner_role():
        _waiting_reminders_are_carried_into_the_outbox()


def _waiting_reminders_are_carried_into_the_outbox():
    match = factories.MatchFactory()
    checkin = factories.CheckInFactory(match=match)
    alert = Alert.objects.create(
        program=match.program, kind="crisis", mentee=match.mentee, match=match, checkin=checkin
    )
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        now = timezone.now()
        rows = [
            # kind, checkin, status, topic, due_on, link
            ("before_24h", checkin.pk, "pending", "", None, ""),
            ("crisis", checkin.pk, "failed", "", None, ""),
            ("assessment_due", None, "claimed", "assessment:1:barc10:0", now.date(), "/o/"),
        ]
        with connection.cursor() as cursor:
            for kind, checkin_id, status, topic, due_on, link in rows:
                cursor.execute(
                    "INSERT INTO checkins_reminder (checkin_id, program_id, recipient_id, kind,"
                    " due_at, for_time, due_on, topic, link_path, available_at, status,"
                    " attempts, last_error, created_at)"
                    " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, 1, '', %s)",
                    [checkin_id, match.program_id, match.mentee.user_id, kind, now,
                     checkin.scheduled_at, due_on, topic, link, now - timedelta(minutes=1),
                     status, now],
                )  # fmt: skip
    finally:
        # Forward to the latest migrations, not just the carrying one: later migrations of
        # checkins (and of apps depending on it) must be back for the tests that follow.
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
    carried = {n.kind: n for n in Notification.objects.all()}
    assert set(carried) == {"checkins.before_24h", "checkins.crisis", "outcomes.assessment_due"}
    assert (carried["checkins.before_24h"].about_id, carried["checkins.before_24h"].status) == (
        checkin.pk,
        "pending",
    )
    assert (carried["checkins.crisis"].about_id, carried["checkins.crisis"].status) == (
        alert.pk,
        "failed",
    )
    due = carried["outcomes.assessment_due"]
    assert (due.status, due.topic, due.data["path"]) == ("claimed", "assessment:1:barc10:0", "/o/")
    assert due.data["due_on"] == timezone.now().date().isoformat()
    # New rows get ids past the carried ones.
    fresh = Notification.objects.create(
        kind="matching.started",
        program=match.program,
        recipient=match.mentor.user,
        for_time=timezone.now(),
        due_at=timezone.now(),
        available_at=timezone.now(),
    )
    assert fresh.pk > max(n.pk for n in carried.values())

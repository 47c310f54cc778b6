"""Outbox URLs in the role x status matrix (see tests/urlcases.py)."""

from datetime import timedelta

from django.utils import timezone

from notifications.models import Notification
from tests.urlcases import Case, expect


def _failed(w) -> Notification:
    """A failed match notice to the world's mentee: any kind is retried the same way."""
    when = timezone.now() - timedelta(hours=1)
    notification, _ = Notification.objects.get_or_create(
        kind="matching.started",
        about_id=w.match.pk,
        recipient=w.mentee,
        for_time=w.match.started_at,
        defaults={"program": w.program, "due_at": when, "available_at": when},
    )
    Notification.objects.filter(pk=notification.pk).update(status="failed", attempts=4)
    return notification


CASES = [
    # Only the program's coordinators see the outbox; nobody else learns a message exists.
    Case(
        "notifications:retry",
        expect(
            coordinator=302,
            mentor=404,
            mentee=404,
            staff=404,
            other_mentor=404,
            other_mentee=404,
            other_coordinator=404,
        ),
        kwargs=lambda w: {"pk": _failed(w).pk},
        method="post",
    ),
]

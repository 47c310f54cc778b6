"""Reads of the outbox for coordinators' pages."""

from django.db.models import QuerySet

from accounts.models import Program, User
from mentorship import access
from notifications.models import Notification


def failed_notifications(user: User, program: Program | None = None) -> QuerySet:
    """Messages of every kind that failed, in the programs `user` coordinates."""
    failed = access.scope(
        user,
        Notification.objects.filter(status=Notification.Status.FAILED),
        roles=(access.COORDINATOR,),
    )
    if program is not None:
        failed = failed.filter(program=program)
    return failed.select_related("recipient").order_by("-due_at")

"""Thin Celery tasks: ids in, a service call, nothing kept in Redis but the next message.

No ETA or countdown: the due time lives in the Notification row and the beat task finds it,
so a Redis restart (it keeps nothing on disk) loses nothing.
"""

import functools

from celery import shared_task
from celery.contrib.django.task import DjangoTask
from django.db import transaction

from notifications import services


class OnCommitTask(DjangoTask):
    """Celery's `delay_on_commit`, with a broker outage logged instead of raised: the write it
    follows is already committed, the database row is the truth and a later beat tick (or
    lease) picks the work up, so the person who made the change must not see an error page."""

    def delay_on_commit(self, *args, **kwargs) -> None:
        transaction.on_commit(functools.partial(self.delay, *args, **kwargs), robust=True)


@shared_task(name="notifications.dispatch", base=OnCommitTask)
def dispatch() -> int:
    """Beat, every minute: claim due messages in batches, one send message per batch."""
    return services.notifications_dispatch()


@shared_task(name="notifications.send_batch", base=OnCommitTask)
def send_batch(token: str) -> dict:
    # Retries live in the rows (attempts, available_at), not in Celery: a retry held by the
    # broker would vanish with Redis.
    return services.notification_send_batch(token=token)

"""Thin Celery tasks: ids in, a service call, nothing kept in Redis but the next message.

No ETA or countdown: the due time lives in the Notification row and the beat task finds it,
so a Redis restart (it keeps nothing on disk) loses nothing.
"""

from celery import shared_task

from notifications import services


@shared_task(name="notifications.dispatch")
def dispatch() -> int:
    """Beat, every minute: claim due messages in batches, one send message per batch."""
    return services.notifications_dispatch()


@shared_task(name="notifications.send_batch")
def send_batch(token: str) -> dict:
    # Retries live in the rows (attempts, available_at), not in Celery: a retry held by the
    # broker would vanish with Redis.
    return services.notification_send_batch(token=token)

"""Thin Celery tasks: ids in, a service call, nothing kept in Redis but the next message.

No ETA or countdown: the due time lives in the Reminder row and the beat task finds it, so a
Redis restart (it keeps nothing on disk) loses nothing.
"""

from celery import shared_task

from checkins import services


@shared_task(name="checkins.reminders_dispatch")
def reminders_dispatch() -> int:
    """Beat, every minute: claim due reminders in batches, one send message per batch."""
    return services.reminders_dispatch()


@shared_task(name="checkins.reminders_send_batch")
def reminders_send_batch(token: str) -> dict:
    # Retries live in the rows (attempts, available_at), not in Celery: a retry held by the
    # broker would vanish with Redis.
    return services.reminder_send_batch(token=token)


@shared_task(name="checkins.occurrences_generate")
def occurrences_generate() -> int:
    """Beat, hourly: keep every active schedule's occurrences generated ahead."""
    return services.occurrences_generate_all()


@shared_task(name="checkins.engagement_scan")
def engagement_scan() -> int:
    """Beat, hourly: overdue logs, consecutive no-shows, no contact."""
    return services.engagement_scan()

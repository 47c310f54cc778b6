"""Thin Celery tasks: ids in, a service call. Reminders are sent by the outbox
(notifications.tasks)."""

from celery import shared_task

from checkins import services


@shared_task(name="checkins.occurrences_generate")
def occurrences_generate() -> int:
    """Beat, hourly: keep every active schedule's occurrences generated ahead."""
    return services.occurrences_generate_all()


@shared_task(name="checkins.engagement_scan")
def engagement_scan() -> int:
    """Beat, hourly: overdue logs, consecutive no-shows, no contact."""
    return services.engagement_scan()

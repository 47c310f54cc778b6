"""Thin Celery tasks for outcomes."""

from datetime import timedelta

from celery import shared_task
from django.utils.timezone import now

from accounts.models import Program
from notifications.tasks import OnCommitTask
from outcomes import services

# Check-ins logged (or re-logged) within this span are looked at again on each run: a worker
# that was down for a while still catches up, and the sync is idempotent.
LOOKBACK = timedelta(days=3)


@shared_task(name="outcomes.checkin_use_sync")
def checkin_use_sync() -> int:
    """Beat, every 15 minutes: use reported at check-ins becomes use-day records."""
    since = now() - LOOKBACK
    return sum(
        services.use_reports_from_checkins(program=program, since=since)
        for program in Program.objects.all()
    )


@shared_task(name="outcomes.assessment_reminders_plan")
def assessment_reminders_plan() -> int:
    """Beat, hourly: one reminder row per mentee per due assessment (sent by checkins)."""
    from outcomes.assessments import assessment_reminders_plan_all

    return assessment_reminders_plan_all()


@shared_task(name="outcomes.export_job_run", base=OnCommitTask)
def export_job_run(job_id: int) -> None:
    """Write one queued export job (see outcomes.export_jobs)."""
    from outcomes.export_jobs import export_job_run as run

    run(job_id=job_id)


@shared_task(name="outcomes.export_jobs_expire")
def export_jobs_expire() -> int:
    """Beat, daily: delete the files of exports older than a week."""
    from outcomes.export_jobs import export_jobs_expire as expire

    return expire()

"""Thin Celery tasks for outcomes."""

from celery import shared_task

from notifications.tasks import OnCommitTask
from outcomes import services


@shared_task(name="outcomes.use_log_repair")
def use_log_repair() -> int:
    """Beat, hourly: check-ins changed without their services reach the use log too."""
    return services.use_log_repair()


@shared_task(name="outcomes.activity_figures_refresh")
def activity_figures_refresh() -> int:
    """Beat, hourly: the use summaries' activity figures, as of the program's today."""
    return services.activity_figures_refresh_stale()


@shared_task(name="outcomes.assessment_reminders_plan")
def assessment_reminders_plan() -> int:
    """Beat, hourly: one outbox message per mentee per due assessment (sent by notifications)."""
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


@shared_task(name="outcomes.followup_notices_plan")
def followup_notices_plan() -> int:
    """Beat, hourly: coordinators' notices of interview windows opening, closing, missed."""
    from outcomes.followup_notices import followup_notices_plan_all

    return followup_notices_plan_all()

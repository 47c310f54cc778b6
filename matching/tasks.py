"""Thin Celery tasks for matching: ids in, a service call (matching.cohort_runs)."""

from celery import shared_task

from notifications.tasks import OnCommitTask


@shared_task(name="matching.cohort_run_compute", base=OnCommitTask)
def cohort_run_compute(run_id: int) -> None:
    """Solve one queued cohort run and store its plan."""
    from matching.cohort_runs import cohort_run_compute as compute

    compute(run_id=run_id)


@shared_task(name="matching.cohort_run_propose", base=OnCommitTask)
def cohort_run_propose(run_id: int, actor_id: int | None) -> int:
    """Write a finished plan's pairs as matches, all or nothing."""
    from matching.cohort_runs import cohort_run_propose as propose

    return propose(run_id=run_id, actor_id=actor_id)

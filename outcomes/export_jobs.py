"""Long exports as Celery jobs: queued by a request, written by a worker with progress, then
downloaded from a link. Same rows and the same neutralisation as the direct downloads."""

import logging
import tempfile
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.urls import reverse
from django.utils.timezone import now
from django.utils.translation import gettext_lazy as _

from accounts.models import Program, User
from mentorship.audit import Action, audit_record
from notifications import services as notifications
from notifications.registry import Kind, Outgoing, kinds
from outcomes import exports
from outcomes.models import ExportJob

log = logging.getLogger(__name__)
EXPORT_READY = "outcomes.export_ready"


@transaction.atomic
def export_job_start(*, actor: User, program: Program, kind: str, fmt: str, request=None):
    if kind not in exports.KINDS or fmt not in exports.FORMATS:
        raise ValueError(f"Unknown export {kind}.{fmt}.")
    job = ExportJob.objects.create(program=program, requested_by=actor, kind=kind, fmt=fmt)
    audit_record(
        actor=actor,
        action=Action.EXPORT,
        object_type=f"outcomes.export.{kind}",
        object_id=fmt,
        program=program,
        request=request,
    )
    from outcomes.tasks import export_job_run

    # A broker outage leaves the job queued (logged, not raised); the job's page says so.
    export_job_run.delay_on_commit(job.pk)
    return job


def export_job_run(*, job_id: int) -> None:
    # Claim: only a queued job is started, so a redelivered message does not write it twice.
    claimed = ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.QUEUED).update(
        status=ExportJob.Status.RUNNING
    )
    if not claimed:
        return
    job = ExportJob.objects.select_related("program").get(pk=job_id)
    program = job.program
    total = exports.export_row_count(program=program, kind=job.kind)
    ExportJob.objects.filter(pk=job.pk).update(rows_total=total)
    try:
        export = exports.export_rows(program=program, kind=job.kind, today=program.today())

        written = [0]

        def progress(done: int) -> None:
            written[0] = done
            ExportJob.objects.filter(pk=job.pk).update(rows_done=done)

        with tempfile.TemporaryFile() as spool:
            # The same writer as the direct download, so the file is the same bytes.
            for chunk in exports.export_chunks(export, fmt=job.fmt, progress=progress):
                spool.write(chunk)
            spool.seek(0)
            job.file.save(
                f"{program.slug}-{job.kind}-deidentified-{job.pk}.{job.fmt}",
                File(spool),
                save=False,
            )
    except Exception:
        log.exception("export job %s failed", job.pk)
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportJob.Status.FAILED, finished_at=now()
        )
        raise
    with transaction.atomic():
        job.status = ExportJob.Status.DONE
        job.finished_at = now()
        # The count was an upper bound: a de-identified export leaves out running windows.
        job.rows_total = job.rows_done = written[0]
        job.save(update_fields=["file", "status", "finished_at", "rows_total", "rows_done"])
        # Whoever asked may have closed the page: they are told by e-mail that it is ready.
        notifications.notification_enqueue(
            kind=EXPORT_READY,
            recipient=job.requested_by,
            program=program,
            about_id=job.pk,
            for_time=job.finished_at,
        )


def export_files_keep() -> timedelta:
    return timedelta(days=getattr(settings, "OUTCOMES_EXPORT_KEEP_DAYS", 7))


def export_jobs_expire(*, at: datetime | None = None) -> int:
    """Delete the files of exports finished more than export_files_keep() ago. De-identified or
    not, a file about people in recovery should not wait on the server for whoever finds it
    next quarter. The job stays, marked expired, so its page says what became of the file."""
    cutoff = (at or now()) - export_files_keep()
    expired = 0
    old = ExportJob.objects.filter(status=ExportJob.Status.DONE, finished_at__lt=cutoff)
    for job in old.select_related("program"):
        # The file first: if the row update failed, the next run would find the job again.
        if job.file:
            job.file.delete(save=False)
        with transaction.atomic():
            ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.EXPIRED, file="")
            notifications.notifications_cancel(kinds=[EXPORT_READY], about_ids=[job.pk])
            audit_record(
                actor=None,
                action=Action.DELETE,
                object_type="outcomes.export",
                object_id=job.pk,
                program=job.program,
            )
        expired += 1
    return expired


def _stale(rows: list[Outgoing], at: datetime) -> set[int]:
    """Its file was deleted (expired) before the e-mail went out."""
    ready = set(
        ExportJob.objects.filter(
            pk__in={row.about_id for row in rows}, status=ExportJob.Status.DONE
        ).values_list("pk", flat=True)
    )
    return {row.pk for row in rows if row.about_id not in ready}


def _context(rows: list[Outgoing]) -> dict[int, dict]:
    return {
        row.pk: {
            "path": reverse("outcomes:export_job", args=[row.program.slug, row.about_id]),
        }
        for row in rows
    }


def register() -> None:
    kinds.register(
        EXPORT_READY,
        Kind(
            label=_("Export ready"),
            subject="emails/outcomes/export_ready_subject.txt",
            body="emails/outcomes/export_ready_body.txt",
            context=_context,
            stale=_stale,
        ),
    )

"""Long exports as Celery jobs: queued by a request, written by a worker with progress, then
downloaded from a link. Same rows and the same neutralisation as the direct downloads."""

import logging
import tempfile
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils.timezone import now

from accounts.models import Program, User
from mentorship.audit import Action, audit_record
from outcomes import exports
from outcomes.models import ExportJob

log = logging.getLogger(__name__)


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

    def enqueue():
        from outcomes.tasks import export_job_run

        try:
            export_job_run.delay(job.pk)
        except Exception:  # noqa: BLE001 — the job stays queued; the page says so
            log.warning("could not enqueue export job %s", job.pk)

    transaction.on_commit(enqueue)
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

        def progress(done: int) -> None:
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
    job.status = ExportJob.Status.DONE
    job.finished_at = now()
    job.save(update_fields=["file", "status", "finished_at"])


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
            audit_record(
                actor=None,
                action=Action.DELETE,
                object_type="outcomes.export",
                object_id=job.pk,
                program=job.program,
            )
        expired += 1
    return expired

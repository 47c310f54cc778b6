"""Program-level outcome pages: the cohort report, exports and the use-day import.

Evaluators (staff) see de-identified, program-level figures only; coordinators too.
"""

from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import (
    FileResponse,
    Http404,
    HttpResponse,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import Program
from mentorship import access
from mentorship.audit import Action, audit_record
from mentorship.imports import PREVIEW_LISTED, import_confirm, import_upload
from outcomes import (
    assessment_imports,
    disclosure,
    export_jobs,
    exports,
    metrics,
    reports,
    selectors,
    services,
)
from outcomes.forms import (
    AssessmentImportForm,
    IdentifiedExportForm,
    ImportConfirmForm,
    ImportForm,
    OutcomeSettingsForm,
    ReportFilterForm,
)
from outcomes.importing import use_days_import
from outcomes.models import ExportJob

REPORT_ROLES = (access.STAFF, access.COORDINATOR)


@login_required
@require_GET
def program_list(request):
    programs = Program.objects.all()
    if not request.user.is_superuser:
        programs = programs.filter(pk__in=access.program_ids(request.user, *REPORT_ROLES))
    coordinated = set(
        access.coordinated_programs(request.user, Program.objects.all()).values_list(
            "pk", flat=True
        )
    )
    return render(
        request,
        "outcomes/programs.html",
        {"programs": [(p, p.pk in coordinated) for p in programs]},
    )


@login_required
@require_GET
def cohort_report(request, slug: str):
    program = access.get_program_for_user(
        request.user, Program.objects.all(), roles=REPORT_ROLES, slug=slug
    )
    form = ReportFilterForm(request.GET or None)
    windows = list(metrics.STANDARD_WINDOWS)
    enrolled_from = enrolled_to = None
    if form.is_valid():
        data = form.cleaned_data
        enrolled_from, enrolled_to = data["enrolled_from"], data["enrolled_to"]
        if data["first_week"]:
            windows.append(metrics.Window(data["first_week"], data["last_week"]))
    today = program.today()
    people = reports.participants_compute(
        program=program,
        today=today,
        windows=windows,
        enrolled_from=enrolled_from,
        enrolled_to=enrolled_to,
    )
    summary = reports.cohort_summary(
        people, min_cell_size=selectors.outcome_settings_get(program=program).min_cell_size
    )
    rules = people.abstinence_rules
    return render(
        request,
        "outcomes/report.html",
        {
            "program": program,
            "form": form,
            "summary": summary,
            "arms": reports.ARMS,
            "arm_labels": summary["chart"]["arm_labels"],
            "today": today,
            "timepoints": ", ".join(str(t) for t in rules.timepoints),
            "windows": ", ".join(f"{w.first_week}-{w.last_week}" for w in rules.windows),
            "grace": rules.grace_days,
            "lapse_strict": rules.lapse_rule == metrics.STRICT,
            "is_coordinator": access.has_role(request.user, access.COORDINATOR, program=program),
        },
    )


@login_required
@require_GET
def export(request, slug: str, kind: str, fmt: str):
    program = access.get_program_for_user(
        request.user, Program.objects.all(), roles=REPORT_ROLES, slug=slug
    )
    if kind not in exports.KINDS or fmt not in exports.FORMATS:
        raise Http404("No such export.")
    export = exports.export_rows(program=program, kind=kind, today=program.today())
    # Audited before the first byte leaves: who exported which kind, never the rows.
    audit_record(
        actor=request.user,
        action=Action.EXPORT,
        object_type=f"outcomes.export.{kind}",
        object_id=fmt,
        program=program,
        fields=export.header,
        request=request,
    )
    return _file_response(export, fmt=fmt, filename=f"{program.slug}-{kind}-deidentified.{fmt}")


CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _file_response(export: exports.Export, *, fmt: str, filename: str, notice: str = ""):
    response = StreamingHttpResponse(
        exports.export_chunks(export, fmt=fmt, notice=notice), content_type=CONTENT_TYPES[fmt]
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _import_page(request, program, context: dict, status: int = 200):
    return render(
        request,
        "outcomes/import.html",
        {"program": program, "listed": PREVIEW_LISTED, "form": ImportForm(), **context},
        status=status,
    )


def _coordinated_program(request, slug: str):
    return access.get_program_for_user(
        request.user, Program.objects.all(), roles=(access.COORDINATOR,), slug=slug
    )


@login_required
@require_http_methods(["GET", "POST"])
def use_day_import(request, slug: str):
    """Upload and check: the preview (counts, changed answers, conflicts) writes nothing."""
    program = _coordinated_program(request, slug)
    return import_upload(
        request,
        kind="use-day",
        program=program,
        form=ImportForm(request.POST or None, request.FILES or None),
        confirm_form_class=ImportConfirmForm,
        run=partial(use_days_import, program=program, actor=request.user),
        page=partial(_import_page, request, program),
    )


@login_required
@require_POST
def use_day_import_confirm(request, slug: str):
    """Write the file previewed, all or nothing; checked again, as the records may have moved."""
    program = _coordinated_program(request, slug)
    return import_confirm(
        request,
        kind="use-day",
        program=program,
        form=ImportConfirmForm(request.POST),
        run=partial(use_days_import, program=program, actor=request.user),
        page=partial(_import_page, request, program),
        back=reverse("outcomes:import", args=[program.slug]),
        done=lambda result: (
            _("Imported %(written)s rows: %(summary)s.")
            % {"written": result.written, "summary": result.summary()}
        ),
    )


def _assessment_import_page(request, program, context: dict, status: int = 200):
    return render(
        request,
        "outcomes/assessment_import.html",
        {"program": program, "listed": PREVIEW_LISTED, "form": AssessmentImportForm(), **context},
        status=status,
    )


def _assessments_run(request, program):
    return partial(
        assessment_imports.assessments_file_import,
        program=program,
        actor=request.user,
        request=request,
    )


@login_required
@require_http_methods(["GET", "POST"])
def assessment_import(request, slug: str):
    """Upload and check a file of questionnaire answers: the preview writes nothing."""
    program = _coordinated_program(request, slug)
    return import_upload(
        request,
        kind="assessment",
        program=program,
        form=AssessmentImportForm(request.POST or None, request.FILES or None),
        confirm_form_class=ImportConfirmForm,
        run=_assessments_run(request, program),
        page=partial(_assessment_import_page, request, program),
    )


@login_required
@require_POST
def assessment_import_confirm(request, slug: str):
    """Write the file previewed, all or nothing, checked again."""
    program = _coordinated_program(request, slug)
    return import_confirm(
        request,
        kind="assessment",
        program=program,
        form=ImportConfirmForm(request.POST),
        run=_assessments_run(request, program),
        page=partial(_assessment_import_page, request, program),
        back=reverse("outcomes:assessment_import", args=[program.slug]),
        done=lambda result: (
            ngettext(
                "Imported %(written)s assessment: %(summary)s.",
                "Imported %(written)s assessments: %(summary)s.",
                result.written,
            )
            % {"written": result.written, "summary": result.summary()}
        ),
    )


@login_required
@require_GET
def assessment_import_template(request, slug: str):
    _coordinated_program(request, slug)
    response = HttpResponse(
        assessment_imports.template_csv(), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="assessments-template.csv"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def identified_export(request, slug: str):
    """A disclosure: coordinators only, with recipient, purpose and a consent per participant."""
    program = access.get_program_for_user(
        request.user, Program.objects.all(), roles=(access.COORDINATOR,), slug=slug
    )
    form = IdentifiedExportForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        check = disclosure.consents_check(program=program, kind=data["kind"])
        if check.missing and not data["only_consented"]:
            form.add_error(
                None,
                f"Refused: {len(check.missing)} participant(s) have no consent in force covering "
                f"these records for the program evaluation: {', '.join(check.missing[:50])}"
                f"{' …' if len(check.missing) > 50 else ''}. Record their consent first, or "
                "leave them out.",
            )
        elif not check.covered:
            form.add_error(
                None, "Nobody in this program has a covering consent: nothing to export."
            )
        else:
            disclosure.disclosure_record(
                actor=request.user,
                program=program,
                kind=data["kind"],
                recipient=data["recipient"],
                purpose=data["purpose"],
                covered=check.covered,
                request=request,
            )
            export = disclosure.identified_rows(
                program=program, kind=data["kind"], mentee_ids=set(check.covered)
            )
            return _file_response(
                export,
                fmt=data["fmt"],
                filename=f"{program.slug}-{data['kind']}-IDENTIFIED.{data['fmt']}",
                notice=disclosure.NOTICE_2_32,
            )
    return render(
        request,
        "outcomes/identified_export.html",
        {"program": program, "form": form, "notice": disclosure.NOTICE_2_32},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def outcome_settings(request, slug: str):
    program = access.get_program_for_user(
        request.user, Program.objects.all(), roles=(access.COORDINATOR,), slug=slug
    )
    current = selectors.outcome_settings_get(program=program)
    form = OutcomeSettingsForm(request.POST if request.method == "POST" else None, instance=current)
    if request.method == "POST" and form.is_valid():
        services.outcome_settings_update(
            actor=request.user,
            program=program,
            conflict_rule=form.cleaned_data["conflict_rule"],
            assessment_weeks=form.cleaned_data["assessment_weeks"],
            abstinence={name: form.cleaned_data[name] for name in services.ABSTINENCE_FIELDS},
            instruments=form.cleaned_data["instruments"],
        )
        messages.success(request, "Outcome settings saved; days with several reports recounted.")
        return redirect("outcomes:settings", slug=program.slug)
    return render(request, "outcomes/settings.html", {"program": program, "form": form})


def _job_for(request, slug: str, job_pk: int) -> ExportJob:
    program = access.get_program_for_user(
        request.user, Program.objects.all(), roles=REPORT_ROLES, slug=slug
    )
    # A job is its requester's: others in the program get 404, as for any record not theirs.
    job = ExportJob.objects.filter(program=program, pk=job_pk, requested_by=request.user).first()
    if job is None:
        raise Http404("No such export.")
    return job


@login_required
@require_POST
def export_job_start(request, slug: str, kind: str, fmt: str):
    program = access.get_program_for_user(
        request.user, Program.objects.all(), roles=REPORT_ROLES, slug=slug
    )
    if kind not in exports.KINDS or fmt not in exports.FORMATS:
        raise Http404("No such export.")
    job = export_jobs.export_job_start(
        actor=request.user, program=program, kind=kind, fmt=fmt, request=request
    )
    return redirect("outcomes:export_job", slug=program.slug, job_pk=job.pk)


@login_required
@require_GET
def export_job(request, slug: str, job_pk: int):
    job = _job_for(request, slug, job_pk)
    return render(request, "outcomes/export_job.html", {"job": job, "program": job.program})


@login_required
@require_GET
def export_job_progress(request, slug: str, job_pk: int):
    job = _job_for(request, slug, job_pk)
    return JsonResponse(
        {"status": job.status, "label": job.get_status_display(), "percent": job.percent}
    )


@login_required
@require_GET
def export_job_download(request, slug: str, job_pk: int):
    job = _job_for(request, slug, job_pk)
    if job.status != ExportJob.Status.DONE or not job.file:
        raise Http404("This export is not ready.")
    return FileResponse(
        job.file.open("rb"),
        as_attachment=True,
        filename=f"{job.program.slug}-{job.kind}-deidentified.{job.fmt}",
    )

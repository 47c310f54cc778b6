"""Program-level outcome pages: the cohort report, exports and the use-day import.

Evaluators (staff) see de-identified, program-level figures only; coordinators too.
"""

import tempfile

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods

from accounts.models import Program
from mentorship import access
from mentorship.audit import Action, audit_record
from outcomes import exports, metrics, reports
from outcomes.forms import ImportForm, ReportFilterForm
from outcomes.importing import use_days_import

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
    summary = reports.cohort_summary(people, windows=windows, today=today)
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
    header, rows = exports.export_rows(program=program, kind=kind, today=program.today())
    # Audited before the first byte leaves: who exported which kind, never the rows.
    audit_record(
        actor=request.user,
        action=Action.EXPORT,
        object_type=f"outcomes.export.{kind}",
        object_id=fmt,
        program=program,
        fields=header,
        request=request,
    )
    filename = f"{program.slug}-{kind}-deidentified.{fmt}"
    if fmt == "csv":
        response = StreamingHttpResponse(
            exports.csv_lines(header, rows), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    spool = tempfile.TemporaryFile()  # noqa: SIM115 — FileResponse closes it when sent
    exports.write_xlsx(spool, header, rows)
    spool.seek(0)
    return FileResponse(
        spool,
        as_attachment=True,
        filename=filename,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@login_required
@require_http_methods(["GET", "POST"])
def use_day_import(request, slug: str):
    program = access.get_program_for_user(
        request.user, Program.objects.all(), roles=(access.COORDINATOR,), slug=slug
    )
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        result = use_days_import(
            program=program,
            data=form.cleaned_data["file"].read(),
            actor=request.user,
            dry_run=form.cleaned_data["dry_run"],
        )
        if result.ok and not result.dry_run:
            messages.success(request, f"Imported {result.written} rows.")
        elif result.ok:
            messages.info(request, f"All {len(result.rows)} rows are valid. Nothing written yet.")
        else:
            messages.error(request, f"{len(result.errors)} bad rows: nothing was imported.")
    return render(
        request,
        "outcomes/import.html",
        {"program": program, "form": form, "result": result},
        status=400 if result is not None and not result.ok else 200,
    )

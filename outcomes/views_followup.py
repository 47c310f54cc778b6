"""Follow-up interview pages: coordinators only (the people to find, and where to find them).

Evaluators see the rate in the cohort report's terms through the interview export; the lists
name people, and locator data is for those who go looking, so neither reaches them.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.models import Program
from mentorship import access
from mentorship.audit import Action, audit_record
from mentorship.forms import add_service_errors
from outcomes import interviews
from outcomes.followup_forms import InterviewForm, InterviewScheduleForm, LocatorForm
from outcomes.models import FollowUpSubject, Locator


def _program(request, slug: str) -> Program:
    return access.get_program_for_user(
        request.user, Program.objects.all(), roles=(access.COORDINATOR,), slug=slug
    )


@login_required
@require_GET
def followup_programs(request):
    """The navigation's way in: each coordinated program with its headline rate."""
    if not access.has_role(request.user, access.COORDINATOR):
        raise PermissionDenied(_("Only coordinators follow up interviews."))
    programs = list(access.coordinated_programs(request.user, Program.objects.all()))
    rows = []
    for program in programs:
        state = interviews.follow_up_read(program=program)
        rows.append(
            {
                "program": program,
                "rate": interviews.follow_up_rate(state, interviews.HEADLINE),
                "target": state.schedule.target_rate,
            }
        )
    return render(request, "outcomes/followup/programs.html", {"rows": rows})


@login_required
@require_GET
def followup(request, slug: str):
    """Whom must we find this week, and what is our rate: per program and arm."""
    program = _program(request, slug)
    summary = interviews.follow_up_summary(program=program)
    return render(
        request,
        "outcomes/followup/dashboard.html",
        {
            "program": program,
            "summary": summary,
            "schedule": summary[0]["state"].schedule,
            "today": program.today(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def followup_schedule(request, slug: str):
    program = _program(request, slug)
    form = InterviewScheduleForm(
        request.POST if request.method == "POST" else None,
        instance=interviews.schedule_get(program=program),
    )
    if request.method == "POST" and form.is_valid():
        interviews.interview_schedule_update(
            actor=request.user, program=program, request=request, **form.cleaned_data
        )
        messages.success(request, _("Interview schedule saved."))
        return redirect("outcomes:followup", slug=program.slug)
    return render(
        request,
        "outcomes/followup/schedule.html",
        {"program": program, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def interview_list(request, mentee_pk: int):
    """One person's interview points (due dates, windows, state) and every interview kept."""
    mentee = access.get_for_user(
        request.user,
        FollowUpSubject.objects.select_related("program", "user"),
        change=request.method == "POST",
        pk=mentee_pk,
    )
    form = InterviewForm(
        request.POST if request.method == "POST" else None, mentee=mentee, user=request.user
    )
    if request.method == "POST" and form.is_valid():
        try:
            interviews.interview_record(
                actor=request.user, mentee=mentee, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Interview recorded."))
            return redirect("outcomes:interviews", mentee_pk=mentee.pk)
    state = interviews.follow_up_read(program=mentee.program, person=mentee)
    today = state.today
    points = [state.of(mentee, point) for point in interviews.points_of(state.schedule)]
    rows = [
        (
            interview,
            person_point.window is not None and person_point.window.holds(interview.held_on),
        )
        for person_point in points
        for interview in person_point.interviews
    ]
    rows.sort(key=lambda row: (row[0].held_on, row[0].pk), reverse=True)
    return render(
        request,
        "outcomes/followup/interviews.html",
        {
            "mentee": mentee,
            "program": mentee.program,
            "points": [(p, p.state(today)) for p in points],
            "rows": rows,
            "form": form,
            "today": today,
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def locator(request, mentee_pk: int):
    """Where to find the person. Every view is audited; nothing here is ever exported."""
    mentee = access.get_for_user(
        request.user,
        FollowUpSubject.objects.select_related("program", "user"),
        change=request.method == "POST",
        pk=mentee_pk,
    )
    current = access.scope(request.user, Locator.objects.filter(mentee_id=mentee.pk)).first()
    form = LocatorForm(request.POST if request.method == "POST" else None, instance=current)
    if request.method == "POST" and form.is_valid():
        interviews.locator_save(
            actor=request.user,
            mentee=mentee,
            request=request,
            **{name: form.cleaned_data[name] for name in interviews.LOCATOR_FIELDS},
        )
        messages.success(request, _("Locator information saved."))
        return redirect("outcomes:locator", mentee_pk=mentee.pk)
    if current is not None and request.method == "GET":
        # audit_view() with the person named: the locator's access paths name no mentee.
        audit_record(
            actor=request.user, action=Action.VIEW, obj=current, person=mentee.user, request=request
        )
    return render(
        request,
        "outcomes/followup/locator.html",
        {"mentee": mentee, "program": mentee.program, "locator": current, "form": form},
        status=400 if form.errors else 200,
    )

"""Goal pages. Thin: objects come through mentorship.access, writes through goals.services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import Program
from checkins.models import CheckIn
from goals import selectors, services
from goals.forms import (
    CommentForm,
    GoalForm,
    GoalTemplateForm,
    ProgressForm,
    ReviewForm,
    StatusForm,
    initial_from_template,
)
from goals.models import Goal, GoalTemplate, MenteeGoals
from matching.models import Match
from mentorship import access
from mentorship.audit import audit_view
from mentorship.forms import add_service_errors

PAGE_SIZE = 25


def _goal(request, pk: int, *, change: bool = False) -> Goal:
    queryset = selectors.goals_with_progress(Goal.objects.all())
    return access.get_for_user(request.user, queryset, change=change, pk=pk)


def _mentee(request, pk: int, *, change: bool = False) -> MenteeGoals:
    queryset = MenteeGoals.objects.select_related("user", "program")
    return access.get_for_user(request.user, queryset, change=change, pk=pk)


@login_required
@require_http_methods(["GET"])
def board(request):
    """Each person's goals at a glance: a mentee's own, a mentor's mentees', and for
    coordinators the way to their programs' attainment."""
    user = request.user
    if not access.has_role(user, access.MENTEE, access.MENTOR, access.COORDINATOR):
        raise PermissionDenied(_("Goals are for mentees, their mentors and coordinators."))
    mentees = selectors.mentees_with_open_goals(user, roles=(access.MENTEE, access.MENTOR))
    for mentee in mentees:
        mentee.is_me = mentee.user_id == user.pk
    # Matched mentees whose consent does not cover goals: the mentor should know why not.
    not_shared = (
        Match.objects.filter(status=Match.Status.ACTIVE, mentor__user=user, mentor__is_active=True)
        .exclude(mentee__in=[m.pk for m in mentees])
        .select_related("mentee__user")
    )
    programs = access.coordinated_programs(user, Program.objects.all())
    return render(
        request,
        "goals/board.html",
        {"mentees": mentees, "not_shared": not_shared, "programs": programs},
    )


@login_required
@require_http_methods(["GET"])
def mentee_goals(request, mentee_pk: int):
    mentee = _mentee(request, mentee_pk)
    audit_view(request, mentee)
    goals = selectors.goal_board_order(
        selectors.goals_with_progress(Goal.objects.filter(mentee=mentee))
    )
    page = Paginator(goals, PAGE_SIZE).get_page(request.GET.get("page"))
    selectors.with_standings(page.object_list)
    return render(
        request,
        "goals/mentee_goals.html",
        {"mentee": mentee, "page": page, "can_change": access.can_change(request.user, mentee)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def goal_create(request, mentee_pk: int):
    mentee = _mentee(request, mentee_pk, change=True)
    program = mentee.program
    templates = selectors.templates_for_program(program)
    template = None
    raw = request.GET.get("template", "")
    if raw.isdigit() and len(raw) < 10:
        template = templates.filter(pk=int(raw)).first()
    form = GoalForm(
        request.POST if request.method == "POST" else None,
        program=program,
        initial=initial_from_template(template, program.today()),
    )
    if request.method == "POST" and form.is_valid():
        data = form.goal_data()
        data["template"] = template
        try:
            goal = services.goal_create(actor=request.user, mentee=mentee, data=data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if goal.status == Goal.Status.DRAFT:
                messages.success(
                    request, _("Goal saved. Your mentor will agree the plan with you.")
                )
            else:
                messages.success(request, _("Goal saved and agreed."))
            return redirect("goals:goal_detail", pk=goal.pk)
    return render(
        request,
        "goals/goal_form.html",
        {"form": form, "mentee": mentee, "templates": templates, "template": template},
    )


@login_required
@require_http_methods(["GET"])
def goal_detail(request, pk: int):
    goal = _goal(request, pk)
    audit_view(request, goal)
    goal.standing = selectors.standing_of(goal)
    entries = list(goal.entries.select_related("recorded_by").order_by("recorded_on", "id"))
    comments = goal.comments.select_related("author")
    reviews = goal.reviews.select_related("checkin").order_by("-checkin__scheduled_at")
    can_change = access.can_change(request.user, goal)
    chart = {
        "labels": [f"{e.recorded_on:%Y-%m-%d}" for e in entries],
        "values": [float(e.value) for e in entries],
        "target": float(goal.target) if goal.target is not None else None,
        "baseline": float(goal.baseline),
        "unit": goal.unit or goal.metric,
        # The chart's words, in the reader's language (the script has no catalogue).
        "value_label": _("Value"),
        "target_label": _("Target"),
    }
    return render(
        request,
        "goals/goal_detail.html",
        {
            "goal": goal,
            "entries": entries[::-1],
            "comments": comments,
            "reviews": reviews,
            "chart": chart,
            "can_change": can_change,
            "is_mentee": goal.mentee.user_id == request.user.pk,
            "comment_form": CommentForm() if can_change else None,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def goal_edit(request, pk: int):
    goal = _goal(request, pk, change=True)
    form = GoalForm(
        request.POST if request.method == "POST" else None,
        instance=goal,
        program=goal.mentee.program,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.goal_update(actor=request.user, goal=goal, data=form.goal_data())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Goal updated."))
            return redirect("goals:goal_detail", pk=goal.pk)
    return render(
        request, "goals/goal_form.html", {"form": form, "mentee": goal.mentee, "goal": goal}
    )


@login_required
@require_http_methods(["GET", "POST"])
def progress_add(request, pk: int):
    goal = _goal(request, pk, change=True)
    form = ProgressForm(
        request.POST if request.method == "POST" else None,
        goal=goal,
        today=goal.mentee.program.today(),
    )
    if not goal.is_open:
        messages.info(request, _("This goal is closed; reopen it to record progress."))
        return redirect("goals:goal_detail", pk=goal.pk)
    if request.method == "POST" and form.is_valid():
        try:
            services.progress_record(
                actor=request.user,
                goal=goal,
                recorded_on=form.cleaned_data["recorded_on"],
                value=form.entry_value(),
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Progress recorded."))
            return redirect("goals:goal_detail", pk=goal.pk)
    return render(request, "goals/progress_form.html", {"form": form, "goal": goal})


@login_required
@require_http_methods(["GET", "POST"])
def goal_status(request, pk: int):
    goal = _goal(request, pk, change=True)
    form = StatusForm(request.POST if request.method == "POST" else None, goal=goal)
    if request.method == "POST" and form.is_valid():
        try:
            services.goal_set_status(
                actor=request.user,
                goal=goal,
                status=form.cleaned_data["status"],
                reason=form.cleaned_data["reason"],
                today=goal.mentee.program.today(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Status changed."))
            return redirect("goals:goal_detail", pk=goal.pk)
    return render(request, "goals/status_form.html", {"form": form, "goal": goal})


@login_required
@require_http_methods(["GET", "POST"])
def goal_comment(request, pk: int):
    goal = _goal(request, pk, change=True)
    form = CommentForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        services.goal_comment_add(actor=request.user, goal=goal, body=form.cleaned_data["body"])
        messages.success(request, _("Comment added."))
        return redirect("goals:goal_detail", pk=goal.pk)
    return render(request, "goals/comment_form.html", {"form": form, "goal": goal})


@login_required
@require_POST
def goal_agree(request, pk: int):
    goal = _goal(request, pk, change=True)
    if goal.mentee.user_id == request.user.pk:
        raise PermissionDenied(_("Your mentor agrees to the plan with you."))
    try:
        services.goal_agree(actor=request.user, goal=goal)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("You agreed to this plan."))
    return redirect("goals:goal_detail", pk=goal.pk)


@login_required
@require_http_methods(["GET", "POST"])
def checkin_review(request, checkin_pk: int):
    """After a check-in, the mentor ticks the goals they reviewed with the mentee."""
    checkin = access.get_for_user(
        request.user, CheckIn.objects.filter(mentee__isnull=False), change=True, pk=checkin_pk
    )
    # The goals rules apply on top of the check-in's: consent covering goals, mentor or mentee.
    mentee = _mentee(request, checkin.mentee_id, change=True)
    reviewed = Goal.objects.filter(reviews__checkin=checkin)
    goals = Goal.objects.filter(mentee=mentee).filter(
        Q(status__in=Goal.OPEN) | Q(pk__in=reviewed.values("pk"))
    )
    form = ReviewForm(
        request.POST if request.method == "POST" else None,
        goals=goals,
        initial={"goals": list(reviewed)},
    )
    if request.method == "POST" and form.is_valid():
        services.goal_reviews_set(
            actor=request.user, checkin=checkin, goals=form.cleaned_data["goals"]
        )
        messages.success(request, _("Goals reviewed at this check-in saved."))
        return redirect("goals:mentee_goals", mentee_pk=mentee.pk)
    return render(
        request, "goals/checkin_review.html", {"form": form, "checkin": checkin, "mentee": mentee}
    )


def _coordinated_program(request, slug: str) -> Program:
    return access.get_program_for_user(
        request.user, Program.objects.all(), roles=(access.COORDINATOR,), slug=slug
    )


@login_required
@require_http_methods(["GET"])
def program_attainment(request, slug: str):
    program = _coordinated_program(request, slug)
    today = program.today()
    page = Paginator(selectors.attainment_mentees(program), 50).get_page(request.GET.get("page"))
    page.object_list = list(
        selectors.attainment_by_mentee(
            program, today, page.object_list.values_list("pk", flat=True)
        )
    )
    totals = selectors.attainment_for_program(program, today)
    return render(
        request,
        "goals/attainment.html",
        {"program": program, "page": page, "totals": totals, "today": today},
    )


@login_required
@require_http_methods(["GET"])
def template_list(request, slug: str):
    program = _coordinated_program(request, slug)
    templates = GoalTemplate.objects.filter(program=program).select_related("focus_area")
    return render(request, "goals/template_list.html", {"program": program, "templates": templates})


@login_required
@require_POST
def template_seed(request, slug: str):
    program = _coordinated_program(request, slug)
    added = services.goal_template_seed_defaults(program=program)
    messages.success(request, f"{added} default template(s) added.")
    return redirect("goals:template_list", slug=program.slug)


@login_required
@require_http_methods(["GET", "POST"])
def template_edit(request, slug: str, pk: int | None = None):
    program = _coordinated_program(request, slug)
    template = None
    if pk is not None:
        template = access.get_for_user(
            request.user, GoalTemplate.objects.filter(program=program), change=True, pk=pk
        )
    form = GoalTemplateForm(
        request.POST if request.method == "POST" else None, instance=template, program=program
    )
    if request.method == "POST" and form.is_valid():
        services.goal_template_save(
            actor=request.user, template=form.instance, fields=form.changed_data
        )
        messages.success(request, _("Template saved."))
        return redirect("goals:template_list", slug=program.slug)
    return render(
        request,
        "goals/template_form.html",
        {"program": program, "form": form, "template": template},
    )

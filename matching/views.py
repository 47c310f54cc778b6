"""Matching pages. Thin: objects come through mentorship.access, changes through services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from accounts.models import MenteeProfile, MentorProfile, Program
from matching import services
from matching.cohort import cohort_plan
from matching.forms import MatchEndForm, MatchingSettingsForm, NeverPairForm
from matching.models import Match, NeverPair
from matching.selectors import matching_settings_get, mentee_pool, mentee_suggestions
from mentorship import access
from mentorship.audit import Action, audit_record, audit_view
from mentorship.forms import add_service_errors

SUGGESTIONS_SHOWN = 25


def _errors(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def _mentee(request, pk: int) -> MenteeProfile:
    return access.get_for_user(
        request.user,
        MenteeProfile.objects.select_related("program", "user"),
        change=True,
        pk=pk,
    )


def _program(request, slug: str) -> Program:
    return access.get_program_for_user(
        request.user, Program.objects.all(), roles=(access.COORDINATOR,), slug=slug
    )


@login_required
@require_GET
def suggestions(request, pk):
    mentee = _mentee(request, pk)
    audit_view(request, mentee)
    found = mentee_suggestions(mentee.program, mentee, limit=SUGGESTIONS_SHOWN)
    matches = (
        Match.objects.filter(mentee=mentee)
        .select_related("mentor__user")
        .order_by("-proposed_at")[:20]
    )
    mentors = MentorProfile.objects.filter(program=mentee.program).select_related("user")
    exclusions = NeverPair.objects.filter(mentee=mentee).select_related("mentor__user")
    return render(
        request,
        "matching/suggestions.html",
        {
            "mentee": mentee,
            "allowed": found.allowed,
            "more_allowed": max(found.allowed_count - SUGGESTIONS_SHOWN, 0),
            "excluded": found.excluded,
            "matches": matches,
            "exclusions": exclusions,
            "never_form": NeverPairForm(mentors=mentors),
        },
    )


@login_required
@require_POST
def propose(request, pk):
    mentee = _mentee(request, pk)
    mentor_id = request.POST.get("mentor", "")
    mentor = access.get_for_user(
        request.user,
        MentorProfile.objects.filter(program=mentee.program),
        change=True,
        pk=int(mentor_id) if mentor_id.isdigit() else 0,
    )
    try:
        match = services.match_propose(
            mentee=mentee, mentor=mentor, actor=request.user, request=request
        )
    except ValidationError as error:
        _errors(request, error)
        return redirect("matching:suggestions", pk=mentee.pk)
    messages.success(request, f"Match with {mentor} proposed.")
    return redirect("matching:match_detail", pk=match.pk)


@login_required
@require_POST
def never_pair_add(request, pk):
    mentee = _mentee(request, pk)
    mentors = MentorProfile.objects.filter(program=mentee.program)
    form = NeverPairForm(request.POST, mentors=mentors)
    if form.is_valid():
        try:
            services.never_pair_add(
                mentee=mentee,
                mentor=form.cleaned_data["mentor"],
                reason=form.cleaned_data["reason"],
                actor=request.user,
                request=request,
            )
            messages.success(request, "Exclusion saved: they will never be matched.")
        except ValidationError as error:
            _errors(request, error)
    else:
        messages.error(request, "Choose a mentor and a reason for the exclusion.")
    return redirect("matching:suggestions", pk=mentee.pk)


@login_required
@require_POST
def never_pair_remove(request, pk):
    exclusion = access.get_for_user(request.user, NeverPair.objects.all(), change=True, pk=pk)
    services.never_pair_remove(exclusion=exclusion, actor=request.user, request=request)
    messages.success(request, "Exclusion removed.")
    return redirect("matching:suggestions", pk=exclusion.mentee_id)


@login_required
@require_GET
def match_detail(request, pk):
    match = access.get_for_user(
        request.user,
        Match.objects.select_related("mentee__user", "mentor__user", "program"),
        pk=pk,
    )
    audit_view(request, match)
    is_coordinator = access.has_role(request.user, access.COORDINATOR, program=match.program)
    return render(
        request,
        "matching/match_detail.html",
        {
            "match": match,
            "history": match.history.select_related("changed_by"),
            "is_coordinator": is_coordinator,
            "is_mentor": match.mentor.user_id == request.user.pk,
            "must_accept": matching_settings_get(match.program).mentor_must_accept,
        },
    )


COORDINATOR_ACTIONS = {
    "approve": (services.match_approve, "Match approved: it is active now."),
    "pause": (services.match_pause, "Match paused."),
    "resume": (services.match_resume, "Match resumed."),
}
MENTOR_ACTIONS = {
    "accept": (services.match_accept, "You accepted the match."),
    "decline": (services.match_decline, "You declined the match."),
}


@login_required
@require_POST
def match_action(request, pk, action):
    if action in COORDINATOR_ACTIONS:
        match = access.get_for_user(request.user, Match.objects.all(), change=True, pk=pk)
        service, done = COORDINATOR_ACTIONS[action]
    else:
        match = access.get_for_user(request.user, Match.objects.all(), pk=pk)
        if match.mentor.user_id != request.user.pk:
            raise PermissionDenied("Only the proposed mentor can answer this proposal.")
        service, done = MENTOR_ACTIONS[action]
    try:
        service(match=match, actor=request.user, request=request)
        messages.success(request, done)
    except ValidationError as error:
        _errors(request, error)
    if action == "decline":
        return redirect("home")
    return redirect("matching:match_detail", pk=match.pk)


@login_required
def match_end(request, pk):
    match = access.get_for_user(
        request.user,
        Match.objects.select_related("mentee__user", "mentor__user"),
        change=True,
        pk=pk,
    )
    form = MatchEndForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.match_end(
                match=match,
                actor=request.user,
                reason=form.cleaned_data["reason"],
                do_not_rematch=form.cleaned_data["do_not_rematch"],
                request=request,
            )
            messages.success(request, "Match ended.")
            return redirect("matching:match_detail", pk=match.pk)
        except ValidationError as error:
            add_service_errors(form, error)
    return render(request, "matching/match_end.html", {"match": match, "form": form})


@login_required
@require_GET
def programs(request):
    """Where matching starts: each program the coordinator runs, with who is waiting."""
    if not access.has_role(request.user, access.COORDINATOR):
        raise PermissionDenied("Only coordinators match mentees with mentors.")
    rows = access.coordinated_programs(request.user, Program.objects.all()).annotate(
        active=Count("matches", filter=Q(matches__status=Match.Status.ACTIVE), distinct=True),
        proposed=Count("matches", filter=Q(matches__status=Match.Status.PROPOSED), distinct=True),
    )
    return render(request, "matching/programs.html", {"programs": rows})


@login_required
@require_GET
def program_matches(request, slug):
    program = _program(request, slug)
    status = request.GET.get("status", "")
    matches = Match.objects.filter(program=program).select_related("mentee__user", "mentor__user")
    if status in Match.Status.values:
        matches = matches.filter(status=status)
    page = Paginator(matches.order_by("-proposed_at", "-pk"), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "matching/program_matches.html",
        {"program": program, "page": page, "status": status, "statuses": Match.Status.choices},
    )


@login_required
def matching_settings(request, slug):
    program = access.get_program_for_user(
        request.user,
        Program.objects.all(),
        roles=(access.COORDINATOR,),
        change_roles=(access.COORDINATOR,),
        slug=slug,
    )
    current = matching_settings_get(program)
    form = MatchingSettingsForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        services.matching_settings_update(
            program=program, form=form, actor=request.user, request=request
        )
        messages.success(request, "Matching settings saved.")
        return redirect("matching:settings", slug=program.slug)
    return render(request, "matching/settings.html", {"program": program, "form": form})


# --- whole-cohort matching -------------------------------------------------------------------


def _state(request, program) -> dict:
    # Only ids are kept between requests: pins and removed pairs, never any profile content.
    return request.session.get(f"cohort:{program.pk}", {"pins": [], "removed": []})


def _pair(value: str) -> tuple[int, int] | None:
    mentee, _, mentor = (value or "").partition(":")
    if mentee.isdigit() and mentor.isdigit():
        return int(mentee), int(mentor)
    return None


@login_required
def cohort(request, slug):
    program = _program(request, slug)
    state = _state(request, program)
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "commit":
            return _cohort_commit(request, program, state)
        new_state = _cohort_state_update(state, action, request.POST)
        if new_state is None:
            messages.error(request, "That action was not understood; nothing changed.")
        else:
            request.session[f"cohort:{program.pk}"] = new_state
        return redirect("matching:cohort", slug=program.slug)
    selected = state.get("mentees")
    plan = cohort_plan(
        program,
        mentee_ids=selected,
        pins=[tuple(x) for x in state["pins"]],
        removed=[tuple(x) for x in state["removed"]],
    )
    for problem in plan.problems:
        messages.warning(request, problem)
    # The preview shows many mentees' preferences at once: one view entry for the program.
    audit_record(
        actor=request.user,
        action=Action.VIEW,
        object_type="matching.cohortpreview",
        program=program,
        request=request,
    )
    waiting = mentee_pool(program).select_related("user").order_by("enrolled_on", "pk")
    return render(
        request,
        "matching/cohort.html",
        {
            "program": program,
            "plan": plan,
            "removed": len(state["removed"]),
            "waiting": waiting,
            "selected": set(selected) if selected is not None else None,
            "must_accept": matching_settings_get(program).mentor_must_accept,
        },
    )


def _cohort_state_update(state: dict, action: str, data) -> dict | None:
    """The preview's next state after a pin, removal or selection; None if not understood."""
    pair = _pair(data.get("pair", ""))
    pins = [tuple(x) for x in state["pins"]]
    removed = [tuple(x) for x in state["removed"]]
    mentees = state.get("mentees")
    if action == "reset":
        pins, removed = [], []
    elif action == "select":
        chosen = [int(x) for x in data.getlist("mentees") if x.isdigit()]
        if not chosen:
            return None
        mentees = chosen
    elif action == "select_all":
        mentees = None
    elif action in ("pin", "unpin", "remove") and pair:
        # One pin per mentee: pinning replaces that mentee's earlier pin.
        pins = [x for x in pins if x[0] != pair[0]]
        if action == "pin":
            pins.append(pair)
        elif action == "remove":
            removed.append(pair)
    else:
        return None
    return {"pins": pins, "removed": removed, "mentees": mentees}


def _cohort_commit(request, program, state):
    pairs = []
    for value in request.POST.getlist("pairs"):
        pair = _pair(value)
        if pair is None:
            messages.error(request, "The assignment was garbled; re-run the preview.")
            return redirect("matching:cohort", slug=program.slug)
        pairs.append(pair)
    if not pairs:
        messages.error(request, "There is nothing to commit.")
        return redirect("matching:cohort", slug=program.slug)
    try:
        created = services.matches_create(
            program=program, pairs=pairs, actor=request.user, request=request
        )
    except ValidationError as error:
        _errors(request, error)
        return redirect("matching:cohort", slug=program.slug)
    request.session.pop(f"cohort:{program.pk}", None)
    messages.success(request, f"{len(created)} matches written.")
    return redirect("matching:program_matches", slug=program.slug)

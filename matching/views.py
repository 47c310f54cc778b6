"""Matching pages. Thin: objects come through mentorship.access, changes through services."""

import csv
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Exists, F, OuterRef, Q
from django.http import JsonResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from accounts import consents
from accounts.models import (
    Consent,
    FocusArea,
    MenteeFocusArea,
    MenteeProfile,
    MentorProfile,
    Program,
)
from matching import cohort_runs, services
from matching.cohort import pairs_explain
from matching.forms import (
    SCORE_BANDS,
    CohortFilterForm,
    CohortStartForm,
    MatchEndForm,
    MatchingSettingsForm,
    MentorSearchForm,
    NeverPairForm,
)
from matching.models import CohortPair, CohortRun, Match, NeverPair, unmatched_reason_text
from matching.selectors import (
    matching_settings_get,
    mentee_pool,
    mentee_suggestions,
    mentor_search,
)
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


EXCLUDED_PAGE_SIZE = 25
MENTOR_SEARCH_LIMIT = 10


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
    exclusions = NeverPair.objects.filter(mentee=mentee).select_related("mentor__user")
    # Excluded mentors: counts per reason, and one page of them (optionally one reason's).
    reason = request.GET.get("reason", "")
    group = next((g for g in found.excluded_groups if g.key == reason), None)
    excluded = Paginator(found.excluded_in(group.key if group else None), EXCLUDED_PAGE_SIZE)
    excluded_page = excluded.get_page(request.GET.get("page"))
    excluded_page.object_list = found.excluded_explained(excluded_page.object_list)
    # The never-pair picker: a search of the program's mentors by name, a few at a time.
    search = MentorSearchForm(request.GET)
    results, more = [], False
    if search.is_valid() and search.cleaned_data["q"]:
        candidates = list(
            mentor_search(request.user, mentee.program, search.cleaned_data["q"]).exclude(
                pk__in=exclusions.values("mentor_id")
            )[: MENTOR_SEARCH_LIMIT + 1]
        )
        more = len(candidates) > MENTOR_SEARCH_LIMIT
        results = [
            (
                mentor,
                NeverPairForm(initial={"mentor": mentor.pk}, mentors=MentorProfile.objects.none()),
            )
            for mentor in candidates[:MENTOR_SEARCH_LIMIT]
        ]
    return render(
        request,
        "matching/suggestions.html",
        {
            "mentee": mentee,
            "allowed": found.allowed,
            "more_allowed": max(found.allowed_count - SUGGESTIONS_SHOWN, 0),
            "excluded_count": found.excluded_count,
            "excluded_groups": found.excluded_groups,
            "excluded_group": group,
            "page": excluded_page,
            "matches": matches,
            "exclusions": exclusions,
            "search_form": search,
            "results": results,
            "more_results": more,
            # Said before the coordinator proposes (42 CFR Part 2: a match discloses nothing
            # the mentee's consent does not cover, which can surprise whoever matches them).
            "withheld": consents.mentor_withheld(request.user, mentee)
            if mentee.study_arm == MenteeProfile.Arm.MENTORED
            else "",
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
    messages.success(request, _("Match with %(mentor)s proposed.") % {"mentor": mentor})
    if withheld := consents.mentor_withheld(request.user, mentee):
        messages.warning(request, withheld)
    return redirect("matching:match_detail", pk=match.pk)


@login_required
@require_POST
def never_pair_add(request, pk):
    mentee = _mentee(request, pk)
    mentors = access.scope(request.user, MentorProfile.objects.filter(program=mentee.program))
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
            messages.success(request, _("Exclusion saved: they will never be matched."))
        except ValidationError as error:
            _errors(request, error)
    else:
        messages.error(request, _("Choose a mentor and a reason for the exclusion."))
    return redirect("matching:suggestions", pk=mentee.pk)


@login_required
@require_POST
def never_pair_remove(request, pk):
    exclusion = access.get_for_user(request.user, NeverPair.objects.all(), change=True, pk=pk)
    services.never_pair_remove(exclusion=exclusion, actor=request.user, request=request)
    messages.success(request, _("Exclusion removed."))
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
            "withheld": consents.mentor_withheld(request.user, match.mentee)
            if is_coordinator and match.status == Match.Status.PROPOSED
            else "",
        },
    )


COORDINATOR_ACTIONS = {
    "approve": (services.match_approve, gettext_lazy("Match approved: it is active now.")),
    "pause": (services.match_pause, gettext_lazy("Match paused.")),
    "resume": (services.match_resume, gettext_lazy("Match resumed.")),
}
MENTOR_ACTIONS = {
    "accept": (services.match_accept, gettext_lazy("You accepted the match.")),
    "decline": (services.match_decline, gettext_lazy("You declined the match.")),
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
            raise PermissionDenied(_("Only the proposed mentor can answer this proposal."))
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
            messages.success(request, _("Match ended."))
            return redirect("matching:match_detail", pk=match.pk)
        except ValidationError as error:
            add_service_errors(form, error)
    return render(request, "matching/match_end.html", {"match": match, "form": form})


@login_required
@require_GET
def programs(request):
    """Where matching starts: each program the coordinator runs, with who is waiting."""
    if not access.has_role(request.user, access.COORDINATOR):
        raise PermissionDenied(_("Only coordinators match mentees with mentors."))
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
        messages.success(request, _("Matching settings saved."))
        return redirect("matching:settings", slug=program.slug)
    return render(request, "matching/settings.html", {"program": program, "form": form})


# --- whole-cohort matching: a background run, its stored plan shown a page at a time ---------

COHORT_PAGE_SIZE = 50


def _latest_run(program) -> CohortRun | None:
    return CohortRun.objects.filter(program=program).select_related("started_by").first()


def _run(request, slug: str, pk: int, *, change: bool = False) -> CohortRun:
    program = _program(request, slug)
    return access.get_for_user(
        request.user,
        CohortRun.objects.filter(program=program).select_related("program", "started_by"),
        change=change,
        pk=pk,
    )


def _cohort_rows(run: CohortRun, form: CohortFilterForm):
    rows = CohortPair.objects.filter(run=run)
    data = form.cleaned_data if form.is_valid() else {}
    show = data.get("show")
    if show == "planned":
        rows = rows.filter(mentor__isnull=False, removed=False)
    elif show == "pinned":
        rows = rows.filter(pinned=True)
    elif show == "removed":
        rows = rows.filter(removed=True)
    elif show == "unmatched":
        rows = rows.filter(mentor__isnull=True)
    if data.get("band"):
        low, high = SCORE_BANDS[data["band"]]
        rows = rows.filter(score__gte=low, score__lte=high)
    if data.get("focus"):
        rows = rows.filter(
            Exists(
                MenteeFocusArea.objects.filter(mentee=OuterRef("mentee"), focus_area=data["focus"])
            )
        )
    if data.get("mentor"):
        words = data["mentor"].split()
        for word in words[:4]:
            rows = rows.filter(
                Q(mentor__first_name__icontains=word) | Q(mentor__last_name__icontains=word)
            )
    return rows


@login_required
def cohort(request, slug):
    """The program's latest cohort run: start one, follow its progress, read its plan."""
    program = _program(request, slug)
    if request.method == "POST":
        form = CohortStartForm(request.POST)
        if form.is_valid():
            wanted = form.cleaned_data["participant_ids"]
            mentee_ids = None
            if wanted:
                found = dict(
                    mentee_pool(program)
                    .filter(participant_id__in=wanted)
                    .values_list("participant_id", "pk")
                )
                missing = sorted(set(wanted) - set(found))
                if missing:
                    messages.error(
                        request,
                        _("Not waiting in this program: %(ids)s.") % {"ids": ", ".join(missing)},
                    )
                    return redirect("matching:cohort", slug=program.slug)
                mentee_ids = list(found.values())
            cohort_runs.cohort_run_start(
                program=program, actor=request.user, mentee_ids=mentee_ids, request=request
            )
            messages.success(request, _("Cohort matching started."))
        else:
            messages.error(request, _("That request was not understood; nothing started."))
        return redirect("matching:cohort", slug=program.slug)

    run = _latest_run(program)
    context = {
        "program": program,
        "run": run,
        "start_form": CohortStartForm(),
        "waiting": mentee_pool(program).count(),
        "must_accept": matching_settings_get(program).mentor_must_accept,
    }
    if run is not None and run.status in (
        CohortRun.Status.DONE,
        CohortRun.Status.PROPOSING,
        CohortRun.Status.PROPOSED,
    ):
        form = CohortFilterForm(
            request.GET or None,
            focus_areas=FocusArea.objects.filter(program=program, is_active=True),
        )
        # A planned pair whose mentee has no consent in force naming the mentor: the mentor
        # would see the first name only. Marked per row and counted, before anyone proposes.
        named = Exists(
            Consent.objects.filter(Consent.active_q(), to_mentor=True, mentee=OuterRef("mentee"))
        )
        rows = (
            _cohort_rows(run, form)
            .annotate(mentor_named=named)
            .select_related("mentee__user", "mentor__user")
            .order_by("-pinned", F("score").desc(nulls_last=True), "mentee_id")
        )
        page = Paginator(rows, COHORT_PAGE_SIZE).get_page(request.GET.get("page"))
        # Only the shown pairs are explained: the same scoring path, for this page only.
        explained = pairs_explain(
            program, [(x.mentee_id, x.mentor_id) for x in page if x.mentor_id is not None]
        )
        for row in page:
            row.explanation = explained.get((row.mentee_id, row.mentor_id))
        query = request.GET.copy()
        query.pop("page", None)
        context.update(
            filter_form=form,
            page=page,
            query=query.urlencode(),
            planned=CohortPair.objects.filter(run=run, mentor__isnull=False, removed=False).count(),
            removed=CohortPair.objects.filter(run=run, removed=True).count(),
            unconsented=CohortPair.objects.filter(run=run, mentor__isnull=False, removed=False)
            .filter(~named)
            .count(),
        )
        # The plan shows many mentees' preferences at once: one view entry per page shown.
        audit_record(
            actor=request.user,
            action=Action.VIEW,
            obj=run,
            program=program,
            request=request,
        )
    return render(request, "matching/cohort.html", context)


@login_required
@require_GET
def cohort_run_progress(request, slug, pk):
    run = _run(request, slug, pk)
    return JsonResponse(
        {
            "status": run.status,
            "label": str(run.get_status_display()),
            "percent": run.percent,
            "finished": run.finished or run.status == CohortRun.Status.DONE,
        }
    )


def _back(request, run: CohortRun) -> str:
    # Back to the same filtered page: only a query string, re-encoded (never a URL).
    url = reverse("matching:cohort", kwargs={"slug": run.program.slug})
    back = request.POST.get("back", "")
    if back.startswith("?") and len(back) < 2000:
        query = QueryDict(back[1:]).urlencode()
        return f"{url}?{query}" if query else url
    return url


PAIR_ACTIONS = {
    "pin": (cohort_runs.cohort_pair_pin, "pinned", True),
    "unpin": (cohort_runs.cohort_pair_pin, "pinned", False),
    "remove": (cohort_runs.cohort_pair_remove, "removed", True),
    "restore": (cohort_runs.cohort_pair_remove, "removed", False),
}


@login_required
@require_POST
def cohort_pair_action(request, pk, action):
    pair = access.get_for_user(
        request.user,
        CohortPair.objects.select_related("run__program"),
        change=True,
        pk=pk,
    )
    service, name, value = PAIR_ACTIONS[action]
    try:
        service(pair=pair, actor=request.user, request=request, **{name: value})
    except ValidationError as error:
        _errors(request, error)
    return redirect(_back(request, pair.run))


@login_required
@require_POST
def cohort_replan(request, slug, pk):
    run = _run(request, slug, pk, change=True)
    cohort_runs.cohort_run_replan(run=run, actor=request.user, request=request)
    messages.success(request, _("Matching again, keeping the pins and leaving out removed pairs."))
    return redirect("matching:cohort", slug=run.program.slug)


@login_required
@require_POST
def cohort_propose(request, slug, pk):
    run = _run(request, slug, pk, change=True)
    try:
        cohort_runs.cohort_run_propose_start(run=run, actor=request.user, request=request)
        messages.success(request, _("Writing the matches; this page shows when it is done."))
    except ValidationError as error:
        _errors(request, error)
    return redirect("matching:cohort", slug=run.program.slug)


def _csv_line(values) -> str:
    out = io.StringIO()
    csv.writer(out).writerow([_cell(v) for v in values])
    return out.getvalue()


def _cell(value) -> str:
    # A spreadsheet runs a cell starting with these as a formula: names are typed by people.
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@login_required
@require_GET
def cohort_csv(request, slug, pk):
    """The whole stored plan as CSV, streamed a batch of rows at a time (constant memory)."""
    run = _run(request, slug, pk)
    audit_record(
        actor=request.user,
        action=Action.EXPORT,
        obj=run,
        program=run.program,
        request=request,
    )
    rows = (
        CohortPair.objects.filter(run=run)
        .order_by("mentee_id")
        .values_list(
            "mentee__participant_id",
            "mentee__first_name",
            "mentee__last_name",
            "mentor_id",
            "mentor__first_name",
            "mentor__last_name",
            "score",
            "pinned",
            "removed",
            "reason",
            "reason_words",
        )
    )
    # The body is written after the view returns: keep the reader's language for the reasons.
    language = translation.get_language()

    def lines():
        yield _csv_line(
            [
                "mentee_participant_id",
                "mentee_name",
                "mentor_id",
                "mentor_name",
                "score",
                "pinned",
                "removed",
                "why_not_matched",
            ]
        )
        for (
            pid,
            first,
            last,
            mentor_id,
            m_first,
            m_last,
            score,
            pinned,
            removed,
            reason,
            reason_words,
        ) in rows.iterator(chunk_size=2000):
            if reason:
                with translation.override(language):
                    reason = unmatched_reason_text(reason, reason_words)
            yield _csv_line(
                [
                    pid,
                    f"{first} {last}".strip(),
                    mentor_id,
                    f"{m_first or ''} {m_last or ''}".strip(),
                    score,
                    "yes" if pinned else "",
                    "yes" if removed else "",
                    reason,
                ]
            )

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="{run.program.slug}-cohort-plan-{run.pk}.csv"'
    )
    return response

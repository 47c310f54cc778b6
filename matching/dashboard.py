"""The matching panel: coordinators see who is waiting for a mentor and where to match them;
mentors see proposals waiting for their answer."""

from django.db.models import Count, Q
from django.template.loader import render_to_string

from accounts.models import Program
from matching.models import Match
from matching.selectors import mentee_pool
from mentorship import access

SHOWN = 10  # the panel stays short on a phone; the rest are counted


def panel(request, role: str) -> str:
    if role == access.COORDINATOR:
        return _coordinator(request)
    if access.has_role(request.user, access.MENTOR):
        return _mentor(request)
    return ""


def _coordinator(request) -> str:
    programs = list(
        access.coordinated_programs(request.user, Program.objects.all()).annotate(
            proposed=Count("matches", filter=Q(matches__status=Match.Status.PROPOSED))
        )
    )
    rows = []
    for program in programs:
        waiting = mentee_pool(program).select_related("user").order_by("enrolled_on", "pk")
        shown = list(waiting[:SHOWN])
        rows.append(
            {
                "program": program,
                "waiting": shown,
                "more": waiting.count() - len(shown) if len(shown) == SHOWN else 0,
            }
        )
    if not rows:
        return ""
    return render_to_string("matching/dashboard_panel.html", {"rows": rows}, request=request)


def _mentor(request) -> str:
    proposals = (
        access.scope(
            request.user,
            Match.objects.filter(status=Match.Status.PROPOSED, mentor__user=request.user),
        )
        .filter(program__matching__mentor_must_accept=True)
        .select_related("program")
        .order_by("proposed_at")
    )
    if not proposals:
        return ""
    return render_to_string(
        "matching/dashboard_mentor_panel.html", {"proposals": proposals}, request=request
    )

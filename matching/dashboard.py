"""The matching panel: coordinators see who is waiting for a mentor and where to match them;
mentors see proposals waiting for their answer. A constant number of queries however many
programs and mentees there are."""

from django.db.models import F
from django.db.models.expressions import Window
from django.db.models.functions import RowNumber
from django.template.loader import render_to_string

from accounts.models import Program
from accounts.selectors import per_program_count
from matching.models import Match
from matching.selectors import waiting_mentees
from mentorship import access

SHOWN = 10  # per program: the panel stays short on a phone; the rest are counted


def panel(request, role: str) -> str:
    if role == access.COORDINATOR:
        return _coordinator(request)
    if access.has_role(request.user, access.MENTOR):
        return _mentor(request)
    return ""


def _coordinator(request) -> str:
    # Each count on its own (a join of matches next to the waiting subquery repeated the
    # subquery for every match row: tens of seconds for a 10,000-mentee program).
    programs = list(
        access.coordinated_programs(request.user, Program.objects.all()).annotate(
            proposed=per_program_count(Match.objects.filter(status=Match.Status.PROPOSED)),
            waiting=per_program_count(waiting_mentees()),
        )
    )
    if not programs:
        return ""
    first = (
        waiting_mentees()
        .filter(program__in=[p.pk for p in programs])
        .annotate(
            place=Window(
                RowNumber(), partition_by=F("program_id"), order_by=[F("enrolled_on"), F("pk")]
            )
        )
        .filter(place__lte=SHOWN)
        # No account join: the names are the program's (on the profile), and joining every
        # waiting mentee's account before the window picks ten doubled the panel's cost.
        .order_by("program_id", "place")
    )
    by_program: dict[int, list] = {}
    for mentee in first:
        by_program.setdefault(mentee.program_id, []).append(mentee)
    rows = [
        {
            "program": program,
            "waiting": by_program.get(program.pk, []),
            "more": max(program.waiting - SHOWN, 0),
        }
        for program in programs
    ]
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

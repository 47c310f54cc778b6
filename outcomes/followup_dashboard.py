"""The follow-up panels: on a coordinator's dashboard (the way in to each coordinated program's
follow-up page) and on a mentee's participant page (links to interviews and locator)."""

from django.template.loader import render_to_string

from accounts.models import MenteeProfile, Program
from mentorship import access


def panel(request, role: str) -> str:
    """The way in to each coordinated program's follow-up page. The figures live on that page:
    working them out here would cost a read of every person to be interviewed, per program, on
    the page a coordinator opens first (and the dashboard keeps one query count however many
    programs and people there are)."""
    if role != access.COORDINATOR:
        return ""
    programs = list(access.coordinated_programs(request.user, Program.objects.all()))
    if not programs:
        return ""
    return render_to_string(
        "outcomes/followup/_dashboard_panel.html", {"programs": programs}, request=request
    )


def participant_panel(request, person, *, can_change: bool) -> str:
    if not isinstance(person, MenteeProfile) or not access.has_role(
        request.user, access.COORDINATOR, program=person.program_id
    ):
        return ""
    return render_to_string(
        "outcomes/followup/_participant_panel.html", {"mentee": person}, request=request
    )

"""The follow-up panels: on a coordinator's dashboard (each coordinated program's rate and
this week's counts) and on a mentee's participant page (links to interviews and locator)."""

from django.template.loader import render_to_string

from accounts.models import MenteeProfile, Program
from mentorship import access
from outcomes import interviews


def panel(request, role: str) -> str:
    if role != access.COORDINATOR:
        return ""
    rows = []
    for program in access.coordinated_programs(request.user, Program.objects.all()):
        state = interviews.follow_up_read(program=program)
        rows.append(
            {
                "program": program,
                "rate": interviews.follow_up_rate(state, interviews.HEADLINE),
                "target": state.schedule.target_rate,
                "week": interviews.week_lists(state),
            }
        )
    if not rows:
        return ""
    return render_to_string(
        "outcomes/followup/_dashboard_panel.html", {"rows": rows}, request=request
    )


def participant_panel(request, person, *, can_change: bool) -> str:
    if not isinstance(person, MenteeProfile) or not access.has_role(
        request.user, access.COORDINATOR, program=person.program_id
    ):
        return ""
    return render_to_string(
        "outcomes/followup/_participant_panel.html", {"mentee": person}, request=request
    )

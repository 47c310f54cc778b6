"""The goals panel on the dashboards: a mentee's open goals and where they stand; a mentor's
mentees and how many of their goals are behind; a coordinator's way to attainment."""

from django.template.loader import render_to_string

from accounts.models import Program
from goals import selectors
from mentorship import access


def panel(request, role: str) -> str:
    user = request.user
    if role in (access.MENTEE, access.MENTOR):
        mentees = selectors.mentees_with_open_goals(user, roles=(role,))
        for mentee in mentees:
            mentee.behind = sum(
                g.standing.state in ("behind", "overdue") for g in mentee.open_goals
            )
        return render_to_string(
            "goals/dashboard_panel.html", {"role": role, "mentees": mentees}, request=request
        )
    if role == access.COORDINATOR:
        programs = list(access.coordinated_programs(user, Program.objects.all()))
        if not programs:
            return ""
        return render_to_string(
            "goals/dashboard_panel.html", {"role": role, "programs": programs}, request=request
        )
    return ""  # evaluators see no participant goals

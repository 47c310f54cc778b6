"""The goals panel on the dashboards: a mentee's open goals and where they stand; a mentor's
mentees and how many of their goals are behind; a coordinator's way to attainment."""

from django.db.models import Prefetch
from django.template.loader import render_to_string

from accounts.models import Program
from goals import selectors
from goals.models import Goal, MenteeGoals
from mentorship import access


def panel(request, role: str) -> str:
    user = request.user
    if role in (access.MENTEE, access.MENTOR):
        open_goals = selectors.goal_board_order(
            selectors.goals_with_progress(Goal.objects.filter(status__in=Goal.OPEN))
        )
        mentees = list(
            access.scope(user, MenteeGoals.objects.all(), roles=(role,))
            .select_related("user", "program")
            .prefetch_related(Prefetch("goals", queryset=open_goals, to_attr="open_goals"))
            .order_by("user__first_name", "user__last_name", "pk")
        )
        for mentee in mentees:
            selectors.with_standings(mentee.open_goals)
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

"""The outcomes panel on each role's dashboard (registered in `OutcomesConfig.ready()`)."""

from django.template.loader import render_to_string

from accounts.models import MenteeProfile, Program
from matching.models import Match
from mentorship import access
from outcomes import selectors
from outcomes.models import UseLogSubject


def panel(request, role: str) -> str:
    user = request.user
    context: dict = {"role": role}
    if role in (access.STAFF, access.COORDINATOR):
        programs = Program.objects.all()
        if not user.is_superuser:
            programs = programs.filter(
                pk__in=access.program_ids(user, access.STAFF, access.COORDINATOR)
            )
        context["programs"] = list(programs)
    elif role == access.MENTEE:
        profiles = list(
            access.scope(user, MenteeProfile.objects.filter(user=user)).select_related("program")
        )
        due = selectors.assessments_due_for(mentees=profiles)
        context["profiles"] = [(profile, due[profile.pk]) for profile in profiles]
    elif role == access.MENTOR:
        # Only mentees whose consent covers the use log: the calendar link would 404 otherwise.
        context["mentees"] = list(
            access.scope(user, UseLogSubject.objects.all(), roles=(access.MENTOR,))
            .filter(matches__mentor__user=user, matches__status=Match.Status.ACTIVE)
            .select_related("user")
        )
    else:
        return ""
    return render_to_string("outcomes/_dashboard_panel.html", context, request=request)

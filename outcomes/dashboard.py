"""The outcomes panel on each role's dashboard (registered in `OutcomesConfig.ready()`)."""

from django.template.loader import render_to_string

from accounts.models import MenteeProfile, Program
from matching.models import Match
from mentorship import access
from outcomes import selectors
from outcomes.instruments import INSTRUMENTS, due_date
from outcomes.models import Assessment, UseLogSubject


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
        context["profiles"] = _assessments_due(profiles)
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


def _assessments_due(profiles: list[MenteeProfile]) -> list[tuple[MenteeProfile, list[dict]]]:
    """Each profile with its overdue questionnaires; two queries however many profiles."""
    settings = selectors.outcome_settings_for(programs=[p.program for p in profiles])
    done = set(
        Assessment.objects.filter(mentee__in=profiles).values_list(
            "mentee_id", "instrument", "week"
        )
    )
    result = []
    for mentee in profiles:
        today = mentee.program.today()
        mine = settings[mentee.program_id]
        due = [
            {"week": w, "due_on": due_date(mentee.enrolled_on, w), "instrument": INSTRUMENTS[code]}
            for w in mine.timepoints
            for code in mine.instrument_codes
            if (mentee.pk, code, w) not in done and due_date(mentee.enrolled_on, w) <= today
        ]
        result.append((mentee, due))
    return result

"""The matching panel on the participant page: a mentee's current match, a mentor's current
mentees. One query either way. Registered in `MatchingConfig.ready()`."""

from django.template.loader import render_to_string

from accounts.models import MenteeProfile, MentorProfile
from matching.access_rules import current_matches


def match_panel(request, person, *, can_change: bool) -> str:
    context = {"person": person, "can_change": can_change}
    if isinstance(person, MenteeProfile):
        context["current_match"] = (
            current_matches().filter(mentee=person).select_related("mentor__user").first()
        )
        context["never_matched"] = person.study_arm == MenteeProfile.Arm.COMPARISON
    elif isinstance(person, MentorProfile):
        context["current_matches"] = (
            current_matches()
            .filter(mentor=person)
            .select_related("mentee__user")
            .order_by("mentee__last_name")
        )
    else:
        return ""
    return render_to_string("matching/_participant_panel.html", context, request=request)

"""The matching panel on the participant page: a mentee's current match, a mentor's current
mentees. One query either way. Registered in `MatchingConfig.ready()`."""

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import MenteeProfile, MentorProfile
from matching.access_rules import current_matches
from matching.models import Match
from mentorship import access
from mentorship.site import TimelineEntry


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


def timeline(request, person):
    """Matches proposed, started and ended (one query)."""
    if isinstance(person, MenteeProfile):
        matches = Match.objects.filter(mentee=person).select_related("mentor")
    elif isinstance(person, MentorProfile):
        matches = Match.objects.filter(mentor=person).select_related("mentee")
    else:
        return []
    entries = []
    for match in access.scope(request.user, matches):
        url = reverse("matching:match_detail", kwargs={"pk": match.pk})
        if isinstance(person, MenteeProfile):
            other = match.mentor.display_name
        else:
            other = match.mentee.participant_id
        entries.append(
            TimelineEntry(
                match.proposed_at,
                _("Match with %(other)s proposed") % {"other": other},
                url,
                "match",
            )
        )
        if match.started_at:
            entries.append(
                TimelineEntry(
                    match.started_at, _("Matched with %(other)s") % {"other": other}, url, "match"
                )
            )
        if match.ended_at:
            entries.append(
                TimelineEntry(
                    match.ended_at,
                    _("Match with %(other)s ended") % {"other": other},
                    url,
                    "match",
                )
            )
    return entries

"""What goals put on the participant page: goals set, agreed and closed on the timeline (one
query, and none of it for a mentor the mentee's consent does not cover -- the access policy's
`mentor_consent` path). Registered in `GoalsConfig.ready()`."""

from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import MenteeProfile
from goals.models import Goal
from mentorship import access
from mentorship.site import TimelineEntry


def timeline(request, person):
    if not isinstance(person, MenteeProfile):
        return []
    goals = access.scope(request.user, Goal.objects.filter(mentee=person)).only(
        "pk", "title", "status", "created_at", "agreed_at", "closed_on"
    )
    entries = []
    for goal in goals:
        url = reverse("goals:goal_detail", kwargs={"pk": goal.pk})
        entries.append(
            TimelineEntry(
                goal.created_at, _("Goal set: %(title)s") % {"title": goal.title}, url, "goal"
            )
        )
        if goal.agreed_at:
            entries.append(
                TimelineEntry(
                    goal.agreed_at, _("Goal agreed: %(title)s") % {"title": goal.title}, url, "goal"
                )
            )
        if goal.closed_on:
            entries.append(
                TimelineEntry(
                    goal.closed_on,
                    _("Goal %(status)s: %(title)s")
                    % {"status": goal.get_status_display().lower(), "title": goal.title},
                    url,
                    "goal",
                )
            )
    return entries

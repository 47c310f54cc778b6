"""What check-ins put on the participant page: the check-ins held or missed on the timeline
(one query). Registered in `CheckinsConfig.ready()`."""

from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import MenteeProfile, MentorProfile
from checkins.models import CheckIn
from mentorship import access
from mentorship.site import TimelineEntry

_HAPPENED = (CheckIn.Status.COMPLETED, CheckIn.Status.NO_SHOW)


def timeline(request, person):
    if isinstance(person, MenteeProfile):
        checkins = CheckIn.objects.filter(mentee=person)
    elif isinstance(person, MentorProfile):
        checkins = CheckIn.objects.filter(match__mentor=person) | CheckIn.objects.filter(
            facilitator=person
        )
    else:
        return []
    checkins = access.scope(request.user, checkins.filter(status__in=_HAPPENED)).only(
        "pk", "status", "scheduled_at", "actual_at", "risk", "kind"
    )
    entries = []
    for checkin in checkins:
        if checkin.status == CheckIn.Status.COMPLETED:
            label = _("Check-in held")
            if checkin.risk:
                label = _("Check-in held (%(risk)s raised)") % {
                    "risk": checkin.get_risk_display().lower()
                }
        else:
            label = _("Check-in missed (no-show)")
        entries.append(
            TimelineEntry(
                checkin.actual_at or checkin.scheduled_at,
                label,
                reverse("checkins:detail", kwargs={"pk": checkin.pk}),
                "checkin",
            )
        )
    return entries

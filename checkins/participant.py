"""What check-ins put on the participant page: the next check-ins, recent ones and open alerts
(a panel, three queries), and the check-ins held or missed on the timeline (one query).
Registered in `CheckinsConfig.ready()`."""

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import MenteeProfile, MentorProfile
from checkins.models import Alert, CheckIn
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


RECENT_SHOWN = 5


def panel(request, person, *, can_change: bool) -> str:
    """Schedule (next check-ins), recent check-ins and open alerts: three queries."""
    if not isinstance(person, MenteeProfile):
        return ""
    mine = access.scope(request.user, CheckIn.objects.filter(mentee=person))
    now = timezone.now()
    upcoming = list(
        mine.filter(status=CheckIn.Status.SCHEDULED, scheduled_at__gte=now).order_by(
            "scheduled_at"
        )[:3]
    )
    recent = list(mine.filter(status__in=_HAPPENED).order_by("-scheduled_at")[:RECENT_SHOWN])
    alerts = list(
        access.scope(
            request.user, Alert.objects.filter(mentee=person, resolved_at__isnull=True)
        ).order_by("-raised_at")
    )
    return render_to_string(
        "checkins/_participant_panel.html",
        {"person": person, "upcoming": upcoming, "recent": recent, "alerts": alerts},
        request=request,
    )

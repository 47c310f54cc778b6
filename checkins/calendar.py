"""iCalendar output. Events say only that a check-in happens, when and how: no names, no
notes, no program name (a calendar synced to a phone is seen by others; naming a recovery
program would itself disclose a substance-use-disorder record)."""

from datetime import timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from accounts.models import User
from checkins import selectors
from checkins.models import CheckIn


def upcoming_for_feed(user: User) -> QuerySet:
    """The feed owner's own upcoming check-ins, still through the access policy: ending a
    match empties the feed on the next fetch."""
    now = timezone.now()
    visible = selectors.checkins_for(user) | CheckIn.objects.filter(
        pk__in=selectors.group_sessions_for_mentee(user).values("checkin_id")
    )
    return (
        visible.filter(
            selectors.takes_part_q(user),
            status=CheckIn.Status.SCHEDULED,
            scheduled_at__gt=now - timedelta(days=1),
            scheduled_at__lt=now + timedelta(days=120),
        )
        .distinct()
        .order_by("scheduled_at")[:500]
    )


def ics_for(checkins) -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//Mentorship//Check-ins//EN")
    cal.add("version", "2.0")
    host = settings.SITE_URL.split("//", 1)[-1]
    for checkin in checkins:
        event = Event()
        event.add("uid", f"checkin-{checkin.pk}@{host}")
        event.add("dtstamp", timezone.now())
        event.add("dtstart", checkin.scheduled_at)
        event.add("dtend", checkin.ends_at)
        if checkin.kind == CheckIn.Kind.GROUP:
            summary = _("Group session (%(mode)s)")
        else:
            summary = _("Check-in (%(mode)s)")
        event.add("summary", summary % {"mode": checkin.get_mode_display()})
        event.add("url", settings.SITE_URL + reverse("checkins:detail", args=[checkin.pk]))
        if checkin.status == CheckIn.Status.CANCELLED:
            event.add("status", "CANCELLED")
        cal.add_component(event)
    return cal.to_ical()

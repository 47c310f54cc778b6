"""`{{ value|when }}` (load `when`): one way to show a date or a moment, in the program's
timezone, relative where that reads better ("today", "tomorrow at 14:00", "in 2 days",
"3 hours ago", "3 weeks ago"), with the absolute date and the zone's name in a `<time>` element's
title (and the ISO instant in `datetime`) for whoever doubts it.

The zone is the one the page is in: the program's, set with `{% timezone program.timezone %}`
around the page, or given as the argument (`{{ alert.raised_at|when:program.timezone }}`).
Words come from Django (`naturalday`, `naturaltime`, `timesince`, `timeuntil`), so they are
translated with Django's own catalogues.
"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django import template
from django.contrib.humanize.templatetags.humanize import naturalday, naturaltime
from django.utils import timezone
from django.utils.dateformat import format as date_format_pattern
from django.utils.formats import date_format, time_format
from django.utils.html import format_html
from django.utils.timesince import timesince, timeuntil
from django.utils.translation import gettext

register = template.Library()


def _zone(zone):
    if not zone:
        return timezone.get_current_timezone()
    return zone if not isinstance(zone, str) else ZoneInfo(zone)


def relative_words(value: date | datetime, *, zone=None, now: datetime | None = None) -> str:
    """The relative part alone ("in 2 days"), for code that needs the words."""
    tz = _zone(zone)
    now = (now or timezone.now()).astimezone(tz)
    moment = value.astimezone(tz) if isinstance(value, datetime) else None
    day = moment.date() if moment else value
    days = (day - now.date()).days
    if moment is not None and timedelta(0) <= now - moment < timedelta(days=1):
        return naturaltime(moment)  # "3 hours ago", "now", even across midnight
    if -1 <= days <= 1:
        # A moment in the zone: naturalday then reads "today" in that zone, not the server's.
        words = naturalday(datetime.combine(day, time(12), tzinfo=tz))  # "today", "tomorrow"
        if moment is not None and moment > now:
            return gettext("%(day)s at %(time)s") % {
                "day": words,
                "time": time_format(moment, "TIME_FORMAT"),
            }
        return words
    # Whole days between the two calendar days, so "in 2 days" means the day after tomorrow.
    start = datetime.combine(now.date(), time(), tzinfo=tz)
    then = datetime.combine(day, time(), tzinfo=tz)
    if days > 0:
        return gettext("in %(delta)s") % {"delta": timeuntil(then, start, depth=1)}
    return gettext("%(delta)s ago") % {"delta": timesince(then, start, depth=1)}


@register.filter(is_safe=True)
def when(value, zone=None):
    if value in (None, ""):
        return ""
    tz = _zone(zone)
    if isinstance(value, datetime):
        local = value.astimezone(tz)
        iso = local.isoformat(timespec="minutes")
        absolute = gettext("%(moment)s (%(zone)s time)") % {
            "moment": date_format(local, "DATETIME_FORMAT"),
            "zone": getattr(tz, "key", str(tz)),
        }
    else:
        iso = date_format_pattern(value, "Y-m-d")
        absolute = date_format(value, "DATE_FORMAT")
    return format_html(
        '<time datetime="{}" title="{}">{}</time>', iso, absolute, relative_words(value, zone=tz)
    )

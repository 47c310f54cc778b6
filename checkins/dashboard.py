"""The check-ins panel on each role's dashboard: a crisis banner for coordinators, the day's
check-ins for mentors, the next one for mentees."""

from datetime import timedelta

from django.template.loader import render_to_string
from django.utils import timezone

from accounts.models import Program
from checkins import selectors
from mentorship import access
from notifications.selectors import failed_notifications


def panel(request, role: str) -> str:
    user = request.user
    now = timezone.now()
    context = {"role": role}
    if role == access.COORDINATOR:
        alerts = list(selectors.open_alerts(user)[:20])
        programs = list(access.coordinated_programs(user, Program.objects.all()))
        context |= {
            "crises": [a for a in alerts if a.kind == "crisis"],
            # The true number, not the 20 fetched for the banner: a count links to its list.
            "alert_count": selectors.open_alerts(user).count()
            if len(alerts) == 20
            else len(alerts),
            "failed_count": failed_notifications(user).count(),
            "programs": programs,
            # With one program, each count opens its list on that program's engagement page.
            "only_program": programs[0] if len(programs) == 1 else None,
        }
    elif role == access.MENTOR:
        context |= {
            "to_log": list(selectors.to_log(user, now)[:5]),
            "next": list(
                selectors.upcoming(user, now).filter(scheduled_at__lte=now + timedelta(days=7))[:5]
            ),
        }
    elif role == access.MENTEE:
        context |= {"next": list(selectors.upcoming(user, now)[:3])}
    else:
        return ""
    return render_to_string("checkins/_panel.html", context, request=request)

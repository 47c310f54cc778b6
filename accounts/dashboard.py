"""The accounts panel on the coordinator dashboard: mentees whose consent needs attention."""

from django.db.models import Count, Window
from django.template.loader import render_to_string

from accounts.consents import EXPIRY_WARNING_DAYS, consent_followups
from accounts.models import Program
from mentorship import access

SHOWN = 20  # the rest are counted; the panel must stay short on a phone


def panel(request, role: str) -> str:
    if role != access.COORDINATOR:
        return ""
    programs = access.coordinated_programs(request.user, Program.objects.all())
    # The total rides along on every row (a window count), so the panel is one query whether
    # it lists 3 mentees or 20 of 500.
    followups = consent_followups(programs).annotate(total=Window(Count("pk")))
    shown = list(followups[:SHOWN])
    if not shown:
        return ""
    total = shown[0].total
    return render_to_string(
        "accounts/consent/dashboard_panel.html",
        {"mentees": shown, "total": total, "more": total - len(shown), "days": EXPIRY_WARNING_DAYS},
    )

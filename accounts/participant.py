"""The consent panel on the participant page (registered in `AccountsConfig.ready()`)."""

from django.template.loader import render_to_string

from accounts.models import MenteeProfile


def consent_panel(request, person, *, can_change: bool) -> str:
    if not isinstance(person, MenteeProfile):
        return ""  # mentors sign no consent to disclose
    return render_to_string(
        "accounts/_consent_panel.html",
        {"mentee": person, "can_change": can_change},
        request=request,
    )

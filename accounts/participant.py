"""The consent panel on the participant page (registered in `AccountsConfig.ready()`)."""

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import Consent, MenteeProfile, MentorProfile, StatusChange
from mentorship import access
from mentorship.site import TimelineEntry


def consent_panel(request, person, *, can_change: bool) -> str:
    if not isinstance(person, MenteeProfile):
        return ""  # mentors sign no consent to disclose
    return render_to_string(
        "accounts/_consent_panel.html",
        {"mentee": person, "can_change": can_change},
        request=request,
    )


def timeline(request, person):
    """Enrolled, status changes and consents signed or revoked (two queries for a mentee)."""
    if isinstance(person, MentorProfile):
        return [TimelineEntry(person.created_at, _("Joined as a mentor"), kind="enrolled")]
    if not isinstance(person, MenteeProfile):
        return []
    entries = [TimelineEntry(person.enrolled_on, _("Enrolled"), kind="enrolled")]
    changes = access.scope(request.user, StatusChange.objects.filter(mentee=person))
    for change in changes:
        if not change.from_status:
            continue  # the first status is the enrolment itself
        entries.append(
            TimelineEntry(
                change.changed_at,
                _("Status changed to %(status)s") % {"status": change.get_to_status_display()},
                kind="status",
            )
        )
    consents = access.scope(request.user, Consent.objects.filter(mentee=person))
    for consent in consents:
        url = reverse("accounts:consent_detail", kwargs={"pk": consent.pk})
        entries.append(
            TimelineEntry(
                consent.signed_at,
                _("Consent version %(version)s signed") % {"version": consent.version},
                url,
                "consent",
            )
        )
        if consent.revoked_at:
            entries.append(
                TimelineEntry(
                    consent.revoked_at,
                    _("Consent version %(version)s revoked") % {"version": consent.version},
                    url,
                    "consent",
                )
            )
    return entries

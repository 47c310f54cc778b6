"""`{% shown_to mentee as shown %}`: the field groups of a mentee the viewer may see now, for
templates and panels that get no view context. Then `{% if "checkin.note" in shown %}`."""

from django import template
from django.urls import reverse
from django.utils.html import format_html

from accounts import consents
from mentorship import access

register = template.Library()


@register.simple_tag(takes_context=True)
def shown_to(context, mentee) -> frozenset[str]:
    request = context.get("request")
    if request is None:
        return frozenset()  # e-mails and feeds have no viewer: nothing consent-gated
    return consents.shown_to(request.user, mentee)


@register.simple_tag(takes_context=True)
def mentee_name(context, mentee) -> str:
    """`{% mentee_name mentee %}`: the full name, or the first name only for a mentor without a
    consent naming them (consents.mentee_name). Batched per request, so use it in list rows."""
    request = context.get("request")
    return consents.mentee_name(request.user if request is not None else None, mentee)


def _openable(user) -> tuple[frozenset[int], frozenset[int]]:
    """(programs the user coordinates, mentees in an active match with them): whose participant
    page the user may open besides their own. Read once per request, kept on the user object,
    so a list costs the same for 1 row or 50."""
    cached = getattr(user, "_mentorship_openable", None)
    if cached is None:
        roles = access.user_roles(user)
        cached = (
            frozenset(
                access.program_ids(user, access.COORDINATOR).values_list("program_id", flat=True)
            )
            if access.COORDINATOR in roles
            else frozenset(),
            frozenset(access.matched_mentee_ids(user).values_list("pk", flat=True))
            if access.MENTOR in roles
            else frozenset(),
        )
        user._mentorship_openable = cached
    return cached


@register.simple_tag(takes_context=True)
def mentee_link(context, mentee) -> str:
    """`{% mentee_link mentee %}`: the mentee's name (as `mentee_name` gives it) linked to their
    participant page when the viewer may open it (the access policy's roles: their coordinator,
    their mentor in an active match, themself); the bare name otherwise."""
    request = context.get("request")
    user = request.user if request is not None else None
    name = consents.mentee_name(user, mentee)
    if mentee is None or user is None or not user.is_authenticated:
        return name
    programs, matched = _openable(user)
    if not (
        user.is_superuser
        or mentee.user_id == user.pk
        or mentee.program_id in programs
        or mentee.pk in matched
    ):
        return name
    url = reverse("accounts:mentee_detail", kwargs={"pk": mentee.pk})
    return format_html('<a href="{}">{}</a>', url, name)

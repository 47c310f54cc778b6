"""`{% shown_to mentee as shown %}`: the field groups of a mentee the viewer may see now, for
templates and panels that get no view context. Then `{% if "checkin.note" in shown %}`."""

from django import template

from accounts import consents

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

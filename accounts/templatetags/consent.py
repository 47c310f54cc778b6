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

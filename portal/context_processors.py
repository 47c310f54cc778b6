"""Navigation that shows each role only what it may use; the items are registered by the apps
in `mentorship.site.nav_items`."""

from django.urls import NoReverseMatch, reverse

from mentorship import access
from mentorship.site import nav_items


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    roles = set(access.user_roles(user))
    if user.is_superuser:
        roles |= {access.COORDINATOR}
    items = []
    for item in sorted(nav_items, key=lambda item: item.order):
        if item.roles is not None and not roles & set(item.roles):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        items.append({"label": item.label, "url": url, "active": request.path == url})
    return {"nav_items": items, "nav_is_admin": user.is_staff}

"""Navigation that shows each role only what it may use; the items are registered by the apps
in `mentorship.site.nav_items`."""

from django.urls import NoReverseMatch, reverse

from mentorship import access
from mentorship.site import NAV_GROUPS, nav_items


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
        items.append(
            {"label": item.label, "url": url, "active": request.path == url, "group": item.group}
        )
    return {"nav_items": items, "nav_menu": _menu(items), "nav_is_admin": user.is_staff}


def _menu(items):
    """The bar as shown: plain links, and a dropdown per group where its first item would be.
    A group with a single item the role can use shows as a plain link (a menu of one is a
    needless tap on a phone)."""
    counts = {}
    for item in items:
        counts[item["group"]] = counts.get(item["group"], 0) + 1
    menu, groups = [], {}
    for item in items:
        group = item["group"]
        if group is None or group not in NAV_GROUPS or counts[group] == 1:
            menu.append({**item, "children": None})
        elif group in groups:
            groups[group]["children"].append(item)
            groups[group]["active"] = groups[group]["active"] or item["active"]
        else:
            groups[group] = {
                "label": NAV_GROUPS[group],
                "key": group,
                "active": item["active"],
                "children": [item],
            }
            menu.append(groups[group])
    return menu

"""Navigation that shows each role only what it may use."""

from django.urls import NoReverseMatch, reverse

from mentorship import access

# (label, url name, roles that see it). Later apps add their entries here.
NAV_ITEMS = [
    ("Dashboard", "home", None),
    ("Mentees", "accounts:mentee_list", (access.COORDINATOR,)),
    ("Mentors", "accounts:mentor_list", (access.COORDINATOR,)),
    ("Import", "accounts:participant_import", (access.COORDINATOR,)),
    ("Invitations", "accounts:invitation_list", (access.COORDINATOR,)),
    ("Program settings", "accounts:program_list", (access.COORDINATOR,)),
    ("Goals", "goals:board", (access.MENTEE, access.MENTOR, access.COORDINATOR)),
    ("Matching", "matching:programs", (access.COORDINATOR,)),
    ("Audit trail", "audit_trail", (access.COORDINATOR,)),
    ("Check-ins", "checkins:list", (access.COORDINATOR, access.MENTOR, access.MENTEE)),
    ("My calendar", "outcomes:my_calendar", (access.MENTEE,)),
    ("Outcomes", "outcomes:programs", (access.STAFF, access.COORDINATOR)),
]


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    roles = set(access.user_roles(user))
    if user.is_superuser:
        roles |= {access.COORDINATOR}
    items = []
    for label, name, allowed in NAV_ITEMS:
        if allowed is not None and not roles & set(allowed):
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        items.append({"label": label, "url": url, "active": request.path == url})
    return {"nav_items": items, "nav_is_admin": user.is_staff}

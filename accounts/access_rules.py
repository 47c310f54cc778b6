"""What accounts tells the kernel's access policy: which roles a user holds, and where.

Registered in `AccountsConfig.ready()` as the "roles" and "program_ids" rules of
`mentorship.access.rules`; the kernel never imports accounts.
"""

from django.db.models import QuerySet

from accounts.models import Membership

# A pending membership (enrolled, invitation not yet accepted) grants nothing.
JOINED = {"is_active": True, "joined_at__isnull": False}


def roles_held(user) -> QuerySet:
    """The role names the user holds in any program (read once per request by the kernel)."""
    return Membership.objects.filter(user=user, **JOINED).values_list("role", flat=True)


def program_ids_with_role(user, roles) -> QuerySet:
    """Subquery of the ids of programs where the user holds one of `roles`."""
    return Membership.objects.filter(user=user, role__in=roles, **JOINED).values("program_id")

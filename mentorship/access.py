"""The one access policy. Every view gets participant data through these functions.

Each model that holds participant data declares `access_paths`: the lookup from it to its
program, to the mentee it is about and/or to the mentor it belongs to. From those paths the
policy builds one filter per role:

- coordinator: objects of the programs they coordinate;
- mentor: their own mentor profile and what belongs to it (a match and its schedule only until
  the match ends), and objects about mentees in an *active* match with them (and, where the
  model names a consent flag, only while an active consent covers it);
- mentee: objects about themself;
- staff (evaluator): no participant objects at all, only program-level reports.

Outside the filter: 404 (we do not confirm the object exists). In scope but the role may not
change it: 403. Because the filter runs on every request, ending a match or revoking a consent
takes effect on the very next request.

The policy is generic: which programs a user holds a role in, and which mentees a mentor reaches,
are answered by the apps that own those relations, registered in `rules` from their
`AppConfig.ready()` (the kernel imports no app):

- "roles" (accounts): `(user) -> iterable of the role names the user holds in any program`;
- "program_ids" (accounts): `(user, roles) -> subquery of ids of programs where the user holds
  one of roles`;
- "matched_mentee_ids" (matching): `(user, consent_flag) -> subquery of the mentee ids in an
  active match with the user as mentor (and, with a flag, an active consent covering it)`;
- "open_match_ids" (matching): `(user) -> subquery of the ids of the matches with the user as
  mentor that have not ended` (the `mentor_match` path of a model is checked against it).
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from mentorship.registry import Registry

COORDINATOR, MENTOR, MENTEE, STAFF = "coordinator", "mentor", "mentee", "staff"

rules: Registry[Callable] = Registry("access rules")


@dataclass(frozen=True)
class AccessPaths:
    program: str
    mentee: str | None = None  # "" means the object is the mentee profile itself
    mentor: str | None = None  # "" means the object is the mentor profile itself
    # Consent flag (on accounts.Consent) the matched mentor needs, e.g. "covers_use_log".
    mentor_consent: str | None = None
    # Lookup to the match the object belongs to ("" means the object is the match itself): the
    # mentor path reaches the object only while that match is open (not ended), so a former
    # mentor gets 404 on every page of the match. Objects without a match (a group session's
    # note) are not affected.
    mentor_match: str | None = None
    change_roles: tuple[str, ...] = (COORDINATOR,)


def _join(path: str | None, field: str) -> str:
    return f"{path}__{field}" if path else field


def program_ids(user, *roles: str):
    """Subquery of the ids of programs where the user holds one of `roles`."""
    return rules.get("program_ids")(user, roles)


def user_roles(user) -> frozenset[str]:
    """The roles a user holds in any program. Navigation, the dashboard and its panels all ask;
    the answer is read once per request and kept on the request's user object."""
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_mentorship_roles", None)
    if cached is None:
        cached = frozenset(rules.get("roles")(user))
        user._mentorship_roles = cached
    return cached


def has_role(user, *roles: str, program=None) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_superuser and COORDINATOR in roles:
        return True
    if program is None:
        return bool(user_roles(user) & set(roles))
    return program_ids(user, *roles).filter(program=program).exists()


def matched_mentee_ids(user, consent_flag: str | None = None):
    """Subquery of the mentee ids in an active match with one of the user's mentor profiles
    (with `consent_flag`: only those whose active consent covers it)."""
    return rules.get("matched_mentee_ids")(user, consent_flag)


def _role_filters(user, paths: AccessPaths) -> dict[str, Q]:
    filters: dict[str, Q] = {
        COORDINATOR: Q(**{_join(paths.program, "in"): program_ids(user, COORDINATOR)}),
    }
    mentor_q = Q(pk__in=[])
    if paths.mentee is not None:
        mentees = matched_mentee_ids(user, paths.mentor_consent)
        mentor_q |= Q(**{_join(paths.mentee, "pk__in") if paths.mentee else "pk__in": mentees})
        # A profile reaches its person only once they joined its program (accepted its
        # invitation): a coordinator who enrolls an e-mail must not hand the program's records
        # to whoever holds that account.
        filters[MENTEE] = Q(**{_join(paths.mentee, "user"): user}) & Q(
            **{_join(paths.program, "in"): program_ids(user, MENTEE)}
        )
    if paths.mentor is not None:
        own = Q(**{_join(paths.mentor, "user"): user})
        if paths.mentor_match is not None:
            open_matches = rules.get("open_match_ids")(user)
            if paths.mentor_match:
                own &= Q(**{f"{paths.mentor_match}__isnull": True}) | Q(
                    **{f"{paths.mentor_match}__in": open_matches}
                )
            else:
                own &= Q(pk__in=open_matches)
        mentor_q |= own
    filters[MENTOR] = mentor_q & Q(**{_join(paths.program, "in"): program_ids(user, MENTOR)})
    return filters


def scope(user, queryset: QuerySet, *, roles: tuple[str, ...] | None = None) -> QuerySet:
    """The part of `queryset` this user may see (optionally: through these roles only)."""
    if not user.is_authenticated:
        return queryset.none()
    if user.is_superuser:
        return queryset
    paths: AccessPaths = queryset.model.access_paths
    combined = Q(pk__in=[])
    for role, q in _role_filters(user, paths).items():
        if roles is None or role in roles:
            combined |= q
    return queryset.filter(combined)


def can_change(user, obj: Model) -> bool:
    """Whether the model's change roles reach this object (also decides which buttons show)."""
    if user.is_superuser:
        return True
    model = type(obj)
    roles = model.access_paths.change_roles
    return scope(user, model._default_manager.filter(pk=obj.pk), roles=roles).exists()


def get_for_user(user, queryset: QuerySet, *, change: bool = False, **lookup) -> Model:
    """Fetch one object: 404 outside the user's scope, 403 if in scope but not changeable."""
    obj = scope(user, queryset).filter(**lookup).first()
    if obj is None:
        raise Http404(_("No such record."))
    if change and not can_change(user, obj):
        raise PermissionDenied(_("You can see this record but not change it."))
    return obj


def get_program_for_user(
    user, queryset: QuerySet, *, roles: tuple[str, ...], change_roles=(), **lookup
):
    """Programs are reached through membership: 404 without any role, 403 without `roles`."""
    if not user.is_authenticated:
        raise Http404(_("No such program."))
    if user.is_superuser:
        obj = queryset.filter(**lookup).first()
    else:
        obj = (
            queryset.filter(pk__in=program_ids(user, COORDINATOR, MENTOR, MENTEE, STAFF))
            .filter(**lookup)
            .first()
        )
    if obj is None:
        raise Http404(_("No such program."))
    if not has_role(user, *roles, program=obj):
        raise PermissionDenied(_("Your role in this program does not allow this page."))
    if change_roles and not has_role(user, *change_roles, program=obj):
        raise PermissionDenied(_("Your role in this program does not allow this change."))
    return obj


def coordinated_programs(user, queryset: QuerySet) -> QuerySet:
    if user.is_superuser:
        return queryset
    return queryset.filter(pk__in=program_ids(user, COORDINATOR))

"""Reads for participant lists and pages. Each list runs a fixed number of queries whatever
the page size: relations are joined or prefetched here, never looked up per row."""

from collections.abc import Callable

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from accounts.eligibility import eligibility_q, mentors_with_eligibility
from accounts.models import (
    FocusArea,
    MenteeFocusArea,
    MenteeProfile,
    MentorProfile,
    Philosophy,
    Program,
    Substance,
    Training,
)
from mentorship.registry import Registry

#: Matches live in a higher layer. matching registers "current" here in its `ready()`: a function
#: returning the queryset of matches that still pair a mentee with a mentor, which the
#: participant lists show ("Mentor: ...", "2 of 3 mentees"); and "waiting": a function returning
#: the mentees waiting for a mentor (`matching.selectors.waiting_mentees`), the list's
#: "unmatched" filter, so it lists exactly what the dashboard counts.
match_sources: Registry[Callable[[], QuerySet]] = Registry("participant list matches")


def _current_matches() -> QuerySet:
    return match_sources.get("current")()


def vocabulary(model, program: Program, *, include=()) -> QuerySet:
    """Active terms of a program, plus any inactive ones a profile still uses (so editing that
    profile does not silently drop them)."""
    include_pks = [obj.pk for obj in include]
    return model.objects.filter(program=program).filter(Q(is_active=True) | Q(pk__in=include_pks))


def _search(queryset: QuerySet, term: str, also: Q | None = None) -> QuerySet:
    """Every word must match a name or the e-mail; `also` matches the whole term on its own."""
    q = Q()
    for word in term.split():
        q &= (
            Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(user__email__icontains=word)
        )
    return queryset.filter(q | also if also is not None else q)


def mentee_list(*, program: Program, filters: dict | None = None) -> QuerySet:
    filters = filters or {}
    current = _current_matches()
    mentees = (
        MenteeProfile.objects.filter(program=program)
        .select_related("user", "preferred_philosophy")
        .prefetch_related(
            Prefetch("focus_needs", MenteeFocusArea.objects.select_related("focus_area")),
            Prefetch(
                "matches",
                current.select_related("mentor__user"),
                to_attr="current_matches",
            ),
        )
        .order_by("last_name", "first_name", "pk")
    )
    if term := (filters.get("q") or "").strip():
        mentees = _search(mentees, term, also=Q(participant_id__iexact=term))
    if filters.get("status"):
        mentees = mentees.filter(status=filters["status"])
    if filters.get("arm"):
        mentees = mentees.filter(study_arm=filters["arm"])
    if filters.get("focus_area"):
        mentees = mentees.filter(focus_needs__focus_area=filters["focus_area"])
    if filters.get("philosophy"):
        mentees = mentees.filter(preferred_philosophy=filters["philosophy"])
    if filters.get("unmatched"):
        mentees = mentees.filter(pk__in=match_sources.get("waiting")().values("pk"))
    return mentees


def mentor_list(*, program: Program, filters: dict | None = None) -> QuerySet:
    filters = filters or {}
    current_count = (
        _current_matches()
        .filter(mentor=OuterRef("pk"))
        .order_by()
        .values("mentor")
        .annotate(n=Count("pk"))
        .values("n")
    )
    mentors = (
        MentorProfile.objects.filter(program=program)
        .select_related("user")
        .prefetch_related("philosophies", "focus_areas")
        .annotate(
            active_match_count=Coalesce(Subquery(current_count, output_field=IntegerField()), 0)
        )
        .order_by("last_name", "first_name", "pk")
    )
    if term := (filters.get("q") or "").strip():
        mentors = _search(mentors, term)
    status = filters.get("status")
    if status == "active":
        mentors = mentors.filter(is_active=True)
    elif status == "inactive":
        mentors = mentors.filter(is_active=False)
    elif status == "accepting":
        mentors = mentors.filter(is_active=True, accepting_new=True)
    if filters.get("focus_area"):
        mentors = mentors.filter(focus_areas=filters["focus_area"])
    if filters.get("philosophy"):
        mentors = mentors.filter(philosophies=filters["philosophy"])
    if filters.get("unmatched"):
        mentors = mentors.filter(active_match_count=0)
    if eligibility := filters.get("eligibility"):
        annotations, eligible = eligibility_q(program=program)
        mentors = mentors.annotate(**annotations)
        mentors = (
            mentors.filter(eligible) if eligibility == "eligible" else mentors.exclude(eligible)
        )
    return mentors


def mentor_rows(page_objects, *, program: Program) -> list[tuple[MentorProfile, list[str]]]:
    """(mentor, ineligibility reasons) for one page of mentors, in two queries."""
    ids = [m.pk for m in page_objects]
    by_pk = {m.pk: m for m in page_objects}
    rows = mentors_with_eligibility(
        MentorProfile.objects.filter(pk__in=ids).only("pk", "is_active", "recovery_since"),
        program=program,
    )
    reasons = {mentor.pk: why for mentor, why in rows}
    return [(by_pk[pk], reasons.get(pk, [])) for pk in ids]


def mentor_eligibility(mentor: MentorProfile) -> list[str]:
    rows = mentors_with_eligibility(
        MentorProfile.objects.filter(pk=mentor.pk), program=mentor.program
    )
    return next((reasons for _, reasons in rows), [])


def mentee_page(mentee: MenteeProfile) -> dict:
    """What the participant page shows besides the profile itself and the apps' panels."""
    return {
        "status_history": mentee.status_history.select_related("changed_by"),
        "focus_needs": mentee.focus_needs.select_related("focus_area"),
    }


def mentor_page(mentor: MentorProfile) -> dict:
    return {
        "trainings": mentor.trainings.select_related("training"),
        "ineligible_reasons": mentor_eligibility(mentor),
    }


def vocabularies_for(program: Program) -> dict[str, QuerySet]:
    return {
        "philosophies": Philosophy.objects.filter(program=program),
        "focus-areas": FocusArea.objects.filter(program=program),
        "substances": Substance.objects.filter(program=program),
        "trainings": Training.objects.filter(program=program),
    }


def per_program_count(queryset: QuerySet) -> Coalesce:
    """The number of rows of `queryset` per program, to annotate program rows with.

    Counting several related tables in one aggregate joins them with each other first (3,000
    mentors x 10,000 mentees x the matches, for a large program), and a subquery next to such
    an aggregate is repeated for every joined row: each table is counted on its own instead,
    over its program_id index, so a dashboard costs what its counts cost.
    """
    counted = (
        queryset.filter(program=OuterRef("pk"))
        .order_by()
        .values("program")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)

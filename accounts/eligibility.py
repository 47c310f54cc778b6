"""Mentor eligibility under the program's rules (MAP: at least 6 months of continuous recovery,
plus the trainings the program requires). Matching treats an ineligible mentor as a hard
constraint; pages show the reasons in plain words."""

from datetime import date

from dateutil.relativedelta import relativedelta
from django.db.models import Count, Q

from accounts.models import MentorProfile, Program


def ineligibility_reasons(
    mentor: MentorProfile, *, program: Program, required: list, completed_ids: set[int], today: date
) -> list[str]:
    reasons = []
    if not mentor.is_active:
        reasons.append("Mentor profile is inactive")
    months = program.min_recovery_months
    if months:
        if mentor.recovery_since is None:
            reasons.append("Needs a continuous-recovery start date")
        elif mentor.recovery_since > today - relativedelta(months=months):
            reasons.append(f"Needs {months} months of continuous recovery")
    for training in required:
        if training.pk not in completed_ids:
            reasons.append(f"Needs {training.name} training")
    return reasons


def mentors_with_eligibility(mentors, *, program: Program, today: date | None = None):
    """Yield (mentor, reasons) for many mentors in a constant number of queries.

    `mentors` should be a queryset of the program's mentors; trainings are prefetched here."""
    today = today or program.today()
    required = list(program.required_trainings.all())
    for mentor in mentors.prefetch_related("trainings"):
        completed = {t.training_id for t in mentor.trainings.all()}
        yield (
            mentor,
            ineligibility_reasons(
                mentor, program=program, required=required, completed_ids=completed, today=today
            ),
        )


def eligibility_q(*, program: Program, today: date | None = None) -> tuple[dict, Q]:
    """The same rules as `ineligibility_reasons`, as a database filter, so lists can filter and
    paginate by eligibility. Returns (annotations, condition for eligible mentors)."""
    today = today or program.today()
    required = list(program.required_trainings.values_list("pk", flat=True))
    condition = Q(is_active=True)
    if program.min_recovery_months:
        cutoff = today - relativedelta(months=program.min_recovery_months)
        condition &= Q(recovery_since__isnull=False, recovery_since__lte=cutoff)
    annotations = {}
    if required:
        annotations["required_trainings_done"] = Count(
            "trainings", filter=Q(trainings__training_id__in=required), distinct=True
        )
        condition &= Q(required_trainings_done=len(required))
    return annotations, condition

"""Mentor eligibility under the program's rules (MAP: at least 6 months of continuous recovery,
plus the trainings the program requires). Matching treats an ineligible mentor as a hard
constraint; pages show the reasons in plain words."""

from datetime import date
from itertools import chain

import numpy as np
from dateutil.relativedelta import relativedelta
from django.db.models import Count, Q
from django.utils.translation import gettext, ngettext

from accounts.models import MentorProfile, Program


# The sentences, once: `ineligibility_reasons` and `ineligibility_words` both say them.
def _short_recovery(months: int) -> str:
    return ngettext(
        "Needs %(months)d month of continuous recovery",
        "Needs %(months)d months of continuous recovery",
        months,
    ) % {"months": months}


def _missing_training(name: str) -> str:
    return gettext("Needs %(training)s training") % {"training": name}


def ineligibility_reasons(
    mentor: MentorProfile, *, program: Program, required: list, completed_ids: set[int], today: date
) -> list[str]:
    reasons = []
    if not mentor.is_active:
        reasons.append(gettext("Mentor profile is inactive"))
    months = program.min_recovery_months
    if months:
        if mentor.recovery_since is None:
            reasons.append(gettext("Needs a continuous-recovery start date"))
        elif mentor.recovery_since > today - relativedelta(months=months):
            reasons.append(_short_recovery(months))
    for training in required:
        if training.pk not in completed_ids:
            reasons.append(_missing_training(training.name))
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


# The same rules for many mentors at once, as bits (0 = eligible): the matching arrays are
# built with these, and a property test keeps them equal to `ineligibility_reasons`.
INACTIVE = 1
NO_RECOVERY_DATE = 2
SHORT_RECOVERY = 4
MISSING_TRAINING = 8


def ineligibility_bits(
    *,
    is_active,
    recovery_since: list,
    training_ids: list[list[int]],
    required_ids: list[int],
    months: int,
    today: date,
) -> tuple[np.ndarray, np.ndarray]:
    """(bits per mentor, (mentors, required trainings) bool: that training is missing)."""
    count = len(recovery_since)
    bits = np.where(np.asarray(is_active, dtype=bool), 0, INACTIVE).astype(np.int64)
    if months:
        since = np.array(
            [d if d is not None else np.datetime64("NaT") for d in recovery_since],
            dtype="datetime64[D]",
        )
        cutoff = np.datetime64(today - relativedelta(months=months), "D")
        unknown = np.isnat(since)
        bits |= np.where(unknown, NO_RECOVERY_DATE, 0)
        bits |= np.where(~unknown & (since > cutoff), SHORT_RECOVERY, 0)
    missing = np.ones((count, len(required_ids)), dtype=bool)
    if required_ids and count:
        lengths = np.fromiter(map(len, training_ids), dtype=np.int64, count=count)
        done = np.fromiter(chain.from_iterable(training_ids), dtype=np.int64)
        rows = np.repeat(np.arange(count), lengths)
        for k, training in enumerate(required_ids):
            missing[rows[done == training], k] = False
        bits |= np.where(missing.any(axis=1), MISSING_TRAINING, 0)
    return bits, missing


def ineligibility_words(bits: int, missing, *, months: int, required_names: list[str]) -> list[str]:
    """`ineligibility_reasons`' sentences, from one mentor's bits and missing trainings."""
    reasons = []
    if bits & INACTIVE:
        reasons.append(gettext("Mentor profile is inactive"))
    if bits & NO_RECOVERY_DATE:
        reasons.append(gettext("Needs a continuous-recovery start date"))
    if bits & SHORT_RECOVERY:
        reasons.append(_short_recovery(months))
    if bits & MISSING_TRAINING:
        reasons += [
            _missing_training(name)
            for name, gone in zip(required_names, missing, strict=True)
            if gone
        ]
    return reasons

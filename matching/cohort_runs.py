"""Whole-cohort matching as a background job: a request queues a CohortRun, a Celery worker
solves it (`cohort_assign`, progress stored on the row) and stores one CohortPair per mentee;
the page then shows the stored plan a page at a time. Pins and removals change single rows;
"Re-plan" starts a new run from them; "Propose all" writes the plan through `matches_create`
in a second job (thousands of matches, each audited, do not fit in one request).

Every change here is a service: keyword-only, audited, in a transaction.
"""

import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.timezone import now
from django.utils.translation import gettext as _

from accounts.models import Program, User
from matching.cohort import PlanRefused, cohort_assign
from matching.models import CohortPair, CohortRun
from mentorship.audit import Action, audit_record

log = logging.getLogger(__name__)
# Progress is written at most this often (mentees scored), so a run does not spend its time
# updating its own row.
PROGRESS_EVERY = 500
PAIRS_WRITE_BATCH = 2_000


def _pair_list(value) -> list[tuple[int, int]]:
    return [(int(a), int(b)) for a, b in value or ()]


@transaction.atomic
def cohort_run_start(
    *,
    program: Program,
    actor: User,
    mentee_ids: list[int] | None = None,
    pins: list[tuple[int, int]] = (),
    removed: list[tuple[int, int]] = (),
    request=None,
) -> CohortRun:
    """Queue a run; a worker solves it (`cohort_run_compute`)."""
    run = CohortRun.objects.create(
        program=program,
        started_by=actor,
        mentee_ids=sorted({int(x) for x in mentee_ids}) if mentee_ids is not None else None,
        pins=[list(x) for x in _pair_list(pins)],
        removed=[list(x) for x in sorted(set(_pair_list(removed)))],
    )
    audit_record(
        actor=actor,
        action=Action.CREATE,
        obj=run,
        program=program,
        fields=["mentee_ids", "pins", "removed"],
        request=request,
    )
    from matching.tasks import cohort_run_compute as task

    # A broker outage leaves the run queued (logged, not raised); the page says so.
    task.delay_on_commit(run.pk)
    return run


@transaction.atomic
def cohort_run_replan(*, run: CohortRun, actor: User, request=None) -> CohortRun:
    """A new run of the same mentees keeping this run's pins, and never using its removed
    pairs (nor those of the runs it came from)."""
    rows = CohortPair.objects.filter(run=run, mentor__isnull=False)
    pins = list(rows.filter(pinned=True, removed=False).values_list("mentee_id", "mentor_id"))
    removed = _pair_list(run.removed) + list(
        rows.filter(removed=True).values_list("mentee_id", "mentor_id")
    )
    return cohort_run_start(
        program=run.program,
        actor=actor,
        mentee_ids=run.mentee_ids,
        pins=pins,
        removed=removed,
        request=request,
    )


def cohort_run_compute(*, run_id: int) -> None:
    """The worker's part: solve, then store every mentee's row and the totals."""
    # Claim: only a queued run starts, so a redelivered message does not solve it twice.
    if not CohortRun.objects.filter(pk=run_id, status=CohortRun.Status.QUEUED).update(
        status=CohortRun.Status.RUNNING
    ):
        return
    run = CohortRun.objects.select_related("program").get(pk=run_id)
    last = [0]

    def progress(done: int, total: int) -> None:
        if done - last[0] >= PROGRESS_EVERY or done == total:
            last[0] = done
            CohortRun.objects.filter(pk=run_id).update(mentees_done=done, mentees_total=total)

    try:
        assignment = cohort_assign(
            run.program,
            mentee_ids=run.mentee_ids,
            pins=_pair_list(run.pins),
            removed=_pair_list(run.removed),
            progress=progress,
        )
        p = assignment.profiles
        rows = [
            CohortPair(
                run_id=run_id,
                mentee_id=int(p.mentee_ids[i]),
                mentor_id=int(p.mentor_ids[j]),
                score=score,
                pinned=pinned,
            )
            for i, j, score, pinned in assignment.pairs()
        ]
        matched, total_score = len(rows), sum(row.score for row in rows)
        rows += [
            CohortPair(
                run_id=run_id,
                mentee_id=int(p.mentee_ids[i]),
                reason=reason,
                reason_words=words,
            )
            for i in assignment.unmatched_rows()
            for reason, words in [assignment.unmatched_reason(i)]
        ]
        with transaction.atomic():
            CohortPair.objects.bulk_create(rows, batch_size=PAIRS_WRITE_BATCH)
            CohortRun.objects.filter(pk=run_id).update(
                status=CohortRun.Status.DONE,
                mentees_total=p.n_mentees,
                mentees_done=p.n_mentees,
                matched=matched,
                unmatched=len(rows) - matched,
                total_score=total_score,
                exact=assignment.solution.exact,
                problems=assignment.problems,
                finished_at=now(),
            )
    except Exception as error:
        log.exception("cohort run %s failed", run_id)
        CohortRun.objects.filter(pk=run_id).update(
            status=CohortRun.Status.FAILED, error=str(error)[:500], finished_at=now()
        )
        raise


def _pair_change(pair: CohortPair, *, actor: User, request, **values) -> CohortPair:
    if pair.run.status != CohortRun.Status.DONE:
        raise ValidationError(_("This plan can no longer be changed; start a new run."))
    if pair.mentor_id is None:
        raise ValidationError(_("This mentee has no mentor in the plan."))
    for field, value in values.items():
        setattr(pair, field, value)
    pair.save(update_fields=list(values))
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=pair.run,
        program=pair.run.program,
        fields=[f"pair.{field}" for field in values],
        request=request,
    )
    return pair


@transaction.atomic
def cohort_pair_pin(*, pair: CohortPair, pinned: bool, actor: User, request=None) -> CohortPair:
    """Keep (or stop keeping) this pair when the plan is run again."""
    values = {"pinned": pinned}
    if pinned:
        values["removed"] = False
    return _pair_change(pair, actor=actor, request=request, **values)


@transaction.atomic
def cohort_pair_remove(*, pair: CohortPair, removed: bool, actor: User, request=None) -> CohortPair:
    """Take this pair out of the plan (not proposed; never used by a later run), or put it
    back."""
    values = {"removed": removed}
    if removed:
        values["pinned"] = False
    return _pair_change(pair, actor=actor, request=request, **values)


@transaction.atomic
def cohort_run_propose_start(*, run: CohortRun, actor: User, request=None) -> CohortRun:
    """Queue writing the plan's pairs (all but the removed ones) as matches."""
    run = CohortRun.objects.select_for_update().get(pk=run.pk)
    if run.status != CohortRun.Status.DONE:
        raise ValidationError(_("Only a finished plan can be proposed."))
    if not CohortPair.objects.filter(run=run, mentor__isnull=False, removed=False).exists():
        raise ValidationError(_("There is nothing to propose."))
    run.status = CohortRun.Status.PROPOSING
    run.save(update_fields=["status"])
    audit_record(actor=actor, action=Action.UPDATE, obj=run, fields=["status"], request=request)
    from matching.tasks import cohort_run_propose as task

    task.delay_on_commit(run.pk, actor.pk)
    return run


def cohort_run_propose(*, run_id: int, actor_id: int | None) -> int:
    """The worker's part: all of the plan's pairs in one `matches_create` (all or nothing)."""
    from matching.services import matches_create

    run = CohortRun.objects.select_related("program").get(pk=run_id)
    if run.status != CohortRun.Status.PROPOSING:
        return 0
    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    pairs = list(
        CohortPair.objects.filter(run=run, mentor__isnull=False, removed=False)
        .order_by("mentee_id")
        .values_list("mentee_id", "mentor_id")
    )
    try:
        with transaction.atomic():
            created = matches_create(program=run.program, pairs=pairs, actor=actor)
            CohortRun.objects.filter(pk=run_id).update(
                status=CohortRun.Status.PROPOSED, proposed_count=len(created), finished_at=now()
            )
    except PlanRefused as refusal:
        # Nothing was written: the plan went out of date. The page shows why (in its reader's
        # language, so the problems are stored untranslated); re-plan.
        CohortRun.objects.filter(pk=run_id).update(
            status=CohortRun.Status.FAILED, propose_problems=refusal.problems
        )
        return 0
    except ValidationError as error:
        # Any other refusal has only its text (in the worker's language).
        CohortRun.objects.filter(pk=run_id).update(
            status=CohortRun.Status.FAILED, error="; ".join(error.messages)[:500]
        )
        return 0
    return len(created)

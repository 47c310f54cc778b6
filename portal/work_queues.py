"""A coordinator's work queues for one program: every list a row of which is one click from its
action. Each queue is one query (the waiting queue adds the batch scoring of its page), so the
page costs the same for 1 row or 50."""

from __future__ import annotations

import numpy as np
from django.core.paginator import Paginator
from django.utils import timezone

from accounts.consents import consent_followups
from accounts.models import MenteeProfile, Program
from checkins.models import CheckIn
from checkins.selectors import open_alerts
from matching.models import Match
from matching.scoring import score_block
from matching.selectors import profiles_load, waiting_mentees
from notifications.selectors import failed_notifications
from outcomes.selectors import assessment_due_mentees

PAGE_SIZE = 25  # the waiting queue, paginated
SHOWN = 20  # every other queue: the oldest first, the total counted


def best_scores(program: Program, mentees: list[MenteeProfile]) -> dict[int, int | None]:
    """Each mentee's best allowed mentor's score, from the one scoring path (the suggestions
    page's and cohort matching's), for the whole page at once."""
    if not mentees:
        return {}
    profiles = profiles_load(
        program, mentees=MenteeProfile.objects.filter(pk__in=[m.pk for m in mentees])
    )
    if not profiles.n_mentors:
        return {m.pk: None for m in mentees}
    block = score_block(profiles, range(len(profiles.mentee_ids)))
    allowed = np.where(block.excluded == 0, block.score, -1)
    best = allowed.max(axis=1)
    return {
        int(pk): (int(score) if score >= 0 else None)
        for pk, score in zip(profiles.mentee_ids, best, strict=True)
    }


def assessments_due(program: Program):
    """Mentees with a questionnaire due or overdue, oldest enrolment first: outcomes' one rule
    (the reminders' time points), also behind the dashboard's count."""
    return (
        assessment_due_mentees(programs=[program])
        .select_related("user")
        .order_by("enrolled_on", "pk")
    )


def _queue(queryset) -> dict:
    rows = list(queryset[:SHOWN])
    # Counted every time (not only past SHOWN rows) so the page's cost never steps with size.
    total = queryset.count()
    return {"rows": rows, "total": total, "more": total - len(rows)}


def queues(user, program: Program, page_number) -> dict:
    now = timezone.now()
    waiting = Paginator(
        waiting_mentees()
        .filter(program=program)
        .select_related("user")
        .order_by("enrolled_on", "pk"),
        PAGE_SIZE,
    ).get_page(page_number)
    scores = best_scores(program, list(waiting.object_list))
    for mentee in waiting.object_list:
        mentee.best_score = scores.get(mentee.pk)
    return {
        "waiting": waiting,
        "proposed": _queue(
            Match.objects.filter(program=program, status=Match.Status.PROPOSED)
            .select_related("mentee", "mentor")
            .order_by("proposed_at", "pk")
        ),
        "alerts": _queue(open_alerts(user, program).order_by("raised_at", "pk")),
        "overdue": _queue(
            CheckIn.objects.filter(
                program=program, status=CheckIn.Status.SCHEDULED, scheduled_at__lt=now
            )
            .exclude(mentee=None)
            .select_related("mentee")
            .order_by("scheduled_at", "pk")
        ),
        "assessments": _queue(assessments_due(program)),
        "consents": _queue(consent_followups(Program.objects.filter(pk=program.pk))),
        "failed": _queue(failed_notifications(user, program)),
    }

"""Demo matches: each mentee matched a few days after enrolling, to the best-scoring mentor
with a place left (scored by the same path as the suggestions page), oldest enrollment first.
The mentored people now in follow-up had a match that ended when they completed the program;
one match ended and its mentee was matched again, one proposal waits for approval, and the
latest enrollments are still waiting for a mentor. Deterministic, dated relative to today."""

import random
from datetime import timedelta

from django.db import transaction

from accounts.demo import COMPLETED_AFTER_DAYS, demo_moment
from accounts.models import Membership, MenteeProfile, MentorProfile, Program, StatusChange, User
from matching.models import Match, MatchStatusChange
from matching.scoring import MENTOR_UNAVAILABLE, NO_PLACES, score_block
from matching.selectors import profiles_load
from matching.services import match_propose
from mentorship.audit import Action, audit_record

WAITING = 3  # the latest mentored enrollments have no mentor yet


@transaction.atomic
def demo_seed_matches(*, program: Program) -> None:
    if Match.objects.filter(program=program).exists():
        return
    rng = random.Random(2020)  # noqa: S311 — demo data, not security
    coordinator = (
        User.objects.filter(
            memberships__program=program, memberships__role=Membership.Role.COORDINATOR
        )
        .order_by("pk")
        .first()
    )
    mentees = list(
        MenteeProfile.objects.filter(
            program=program,
            study_arm=MenteeProfile.Arm.MENTORED,
            status=MenteeProfile.Status.ENROLLED,
        )
        .select_related("user")
        .order_by("enrolled_on", "pk")
    )
    if not mentees:
        return
    mentors = MentorProfile.objects.filter(program=program)
    profiles = profiles_load(
        program, mentees=MenteeProfile.objects.filter(pk__in=[m.pk for m in mentees])
    )
    block = score_block(profiles, range(profiles.n_mentees))
    # Places are counted here as the demo fills them; "no places" is not a hard rule yet.
    allowed = (block.excluded & ~MENTOR_UNAVAILABLE) == 0
    mentor_by_pk = {m.pk: m for m in mentors}
    mentor_at = {j: mentor_by_pk[int(pk)] for j, pk in enumerate(profiles.mentor_ids)}
    eligible = {j for j in mentor_at if profiles.mentor_ok[j] or _only_full(profiles, j)}
    room = {j: mentor_at[j].capacity for j in eligible}
    today = program.today()

    def best(mentee: MenteeProfile, *, skip=(), then=False) -> int | None:
        # `then`: a match that ended months ago; today's places say nothing about it.
        r = profiles.mentee_index[mentee.pk]
        order = sorted(eligible, key=lambda j: (-int(block.score[r, j]), int(j)))
        for j in order:
            if allowed[r, j] and (then or room[j] > 0) and j not in skip:
                return j
        return None

    # People past the program's 26 weeks: matched days after enrolling, their match ended
    # when they completed the program (they are in follow-up now).
    done = [m for m in mentees if m.enrolled_on + timedelta(COMPLETED_AFTER_DAYS) < today]
    mentees = [m for m in mentees if m not in done]
    then_rng = random.Random(2022)  # noqa: S311 — its own seed: the others stay as they were
    for mentee in done:
        j = best(mentee, then=True)
        if j is None:
            continue
        r = profiles.mentee_index[mentee.pk]
        proposed_on = mentee.enrolled_on + timedelta(days=then_rng.randint(1, 5))
        started_on = proposed_on + timedelta(days=then_rng.randint(1, 9))
        match = _start(
            program, mentee, mentor_at[j], int(block.score[r, j]), proposed_on, started_on,
            coordinator,
        )  # fmt: skip
        ended_on = mentee.enrolled_on + timedelta(days=COMPLETED_AFTER_DAYS)
        _finish(
            match, ended_on, Match.EndReason.COMPLETED, coordinator,
            mentee_to=(MenteeProfile.Status.COMPLETED, StatusChange.Reason.PROGRAM_COMPLETED),
        )  # fmt: skip

    matchable = mentees[:-WAITING] if len(mentees) > WAITING else []
    proposed = matchable.pop() if matchable else None
    for n, mentee in enumerate(matchable):
        j = best(mentee)
        if j is None:
            continue  # no mentor fits every hard rule: they wait, as on the suggestions page
        r = profiles.mentee_index[mentee.pk]
        proposed_on = mentee.enrolled_on + timedelta(days=rng.randint(1, 5))
        started_on = proposed_on + timedelta(days=rng.randint(1, 9))
        if started_on >= today:
            continue
        match = _start(
            program, mentee, mentor_at[j], int(block.score[r, j]), proposed_on, started_on,
            coordinator,
        )  # fmt: skip
        if n == 1 and (today - started_on).days > 60:
            # The second mentee asked for another mentor after five weeks and got one.
            ended_on = started_on + timedelta(days=35)
            _finish(match, ended_on, Match.EndReason.REMATCH, coordinator)
            other = best(mentee, skip={j})
            if other is None:
                continue
            room[j] += 1
            again = ended_on + timedelta(days=rng.randint(2, 6))
            match = _start(
                program, mentee, mentor_at[other], int(block.score[r, other]),
                ended_on + timedelta(days=1), again, coordinator,
            )  # fmt: skip
            j = other
        room[j] -= 1
    if proposed is not None and best(proposed) is not None:
        # Through the service, as a coordinator would: its score, history and audit entry.
        match_propose(mentee=proposed, mentor=mentor_at[best(proposed)], actor=coordinator)


def _only_full(profiles, j: int) -> bool:
    return profiles.mentor_why[j] == NO_PLACES


def _start(program, mentee, mentor, score, proposed_on, started_on, coordinator) -> Match:
    """A proposal approved by the coordinator, with its history dated when it happened."""
    proposed_at = demo_moment(program, proposed_on, hour=10)
    started_at = demo_moment(program, started_on, hour=14)
    match = Match.objects.create(
        program=program,
        mentor=mentor,
        mentee=mentee,
        status=Match.Status.ACTIVE,
        score=score,
        proposed_at=proposed_at,
        started_at=started_at,
        created_by=coordinator,
    )
    MatchStatusChange.objects.bulk_create(
        [
            MatchStatusChange(
                match=match,
                from_status="",
                to_status=Match.Status.PROPOSED,
                changed_at=proposed_at,
                changed_by=coordinator,
            ),
            MatchStatusChange(
                match=match,
                from_status=Match.Status.PROPOSED,
                to_status=Match.Status.ACTIVE,
                changed_at=started_at,
                changed_by=coordinator,
            ),
        ]
    )
    fields = ["mentee", "mentor", "status", "score"]
    audit_record(actor=coordinator, action=Action.CREATE, obj=match, fields=fields, at=proposed_at)
    audit_record(
        actor=coordinator,
        action=Action.UPDATE,
        obj=match,
        fields=["status", "started_at"],
        at=started_at,
    )
    _mentee_status(
        mentee,
        MenteeProfile.Status.ACTIVE,
        StatusChange.Reason.MATCH_STARTED,
        started_at,
        coordinator,
    )
    return match


def _finish(
    match: Match,
    ended_on,
    reason: str,
    coordinator,
    mentee_to=(MenteeProfile.Status.ENROLLED, StatusChange.Reason.MATCH_ENDED),
) -> None:
    ended_at = demo_moment(match.program, ended_on, hour=15)
    match.status, match.ended_at, match.end_reason = Match.Status.ENDED, ended_at, reason
    match.save(update_fields=["status", "ended_at", "end_reason"])
    MatchStatusChange.objects.create(
        match=match,
        from_status=Match.Status.ACTIVE,
        to_status=Match.Status.ENDED,
        end_reason=reason,
        changed_at=ended_at,
        changed_by=coordinator,
    )
    audit_record(
        actor=coordinator,
        action=Action.UPDATE,
        obj=match,
        fields=["status", "ended_at", "end_reason", "do_not_rematch"],
        at=ended_at,
    )
    _mentee_status(match.mentee, *mentee_to, ended_at, coordinator)


def _mentee_status(mentee: MenteeProfile, status: str, reason: str, at, coordinator) -> None:
    StatusChange.objects.create(
        mentee=mentee,
        from_status=mentee.status,
        to_status=status,
        reason=reason,
        changed_at=at,
        changed_by=coordinator,
    )
    mentee.status = status
    mentee.save(update_fields=["status", "updated_at"])
    audit_record(actor=coordinator, action=Action.UPDATE, obj=mentee, fields=["status"], at=at)

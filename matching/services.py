"""Writes for matching: proposing, approving, accepting, pausing and ending matches, and
never-pair exclusions. Every change is audited (field names only) and kept in MatchStatusChange.

Locks, always in this order so two transactions never wait on each other in a cycle: mentor
rows (by id), then mentee rows (by id), then the match.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from accounts.models import MenteeProfile, MentorProfile, Program, StatusChange, User
from matching import notices
from matching.cohort import PlanRefused, pairs_check
from matching.hooks import match_ended
from matching.models import Match, MatchStatusChange, NeverPair, plan_problem
from matching.scoring import MENTOR_UNAVAILABLE, NO_PLACES, exclusion_reasons, score_block
from matching.selectors import matching_settings_get, profiles_load
from mentorship.audit import Action, audit_record

MenteeStatus = MenteeProfile.Status


# --- small helpers ---------------------------------------------------------------------------


def _history(match: Match, *, from_status: str, actor, end_reason: str = "") -> None:
    MatchStatusChange.objects.create(
        match=match,
        from_status=from_status,
        to_status=match.status,
        end_reason=end_reason,
        changed_by=actor if actor is not None and actor.is_authenticated else None,
    )


def _mentee_status_set(mentee: MenteeProfile, status: str, *, actor, reason: str) -> None:
    """Keep the mentee's status in step with their match, with its dated history."""
    if mentee.status == status:
        return
    StatusChange.objects.create(
        mentee=mentee,
        from_status=mentee.status,
        to_status=status,
        reason=reason,
        changed_by=actor if actor is not None and actor.is_authenticated else None,
    )
    mentee.status = status
    mentee.save(update_fields=["status", "updated_at"])
    audit_record(actor=actor, action=Action.UPDATE, obj=mentee, fields=["status"])


def _lock_mentor(mentor: MentorProfile) -> MentorProfile:
    # Prevents the capacity race: two coordinators approving different mentees for the same
    # mentor at the same moment would each count the mentor's matches before either wrote.
    # Holding the mentor row makes the second count wait for the first approval to commit.
    return MentorProfile.objects.select_for_update().get(pk=mentor.pk)


def _lock_mentee(mentee: MenteeProfile) -> MenteeProfile:
    # Prevents two approvals of different proposals for one mentee from both passing the
    # "no current match" check; the partial unique constraint is the backstop.
    return MenteeProfile.objects.select_for_update().get(pk=mentee.pk)


def _check_room(mentor: MentorProfile, *, extra: int = 1) -> None:
    current = Match.objects.filter(mentor=mentor, status__in=Match.CURRENT).count()
    if current + extra > mentor.capacity:
        raise ValidationError(
            ngettext(
                "%(mentor)s has no place left (%(current)s of %(capacity)s mentee).",
                "%(mentor)s has no place left (%(current)s of %(capacity)s mentees).",
                mentor.capacity,
            )
            % {"mentor": mentor, "current": current, "capacity": mentor.capacity}
        )


def _check_allowed(program: Program, mentee: MenteeProfile, mentor: MentorProfile) -> int:
    """The pair's score, or ValidationError listing the hard constraints it breaks."""
    profiles = profiles_load(
        program,
        mentees=MenteeProfile.objects.filter(pk=mentee.pk),
        mentors=MentorProfile.objects.filter(pk=mentor.pk),
    )
    j = profiles.mentor_index.get(mentor.pk)
    if j is None or profiles.n_mentees != 1:
        raise ValidationError(_("This mentor and mentee are not in the same program."))
    block = score_block(profiles, [0])
    bits = int(block.excluded[0, j])
    # A mentor whose places are all taken or proposed may still be proposed: capacity is
    # checked again under the row lock when the match starts, which is what counts.
    why = int(profiles.mentor_why[j]) & ~NO_PLACES
    if not why:
        bits &= ~MENTOR_UNAVAILABLE
    if bits:
        raise ValidationError(exclusion_reasons(profiles, 0, j, bits, why))
    return int(block.score[0, j])


# --- the lifecycle ---------------------------------------------------------------------------


@transaction.atomic
def match_propose(
    *, mentee: MenteeProfile, mentor: MentorProfile, actor: User, request=None
) -> Match:
    """A coordinator proposes a pair that passes every hard constraint."""
    if mentee.program_id != mentor.program_id:
        raise ValidationError(_("This mentor and mentee are not in the same program."))
    if mentee.study_arm != MenteeProfile.Arm.MENTORED:
        raise ValidationError(_("Mentees in the comparison arm are never matched."))
    program = mentee.program
    if Match.objects.filter(mentee=mentee, mentor=mentor, status=Match.Status.PROPOSED).exists():
        raise ValidationError(_("This match is already proposed."))
    score = _check_allowed(program, mentee, mentor)
    match = Match.objects.create(
        program=program, mentee=mentee, mentor=mentor, score=score, created_by=actor
    )
    _history(match, from_status="", actor=actor)
    audit_record(
        actor=actor,
        action=Action.CREATE,
        obj=match,
        fields=["mentee", "mentor", "status", "score"],
        request=request,
    )
    if matching_settings_get(program).mentor_must_accept:
        notices.notices_send(
            kind=notices.PROPOSED, matches=[match], to_mentee=False, to_mentor=True
        )
    return match


def _activate(match: Match, *, actor: User, request=None) -> Match:
    mentor = _lock_mentor(match.mentor)
    mentee = _lock_mentee(match.mentee)
    match = Match.objects.select_for_update().get(pk=match.pk)
    if match.status != Match.Status.PROPOSED:
        raise ValidationError(_("Only a proposed match can start."))
    if Match.objects.filter(mentee=mentee, status__in=Match.CURRENT).exists():
        raise ValidationError(_("This mentee already has a current mentor; end that match first."))
    if not mentor.is_active:
        raise ValidationError(_("This mentor's profile is inactive."))
    _check_room(mentor)
    match.status = Match.Status.ACTIVE
    match.started_at = timezone.now()
    match.save(update_fields=["status", "started_at"])
    _history(match, from_status=Match.Status.PROPOSED, actor=actor)
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=match,
        fields=["status", "started_at"],
        request=request,
    )
    _mentee_status_set(
        mentee, MenteeStatus.ACTIVE, actor=actor, reason=StatusChange.Reason.MATCH_STARTED
    )
    # Other open proposals for this mentee lapse: they have a mentor now.
    for other in Match.objects.filter(mentee=mentee, status=Match.Status.PROPOSED):
        _end(other, actor=actor, reason=Match.EndReason.OTHER, do_not_rematch=False)
    notices.notices_send(kind=notices.STARTED, matches=[match], to_mentee=True, to_mentor=True)
    return match


@transaction.atomic
def match_approve(*, match: Match, actor: User, request=None) -> Match:
    """A coordinator starts a proposed match (unless the program wants the mentor to accept)."""
    if matching_settings_get(match.program).mentor_must_accept:
        raise ValidationError(_("In this program the mentor accepts proposed matches."))
    return _activate(match, actor=actor, request=request)


@transaction.atomic
def match_accept(*, match: Match, actor: User, request=None) -> Match:
    """The proposed mentor accepts."""
    if match.mentor.user_id != actor.pk:
        raise ValidationError(_("Only the proposed mentor can accept this match."))
    return _activate(match, actor=actor, request=request)


@transaction.atomic
def match_decline(*, match: Match, actor: User, request=None) -> Match:
    """The proposed mentor declines; the mentee stays available."""
    if match.mentor.user_id != actor.pk:
        raise ValidationError(_("Only the proposed mentor can decline this match."))
    match = Match.objects.select_for_update().get(pk=match.pk)
    if match.status != Match.Status.PROPOSED:
        raise ValidationError(_("Only a proposed match can be declined."))
    return _end(match, actor=actor, reason=Match.EndReason.MENTOR_UNAVAILABLE, request=request)


@transaction.atomic
def match_pause(*, match: Match, actor: User, request=None) -> Match:
    # Prevents a pause and an end racing: both read "active" and the later write would win.
    match = Match.objects.select_for_update().get(pk=match.pk)
    if match.status != Match.Status.ACTIVE:
        raise ValidationError(_("Only an active match can be paused."))
    match.status = Match.Status.PAUSED
    match.save(update_fields=["status"])
    _history(match, from_status=Match.Status.ACTIVE, actor=actor)
    audit_record(actor=actor, action=Action.UPDATE, obj=match, fields=["status"], request=request)
    _mentee_status_set(
        match.mentee, MenteeStatus.PAUSED, actor=actor, reason=StatusChange.Reason.MATCH_PAUSED
    )
    return match


@transaction.atomic
def match_resume(*, match: Match, actor: User, request=None) -> Match:
    # Same race as pausing; a paused match keeps its place, so capacity is unchanged.
    match = Match.objects.select_for_update().get(pk=match.pk)
    if match.status != Match.Status.PAUSED:
        raise ValidationError(_("Only a paused match can resume."))
    match.status = Match.Status.ACTIVE
    match.save(update_fields=["status"])
    _history(match, from_status=Match.Status.PAUSED, actor=actor)
    audit_record(actor=actor, action=Action.UPDATE, obj=match, fields=["status"], request=request)
    _mentee_status_set(
        match.mentee, MenteeStatus.ACTIVE, actor=actor, reason=StatusChange.Reason.MATCH_RESUMED
    )
    return match


def _end(match: Match, *, actor, reason: str, do_not_rematch: bool = False, request=None) -> Match:
    was = match.status
    match.status = Match.Status.ENDED
    match.ended_at = timezone.now()
    match.end_reason = reason
    match.do_not_rematch = do_not_rematch
    match.save(update_fields=["status", "ended_at", "end_reason", "do_not_rematch"])
    _history(match, from_status=was, actor=actor, end_reason=reason)
    notices.notices_withdraw(match=match)
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=match,
        fields=["status", "ended_at", "end_reason", "do_not_rematch"],
        request=request,
    )
    match_ended(match_id=match.pk, actor_id=actor.pk if actor is not None else None)
    if was in Match.CURRENT:
        completed = reason == Match.EndReason.COMPLETED
        _mentee_status_set(
            match.mentee,
            MenteeStatus.COMPLETED if completed else MenteeStatus.ENROLLED,
            actor=actor,
            reason=StatusChange.Reason.MATCH_ENDED,
        )
    return match


@transaction.atomic
def match_end(
    *, match: Match, actor: User, reason: str, do_not_rematch: bool = False, request=None
) -> Match:
    """End (or withdraw) a match. The mentor loses access to the mentee on the next request,
    because the access policy only follows active matches."""
    if reason not in Match.EndReason.values:
        raise ValidationError(_("Choose why the match ends."))
    # Prevents ending twice (two coordinators, or a double submit) writing two histories.
    match = Match.objects.select_for_update().get(pk=match.pk)
    if match.status == Match.Status.ENDED:
        raise ValidationError(_("This match has already ended."))
    return _end(match, actor=actor, reason=reason, do_not_rematch=do_not_rematch, request=request)


@transaction.atomic
def matches_create(
    *, program: Program, pairs: list[tuple[int, int]], actor: User | None, request=None
) -> list[Match]:
    """Write a whole cohort's matches at once, all or nothing: [(mentee id, mentor id)].

    Active at once, or proposed where the program wants its mentors to accept. An assignment
    gone out of date is refused with `PlanRefused` (a ValidationError): a background run
    stores its problems and shows them in the reader's language."""
    must_accept = matching_settings_get(program).mentor_must_accept
    pairs = [(int(a), int(b)) for a, b in pairs]
    mentor_ids = sorted({mentor_id for _, mentor_id in pairs})
    mentee_ids = sorted({mentee_id for mentee_id, _ in pairs})
    if len(mentee_ids) != len(pairs):
        raise PlanRefused([plan_problem(gettext_noop("A mentee appears twice in the assignment."))])
    # Same capacity race as _lock_mentor, for many mentors; locked in id order (see top).
    mentors = {
        m.pk: m
        for m in MentorProfile.objects.select_for_update()
        .filter(program=program, pk__in=mentor_ids)
        .order_by("pk")
        .select_related("user")
    }
    mentees = {
        m.pk: m
        for m in MenteeProfile.objects.select_for_update()
        .filter(program=program, pk__in=mentee_ids)
        .order_by("pk")
        .select_related("user")
    }
    if len(mentors) != len(mentor_ids) or len(mentees) != len(mentee_ids):
        raise PlanRefused(
            [plan_problem(gettext_noop("Some people in the assignment are not in this program."))]
        )
    # The assignment was planned from a snapshot: re-check it against the rows we now hold.
    problems, scores = pairs_check(program, pairs, must_accept=must_accept)
    if problems:
        raise PlanRefused(problems)
    now = timezone.now()
    status = Match.Status.PROPOSED if must_accept else Match.Status.ACTIVE
    created = Match.objects.bulk_create(
        Match(
            program=program,
            mentee=mentees[mentee_id],
            mentor=mentors[mentor_id],
            score=scores[(mentee_id, mentor_id)],
            status=status,
            proposed_at=now,
            started_at=None if must_accept else now,
            created_by=actor,
        )
        for mentee_id, mentor_id in pairs
    )
    MatchStatusChange.objects.bulk_create(
        MatchStatusChange(
            match=m, from_status="", to_status=status, changed_at=now, changed_by=actor
        )
        for m in created
    )
    for match in created:
        audit_record(
            actor=actor,
            action=Action.CREATE,
            obj=match,
            fields=["mentee", "mentor", "status", "score"],
            request=request,
        )
        if not must_accept:
            _mentee_status_set(
                match.mentee, MenteeStatus.ACTIVE, actor=actor, reason=StatusChange.Reason.MATCHED
            )
    notices.notices_send(
        kind=notices.PROPOSED if must_accept else notices.STARTED,
        matches=created,
        to_mentee=not must_accept,
        to_mentor=True,
    )
    return created


@transaction.atomic
def never_pair_add(
    *, mentee: MenteeProfile, mentor: MentorProfile, reason: str, actor: User, request=None
) -> NeverPair:
    if mentee.program_id != mentor.program_id:
        raise ValidationError(_("This mentor and mentee are not in the same program."))
    if reason not in NeverPair.Reason.values:
        raise ValidationError(_("Choose a reason."))
    exclusion, created = NeverPair.objects.get_or_create(
        mentee=mentee,
        mentor=mentor,
        defaults={"program_id": mentee.program_id, "reason": reason, "created_by": actor},
    )
    if created:
        audit_record(
            actor=actor,
            action=Action.CREATE,
            obj=exclusion,
            person=mentee.user,
            fields=["mentee", "mentor", "reason"],
            request=request,
        )
    return exclusion


@transaction.atomic
def never_pair_remove(*, exclusion: NeverPair, actor: User, request=None) -> None:
    audit_record(
        actor=actor,
        action=Action.DELETE,
        obj=exclusion,
        person=exclusion.mentee.user,
        fields=["mentee", "mentor", "reason"],
        request=request,
    )
    exclusion.delete()


@transaction.atomic
def matching_settings_update(*, program: Program, form, actor: User, request=None):
    """Save the program's weights and acceptance rule (a ModelForm already validated)."""
    settings_row = form.save(commit=False)
    settings_row.program = program
    settings_row.save()
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=settings_row,
        program=program,
        fields=form.changed_data,
        request=request,
    )
    return settings_row

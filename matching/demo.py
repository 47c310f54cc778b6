"""Demo matches: the first mentors each have one or two active mentees."""

from django.db import transaction
from django.utils import timezone

from accounts.models import MenteeProfile, MentorProfile, Program
from matching.models import Match, MatchStatusChange


@transaction.atomic
def demo_seed_matches(*, program: Program) -> None:
    if Match.objects.filter(program=program).exists():
        return
    mentors = list(MentorProfile.objects.filter(program=program).order_by("user__email")[:5])
    mentees = list(
        MenteeProfile.objects.filter(program=program, study_arm=MenteeProfile.Arm.MENTORED)
        .select_related("user")
        .order_by("user__email")
    )
    by_email = {m.user.email: m for m in mentees}
    pairs = [
        (mentors[0], by_email.get("mentee1@demo.example")),
        (mentors[0], by_email.get("mentee2@demo.example")),
    ]
    pairs += [
        (mentor, mentee)
        for mentor, mentee in zip(
            mentors[1:], [m for m in mentees if m not in (p[1] for p in pairs)], strict=False
        )
    ]
    now = timezone.now()
    for mentor, mentee in pairs:
        if mentee is None:
            continue
        match = Match.objects.create(
            program=program,
            mentor=mentor,
            mentee=mentee,
            status=Match.Status.ACTIVE,
            score=80,
            proposed_at=now,
            started_at=now,
        )
        MatchStatusChange.objects.create(match=match, from_status="", to_status=match.status)
        mentee.status = MenteeProfile.Status.ACTIVE
        mentee.save(update_fields=["status"])

"""Demo check-ins: a weekly schedule per demo match from its start, the weeks since logged
(some no-shows) up to today or the match's end, the next ones planned, a concern and an open
alert, a group session. Idempotent."""

import random
from datetime import time, timedelta

from django.db import transaction
from django.db.models import Value
from django.db.models.functions import Coalesce, Least
from django.utils import timezone

from accounts.models import FocusArea, MenteeProfile, MentorProfile, Program
from checkins import services
from checkins.models import CheckIn, Schedule
from matching.models import Match, MatchStatusChange
from mentorship.models import AuditEntry


@transaction.atomic
def demo_seed_checkins(*, program: Program) -> None:
    """Every match's weeks from its start to today or its end (held, a few no-shows and
    cancellations, each logged two hours after its time, the next one planned while it runs;
    their use answers are set by the outcomes demo from the use log), then through the services: a
    concern raised two days ago, yesterday's check-in still waiting for its log and a group
    session in three days."""
    started = list(
        Match.objects.filter(program=program, status__in=[Match.Status.ACTIVE, Match.Status.ENDED])
        .select_related("mentor__user", "mentee")
        .order_by("started_at", "pk")
    )
    matches = [m for m in started if m.status == Match.Status.ACTIVE]
    if not matches or Schedule.objects.filter(match__program=program).exists():
        return
    _large_checkins(program, started, seed=2020)
    now = timezone.now()
    topics = list(FocusArea.objects.filter(program=program)[:3])
    concern = matches[1 % len(matches)]
    contact = services.checkin_create(
        actor=concern.mentor.user, match=concern, scheduled_at=now - timedelta(days=2, hours=3)
    )
    services.checkin_log(
        actor=concern.mentor.user,
        checkin=contact,
        data=services.LogData(
            status=CheckIn.Status.COMPLETED,
            mood=2,
            craving=6,
            use_reported="no",
            topics=topics[:2],
            goals_reviewed=False,
            next_steps="Call me tonight before the meeting; we go together on Thursday.",
            notes="Demo note: a hard week at home, cravings high.",
            risk="concern",
        ),
    )
    for match in matches[-3:]:
        # A check-in from yesterday still waiting for its log (the mentor's to-do).
        services.checkin_create(
            actor=match.mentor.user, match=match, scheduled_at=now - timedelta(hours=20)
        )
    first = matches[0]
    mentees = [m.mentee for m in matches if m.mentor_id == first.mentor_id]
    services.group_session_create(
        actor=first.mentor.user,
        facilitator=first.mentor,
        mentees=mentees,
        scheduled_at=now + timedelta(days=3),
        title="Weekly group mentoring",
    )
    services.engagement_scan()


def demo_seed_checkins_large(*, program: Program, matched: int) -> None:
    """The large program's year: `matched` active matches (mentors and mentored mentees enrolled
    a year or more ago, in primary key order), each with a weekly schedule from the match's
    start, a check-in a week (mostly completed, some no-shows and cancellations), the next one
    scheduled, and an audit entry per logged check-in. Bulk inserts; idempotent."""
    if not Match.objects.filter(program=program).exists():
        with transaction.atomic():
            _large_matches(program, matched)
    # One transaction per slice of matches (a year of check-ins is too much for one); a run cut
    # short resumes with the matches that have no schedule yet.
    matches = list(
        Match.objects.filter(program=program, status=Match.Status.ACTIVE, schedules__isnull=True)
        .select_related("mentor")
        .order_by("pk")
    )
    for start in range(0, len(matches), 250):
        with transaction.atomic():
            _large_checkins(program, matches[start : start + 250])


def _large_matches(program: Program, matched: int) -> None:
    today = program.today()
    mentees = list(
        MenteeProfile.objects.filter(
            program=program,
            study_arm=MenteeProfile.Arm.MENTORED,
            enrolled_on__lte=today - timedelta(days=365),
        ).order_by("pk")[:matched]
    )
    mentors = list(MentorProfile.objects.filter(program=program).order_by("pk")[: len(mentees)])
    now = timezone.now()
    matches = Match.objects.bulk_create(
        [
            Match(
                program=program,
                mentor=mentor,
                mentee=mentee,
                status=Match.Status.ACTIVE,
                score=60 + i % 40,
                proposed_at=now - timedelta(days=(today - mentee.enrolled_on).days - 3),
                started_at=now - timedelta(days=(today - mentee.enrolled_on).days - 7),
            )
            for i, (mentor, mentee) in enumerate(zip(mentors, mentees, strict=False))
        ],
        batch_size=2000,
    )
    MatchStatusChange.objects.bulk_create(
        [
            MatchStatusChange(match=m, from_status="", to_status=m.status, changed_at=m.started_at)
            for m in matches
        ],
        batch_size=2000,
    )
    MenteeProfile.objects.filter(pk__in=[m.mentee_id for m in matches]).update(
        status=MenteeProfile.Status.ACTIVE
    )


def _large_checkins(program: Program, matches: list[Match], seed: int | None = None) -> None:
    rng = random.Random(seed or matches[0].pk)  # noqa: S311 — demo data, not security
    now = timezone.now()
    modes = ["phone", "in_person", "video"]
    schedules = Schedule.objects.bulk_create(
        [
            Schedule(
                match=m,
                cadence=Schedule.Cadence.WEEKLY,
                starts_on=m.started_at.date(),
                ends_on=m.ended_at.date() if m.ended_at else None,
                is_active=m.ended_at is None,
                time_of_day=time(17 + i % 3, 30),
                mode=modes[i % 3],
                duration_minutes=45,
                created_at=m.started_at,
            )
            for i, m in enumerate(matches)
        ]
    )
    checkins, audit = [], []
    for match, schedule in zip(matches, schedules, strict=True):
        at = match.started_at + timedelta(days=1)
        while True:
            if match.ended_at is not None and at > match.ended_at:
                break  # the match ended: nothing planned after it
            past = at < now
            roll = rng.random()
            if not past:
                status = CheckIn.Status.SCHEDULED
            elif roll < 0.85:
                status = CheckIn.Status.COMPLETED
            elif roll < 0.95:
                status = CheckIn.Status.NO_SHOW
            else:
                status = CheckIn.Status.CANCELLED
            held = status == CheckIn.Status.COMPLETED
            logged = past and status != CheckIn.Status.CANCELLED
            checkins.append(
                CheckIn(
                    program=program,
                    match=match,
                    mentee_id=match.mentee_id,
                    schedule=schedule,
                    scheduled_at=at,
                    duration_minutes=45,
                    mode=schedule.mode,
                    status=status,
                    actual_at=at if held else None,
                    actual_minutes=40 + rng.randint(0, 20) if held else None,
                    mood=rng.randint(2, 5) if held else None,
                    craving=rng.randint(0, 6) if held else None,
                    use_reported=CheckIn.UseReport.NO if held else CheckIn.UseReport.NOT_ASKED,
                    goals_reviewed=held and rng.random() < 0.5,
                    next_steps="Keep the morning routine; call if cravings spike." if held else "",
                    logged_at=at + timedelta(hours=2) if logged else None,
                    logged_by_id=match.mentor.user_id if logged else None,
                    created_at=at - timedelta(days=7),
                )
            )
            if logged:
                audit.append(
                    AuditEntry(
                        at=at + timedelta(hours=2),
                        actor_id=match.mentor.user_id,
                        action=AuditEntry.Action.UPDATE,
                        object_type="checkins.checkin",
                        program_id=program.pk,
                        person_id=None,  # filled in below, from the mentee
                        fields=["mood", "status"],
                    )
                )
                audit[-1].mentee_pk = match.mentee_id
            if not past:
                break
            at += timedelta(days=7)
    CheckIn.objects.bulk_create(checkins, batch_size=5000)
    # A year of check-ins was last changed over that year (when logged, or planned), not all
    # today: the outcome reports watch `updated_at` for changes since their stored figures.
    CheckIn.objects.filter(pk__in=[c.pk for c in checkins]).update(
        updated_at=Least(Coalesce("logged_at", "created_at"), Value(now))
    )
    users = dict(
        MenteeProfile.objects.filter(pk__in=[m.mentee_id for m in matches]).values_list(
            "pk", "user_id"
        )
    )
    logged = iter(c for c in checkins if c.logged_at is not None)
    for entry in audit:
        entry.object_id = str(next(logged).pk)
        entry.person_id = users[entry.mentee_pk]
    AuditEntry.objects.bulk_create(audit, batch_size=5000)

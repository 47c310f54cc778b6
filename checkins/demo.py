"""Demo check-ins: a weekly schedule per demo match, a few logged ones (one no-show, one
concern), upcoming ones with reminders, a group session and an open alert. Idempotent."""

from datetime import time, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import FocusArea, Program
from checkins import services
from checkins.models import CheckIn, Schedule
from matching.models import Match


@transaction.atomic
def demo_seed_checkins(*, program: Program) -> None:
    matches = list(
        Match.objects.filter(program=program, status=Match.Status.ACTIVE)
        .select_related("mentor__user", "mentee")
        .order_by("pk")
    )
    if not matches or Schedule.objects.filter(match__program=program).exists():
        return
    now = timezone.now()
    today = program.today()
    topics = list(FocusArea.objects.filter(program=program)[:3])
    for i, match in enumerate(matches):
        mentor = match.mentor.user
        services.schedule_create(
            actor=mentor,
            match=match,
            cadence=Schedule.Cadence.WEEKLY,
            starts_on=today + timedelta(days=1 + i % 5),
            time_of_day=time(17 + i % 3, 30),
            mode=["phone", "in_person", "video"][i % 3],
            duration_minutes=45,
        )
        # Three past weeks, logged (the fourth match's last two were no-shows).
        for week in (3, 2, 1):
            past = services.checkin_create(
                actor=mentor, match=match, scheduled_at=now - timedelta(days=7 * week, hours=i)
            )
            no_show = i == 3 and week < 3
            services.checkin_log(
                actor=mentor,
                checkin=past,
                data=services.LogData(
                    status=CheckIn.Status.NO_SHOW if no_show else CheckIn.Status.COMPLETED,
                    mood=3 + (week + i) % 3,
                    craving=(i + week) % 6,
                    use_reported="no",
                    topics=topics[: 1 + week % 3],
                    goals_reviewed=week == 1,
                    next_steps="Keep the morning routine; call if cravings spike.",
                    notes="Demo note: steady week.",
                    risk="concern" if (i == 1 and week == 1) else "",
                ),
            )
        # One check-in from yesterday still waiting for its log (the mentor's to-do).
        services.checkin_create(actor=mentor, match=match, scheduled_at=now - timedelta(hours=20))
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

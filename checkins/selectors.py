"""Check-in reads. Every query starts from the access policy."""

from datetime import datetime, timedelta

from django.db.models import (
    Count,
    FloatField,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.utils import timezone

from accounts import consents
from accounts.models import Program, User
from checkins import emails
from checkins.models import Alert, Attendance, CheckIn, CheckInNote
from matching.models import Match
from mentorship import access
from notifications.models import Notification


def checkins_for(user: User) -> QuerySet:
    return access.scope(user, CheckIn.objects.all()).select_related(
        "program", "match__mentor__user", "mentee__user", "facilitator__user"
    )


def takes_part_q(user: User) -> Q:
    """Check-ins the user is in (as mentor, mentee, facilitator or group attendee)."""
    attended = Attendance.objects.filter(mentee__user=user).values("checkin_id")
    return (
        Q(match__mentor__user=user)
        | Q(mentee__user=user)
        | Q(facilitator__user=user)
        | Q(pk__in=attended)
    )


def to_log(user: User, now: datetime | None = None) -> QuerySet:
    """Past check-ins the user runs that still await their log (mentor's to-do)."""
    now = now or timezone.now()
    return checkins_for(user).filter(
        Q(match__mentor__user=user) | Q(facilitator__user=user),
        status=CheckIn.Status.SCHEDULED,
        scheduled_at__lte=now,
    )


def upcoming(user: User, now: datetime | None = None) -> QuerySet:
    now = now or timezone.now()
    return checkins_for(user).filter(status=CheckIn.Status.SCHEDULED, scheduled_at__gt=now)


def past(user: User, now: datetime | None = None) -> QuerySet:
    now = now or timezone.now()
    return (
        checkins_for(user)
        .exclude(status=CheckIn.Status.SCHEDULED)
        .filter(scheduled_at__lte=now + timedelta(days=1))
        .order_by("-scheduled_at", "-id")
    )


def group_sessions_for_mentee(user: User, now: datetime | None = None) -> QuerySet:
    """A mentee reaches group sessions through their attendance rows."""
    now = now or timezone.now()
    return (
        access.scope(user, Attendance.objects.all(), roles=(access.MENTEE,))
        .filter(checkin__scheduled_at__gt=now - timedelta(days=1))
        .select_related("checkin__program")
        .order_by("checkin__scheduled_at")
    )


def note_for(user: User, checkin: CheckIn) -> CheckInNote | None:
    """The confidential notes, if this user may read them (never through the mentee role).
    A mentee's notes need the consent even when this mentor wrote them: revoking it hides them
    from their author too. A group session's notes are about no one mentee."""
    if checkin.mentee_id and not consents.may_see(user, checkin.mentee, "checkin.note"):
        return None
    return (
        access.scope(
            user,
            CheckInNote.objects.filter(checkin=checkin),
            roles=(access.COORDINATOR, access.MENTOR),
        )
        .select_related("written_by")
        .first()
    )


def last_contact(checkin: CheckIn):
    """When the mentee was last seen before this check-in (bounds the use-days question)."""
    if checkin.match_id is None:
        return None
    return (
        CheckIn.objects.filter(
            match=checkin.match,
            status=CheckIn.Status.COMPLETED,
            scheduled_at__lt=checkin.scheduled_at,
        )
        .order_by("-actual_at")
        .values_list("actual_at", flat=True)
        .first()
    )


def engagement_rows(program: Program, now: datetime | None = None) -> QuerySet:
    """Per active match: last contact, next check-in, this month's completed vs scheduled,
    contact hours per week over the last four weeks, open alerts. One query."""
    now = now or timezone.now()
    local = now.astimezone(program.tzinfo)
    month_start = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    four_weeks = now - timedelta(weeks=4)
    done = Q(checkins__status=CheckIn.Status.COMPLETED)
    in_month = Q(checkins__scheduled_at__gte=month_start, checkins__scheduled_at__lte=now)
    open_alerts = (
        Alert.objects.filter(match=OuterRef("pk"), resolved_at__isnull=True)
        .values("match")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        Match.objects.filter(program=program, status=Match.Status.ACTIVE)
        .select_related("mentee__user", "mentor__user")
        .annotate(
            last_contact=Max("checkins__actual_at", filter=done),
            next_checkin=Min(
                "checkins__scheduled_at",
                filter=Q(checkins__status=CheckIn.Status.SCHEDULED, checkins__scheduled_at__gt=now),
            ),
            completed_month=Count("checkins", filter=done & in_month),
            scheduled_month=Count(
                "checkins",
                filter=in_month
                & ~Q(checkins__status__in=[CheckIn.Status.CANCELLED, CheckIn.Status.RESCHEDULED]),
            ),
            # Dose, as MAP measured it: contact hours per week, here over the last four weeks.
            hours_per_week=Sum(
                "checkins__actual_minutes",
                filter=done & Q(checkins__actual_at__gte=four_weeks),
                output_field=FloatField(),
            )
            / 240.0,
            open_alerts=Subquery(open_alerts, output_field=IntegerField()),
        )
        .order_by("mentor__last_name", "mentee__last_name", "pk")
    )


def open_alerts(user: User, program: Program | None = None) -> QuerySet:
    alerts = access.scope(
        user, Alert.objects.filter(resolved_at__isnull=True), roles=(access.COORDINATOR,)
    )
    if program is not None:
        alerts = alerts.filter(program=program)
    return alerts.select_related("program", "mentee__user", "checkin", "acknowledged_by")


def checkin_reminders(checkin: CheckIn) -> QuerySet:
    """The outbox rows of a check-in's reminders, any state."""
    return Notification.objects.filter(kind__in=emails.REMINDER_KINDS, about_id=checkin.pk)

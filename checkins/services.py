"""Check-in writes. Keyword-only, atomic, audited (field names only, never content)."""

import contextlib
import hashlib
import logging
import secrets
import smtplib
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import get_connection
from django.db import connection, transaction
from django.db.models import Max, OuterRef, Q, Subquery
from django.utils import timezone

from accounts.models import FocusArea, Membership, MenteeProfile, MentorProfile, Program, User
from checkins.emails import ReminderMessages
from checkins.hooks import not_held, use_reported
from checkins.models import (
    Alert,
    Attendance,
    CalendarFeed,
    CheckIn,
    CheckInNote,
    CheckinSettings,
    Reminder,
    ReminderPreference,
    Schedule,
)
from checkins.scheduling import local_to_utc, occurrence_dates, outside_quiet_hours, quiet_period
from checkins.sending import Outgoing, outgoing, sent_marks
from matching.models import Match
from mentorship.audit import Action, audit_record

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 4
LOG_NUDGE_AFTER = timedelta(hours=1)


def checkin_settings_get(*, program: Program) -> CheckinSettings:
    """The program's settings, or the defaults (unsaved): reading must not write a row."""
    return CheckinSettings.objects.filter(program=program).first() or CheckinSettings(
        program=program
    )


@transaction.atomic
def checkin_settings_update(*, actor: User, program: Program, **fields) -> CheckinSettings:
    found, _ = CheckinSettings.objects.get_or_create(program=program)
    changed = [name for name, value in fields.items() if getattr(found, name) != value]
    for name, value in fields.items():
        setattr(found, name, value)
    found.save()
    audit_record(actor=actor, action=Action.UPDATE, obj=found, fields=changed)
    return found


def user_tz(user: User, program: Program):
    import zoneinfo

    return zoneinfo.ZoneInfo(user.timezone or program.timezone)


# --- Schedules and occurrences


def _require_active(match: Match) -> None:
    if match.status != Match.Status.ACTIVE:
        raise ValidationError("Check-ins can only be planned for an active match.")


@transaction.atomic
def schedule_create(*, actor: User, match: Match, **fields) -> Schedule:
    _require_active(match)
    schedule = Schedule(match=match, **fields)
    schedule.full_clean(exclude=["match"])
    schedule.save()
    audit_record(actor=actor, action=Action.CREATE, obj=schedule, fields=fields.keys())
    occurrences_generate(schedule=schedule)
    return schedule


@transaction.atomic
def schedule_update(*, actor: User, schedule: Schedule, **fields) -> Schedule:
    """Change a schedule. Past and already-logged occurrences keep their time; planned future
    ones are replaced by occurrences of the new schedule."""
    # Locks the schedule so a concurrent generation run cannot add old-pattern occurrences
    # between our delete and our regeneration.
    schedule = Schedule.objects.select_for_update().get(pk=schedule.pk)
    changed = [name for name, value in fields.items() if getattr(schedule, name) != value]
    for name, value in fields.items():
        setattr(schedule, name, value)
    schedule.full_clean(exclude=["match"])
    schedule.save()
    now = timezone.now()
    future = schedule.checkins.filter(status=CheckIn.Status.SCHEDULED, scheduled_at__gt=now)
    future.delete()  # their pending reminders go with them
    audit_record(actor=actor, action=Action.UPDATE, obj=schedule, fields=changed)
    if schedule.is_active:
        occurrences_generate(schedule=schedule, now=now)
    return schedule


@transaction.atomic
def occurrences_generate(*, schedule: Schedule, now: datetime | None = None) -> list[CheckIn]:
    """Create the schedule's occurrences from now up to the program's horizon. Idempotent."""
    now = now or timezone.now()
    # Locks the schedule row: two generation runs (the hourly beat task and an edit) would
    # otherwise both see a slot as missing and collide on checkin_once_per_schedule_slot.
    schedule = (
        Schedule.objects.select_for_update(of=("self",))
        .select_related("match__program", "match__mentee__user", "match__mentor__user")
        .get(pk=schedule.pk)
    )
    match = schedule.match
    if not schedule.is_active or match.status != Match.Status.ACTIVE:
        return []
    program = match.program
    tz = schedule.tzinfo(program)
    horizon = now + timedelta(weeks=checkin_settings_get(program=program).weeks_ahead)
    start = max(now.astimezone(tz).date(), schedule.starts_on)
    end = horizon.astimezone(tz).date()
    if schedule.ends_on:
        end = min(end, schedule.ends_on)
    times = [
        local_to_utc(day, schedule.time_of_day, tz)
        for day in occurrence_dates(
            cadence=schedule.cadence,
            starts_on=schedule.starts_on,
            weekdays=schedule.weekdays,
            start=start,
            end=end,
        )
    ]
    times = [t for t in times if now < t <= horizon]
    existing = set(schedule.checkins.filter(scheduled_at__in=times).values_list("scheduled_at"))
    existing = {row[0] for row in existing}
    created = [
        CheckIn.objects.create(
            program=program,
            match=match,
            mentee=match.mentee,
            schedule=schedule,
            scheduled_at=when,
            duration_minutes=schedule.duration_minutes,
            mode=schedule.mode,
        )
        for when in times
        if when not in existing
    ]
    for checkin in created:
        reminders_plan(checkin=checkin, now=now)
    return created


def occurrences_generate_all(*, now: datetime | None = None) -> int:
    count = 0
    for schedule in Schedule.objects.filter(is_active=True, match__status=Match.Status.ACTIVE):
        count += len(occurrences_generate(schedule=schedule, now=now))
    return count


@transaction.atomic
def checkin_create(
    *,
    actor: User,
    match: Match,
    scheduled_at: datetime,
    duration_minutes: int = 60,
    mode: str = "phone",
) -> CheckIn:
    """A one-off check-in outside the schedule."""
    _require_active(match)
    checkin = CheckIn.objects.create(
        program=match.program,
        match=match,
        mentee=match.mentee,
        scheduled_at=scheduled_at,
        duration_minutes=duration_minutes,
        mode=mode,
    )
    audit_record(
        actor=actor,
        action=Action.CREATE,
        obj=checkin,
        fields=["scheduled_at", "duration_minutes", "mode"],
    )
    reminders_plan(checkin=checkin)
    return checkin


@transaction.atomic
def group_session_create(
    *,
    actor: User,
    facilitator: MentorProfile,
    mentees: list[MenteeProfile],
    scheduled_at: datetime,
    title: str = "Group mentoring",
    duration_minutes: int = 60,
    mode: str = "in_person",
) -> CheckIn:
    if any(m.program_id != facilitator.program_id for m in mentees):
        raise ValidationError("Every mentee must be in the facilitator's program.")
    checkin = CheckIn.objects.create(
        program_id=facilitator.program_id,
        kind=CheckIn.Kind.GROUP,
        facilitator=facilitator,
        title=title,
        scheduled_at=scheduled_at,
        duration_minutes=duration_minutes,
        mode=mode,
    )
    Attendance.objects.bulk_create([Attendance(checkin=checkin, mentee=m) for m in mentees])
    audit_record(
        actor=actor, action=Action.CREATE, obj=checkin, fields=["scheduled_at", "attendances"]
    )
    reminders_plan(checkin=checkin)
    return checkin


# --- Logging


@dataclass
class LogData:
    status: str
    actual_at: datetime | None = None
    actual_minutes: int | None = None
    mode: str = ""
    mood: int | None = None
    craving: int | None = None
    use_reported: str = ""
    use_days: list[date] = field(default_factory=list)
    topics: list[FocusArea] = field(default_factory=list)
    goals_reviewed: bool = False
    notes: str | None = ""  # None: leave the notes as they are (the editor may not read them)
    next_steps: str = ""
    risk: str = ""
    reschedule_to: datetime | None = None
    attendance: dict[int, str] = field(default_factory=dict)  # group: mentee id -> status


def _mentor_profile_of(user: User, checkin: CheckIn) -> MentorProfile | None:
    if checkin.kind == CheckIn.Kind.GROUP:
        mentor = checkin.facilitator
    else:
        mentor = checkin.match.mentor if checkin.match_id else None
    return mentor if mentor is not None and mentor.user_id == user.pk else None


@transaction.atomic
def checkin_log(*, actor: User, checkin: CheckIn, data: LogData) -> CheckIn:
    """Record what happened. Re-logging corrects the log; the first log time is kept."""
    # Locks the check-in: two saves of the same form (a double tap on a phone) would otherwise
    # both see "no crisis alert yet" and both reschedule or alert.
    checkin = CheckIn.objects.select_for_update().get(pk=checkin.pk)
    Status = CheckIn.Status
    if data.status == Status.SCHEDULED:
        raise ValidationError({"status": "Choose what happened."})
    happened = data.status == Status.COMPLETED
    if data.status == Status.RESCHEDULED:
        if data.reschedule_to is None:
            raise ValidationError({"reschedule_to": "Give the new date and time."})
        if checkin.kind == CheckIn.Kind.GROUP:
            raise ValidationError({"status": "Move a group session by creating a new one."})
    checkin.status = data.status
    checkin.actual_at = (data.actual_at or checkin.scheduled_at) if happened else None
    checkin.actual_minutes = (data.actual_minutes or checkin.duration_minutes) if happened else None
    if data.mode:
        checkin.mode = data.mode
    individual = checkin.kind == CheckIn.Kind.INDIVIDUAL
    checkin.mood = data.mood if happened and individual else None
    checkin.craving = data.craving if happened and individual else None
    checkin.use_reported = data.use_reported if happened and individual else ""
    days = sorted({d.isoformat() for d in data.use_days}) if happened and individual else []
    checkin.use_days = days if checkin.use_reported == CheckIn.UseReport.YES else []
    checkin.goals_reviewed = data.goals_reviewed and happened
    checkin.next_steps = data.next_steps.strip()
    checkin.risk = data.risk
    first_log = checkin.logged_at is None
    if first_log:
        checkin.logged_at = timezone.now()
    checkin.logged_by = actor
    if data.status == Status.RESCHEDULED and checkin.rescheduled_to_id is None:
        checkin.rescheduled_to = CheckIn.objects.create(
            program=checkin.program,
            match=checkin.match,
            mentee=checkin.mentee,
            scheduled_at=data.reschedule_to,
            duration_minutes=checkin.duration_minutes,
            mode=checkin.mode,
        )
        reminders_plan(checkin=checkin.rescheduled_to)
    checkin.save()
    checkin.topics.set(data.topics if happened else [])
    changed = [
        "status",
        "actual_at",
        "actual_minutes",
        "mode",
        "mood",
        "craving",
        "use_reported",
        "use_days",
        "topics",
        "goals_reviewed",
        "next_steps",
        "risk",
    ]
    notes = (data.notes or "").strip()
    existing_note = CheckInNote.objects.filter(checkin=checkin).first()
    if data.notes is not None and (notes or existing_note):
        CheckInNote.objects.update_or_create(
            checkin=checkin,
            defaults={
                "text": notes,
                "written_by": actor,
                "author": _mentor_profile_of(actor, checkin)
                or (existing_note.author if existing_note else None),
                "updated_at": timezone.now(),
            },
        )
        changed.append("notes")
    if checkin.kind == CheckIn.Kind.GROUP:
        for attendance in checkin.attendances.all():
            new = data.attendance.get(attendance.mentee_id)
            if new and new != attendance.status:
                attendance.status = new
                attendance.save(update_fields=["status"])
        changed.append("attendances")
    audit_record(actor=actor, action=Action.UPDATE, obj=checkin, fields=changed)
    _use_report_hand_off(checkin=checkin, actor=actor)
    if not happened:
        not_held(checkin_id=checkin.pk, actor_id=actor.pk)
    reminders_plan(checkin=checkin)
    if data.risk:
        alert_raise(actor=actor, kind=data.risk, checkin=checkin)
    # A logged check-in settles its own overdue alert.
    Alert.objects.filter(
        checkin=checkin, kind=Alert.Kind.OVERDUE_LOG, resolved_at__isnull=True
    ).update(resolved_at=timezone.now(), resolved_by=actor)
    return checkin


def _use_report_hand_off(*, checkin: CheckIn, actor: User) -> None:
    """Tell the apps above (the use log) what this check-in now says about use."""
    if checkin.kind != CheckIn.Kind.INDIVIDUAL:
        return  # a group session records no one's use
    use_reported(
        checkin_id=checkin.pk,
        program_id=checkin.program_id,
        mentee_id=checkin.mentee_id,
        reported_by_id=actor.pk,
        use_days=[date.fromisoformat(day) for day in checkin.use_days or []],
    )


@transaction.atomic
def checkin_cancel(*, actor: User, checkin: CheckIn) -> CheckIn:
    # Same lock as checkin_log: a cancel and a log of one check-in must not interleave.
    checkin = CheckIn.objects.select_for_update().get(pk=checkin.pk)
    checkin.status = CheckIn.Status.CANCELLED
    # A cancelled check-in did not take place, so it reports no use (as when it is logged
    # cancelled); days it reported before are withdrawn from the use log by the hand-off.
    had_use_report = bool(checkin.use_reported or checkin.use_days)
    checkin.use_reported, checkin.use_days = CheckIn.UseReport.NOT_ASKED, []
    checkin.save(update_fields=["status", "use_reported", "use_days", "updated_at"])
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=checkin,
        fields=["status", "use_reported", "use_days"] if had_use_report else ["status"],
    )
    if had_use_report:
        _use_report_hand_off(checkin=checkin, actor=actor)
    not_held(checkin_id=checkin.pk, actor_id=actor.pk)
    reminders_plan(checkin=checkin)
    return checkin


@transaction.atomic
def checkins_after_match_end(*, match_id: int, actor_id: int | None) -> int:
    """Receiver of matching.hooks.match_ended (connected in CheckinsConfig.ready()): the pair
    will not meet again, so check-ins still planned are cancelled and their reminders withdrawn,
    in the transaction that ends the match. Returns how many were cancelled."""
    actor = User(pk=actor_id) if actor_id is not None else AnonymousUser()
    planned = CheckIn.objects.filter(
        match_id=match_id, status=CheckIn.Status.SCHEDULED, scheduled_at__gt=timezone.now()
    )
    for checkin in planned:
        checkin_cancel(actor=actor, checkin=checkin)
    return len(planned)


@transaction.atomic
def checkin_move(*, actor: User, checkin: CheckIn, scheduled_at: datetime) -> CheckIn:
    """Move a planned check-in to a new time (reminders follow it)."""
    # Same lock as checkin_log.
    checkin = CheckIn.objects.select_for_update().get(pk=checkin.pk)
    if checkin.status != CheckIn.Status.SCHEDULED:
        raise ValidationError("Only a planned check-in can be moved.")
    checkin.scheduled_at = scheduled_at
    checkin.save(update_fields=["scheduled_at", "updated_at"])
    audit_record(actor=actor, action=Action.UPDATE, obj=checkin, fields=["scheduled_at"])
    reminders_plan(checkin=checkin)
    return checkin


@transaction.atomic
def checkin_confirm_attendance(*, actor: User, checkin: CheckIn) -> None:
    """The mentee says they were there (or will be). Only the mentee themself may."""
    now = timezone.now()
    if checkin.kind == CheckIn.Kind.GROUP:
        updated = Attendance.objects.filter(checkin=checkin, mentee__user=actor).update(
            mentee_confirmed_at=now
        )
        if not updated:
            raise PermissionDenied("Only the mentee can confirm attendance.")
        audit_record(actor=actor, action=Action.UPDATE, obj=checkin, fields=["attendances"])
        return
    if checkin.mentee is None or checkin.mentee.user_id != actor.pk:
        raise PermissionDenied("Only the mentee can confirm attendance.")
    checkin.mentee_confirmed_at = now
    checkin.save(update_fields=["mentee_confirmed_at", "updated_at"])
    audit_record(actor=actor, action=Action.UPDATE, obj=checkin, fields=["mentee_confirmed_at"])


# --- Alerts


def program_coordinators(program_id: int):
    return User.objects.filter(
        is_active=True,
        memberships__program_id=program_id,
        memberships__role=Membership.Role.COORDINATOR,
        memberships__is_active=True,
    ).distinct()


@transaction.atomic
def alert_raise(
    *,
    actor: User | None,
    kind: str,
    checkin: CheckIn | None = None,
    match: Match | None = None,
) -> Alert | None:
    """Open an alert unless the same one is already open. A crisis e-mails every coordinator
    of the program at once (through reminder rows, so the e-mail is as durable as a reminder)."""
    if checkin is not None:
        program_id, mentee_id = checkin.program_id, checkin.mentee_id
        open_q = Q(checkin=checkin)
    else:
        program_id, mentee_id = match.program_id, match.mentee_id
        open_q = Q(match=match, checkin__isnull=True)
    if Alert.objects.filter(open_q, kind=kind, resolved_at__isnull=True).exists():
        return None
    alert = Alert.objects.create(
        program_id=program_id,
        kind=kind,
        mentee_id=mentee_id,
        match=match if match is not None else (checkin.match if checkin else None),
        checkin=checkin,
        raised_by=actor,
    )
    audit_record(actor=actor, action=Action.CREATE, obj=alert, fields=["kind"])
    if kind == Alert.Kind.CRISIS and checkin is not None:
        now = timezone.now()
        Reminder.objects.bulk_create(
            [
                Reminder(
                    checkin=checkin,
                    program_id=program_id,
                    recipient=coordinator,
                    kind=Reminder.Kind.CRISIS,
                    due_at=now,
                    for_time=alert.raised_at,
                    available_at=now,
                )
                for coordinator in program_coordinators(program_id)
            ]
        )
        _kick_dispatch()
    return alert


def _set_alert_state(*, actor: User, alert: Alert, state: str) -> Alert:
    # Locks the alert: two coordinators pressing "acknowledge" together would both stamp it.
    alert = Alert.objects.select_for_update().get(pk=alert.pk)
    now = timezone.now()
    fields = []
    if alert.acknowledged_at is None:
        alert.acknowledged_at, alert.acknowledged_by = now, actor
        fields += ["acknowledged_at", "acknowledged_by"]
    if state == "resolved" and alert.resolved_at is None:
        alert.resolved_at, alert.resolved_by = now, actor
        fields += ["resolved_at", "resolved_by"]
    if fields:
        alert.save(update_fields=fields)
        audit_record(actor=actor, action=Action.UPDATE, obj=alert, fields=fields)
    return alert


@transaction.atomic
def alert_acknowledge(*, actor: User, alert: Alert) -> Alert:
    return _set_alert_state(actor=actor, alert=alert, state="acknowledged")


@transaction.atomic
def alert_resolve(*, actor: User, alert: Alert) -> Alert:
    return _set_alert_state(actor=actor, alert=alert, state="resolved")


def engagement_scan(*, now: datetime | None = None) -> int:
    """Raise overdue-log, consecutive no-show and no-contact alerts. Idempotent: an alert that
    is already open is not raised again."""
    now = now or timezone.now()
    raised = 0
    settings_by_program = {s.program_id: s for s in CheckinSettings.objects.all()}
    default = CheckinSettings()
    overdue = CheckIn.objects.filter(
        status=CheckIn.Status.SCHEDULED,
        scheduled_at__lt=now - timedelta(hours=1),
    ).exclude(alerts__kind=Alert.Kind.OVERDUE_LOG)
    for checkin in overdue.select_related("match"):
        hours = settings_by_program.get(checkin.program_id, default).overdue_log_hours
        if checkin.ends_at + timedelta(hours=hours) <= now:
            raised += bool(alert_raise(actor=None, kind=Alert.Kind.OVERDUE_LOG, checkin=checkin))
    # One query for all active matches: their last two attended-or-missed check-ins and their
    # last contact; alerts are then raised only where needed.
    logged = (
        CheckIn.objects.filter(match=OuterRef("pk"), scheduled_at__lte=now)
        .filter(status__in=[CheckIn.Status.COMPLETED, CheckIn.Status.NO_SHOW])
        .order_by("-scheduled_at")
        .values("status")
    )
    matches = Match.objects.filter(status=Match.Status.ACTIVE).annotate(
        last_status=Subquery(logged[:1]),
        previous_status=Subquery(logged[1:2]),
        last_contact=Max(
            "checkins__actual_at", filter=Q(checkins__status=CheckIn.Status.COMPLETED)
        ),
    )
    for match in matches:
        if match.last_status == match.previous_status == CheckIn.Status.NO_SHOW:
            raised += bool(alert_raise(actor=None, kind=Alert.Kind.NO_SHOWS, match=match))
        days = settings_by_program.get(match.program_id, default).no_contact_days
        since = match.last_contact or match.started_at or match.proposed_at
        if since <= now - timedelta(days=days):
            raised += bool(alert_raise(actor=None, kind=Alert.Kind.NO_CONTACT, match=match))
    return raised


# --- Reminders


def _kick_dispatch() -> None:
    """Ask a worker to dispatch now instead of at the next beat tick; after commit, so the
    worker sees the rows. Losing this message is harmless: the beat tick finds the rows."""
    from checkins.tasks import reminders_dispatch

    def send():
        try:
            reminders_dispatch.delay()
        except Exception:  # noqa: BLE001 — a broker outage must not fail the request
            log.warning("could not enqueue reminders_dispatch; the beat task will catch up")

    transaction.on_commit(send)


def _participants(checkin: CheckIn) -> list[tuple[User, bool]]:
    """(user, is_mentor) of everyone taking part."""
    if checkin.kind == CheckIn.Kind.GROUP:
        people = [(checkin.facilitator.user, True)]
        people += [
            (a.mentee.user, False) for a in checkin.attendances.select_related("mentee__user")
        ]
        return people
    match = checkin.match
    return [(match.mentor.user, True), (match.mentee.user, False)]


def _preferences(users: list[User]) -> dict[int, str]:
    found = dict(ReminderPreference.objects.filter(user__in=users).values_list("user_id", "before"))
    return {u.pk: found.get(u.pk, ReminderPreference.Before.DAY) for u in users}


@transaction.atomic
def reminders_plan(*, checkin: CheckIn, now: datetime | None = None) -> None:
    """Make the reminder rows match the check-in as it is now: cancel what no longer applies
    (cancelled, logged, moved, preference changed) and add what is missing."""
    now = now or timezone.now()
    unsent = checkin.reminders.filter(
        status__in=[Reminder.Status.PENDING, Reminder.Status.CLAIMED]
    ).exclude(kind=Reminder.Kind.CRISIS)
    if checkin.status != CheckIn.Status.SCHEDULED:
        # A claimed row being sent right now holds its row lock; this update waits for it and
        # then no longer matches (it is sent), so nothing is cancelled after the fact.
        unsent.update(status=Reminder.Status.CANCELLED)
        return
    checkin = CheckIn.objects.select_related(
        "program", "match__mentor__user", "match__mentee__user", "facilitator__user"
    ).get(pk=checkin.pk)
    people = _participants(checkin)
    prefs = _preferences([u for u, _ in people])
    quiet = checkin_settings_get(program=checkin.program)
    wanted: dict[tuple[int, str], datetime] = {}
    for user, is_mentor in people:
        before = prefs[user.pk]
        tz = user_tz(user, checkin.program)
        kinds = []
        if before in ("24h", "both"):
            kinds.append((Reminder.Kind.BEFORE_24H, checkin.scheduled_at - timedelta(hours=24)))
        if before in ("2h", "both"):
            kinds.append((Reminder.Kind.BEFORE_2H, checkin.scheduled_at - timedelta(hours=2)))
        for kind, due in kinds:
            due = outside_quiet_hours(
                due,
                tz=tz,
                quiet_start=quiet.quiet_start,
                quiet_end=quiet.quiet_end,
                not_after=checkin.scheduled_at,
            )
            if now < due < checkin.scheduled_at:
                wanted[(user.pk, kind)] = due
        if is_mentor and before != "none":
            # A check-in planned after the fact is nudged now, unless now is quiet hours.
            due = outside_quiet_hours(
                max(checkin.ends_at + LOG_NUDGE_AFTER, now),
                tz=tz,
                quiet_start=quiet.quiet_start,
                quiet_end=quiet.quiet_end,
            )
            wanted[(user.pk, Reminder.Kind.LOG_NUDGE)] = due
    for reminder in unsent:
        key = (reminder.recipient_id, reminder.kind)
        if reminder.for_time != checkin.scheduled_at or key not in wanted:
            # Conditional: only if still unsent (see above).
            Reminder.objects.filter(
                pk=reminder.pk, status__in=[Reminder.Status.PENDING, Reminder.Status.CLAIMED]
            ).update(status=Reminder.Status.CANCELLED)
    existing = {
        (r.recipient_id, r.kind): r for r in checkin.reminders.filter(for_time=checkin.scheduled_at)
    }
    for (user_id, kind), due in wanted.items():
        reminder = existing.get((user_id, kind))
        if reminder is None:
            Reminder.objects.create(
                checkin=checkin,
                program_id=checkin.program_id,
                recipient_id=user_id,
                kind=kind,
                due_at=due,
                for_time=checkin.scheduled_at,
                available_at=due,
            )
        elif reminder.status == Reminder.Status.CANCELLED:
            reminder.status, reminder.due_at, reminder.available_at = "pending", due, due
            reminder.save(update_fields=["status", "due_at", "available_at"])


@transaction.atomic
def reminder_preference_set(*, user: User, before: str) -> ReminderPreference:
    pref, _ = ReminderPreference.objects.update_or_create(user=user, defaults={"before": before})
    if before == ReminderPreference.Before.NONE:
        # Reminders of things due, too (their planner revives them if turned on again).
        Reminder.objects.filter(
            checkin__isnull=True,
            recipient=user,
            status__in=[Reminder.Status.PENDING, Reminder.Status.CLAIMED],
        ).update(status=Reminder.Status.CANCELLED)
    upcoming = CheckIn.objects.filter(
        Q(match__mentor__user=user)
        | Q(mentee__user=user)
        | Q(facilitator__user=user)
        | Q(attendances__mentee__user=user),
        status=CheckIn.Status.SCHEDULED,
        scheduled_at__gt=timezone.now(),
    ).distinct()
    for checkin in upcoming:
        reminders_plan(checkin=checkin)
    return pref


# --- Reminders of something due (no check-in): planned by a higher app, sent here.

DUE_REMINDER_AT = time(10, 0)  # local time on the day it is due


@dataclass(frozen=True)
class DueItem:
    """One thing due for one person, as a higher app (e.g. outcomes) sees it. `topic` is that
    app's opaque key for the thing (one reminder per recipient and topic, ever); `link_path`
    the site path the e-mail links to. Neither may carry clinical detail into the e-mail: the
    e-mail only says something short is due."""

    recipient: User
    topic: str
    due_on: date
    link_path: str


def _no_reminders(user_ids) -> set[int]:
    return set(
        ReminderPreference.objects.filter(
            user_id__in=user_ids, before=ReminderPreference.Before.NONE
        ).values_list("user_id", flat=True)
    )


@transaction.atomic
def due_reminders_plan(
    *,
    program: Program,
    kind: str,
    items: list[DueItem],
    topic_prefix: str,
    now: datetime | None = None,
) -> int:
    """Make the unsent `kind` reminders of `program` whose topic starts with `topic_prefix`
    match `items` exactly: add what is missing (once per recipient and topic: a row that was
    sent is never planned again), revive what was cancelled and is wanted again, cancel what is
    no longer wanted (done, no longer due, reminders turned off). Idempotent; returns the
    number of rows added or revived.

    A reminder goes out at DUE_REMINDER_AT on the day it is due in the recipient's time zone,
    or now if that has passed, moved out of quiet hours. People who chose no reminders get none.
    """
    now = now or timezone.now()
    quiet = checkin_settings_get(program=program)
    off = _no_reminders({item.recipient.pk for item in items})
    wanted: dict[tuple[int, str], Reminder] = {}
    for item in items:
        if item.recipient.pk in off or not item.recipient.is_active:
            continue
        tz = user_tz(item.recipient, program)
        due = max(local_to_utc(item.due_on, DUE_REMINDER_AT, tz), now)
        due = outside_quiet_hours(
            due, tz=tz, quiet_start=quiet.quiet_start, quiet_end=quiet.quiet_end
        )
        wanted[(item.recipient.pk, item.topic)] = Reminder(
            program=program,
            recipient=item.recipient,
            kind=kind,
            due_on=item.due_on,
            for_time=local_to_utc(item.due_on, time(0, 0), tz),
            due_at=due,
            available_at=due,
            topic=item.topic,
            link_path=item.link_path,
        )
    mine = Reminder.objects.filter(
        checkin__isnull=True, program=program, kind=kind, topic__startswith=topic_prefix
    )
    changed = 0
    # Cancel what is no longer wanted. Conditional on still unsent: a row being sent right now
    # holds its lock; this waits for it and then no longer matches.
    stale = [
        pk
        for pk, user_id, topic in mine.filter(
            status__in=[Reminder.Status.PENDING, Reminder.Status.CLAIMED]
        ).values_list("pk", "recipient_id", "topic")
        if (user_id, topic) not in wanted
    ]
    if stale:
        mine.filter(
            pk__in=stale, status__in=[Reminder.Status.PENDING, Reminder.Status.CLAIMED]
        ).update(status=Reminder.Status.CANCELLED)
    existing = {
        (user_id, topic): (pk, status)
        for pk, user_id, topic, status in mine.filter(
            recipient_id__in={key[0] for key in wanted}
        ).values_list("pk", "recipient_id", "topic", "status")
    }
    new = []
    for key, row in wanted.items():
        found = existing.get(key)
        if found is None:
            new.append(row)
        elif found[1] == Reminder.Status.CANCELLED:
            changed += Reminder.objects.filter(
                pk=found[0], status=Reminder.Status.CANCELLED
            ).update(
                status=Reminder.Status.PENDING,
                due_on=row.due_on,
                for_time=row.for_time,
                due_at=row.due_at,
                available_at=row.due_at,
                link_path=row.link_path,
                claim_token=None,
            )
    # ignore_conflicts: two planners at once both insert; the unique constraint keeps one.
    changed += len(Reminder.objects.bulk_create(new, ignore_conflicts=True))
    if changed:
        _kick_dispatch()
    return changed


@transaction.atomic
def due_reminders_cancel(*, kind: str, topics: list[str]) -> int:
    """The things these topics name are done: their unsent reminders are withdrawn."""
    return Reminder.objects.filter(
        checkin__isnull=True,
        kind=kind,
        topic__in=topics,
        status__in=[Reminder.Status.PENDING, Reminder.Status.CLAIMED],
    ).update(status=Reminder.Status.CANCELLED)


def reminder_batch_size() -> int:
    return getattr(settings, "CHECKINS_REMINDER_BATCH", 500)


def reminder_lease() -> timedelta:
    return timedelta(seconds=getattr(settings, "CHECKINS_REMINDER_LEASE_SECONDS", 600))


@transaction.atomic
def reminder_claim_due(*, now: datetime | None = None, limit: int | None = None) -> uuid.UUID:
    """Claim up to `limit` due reminders for one batch and return the claim token.

    Pending rows that are due and claimed rows whose lease ran out (a worker died, or Redis lost
    the batch message) are both claimable. The batch message is enqueued after commit.
    """
    now = now or timezone.now()
    token = uuid.uuid4()
    # skip_locked: two beat ticks or dispatchers running at once each take different rows
    # instead of both claiming (and sending) the same ones, and neither waits for the other.
    ids = list(
        Reminder.objects.select_for_update(skip_locked=True)
        .filter(
            status__in=[Reminder.Status.PENDING, Reminder.Status.CLAIMED],
            available_at__lte=now,
        )
        .order_by("available_at")
        .values_list("pk", flat=True)[: limit or reminder_batch_size()]
    )
    if not ids:
        return None
    Reminder.objects.filter(pk__in=ids).update(
        status=Reminder.Status.CLAIMED, claim_token=token, available_at=now + reminder_lease()
    )

    def enqueue():
        from checkins.tasks import reminders_send_batch

        reminders_send_batch.delay(str(token))

    # robust: if the broker is down the claim stands and its lease runs out, so the rows are
    # claimed again by a later tick; the caller is not failed for it.
    transaction.on_commit(enqueue, robust=True)
    return token


SEND_CHUNK = 100  # rows read, and checked for staleness, just before they are sent
# A batch stops this long before its claim's lease runs out: after that another dispatcher may
# claim the rest, and two senders of one row would send it twice. Also covers clock skew.
LEASE_MARGIN = timedelta(seconds=60)


@contextlib.contextmanager
def _sole_sender(token: uuid.UUID):
    """Yields whether this run is the only one sending this claim. A batch message delivered
    twice at once (a broker redelivering) must not have its rows sent by both: on PostgreSQL a
    session advisory lock keyed by the claim, released at the end or with the connection (a
    killed worker). Under `make run` on SQLite there is one worker and nothing to guard."""
    if connection.vendor != "postgresql":
        yield True
        return
    key = (token.int >> 64) - 2**63  # the claim's first 64 bits as a signed bigint
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
        (alone,) = cursor.fetchone()
    try:
        yield alone
    finally:
        # A connection that broke mid-batch took the lock with it.
        if alone and connection.is_usable():
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [key])


def reminder_send_batch(*, token: str) -> dict[str, int]:
    """Send the reminders of one claim.

    Each e-mail is recorded as sent on its own, right after it is written (see
    `checkins.sending`): a worker killed mid-batch leaves what it sent recorded and the rest
    claimed, claimed again once the lease runs out. Rows are read SEND_CHUNK at a time just before they are sent, so a
    check-in cancelled or moved meanwhile gets no reminder (cancelling also withdraws its rows).
    """
    counts = dict.fromkeys(("sent", "skipped", "deferred", "retry", "failed", "cancelled"), 0)
    token = uuid.UUID(str(token))
    with _sole_sender(token) as alone:
        if alone:
            _send_claim(token, counts)
    return counts


def _send_claim(token: uuid.UUID, counts: dict[str, int]) -> None:
    mail = get_connection(fail_silently=False)
    # One SMTP session for the batch rather than one per e-mail. If the server cannot be
    # reached, each reminder finds out on its own and is retried.
    with contextlib.suppress(smtplib.SMTPException, OSError):
        mail.open()
    messages = ReminderMessages(mail)
    quiet: dict[int, CheckinSettings] = {}  # one settings read per program per batch
    programs: dict[int, Program] = {}  # and one read of the program itself
    ours = Reminder.objects.filter(claim_token=token, status=Reminder.Status.CLAIMED)
    ids = list(ours.order_by("pk").values_list("pk", flat=True))
    try:
        with sent_marks(token) as marks:
            for start in range(0, len(ids), SEND_CHUNK):
                marks.wait()  # the database connection is free for other queries again
                # A range, not a list of ids: planning a long IN list costs more than the rows.
                first, last = ids[start], ids[min(start + SEND_CHUNK, len(ids)) - 1]
                chunk = outgoing(ours.filter(pk__range=(first, last)), programs=programs)
                if not _send_chunk(
                    chunk, token=token, messages=messages, marks=marks, quiet=quiet, counts=counts
                ):
                    break  # the lease is running out: the rest goes with a later claim
    finally:
        # Closing a broken SMTP connection may fail too; nothing is left to do about it.
        with contextlib.suppress(Exception):
            mail.close()


def _is_stale(reminder: Outgoing, *, now: datetime, no_reminders: set[int]) -> bool:
    """Cancelled, moved or logged since it was planned, or its recipient no longer wants it."""
    if reminder.kind == Reminder.Kind.CRISIS:
        return False  # a crisis alert always goes out
    if not reminder.recipient_active:
        return True
    if reminder.checkin_id is None:
        # Something due: the planning app cancels it when done.
        return reminder.recipient_id in no_reminders
    before = reminder.kind in (Reminder.Kind.BEFORE_24H, Reminder.Kind.BEFORE_2H)
    return (
        reminder.checkin_status != CheckIn.Status.SCHEDULED
        or reminder.scheduled_at != reminder.for_time
        or (before and now >= reminder.scheduled_at)  # delayed past the check-in itself
    )


def _send_chunk(chunk: list[Outgoing], *, token, messages, marks, quiet: dict, counts) -> bool:
    """Send what is fresh; cancel what is stale; defer what would land in quiet hours. Returns
    False when the lease is too close to its end to go on."""
    no_reminders = _no_reminders({r.recipient_id for r in chunk if r.checkin_id is None})
    cancelled: list[int] = []
    deferred: dict[datetime, list[int]] = {}
    lease_left = True
    for index, reminder in enumerate(chunk):
        now = timezone.now()
        if now >= reminder.lease_ends - LEASE_MARGIN:
            counts["skipped"] += len(chunk) - index
            lease_left = False
            break
        if _is_stale(reminder, now=now, no_reminders=no_reminders):
            cancelled.append(reminder.pk)
            continue
        if reminder.kind != Reminder.Kind.CRISIS:
            if reminder.program.pk not in quiet:
                marks.wait()
                quiet[reminder.program.pk] = checkin_settings_get(program=reminder.program)
            hours = quiet[reminder.program.pk]
            period = quiet_period(now, reminder.tz, hours.quiet_start, hours.quiet_end)
            if period is not None:
                # Delayed into quiet hours (an outage, a backlog): wait until they end.
                deferred.setdefault(period[1], []).append(reminder.pk)
                continue
        try:
            messages.build(reminder).send()
        except (smtplib.SMTPException, OSError) as exc:
            marks.wait()
            counts[_send_failed(reminder, token=token, error=exc, now=now)] += 1
            # A broken SMTP session is replaced for the next e-mail (or each opens its own).
            with contextlib.suppress(Exception):
                messages.connection.close()
            with contextlib.suppress(smtplib.SMTPException, OSError):
                messages.connection.open()
            continue
        marks.sent(reminder.pk, at=timezone.now())
        counts["sent"] += 1
    marks.wait()
    ours = Reminder.objects.filter(claim_token=token, status=Reminder.Status.CLAIMED)
    if cancelled:
        counts["cancelled"] += ours.filter(pk__in=cancelled).update(
            status=Reminder.Status.CANCELLED
        )
    for available_at, pks in deferred.items():
        counts["deferred"] += ours.filter(pk__in=pks).update(
            status=Reminder.Status.PENDING, available_at=available_at
        )
    return lease_left


def _send_failed(reminder: Outgoing, *, token, error: Exception, now: datetime) -> str:
    """The SMTP server refused or was unreachable: retry with backoff, or give up and show it."""
    attempts = reminder.attempts + 1
    if attempts >= MAX_ATTEMPTS:
        status, available_at, outcome = Reminder.Status.FAILED, reminder.lease_ends, "failed"
        log.warning("reminder %s failed after %s attempts", reminder.pk, attempts)
    else:
        # Backoff 2, 4, 8 minutes; the beat task picks it up again when available.
        status, available_at = Reminder.Status.PENDING, now + timedelta(minutes=2**attempts)
        outcome = "retry"
    Reminder.objects.filter(pk=reminder.pk, claim_token=token).update(
        attempts=attempts,
        last_error=type(error).__name__,
        status=status,
        available_at=available_at,
    )
    return outcome


@transaction.atomic
def reminder_retry(*, actor: User, reminder: Reminder) -> bool:
    """A coordinator sends a failed reminder again (the mail server is back, an address was
    corrected). Conditional on still failed: two coordinators pressing at once queue it once.
    It is checked like any other before it goes: a check-in cancelled meanwhile gets none."""
    retried = Reminder.objects.filter(pk=reminder.pk, status=Reminder.Status.FAILED).update(
        status=Reminder.Status.PENDING,
        attempts=0,
        last_error="",
        claim_token=None,
        available_at=timezone.now(),
    )
    if retried:
        audit_record(actor=actor, action=Action.UPDATE, obj=reminder, fields=["status"])
        _kick_dispatch()
    return bool(retried)


def reminders_dispatch(*, max_batches: int = 50) -> int:
    """One beat tick: claim due reminders batch by batch; each batch is one broker message."""
    batches = 0
    while batches < max_batches and reminder_claim_due() is not None:
        batches += 1
    return batches


# --- Calendar feed


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def calendar_feed_reset(*, user: User) -> str:
    """A new private feed token; the old URL stops working at once. Returns the token."""
    token = secrets.token_urlsafe(32)
    CalendarFeed.objects.update_or_create(
        user=user, defaults={"token_hash": _hash(token), "created_at": timezone.now()}
    )
    audit_record(
        actor=user, action=Action.UPDATE, object_type="checkins.calendarfeed", object_id=user.pk
    )
    return token


@transaction.atomic
def calendar_feed_revoke(*, user: User) -> None:
    CalendarFeed.objects.filter(user=user).delete()
    audit_record(
        actor=user, action=Action.DELETE, object_type="checkins.calendarfeed", object_id=user.pk
    )


def calendar_feed_user(*, token: str) -> User | None:
    feed = (
        CalendarFeed.objects.filter(token_hash=_hash(token), user__is_active=True)
        .select_related("user")
        .first()
    )
    return feed.user if feed else None

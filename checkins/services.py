"""Check-in writes. Keyword-only, atomic, audited (field names only, never content)."""

import hashlib
import logging
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import FocusArea, Membership, MenteeProfile, MentorProfile, Program, User
from checkins import emails
from checkins.hooks import not_held, use_reported
from checkins.models import (
    Alert,
    Attendance,
    CalendarFeed,
    CheckIn,
    CheckInNote,
    CheckinSettings,
    ReminderPreference,
    Schedule,
)
from checkins.scheduling import local_to_utc, occurrence_dates
from matching.models import Match
from mentorship.audit import Action, audit_record
from notifications import services as notifications
from notifications.models import Notification
from notifications.registry import program_quiet_hours

log = logging.getLogger(__name__)

LOG_NUDGE_AFTER = timedelta(hours=1)


def checkin_settings_get(*, program: Program) -> CheckinSettings:
    """The program's settings, or the defaults (unsaved): reading must not write a row."""
    return CheckinSettings.objects.filter(program=program).first() or CheckinSettings(
        program=program
    )


@transaction.atomic
def checkin_settings_update(*, actor: User, program: Program, **fields) -> CheckinSettings:
    found, _created = CheckinSettings.objects.get_or_create(program=program)
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
        raise ValidationError(_("Check-ins can only be planned for an active match."))


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
    # Their unsent reminders are withdrawn in this transaction (the outbox has no foreign key
    # to a check-in: it sits below checkins).
    notifications.notifications_cancel(
        kinds=emails.REMINDER_KINDS, about_ids=list(future.values_list("pk", flat=True))
    )
    future.delete()
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
def contact_record(
    *,
    actor: User,
    match: Match,
    happened_at: datetime,
    minutes: int,
    mode: str,
    notes: str = "",
    risk: str = "",
) -> CheckIn:
    """An unplanned contact that already happened (a call, a text, running into each other):
    the check-in and its log in one step, so it counts like any logged check-in (use reports,
    engagement, alerts). Both steps are audited by the services they go through."""
    if happened_at > timezone.now():
        raise ValidationError({"happened_at": "A contact to log has already happened."})
    checkin = checkin_create(
        actor=actor, match=match, scheduled_at=happened_at, duration_minutes=minutes, mode=mode
    )
    return checkin_log(
        actor=actor,
        checkin=checkin,
        data=LogData(
            status=CheckIn.Status.COMPLETED,
            actual_at=happened_at,
            actual_minutes=minutes,
            mode=mode,
            notes=notes,
            risk=risk,
        ),
    )


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
        raise ValidationError(_("Every mentee must be in the facilitator's program."))
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
        raise ValidationError({"status": _("Choose what happened.")})
    happened = data.status == Status.COMPLETED
    if data.status == Status.RESCHEDULED:
        if data.reschedule_to is None:
            raise ValidationError({"reschedule_to": _("Give the new date and time.")})
        if checkin.kind == CheckIn.Kind.GROUP:
            raise ValidationError({"status": _("Move a group session by creating a new one.")})
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
def checkin_cancel(
    *, actor: User, checkin: CheckIn, reason: str = CheckIn.CancelReason.NONE
) -> CheckIn:
    # Same lock as checkin_log: a cancel and a log of one check-in must not interleave.
    checkin = CheckIn.objects.select_for_update().get(pk=checkin.pk)
    checkin.status = CheckIn.Status.CANCELLED
    checkin.cancel_reason = reason
    # A cancelled check-in did not take place, so it reports no use (as when it is logged
    # cancelled); days it reported before are withdrawn from the use log by the hand-off.
    had_use_report = bool(checkin.use_reported or checkin.use_days)
    checkin.use_reported, checkin.use_days = CheckIn.UseReport.NOT_ASKED, []
    checkin.save(
        update_fields=["status", "cancel_reason", "use_reported", "use_days", "updated_at"]
    )
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=checkin,
        fields=["status", "cancel_reason"]
        + (["use_reported", "use_days"] if had_use_report else []),
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
        checkin_cancel(actor=actor, checkin=checkin, reason=CheckIn.CancelReason.MATCH_ENDED)
    return len(planned)


@transaction.atomic
def checkin_move(*, actor: User, checkin: CheckIn, scheduled_at: datetime) -> CheckIn:
    """Move a planned check-in to a new time (reminders follow it)."""
    # Same lock as checkin_log.
    checkin = CheckIn.objects.select_for_update().get(pk=checkin.pk)
    if checkin.status != CheckIn.Status.SCHEDULED:
        raise ValidationError(_("Only a planned check-in can be moved."))
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
            raise PermissionDenied(_("Only the mentee can confirm attendance."))
        audit_record(actor=actor, action=Action.UPDATE, obj=checkin, fields=["attendances"])
        return
    if checkin.mentee is None or checkin.mentee.user_id != actor.pk:
        raise PermissionDenied(_("Only the mentee can confirm attendance."))
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
    of the program at once, a concern outside quiet hours (through the outbox, as durable as
    a reminder)."""
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
    if kind in Alert.RISK_KINDS:
        # Every coordinator of the program is told, through the outbox (as durable as a
        # reminder); the e-mail says only where to look.
        notifications.notifications_enqueue(
            rows=[
                Notification(
                    kind=emails.CRISIS if kind == Alert.Kind.CRISIS else emails.CONCERN,
                    about_id=alert.pk,
                    program_id=program_id,
                    recipient=coordinator,
                    for_time=alert.raised_at,
                )
                for coordinator in program_coordinators(program_id)
            ]
        )
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
        # Resolved before the coordinators were told: nothing is left for them to look at.
        notifications.notifications_cancel(kinds=emails.ALERT_KINDS, about_ids=[alert.pk])
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


# --- Reminders: what a check-in reminder is and when it is due. The outbox (notifications)
# sends them; checkins.emails says what they say and when they are stale.


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
    """Make the check-in's reminders match it as it is now: cancel what no longer applies
    (cancelled, logged, moved, preference changed) and add what is missing. Runs in the
    transaction that changed the check-in, so a cancel and a send decide on the same rows."""
    now = now or timezone.now()
    mine = Notification.objects.filter(kind__in=emails.REMINDER_KINDS, about_id=checkin.pk)
    if checkin.status != CheckIn.Status.SCHEDULED:
        notifications.notifications_cancel(kinds=emails.REMINDER_KINDS, about_ids=[checkin.pk])
        return
    checkin = CheckIn.objects.select_related(
        "program", "match__mentor__user", "match__mentee__user", "facilitator__user"
    ).get(pk=checkin.pk)
    people = _participants(checkin)
    prefs = _preferences([u for u, _ in people])
    wanted: dict[tuple[int, str], datetime] = {}
    quiet = program_quiet_hours(checkin.program)
    for user, is_mentor in people:
        before = prefs[user.pk]
        kinds = []
        if before in ("24h", "both"):
            kinds.append((emails.BEFORE_24H, checkin.scheduled_at - timedelta(hours=24)))
        if before in ("2h", "both"):
            kinds.append((emails.BEFORE_2H, checkin.scheduled_at - timedelta(hours=2)))
        for kind, due in kinds:
            due = notifications.due_outside_quiet_hours(
                due,
                recipient=user,
                program=checkin.program,
                quiet=quiet,
                not_after=checkin.scheduled_at,
            )
            if now < due < checkin.scheduled_at:
                wanted[(user.pk, kind)] = due
        if is_mentor and before != "none":
            # A check-in planned after the fact is nudged now, unless now is quiet hours.
            due = notifications.due_outside_quiet_hours(
                max(checkin.ends_at + LOG_NUDGE_AFTER, now),
                recipient=user,
                program=checkin.program,
                quiet=quiet,
            )
            wanted[(user.pk, emails.LOG_NUDGE)] = due
    stale = [
        pk
        for pk, recipient_id, kind, for_time in mine.filter(
            status__in=Notification.UNSENT
        ).values_list("pk", "recipient_id", "kind", "for_time")
        if for_time != checkin.scheduled_at or (recipient_id, kind) not in wanted
    ]
    if stale:
        Notification.objects.filter(pk__in=stale, status__in=Notification.UNSENT).update(
            status=Notification.Status.CANCELLED
        )
    existing = {(r.recipient_id, r.kind): r for r in mine.filter(for_time=checkin.scheduled_at)}
    users = {user.pk: user for user, _ in people}
    new = []
    for (user_id, kind), due in wanted.items():
        reminder = existing.get((user_id, kind))
        if reminder is None:
            new.append(
                Notification(
                    kind=kind,
                    about_id=checkin.pk,
                    program=checkin.program,
                    recipient=users[user_id],
                    for_time=checkin.scheduled_at,
                    due_at=due,
                )
            )
        elif reminder.status == Notification.Status.CANCELLED:
            notifications.notification_revive(pk=reminder.pk, due_at=due)
    if new:
        notifications.notifications_enqueue(rows=new)


@transaction.atomic
def reminder_preference_set(*, user: User, before: str) -> ReminderPreference:
    pref, _created = ReminderPreference.objects.update_or_create(
        user=user, defaults={"before": before}
    )
    if before == ReminderPreference.Before.NONE:
        # Reminders of things due, too (their planner revives them if turned on again).
        notifications.notifications_cancel(recipients=[user.pk], with_topic=True)
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


def reminders_off(user_ids) -> set[int]:
    """Who chose no reminders at all (reminders of things due included)."""
    return set(
        ReminderPreference.objects.filter(
            user_id__in=user_ids, before=ReminderPreference.Before.NONE
        ).values_list("user_id", flat=True)
    )


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

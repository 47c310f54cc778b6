"""Check-ins: recurring schedules, occurrences and their logs, alerts, reminders, calendar feeds.

Times are stored in UTC. A schedule keeps its wall-clock time and time zone, and each occurrence
is computed from them with zoneinfo, so a 6 pm check-in stays at 6 pm across daylight saving.
"""

import zoneinfo
from datetime import time

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.timezone import now as utc_now
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import FocusArea, MenteeProfile, MentorProfile, Program, User
from matching.models import Match
from mentorship.access import COORDINATOR, MENTOR, AccessPaths


class Mode(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    PHONE = "phone", _("Phone")
    VIDEO = "video", _("Video")
    TEXT = "text", _("Text")


class CheckinSettings(models.Model):
    """Per-program thresholds for engagement alerts and reminder quiet hours."""

    access_paths = AccessPaths(program="program")

    program = models.OneToOneField(
        Program, on_delete=models.CASCADE, related_name="checkin_settings"
    )
    # The validators are the settings form's limits; the constraints below hold the floor.
    overdue_log_hours = models.PositiveSmallIntegerField(
        default=48,
        validators=[MinValueValidator(1), MaxValueValidator(720)],
        help_text=_("A check-in not logged this many hours after it ends is overdue."),
    )
    no_contact_days = models.PositiveSmallIntegerField(
        default=14,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text=_("Alert when a match has had no completed check-in for this long."),
    )
    quiet_start = models.TimeField(default=time(21, 0))
    quiet_end = models.TimeField(default=time(8, 0))
    weeks_ahead = models.PositiveSmallIntegerField(
        default=4,
        validators=[MinValueValidator(1), MaxValueValidator(26)],
        help_text=_("How far ahead scheduled check-ins are created."),
    )

    class Meta:
        verbose_name_plural = _("check-in settings")
        constraints = [
            models.CheckConstraint(
                condition=Q(overdue_log_hours__gte=1), name="checkinsettings_overdue_positive"
            ),
            models.CheckConstraint(
                condition=Q(no_contact_days__gte=1), name="checkinsettings_no_contact_positive"
            ),
            models.CheckConstraint(
                condition=Q(weeks_ahead__gte=1, weeks_ahead__lte=26),
                name="checkinsettings_weeks_ahead_range",
            ),
        ]

    def __str__(self):
        return f"Check-in settings for {self.program}"


class Schedule(models.Model):
    """How often a match meets. Editing it rewrites only occurrences still in the future."""

    access_paths = AccessPaths(
        program="match__program",
        mentee="match__mentee",
        mentor="match__mentor",
        mentor_match="match",
        change_roles=(COORDINATOR, MENTOR),
    )

    class Cadence(models.TextChoices):
        WEEKLY = "weekly", _("Weekly")
        BIWEEKLY = "biweekly", _("Every two weeks")
        WEEKDAYS = "weekdays", _("On chosen weekdays")

    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="schedules")
    cadence = models.CharField(max_length=10, choices=Cadence.choices, default=Cadence.WEEKLY)
    # Monday=0 .. Sunday=6. Weekly and biweekly use the weekday of `starts_on`.
    weekdays = models.JSONField(default=list, blank=True)
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    time_of_day = models.TimeField(default=time(18, 0))
    # Blank: the program's time zone.
    timezone = models.CharField(max_length=64, blank=True)
    mode = models.CharField(max_length=10, choices=Mode.choices, default=Mode.PHONE)
    duration_minutes = models.PositiveSmallIntegerField(
        default=60, validators=[MinValueValidator(5), MaxValueValidator(480)]
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=utc_now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=5, duration_minutes__lte=480),
                name="schedule_duration_range",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="schedule_ends_after_start",
            ),
        ]

    def __str__(self):
        return (
            f"{self.get_cadence_display()} at {self.time_of_day:%H:%M} ({self.get_mode_display()})"
        )

    def tzinfo(self, program: Program | None = None) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone or (program or self.match.program).timezone)


class CheckIn(models.Model):
    """One occurrence: planned (status scheduled), then logged by the mentor.

    An individual check-in belongs to a match and its mentee. A group session has no mentee:
    its facilitator is the mentor, and each mentee's attendance is an Attendance row.
    Mentors reach individual check-ins only through an active match (mentee path), so ending a
    match hides them on the next request; a facilitator keeps their own group sessions.
    """

    access_paths = AccessPaths(
        program="program",
        mentee="mentee",
        mentor="facilitator",
        change_roles=(COORDINATOR, MENTOR),
    )

    class Kind(models.TextChoices):
        INDIVIDUAL = "individual", _("Individual")
        GROUP = "group", _("Group session")

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        # Context: Spanish agrees the word with what it describes ("Completado", a check-in).
        COMPLETED = "completed", pgettext_lazy("check-in status", "Completed")
        NO_SHOW = "no_show", _("No-show")
        CANCELLED = "cancelled", _("Cancelled")
        RESCHEDULED = "rescheduled", _("Rescheduled")

    class CancelReason(models.TextChoices):
        # Why a check-in was called off when the app, not a person, cancelled it.
        NONE = "", _("Cancelled by the mentor or a coordinator")
        MATCH_ENDED = "match_ended", _("Match ended")

    class Risk(models.TextChoices):
        NONE = "", _("No concern")
        CONCERN = "concern", _("Concern")
        CRISIS = "crisis", _("Crisis")

    class UseReport(models.TextChoices):
        NOT_ASKED = "", _("Not discussed")
        NO = "no", _("No use")
        YES = "yes", _("Used")

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="checkins")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.INDIVIDUAL)
    match = models.ForeignKey(
        Match, null=True, blank=True, on_delete=models.CASCADE, related_name="checkins"
    )
    mentee = models.ForeignKey(
        MenteeProfile, null=True, blank=True, on_delete=models.CASCADE, related_name="checkins"
    )
    # Group sessions only (see the class docstring).
    facilitator = models.ForeignKey(
        MentorProfile,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="group_checkins",
    )
    schedule = models.ForeignKey(
        Schedule, null=True, blank=True, on_delete=models.SET_NULL, related_name="checkins"
    )
    title = models.CharField(max_length=80, blank=True)
    scheduled_at = models.DateTimeField()
    duration_minutes = models.PositiveSmallIntegerField(
        default=60, validators=[MinValueValidator(5), MaxValueValidator(480)]
    )
    mode = models.CharField(max_length=10, choices=Mode.choices, default=Mode.PHONE)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.SCHEDULED)
    cancel_reason = models.CharField(
        max_length=12, choices=CancelReason.choices, blank=True, default=CancelReason.NONE
    )
    # The log
    actual_at = models.DateTimeField(null=True, blank=True)
    actual_minutes = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(5), MaxValueValidator(480)]
    )
    mood = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    craving = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(10)]
    )
    use_reported = models.CharField(
        max_length=3, choices=UseReport.choices, blank=True, default=UseReport.NOT_ASKED
    )
    # ISO dates (program-local) on which the mentee reported use since the last check-in.
    use_days = models.JSONField(default=list, blank=True)
    topics = models.ManyToManyField(FocusArea, blank=True, related_name="+")
    goals_reviewed = models.BooleanField(default=False)
    next_steps = models.TextField(max_length=1000, blank=True)
    risk = models.CharField(max_length=8, choices=Risk.choices, blank=True, default=Risk.NONE)
    logged_at = models.DateTimeField(null=True, blank=True)
    logged_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    mentee_confirmed_at = models.DateTimeField(null=True, blank=True)
    rescheduled_to = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="rescheduled_from"
    )
    created_at = models.DateTimeField(default=utc_now)
    # Every save through the services moves it (they list it in update_fields); the use log's
    # repair pass (outcomes.services.use_log_repair) reads the rows changed since its last run.
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["scheduled_at", "id"]
        constraints = [
            # Generation is idempotent: one occurrence per schedule slot.
            models.UniqueConstraint(
                fields=["schedule", "scheduled_at"], name="checkin_once_per_schedule_slot"
            ),
            models.CheckConstraint(
                condition=Q(kind="group", mentee__isnull=True, facilitator__isnull=False)
                | Q(kind="individual", mentee__isnull=False, match__isnull=False),
                name="checkin_individual_or_group",
            ),
            models.CheckConstraint(
                condition=Q(mood__isnull=True) | Q(mood__gte=1, mood__lte=5),
                name="checkin_mood_1_5",
            ),
            models.CheckConstraint(
                condition=Q(craving__isnull=True) | Q(craving__gte=0, craving__lte=10),
                name="checkin_craving_0_10",
            ),
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=5, duration_minutes__lte=480),
                name="checkin_duration_range",
            ),
        ]
        indexes = [
            # Serves the overdue-log scan in services.engagement_scan and the mentor's week list.
            models.Index(
                fields=["scheduled_at"],
                condition=Q(status="scheduled"),
                name="checkin_scheduled_open",
            ),
            # Its user: outcomes.services.use_log_repair, "individual check-ins changed since".
            models.Index(
                fields=["updated_at"], condition=Q(kind="individual"), name="checkin_changed"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} check-in {self.scheduled_at:%Y-%m-%d %H:%M} UTC"

    @property
    def is_logged(self) -> bool:
        return self.status != self.Status.SCHEDULED

    @property
    def ends_at(self):
        from datetime import timedelta

        return self.scheduled_at + timedelta(minutes=self.duration_minutes)


class Attendance(models.Model):
    """A mentee's place in a group session."""

    access_paths = AccessPaths(
        program="checkin__program",
        mentee="mentee",
        mentor="checkin__facilitator",
        change_roles=(COORDINATOR, MENTOR),
    )

    class Status(models.TextChoices):
        EXPECTED = "expected", _("Expected")
        ATTENDED = "attended", _("Attended")
        ABSENT = "absent", _("Absent")
        EXCUSED = "excused", _("Excused")

    checkin = models.ForeignKey(CheckIn, on_delete=models.CASCADE, related_name="attendances")
    mentee = models.ForeignKey(MenteeProfile, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.EXPECTED)
    mentee_confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["mentee__user__first_name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["checkin", "mentee"], name="attendance_once")
        ]

    def __str__(self):
        return f"{self.mentee.participant_id}: {self.get_status_display()}"


class CheckInNote(models.Model):
    """Confidential notes of a check-in, kept apart so the access policy can guard them.

    Visible to their author and the program's coordinators; to the matched mentor only while an
    active consent covers check-in notes (mentor_consent). Selectors leave the mentee role out.
    """

    access_paths = AccessPaths(
        program="checkin__program",
        mentee="checkin__mentee",
        mentor="author",
        mentor_consent="covers_checkin_notes",
        # The author keeps their notes of a group session, but not those of an ended match.
        mentor_match="checkin__match",
        change_roles=(COORDINATOR, MENTOR),
    )

    checkin = models.OneToOneField(CheckIn, on_delete=models.CASCADE, related_name="note")
    author = models.ForeignKey(
        MentorProfile, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    written_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    text = models.TextField(max_length=4000)
    updated_at = models.DateTimeField(default=utc_now)

    def __str__(self):
        return f"Notes on check-in #{self.checkin_id}"


class Alert(models.Model):
    """Something a coordinator must look at: a risk flag or a sign of disengagement."""

    access_paths = AccessPaths(program="program", mentee="mentee", change_roles=(COORDINATOR,))

    class Kind(models.TextChoices):
        CRISIS = "crisis", _("Crisis")
        CONCERN = "concern", _("Concern")
        OVERDUE_LOG = "overdue_log", _("Check-in not logged")
        NO_SHOWS = "no_shows", _("Two no-shows in a row")
        NO_CONTACT = "no_contact", _("No contact")

    RISK_KINDS = (Kind.CRISIS, Kind.CONCERN)

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    mentee = models.ForeignKey(
        MenteeProfile, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    match = models.ForeignKey(
        Match, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    checkin = models.ForeignKey(
        CheckIn, null=True, blank=True, on_delete=models.CASCADE, related_name="alerts"
    )
    raised_at = models.DateTimeField(default=utc_now)
    raised_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-raised_at", "-id"]
        constraints = [
            # Scans and re-logging run again and again: one open alert per check-in and kind...
            models.UniqueConstraint(
                fields=["checkin", "kind"],
                condition=Q(resolved_at__isnull=True, checkin__isnull=False),
                name="alert_open_once_per_checkin",
            ),
            # ... and one open engagement alert per match and kind.
            models.UniqueConstraint(
                fields=["match", "kind"],
                condition=Q(resolved_at__isnull=True, checkin__isnull=True, match__isnull=False),
                name="alert_open_once_per_match",
            ),
        ]
        indexes = [
            # Serves the coordinator's banner and engagement page: open alerts of a program.
            models.Index(
                fields=["program", "-raised_at"],
                condition=Q(resolved_at__isnull=True),
                name="alert_open_by_program",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} alert ({self.state})"

    @property
    def state(self) -> str:
        if self.resolved_at:
            return "resolved"
        return "acknowledged" if self.acknowledged_at else "open"

    STATE_LABELS = {"open": _("open"), "acknowledged": _("acknowledged"), "resolved": _("resolved")}

    def get_state_display(self) -> str:
        """The state in the reader's language; `state` stays the code that logic compares."""
        return str(self.STATE_LABELS[self.state])


class ReminderPreference(models.Model):
    """Each person chooses when they hear about an upcoming check-in."""

    class Before(models.TextChoices):
        NONE = "none", _("No reminders")
        DAY = "24h", _("24 hours before")
        TWO_HOURS = "2h", _("2 hours before")
        BOTH = "both", _("24 hours and 2 hours before")

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="reminder_preference")
    before = models.CharField(max_length=4, choices=Before.choices, default=Before.DAY)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"{self.user}: {self.get_before_display()}"


class CalendarFeed(models.Model):
    """A private iCalendar URL. Only the token's hash is kept; resetting revokes the old URL."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="calendar_feed")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=utc_now)

    def __str__(self):
        return f"Calendar feed of {self.user}"

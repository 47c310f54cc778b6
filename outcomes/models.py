"""Outcome data: the daily substance-use log (with its history), outcome settings per program,
and assessments such as BARC-10.

The use log has two tables. `UseReport` is append-only history: every report of a day, from
every source, is kept. `UseDay` is the one record per mentee per day that the metrics count;
it is recomputed from the reports by the program's conflict rule whenever a report arrives, so
nothing is ever silently overwritten.
"""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.timezone import now
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from accounts.models import MenteeProfile, Program, User
from mentorship.access import COORDINATOR, MENTEE, MENTOR, AccessPaths
from outcomes.metrics import NOT_RELAPSED, STRICT, AbstinenceRules, Window

USE_LOG_ACCESS = AccessPaths(
    program="mentee__program",
    mentee="mentee",
    mentor_consent="covers_use_log",
    change_roles=(COORDINATOR, MENTOR, MENTEE),
)


class OutcomeSettings(models.Model):
    """A program's choices for outcome measurement. Programs without a row use the defaults."""

    access_paths = AccessPaths(program="program")

    class ConflictRule(models.TextChoices):
        LAB_THEN_SELF = (
            "lab_then_self",
            _("A positive lab test wins, then the latest self-report, then the latest report"),
        )
        LATEST = "latest", _("The latest report wins, whatever its source")
        ANY_USE = "any_use", _("Any report of use wins, then the latest report")

    program = models.OneToOneField(
        Program, on_delete=models.CASCADE, related_name="outcome_settings"
    )
    conflict_rule = models.CharField(
        max_length=16, choices=ConflictRule.choices, default=ConflictRule.LAB_THEN_SELF
    )
    # Codes from outcomes.instruments: the questionnaires given at every time point below.
    instruments = models.CharField(max_length=60, default="barc10")
    # Weeks after enrollment when follow-up assessments are due (intake is always due).
    assessment_weeks = models.CharField(
        max_length=60, default="4,12,24", help_text=_("Comma-separated weeks, e.g. 4,12,24.")
    )

    class LapseRule(models.TextChoices):
        STRICT = STRICT, _("Strict: any use after the grace period")
        NOT_RELAPSED = (
            NOT_RELAPSED,
            _(
                "Not relapsed: use on 7 days in a row, or in 2 weeks in a row, after the grace period"
            ),
        )

    # Abstinence outcomes (outcomes.metrics.abstinence_periods): point prevalence at these day
    # numbers, continuous and prolonged abstinence over these windows of weeks.
    abstinence_timepoints = models.CharField(
        max_length=60, default="84,168", help_text=_("Comma-separated day numbers, e.g. 84,168.")
    )
    abstinence_windows = models.CharField(
        max_length=60,
        default="1-12,13-24",
        help_text=_("Comma-separated ranges of weeks, e.g. 1-12,13-24."),
    )
    grace_days = models.PositiveSmallIntegerField(
        default=14, validators=[MinValueValidator(0), MaxValueValidator(84)]
    )
    lapse_rule = models.CharField(
        max_length=16, choices=LapseRule.choices, default=LapseRule.STRICT
    )
    # Imported use days before enrollment are accepted this far back and counted as baseline
    # (the Timeline Followback baseline is 90 days); anything earlier is refused as a typo.
    baseline_days = models.PositiveSmallIntegerField(
        _("baseline window (days before enrollment)"),
        default=90,
        validators=[MinValueValidator(0), MaxValueValidator(365)],
    )
    # Aggregate outputs show no cell of fewer people than this (CMS's cell size rule is 11).
    min_cell_size = models.PositiveSmallIntegerField(
        default=11, validators=[MinValueValidator(5), MaxValueValidator(50)]
    )

    class Meta:
        verbose_name_plural = _("outcome settings")

    def __str__(self):
        return f"Outcome settings for {self.program}"

    @property
    def followup_weeks(self) -> list[int]:
        return sorted({int(w) for w in self.assessment_weeks.split(",") if w.strip().isdigit()})

    @property
    def abstinence_rules(self) -> AbstinenceRules:
        """The stored choices as outcomes.metrics reads them (validated by the settings form)."""

        def window(text: str) -> Window:
            first, _dash, last = text.partition("-")
            return Window(int(first), int(last))

        return AbstinenceRules(
            timepoints=tuple(int(t) for t in self.abstinence_timepoints.split(",") if t.strip()),
            windows=tuple(window(w) for w in self.abstinence_windows.split(",") if w.strip()),
            grace_days=self.grace_days,
            lapse_rule=self.lapse_rule,
        )

    @property
    def instrument_codes(self) -> list[str]:
        return [code for code in self.instruments.split(",") if code]

    @property
    def timepoints(self) -> list[int]:
        """Intake (week 0), which is always due, then the follow-up weeks."""
        return [0, *self.followup_weeks]


class Source(models.TextChoices):
    SELF = "self", _("Self-report")
    MENTOR = "mentor", _("Mentor report at a check-in")
    COLLATERAL = "collateral", _("Collateral report")
    LAB = "lab", _("Lab or biological test")
    IMPORT = "import", _("Imported")


class UseReport(models.Model):
    """One report about one day. Append-only: a correction is a new report."""

    access_paths = USE_LOG_ACCESS
    Source = Source

    mentee = models.ForeignKey(MenteeProfile, on_delete=models.CASCADE, related_name="use_reports")
    day = models.DateField()
    # For a lab test, used=True means a positive result.
    used = models.BooleanField()
    substances = models.JSONField(default=list, blank=True)  # names from the program vocabulary
    amount = models.DecimalField(
        _("amount (standard units)"),
        max_digits=6,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    heavy = models.BooleanField(_("heavy use"), default=False)
    source = models.CharField(max_length=12, choices=Source.choices)
    recorded_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(default=now)
    # Set on mentor reports taken from a logged check-in, so a sync never adds them twice.
    checkin = models.ForeignKey(
        "checkins.CheckIn", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["mentee", "day", "recorded_at", "id"]
        indexes = [
            # Serves the rule that recomputes a day from all of its reports.
            models.Index(fields=["mentee", "day"], name="usereport_mentee_day"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(used=True) | Q(heavy=False), name="heavy_needs_use")
        ]

    def __str__(self):
        return f"{self.get_source_display()} for {self.day:%Y-%m-%d}"

    @property
    def result_label(self) -> str:
        if self.source == Source.LAB:
            return gettext("Positive test") if self.used else gettext("Negative test")
        return gettext("Used") if self.used else gettext("No use")


class UseDay(models.Model):
    """The day that counts: one per mentee per day, chosen from the reports by the program rule."""

    access_paths = USE_LOG_ACCESS

    mentee = models.ForeignKey(MenteeProfile, on_delete=models.CASCADE, related_name="use_days")
    day = models.DateField()
    used = models.BooleanField()
    substances = models.JSONField(default=list, blank=True)
    amount = models.DecimalField(max_digits=6, decimal_places=1, null=True, blank=True)
    heavy = models.BooleanField(default=False)
    source = models.CharField(max_length=12, choices=Source.choices)
    report = models.ForeignKey(UseReport, on_delete=models.PROTECT, related_name="+")
    report_count = models.PositiveSmallIntegerField(default=1)
    conflicting = models.BooleanField(default=False)  # reports disagree about use
    updated_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["mentee", "day"]
        constraints = [
            models.UniqueConstraint(fields=["mentee", "day"], name="useday_one_per_mentee_day")
        ]

    def __str__(self):
        return f"{self.day:%Y-%m-%d}: {'used' if self.used else 'no use'}"


class UseLogSubject(MenteeProfile):
    """The mentee seen through their use log: a matched mentor needs a use-log consent."""

    access_paths = AccessPaths(
        program="program",
        mentee="",
        mentor_consent="covers_use_log",
        change_roles=(COORDINATOR, MENTOR, MENTEE),
    )

    class Meta:
        proxy = True


class AssessmentSubject(MenteeProfile):
    """The mentee seen through their assessments: a matched mentor needs an assessments consent."""

    access_paths = AccessPaths(
        program="program",
        mentee="",
        mentor_consent="covers_assessments",
        change_roles=(COORDINATOR, MENTOR, MENTEE),
    )

    class Meta:
        proxy = True


class Assessment(models.Model):
    """One completed instrument (e.g. BARC-10) at one time point. Items live in `answers`."""

    access_paths = AccessPaths(
        program="mentee__program",
        mentee="mentee",
        mentor_consent="covers_assessments",
        change_roles=(COORDINATOR, MENTOR, MENTEE),
    )

    mentee = models.ForeignKey(MenteeProfile, on_delete=models.CASCADE, related_name="assessments")
    instrument = models.CharField(max_length=20)  # a code from outcomes.instruments
    week = models.PositiveSmallIntegerField(validators=[MaxValueValidator(520)])  # 0 = intake
    answers = models.JSONField(default=list)
    # Every score of the instrument by code ({"total": 51}, {"use": 2, "risk": 9, ...}), as
    # outcomes.instruments scores the answers; `total` repeats the "total" of those that have one.
    scores = models.JSONField(default=dict)
    total = models.PositiveSmallIntegerField(null=True, blank=True)
    completed_on = models.DateField()
    recorded_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["mentee", "instrument", "week"]
        # The cohort report's watch for assessments recorded since a participant's stored
        # figures (outcomes.reports._CHANGED_SQL).
        indexes = [models.Index(fields=["recorded_at"], name="assessment_recorded")]
        constraints = [
            models.UniqueConstraint(
                fields=["mentee", "instrument", "week"], name="assessment_once_per_timepoint"
            )
        ]

    def __str__(self):
        return f"{self.instrument} week {self.week}"


class Disclosure(models.Model):
    """One participant's records leaving the program in an identified export (42 CFR Part 2):
    who disclosed, when, to whom, why, and under which written consent. Never edited."""

    access_paths = AccessPaths(program="program", mentee="mentee")

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="+")
    mentee = models.ForeignKey(MenteeProfile, on_delete=models.PROTECT, related_name="+")
    consent = models.ForeignKey("accounts.Consent", on_delete=models.PROTECT, related_name="+")
    recipient = models.CharField(max_length=160)
    purpose = models.CharField(max_length=240)
    kind = models.CharField(max_length=20)  # which export: participants, days, checkins
    disclosed_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    disclosed_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["-disclosed_at", "-id"]

    def __str__(self):
        return f"{self.mentee.participant_id} to {self.recipient} on {self.disclosed_at:%Y-%m-%d}"


class ExportJob(models.Model):
    """A long de-identified export, written by a Celery worker while a progress bar shows.

    Reached only through its program and the person who asked for it (see views_reports).
    """

    access_paths = AccessPaths(program="program")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting for a worker")
        RUNNING = "running", _("Writing")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")
        EXPIRED = "expired", _("File deleted")  # see export_jobs.export_jobs_expire

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")
    requested_by = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20)
    fmt = models.CharField(max_length=5)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    file = models.FileField(upload_to="exports/", blank=True)
    created_at = models.DateTimeField(default=now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.kind}.{self.fmt} export ({self.get_status_display()})"

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return min(99, self.rows_done * 100 // self.rows_total) if self.rows_total else 0


class UseSummary(models.Model):
    """Per mentee: the use-log figures of the standard windows and weeks that do not depend on
    today (records never lie in the future), kept in step with UseDay by outcomes.services.

    Lets the cohort report read one row per participant instead of every day. Recorded against
    the enrollment date it was computed for: if that date changes, the report recomputes.
    """

    access_paths = USE_LOG_ACCESS

    mentee = models.OneToOneField(
        MenteeProfile, on_delete=models.CASCADE, related_name="use_summary"
    )
    enrolled_on = models.DateField()
    # {"w1_12": [recorded, use, longest abstinent run, day of first use or null], ...}
    windows = models.JSONField(default=dict)
    weekly = models.JSONField(default=list)  # per week 1..24: [use, recorded] or null
    # The same figures and the weekly ones as bytes, which the cohort report reads for every
    # participant in one query (outcomes.reports.summary_compute), and one byte per day number
    # (missing / abstinent / used) for the abstinence outcomes: bytes, not JSON, so reading
    # 10,000 of them parses nothing.
    packed = models.BinaryField(null=True, blank=True)
    days = models.BinaryField(null=True, blank=True)
    updated_at = models.DateTimeField(default=now)
    # The activity figures of the standard windows so far, which depend on today (a planned
    # check-in counts once its day has come, a goal once it is due): check-ins scheduled,
    # completed and minutes held, goals due and achieved, and each score at intake and latest,
    # as big-endian int4s (outcomes.reports.ACTIVITY). Counted for the program's day
    # `activity_on` from the records as they stood at `activity_at`; the report counts afresh
    # anyone whose figures are from another day or whose check-ins, goals or assessments
    # changed since (outcomes.reports._FRESH_ACTIVITY), and the hourly pass brings them up to
    # date, so a report reads one row per participant however long the program has run.
    activity = models.BinaryField(null=True, blank=True)
    activity_on = models.DateField(null=True, blank=True)
    activity_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        # The oldest stored figures: where the report starts looking for changes.
        indexes = [models.Index(fields=["activity_at"], name="summary_counted")]

    def __str__(self):
        return f"Use summary of {self.mentee_id}"


class UseLogRepair(models.Model):
    """How far the use log's repair pass has read check-ins (outcomes.services.use_log_repair).

    Check-ins hand their use reports to the use log in their own transaction (checkins.hooks);
    the pass only catches rows changed without going through those services (a data migration,
    a shell session), reading check-ins whose `updated_at` is past `checked_until`. One row.
    """

    name = models.CharField(max_length=40, unique=True)
    checked_until = models.DateTimeField(null=True, blank=True)  # null: never ran, read all

    def __str__(self):
        return f"Use log repair {self.name}: checked until {self.checked_until}"


# --- Follow-up interviews (GPRA-style: intake, 6-month follow-up, discharge) and locator data.
# The schedule's arithmetic lives in outcomes.interviews; these tables hold only what staff
# chose and recorded. Whether an interview fell inside its window is derived when read, never
# stored: an enrollment date corrected later, or a discharge recorded after the discharge
# interview, moves the window, and a stored flag would silently go stale.


class InterviewSchedule(models.Model):
    """A program's interview points and who must be interviewed. Programs without a row use
    the defaults (intake, 6-month follow-up, discharge; everyone enrolled; target 80 %)."""

    access_paths = AccessPaths(program="program")

    program = models.OneToOneField(
        Program, on_delete=models.CASCADE, related_name="interview_schedule"
    )
    three_month = models.BooleanField(
        _("3-month follow-up"), default=False, help_text=_("Add a follow-up interview at month 3.")
    )
    # Blank: everyone enrolled; otherwise only this arm (e.g. a study following its comparison
    # arm through another service).
    arm = models.CharField(
        _("who must be interviewed"),
        max_length=12,
        choices=MenteeProfile.Arm.choices,
        blank=True,
        help_text=_("Leave empty to interview everyone enrolled."),
    )
    target_rate = models.PositiveSmallIntegerField(
        _("follow-up rate target (%)"),
        default=80,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(target_rate__gte=1, target_rate__lte=100),
                name="interview_target_rate_percent",
            )
        ]

    def __str__(self):
        return f"Interview schedule of {self.program}"


class FollowUpSubject(MenteeProfile):
    """The mentee seen through their follow-up interviews and locator data: coordinators only
    (no mentee path, so neither the mentee, their mentor nor an evaluator reaches it)."""

    access_paths = AccessPaths(program="program", change_roles=(COORDINATOR,))

    class Meta:
        proxy = True


class Interview(models.Model):
    """One interview attempt at one point: kept whatever its outcome or date (an interview
    outside its window is kept, it only does not count). Coordinators only."""

    access_paths = AccessPaths(program="mentee__program", change_roles=(COORDINATOR,))

    class Point(models.TextChoices):
        INTAKE = "intake", _("Intake")
        MONTH_3 = "month_3", _("3-month follow-up")
        MONTH_6 = "month_6", _("6-month follow-up")
        DISCHARGE = "discharge", _("Discharge")

    class Outcome(models.TextChoices):
        # Context: Spanish agrees the word with what it describes ("Completada", an interview).
        COMPLETED = "completed", pgettext_lazy("interview outcome", "Completed")
        NOT_LOCATED = "not_located", _("Not located")
        REFUSED = "refused", _("Refused")
        INCARCERATED = "incarcerated", _("Incarcerated")
        DECEASED = "deceased", _("Deceased")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    mentee = models.ForeignKey(MenteeProfile, on_delete=models.CASCADE, related_name="interviews")
    point = models.CharField(max_length=12, choices=Point.choices)
    held_on = models.DateField(_("date"))
    conducted_by = models.ForeignKey(
        User, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("conducted by")
    )
    outcome = models.CharField(max_length=12, choices=Outcome.choices)
    recorded_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["mentee", "held_on", "id"]
        indexes = [
            # Serves the follow-up dashboard and the notices: a program's interviews by person.
            models.Index(fields=["mentee", "point"], name="interview_mentee_point"),
        ]

    def __str__(self):
        return (
            f"{self.get_point_display()} on {self.held_on:%Y-%m-%d}: {self.get_outcome_display()}"
        )


class Locator(models.Model):
    """Where to find a participant for a follow-up interview: phone numbers, addresses and
    other people who may know where they are. Kept apart from the profile so that no page,
    panel, export or e-mail that shows a profile can carry it; coordinators only (the access
    policy gives mentors, mentees and evaluators no path to it), audited on every view."""

    access_paths = AccessPaths(program="mentee__program", change_roles=(COORDINATOR,))

    mentee = models.OneToOneField(MenteeProfile, on_delete=models.CASCADE, related_name="locator")
    phones = models.TextField(_("phone numbers"), max_length=500, blank=True)
    addresses = models.TextField(max_length=1000, blank=True)
    contacts = models.TextField(
        _("other contacts"),
        max_length=1500,
        blank=True,
        help_text=_("People who may know where the participant is, and how to reach them."),
    )
    # The participant agreed that the program may use these to find them, and may tell the
    # contacts named only that it is trying to reach them (never why).
    participant_agreed = models.BooleanField(default=False)
    updated_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(default=now)

    def __str__(self):
        return f"Locator of {self.mentee_id}"

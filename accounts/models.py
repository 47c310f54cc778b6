"""People and programs: users, memberships (role per program), vocabularies, profiles, consent.

Everything a program can vary (philosophies, focus areas, substances, trainings) is data owned by
the program, never a hard-coded choice: programs differ.
"""

import hashlib
import re
import secrets
import zoneinfo
from datetime import date

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.text import format_lazy
from django.utils.timezone import now
from django.utils.translation import gettext, gettext_noop, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device, ThrottlingMixin

from mentorship.access import AccessPaths
from mentorship.i18n import in_language


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            gettext("“%(value)s” is not a known time zone, e.g. America/Chicago.")
            % {"value": value}
        )


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)  # None gives an unusable password: the invitation sets one
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """Anyone who may sign in. The e-mail address is the login."""

    email = models.EmailField(_("email"), unique=True)
    first_name = models.CharField(_("first name"), max_length=80, blank=True)
    last_name = models.CharField(_("last name"), max_length=80, blank=True)
    timezone = models.CharField(
        _("time zone"),
        max_length=64,
        blank=True,
        validators=[validate_timezone],
        help_text=_("Leave blank to use the program's time zone."),
    )
    # Blank: no choice yet; pages follow the browser, e-mails the program's default
    # (accounts.languages).
    preferred_language = models.CharField(
        _("language"), max_length=8, blank=True, default="", choices=settings.LANGUAGES
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("admin site access"), default=False)
    date_joined = models.DateTimeField(_("date joined"), default=now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["last_name", "first_name", "email"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.get_full_name() or self.email

    def get_full_name(self):
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self):
        return self.first_name or self.email


PARTICIPANT_ID_MAX = 32
PARTICIPANT_ID_CHARACTERS = re.compile(r"[A-Za-z0-9_-]+")


def validate_participant_id_pattern(value: str) -> None:
    try:
        re.compile(value)
    except re.error as exc:
        raise ValidationError(
            gettext("Not a valid regular expression: %(error)s.") % {"error": exc}
        ) from None


def participant_id_problem(value: str, program: "Program") -> str | None:
    """Why this is not a usable study ID in this program (uniqueness aside), or None."""
    if len(value) > PARTICIPANT_ID_MAX or not PARTICIPANT_ID_CHARACTERS.fullmatch(value):
        return gettext(
            "A participant ID is 1 to %(max)s letters, digits, “-” or “_”; not “%(value)s”."
        ) % {"max": PARTICIPANT_ID_MAX, "value": value[:40]}
    pattern = program.participant_id_pattern
    if pattern and not re.fullmatch(pattern, value):
        return gettext(
            "“%(value)s” does not match this program's participant ID pattern %(pattern)s."
        ) % {"value": value, "pattern": pattern}
    return None


class Program(models.Model):
    """One site or cohort of a recovery organization."""

    class Cadence(models.TextChoices):
        WEEKLY = "weekly", _("Weekly")
        BIWEEKLY = "biweekly", _("Every two weeks")

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    organization = models.CharField(_("organization"), max_length=120, blank=True)
    timezone = models.CharField(
        _("time zone"), max_length=64, default="America/New_York", validators=[validate_timezone]
    )
    default_checkin_cadence = models.CharField(
        _("default check-in cadence"),
        max_length=10,
        choices=Cadence.choices,
        default=Cadence.WEEKLY,
    )
    # For people who chose no language and whose browser asks for none we have.
    default_language = models.CharField(
        _("default language"), max_length=8, default="en", choices=settings.LANGUAGES
    )
    # Mentor eligibility (MAP: at least 6 months of continuous recovery).
    min_recovery_months = models.PositiveSmallIntegerField(
        _("minimum months of recovery"), default=6, validators=[MaxValueValidator(240)]
    )
    required_trainings = models.ManyToManyField(
        "Training", blank=True, related_name="+", verbose_name=_("required trainings")
    )
    crisis_resources = models.TextField(
        _("crisis resources"),
        default="988 Suicide & Crisis Lifeline: call or text 988 (24/7).",
        help_text=_("Shown to mentors and coordinators whenever a crisis is flagged."),
    )
    created_at = models.DateTimeField(_("created"), default=now)
    # Second factor (issue #16): coordinators and evaluators must have one this many days after
    # the later of their role starting and `second_factor_since` (when the rule began for this
    # program: existing roles get the full grace period rather than being locked out on the day).
    # Set by a superuser in the admin, not on the settings page: a coordinator must not be able
    # to lengthen their own grace.
    second_factor_grace_days = models.PositiveSmallIntegerField(
        _("days of grace for a second factor"), default=14, validators=[MaxValueValidator(365)]
    )
    second_factor_since = models.DateTimeField(_("second factor required since"), default=now)
    # A program that brings its own study IDs (e.g. M001) says what they look like; an imported
    # participant_id must match it whole. Empty: any ID up to 32 letters, digits, "-" or "_".
    participant_id_pattern = models.CharField(
        _("participant ID pattern"),
        max_length=100,
        blank=True,
        validators=[validate_participant_id_pattern],
        help_text=_("A regular expression the whole ID must match, e.g. M[0-9]{3}."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("program")
        verbose_name_plural = _("programs")

    def __str__(self):
        return self.name

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    def today(self) -> date:
        return now().astimezone(self.tzinfo).date()


class Membership(models.Model):
    """A role for a user in one program. Superusers use the Django admin instead."""

    class Role(models.TextChoices):
        COORDINATOR = "coordinator", _("Coordinator")
        MENTOR = "mentor", _("Mentor")
        MENTEE = "mentee", _("Mentee")
        STAFF = "staff", _("Evaluator")

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user")
    )
    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("program")
    )
    role = models.CharField(_("role"), max_length=12, choices=Role.choices)
    is_active = models.BooleanField(_("active"), default=True)
    # When the person joined the program. A participant enrolled by a coordinator joins only by
    # accepting the program's invitation (signed in, if the e-mail already has an account);
    # until then the membership is pending (None) and grants nothing: a coordinator typing an
    # e-mail must never give anyone access to the program, nor the program to an account.
    joined_at = models.DateTimeField(_("joined"), null=True, blank=True, default=now)
    created_at = models.DateTimeField(_("created"), default=now)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "program", "role"], name="membership_one_role_per_program"
            )
        ]

    def __str__(self):
        return gettext("%(user)s — %(role)s in %(program)s") % {
            "user": self.user,
            "role": self.get_role_display(),
            "program": self.program,
        }


# --- Vocabularies: per program, seeded with defaults, edited by coordinators.


class VocabularyTerm(models.Model):
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=80)
    description = models.CharField(_("description"), max_length=240, blank=True)
    # The same term in Spanish; blank shows `name` (mentorship.i18n.in_language).
    name_es = models.CharField(_("name in Spanish"), max_length=80, blank=True, default="")
    description_es = models.CharField(
        _("description in Spanish"), max_length=240, blank=True, default=""
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        abstract = True
        ordering = ["position", "name"]

    def __str__(self):
        return self.label

    @property
    def label(self) -> str:
        return in_language(self, "name")

    @property
    def label_description(self) -> str:
        return in_language(self, "description")


class Philosophy(VocabularyTerm):
    """A recovery philosophy: 12-step, SMART Recovery, MOUD-affirming, faith-based, ..."""

    class Meta(VocabularyTerm.Meta):
        verbose_name = _("philosophy")
        verbose_name_plural = _("philosophies")
        constraints = [
            models.UniqueConstraint(fields=["program", "name"], name="philosophy_unique_name")
        ]


class FocusArea(VocabularyTerm):
    class Meta(VocabularyTerm.Meta):
        verbose_name = _("focus area")
        verbose_name_plural = _("focus areas")
        constraints = [
            models.UniqueConstraint(fields=["program", "name"], name="focusarea_unique_name")
        ]


class Substance(VocabularyTerm):
    class Meta(VocabularyTerm.Meta):
        verbose_name = _("substance")
        verbose_name_plural = _("substances")
        constraints = [
            models.UniqueConstraint(fields=["program", "name"], name="substance_unique_name")
        ]


class Training(VocabularyTerm):
    class Meta(VocabularyTerm.Meta):
        verbose_name = _("training")
        verbose_name_plural = _("trainings")
        constraints = [
            models.UniqueConstraint(fields=["program", "name"], name="training_unique_name")
        ]


class Language(models.Model):
    """Shared by all programs: languages are not a program's choice."""

    code = models.CharField(_("code"), max_length=12, unique=True)
    name = models.CharField(_("name"), max_length=60)

    class Meta:
        ordering = ["name"]
        verbose_name = _("language")
        verbose_name_plural = _("languages")

    def __str__(self):
        return self.name


class Gender(models.TextChoices):
    WOMAN = "woman", _("Woman")
    MAN = "man", _("Man")
    NONBINARY = "nonbinary", _("Non-binary")
    SELF_DESCRIBED = "other", _("Self-described")
    UNDISCLOSED = "undisclosed", _("Prefer not to say")


# Weekly availability is a bitmask of 21 slots: 7 weekdays x morning/afternoon/evening.
# Matching counts shared slots with one AND; the form shows a grid of checkboxes.
WEEKDAYS = [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")]
DAYPARTS = [_("morning"), _("afternoon"), _("evening")]
# The slot names an import file uses ("Mon morning"): data keys, English in every language.
_WEEKDAY_KEYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
_DAYPART_KEYS = ["morning", "afternoon", "evening"]
AVAILABILITY_SLOTS = [
    (day * 3 + part, f"{_WEEKDAY_KEYS[day]} {_DAYPART_KEYS[part]}")
    for day in range(7)
    for part in range(3)
]
# The same slots as people read them, in the active language.
AVAILABILITY_CHOICES = [
    (day * 3 + part, format_lazy("{} {}", WEEKDAYS[day], DAYPARTS[part]))
    for day in range(7)
    for part in range(3)
]
ALL_AVAILABILITY = (1 << 21) - 1


def availability_labels(mask: int) -> list[str]:
    return [str(label) for bit, label in AVAILABILITY_CHOICES if mask & (1 << bit)]


class ProgramName(models.Model):
    """The name a program knows a participant by. The account's own name belongs to the person
    (only they or a superuser change it); each program keeps what its coordinator typed, so no
    program shows, or can change, the name another program holds."""

    first_name = models.CharField(_("first name"), max_length=80, blank=True)
    last_name = models.CharField(_("last name"), max_length=80, blank=True)

    class Meta:
        abstract = True

    def __str__(self):
        return self.display_name or getattr(self, "participant_id", "") or f"#{self.pk}"

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def short_name(self) -> str:
        return self.first_name or self.display_name


class MentorProfile(ProgramName):
    """A person in later recovery who mentors, in one program."""

    access_paths = AccessPaths(program="program", mentor="", change_roles=("coordinator",))

    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, related_name="mentors", verbose_name=_("program")
    )
    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="mentor_profiles", verbose_name=_("user")
    )
    philosophies = models.ManyToManyField(
        Philosophy, blank=True, related_name="mentors", verbose_name=_("philosophies")
    )
    focus_areas = models.ManyToManyField(
        FocusArea, blank=True, related_name="mentors", verbose_name=_("focus areas")
    )
    languages = models.ManyToManyField(
        Language, blank=True, related_name="mentors", verbose_name=_("languages")
    )
    gender = models.CharField(_("gender"), max_length=12, choices=Gender.choices, blank=True)
    lived_substances = models.ManyToManyField(
        Substance, blank=True, related_name="mentors", verbose_name=_("lived substances")
    )
    recovery_since = models.DateField(
        _("recovery since"), null=True, blank=True, help_text=_("Start of continuous recovery.")
    )
    is_certified_peer_specialist = models.BooleanField(
        _("certified peer recovery specialist"), default=False
    )
    certifications = models.CharField(_("certifications"), max_length=240, blank=True)
    capacity = models.PositiveSmallIntegerField(
        _("capacity"),
        default=3,
        validators=[MinValueValidator(0), MaxValueValidator(25)],
        help_text=_("Maximum number of active mentees."),
    )
    accepting_new = models.BooleanField(_("accepting new mentees"), default=True)
    availability = models.PositiveIntegerField(_("availability"), default=0)
    bio = models.TextField(_("bio"), max_length=1500, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), default=now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name = _("mentor")
        verbose_name_plural = _("mentors")
        constraints = [
            models.UniqueConstraint(fields=["program", "user"], name="mentor_once_per_program"),
            models.CheckConstraint(condition=Q(capacity__lte=25), name="mentor_capacity_range"),
            models.CheckConstraint(
                condition=Q(availability__lt=1 << 21), name="mentor_availability_21_slots"
            ),
        ]


class MentorTraining(models.Model):
    mentor = models.ForeignKey(
        MentorProfile, on_delete=models.CASCADE, related_name="trainings", verbose_name=_("mentor")
    )
    training = models.ForeignKey(
        Training, on_delete=models.CASCADE, related_name="+", verbose_name=_("training")
    )
    completed_on = models.DateField(_("completed on"))

    class Meta:
        verbose_name = _("completed training")
        verbose_name_plural = _("completed trainings")
        ordering = ["training__position", "training__name"]
        constraints = [
            models.UniqueConstraint(fields=["mentor", "training"], name="mentortraining_once")
        ]

    def __str__(self):
        return f"{self.training} ({self.completed_on:%Y-%m-%d})"


def new_participant_id() -> str:
    # Random and not derived from personal data: it is the only key in de-identified outputs.
    # Crockford-style alphabet (no 0/O, 1/I/L) so it can be read aloud and typed from paper.
    alphabet = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
    return "P-" + "".join(secrets.choice(alphabet) for _ in range(8))


class MenteeProfile(ProgramName):
    """A person in early recovery enrolled in a program (mentored or comparison arm)."""

    access_paths = AccessPaths(program="program", mentee="", change_roles=("coordinator",))

    class Stage(models.TextChoices):
        IN_TREATMENT = "in_treatment", _("In treatment")
        EARLY = "early", _("Early recovery (under 3 months)")
        EARLY_LATE = "early_late", _("Early recovery (3-12 months)")
        SUSTAINED = "sustained", _("Sustained recovery (over 1 year)")

    class Arm(models.TextChoices):
        MENTORED = "mentored", _("Mentored")
        COMPARISON = "comparison", _("Comparison (treatment as usual)")

    class Status(models.TextChoices):
        ENROLLED = "enrolled", _("Enrolled")
        MATCHED = "matched", _("Matched")
        # Contexts: Spanish agrees the word with what it describes ("Completado", a mentee).
        ACTIVE = "active", pgettext_lazy("mentee status", "Active")
        PAUSED = "paused", _("Paused")
        COMPLETED = "completed", pgettext_lazy("mentee status", "Completed")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        DISCHARGED = "discharged", _("Discharged")

    class Referral(models.TextChoices):
        SELF = "self", _("Self")
        TREATMENT = "treatment", _("Treatment provider")
        COURT = "court", _("Court or probation")
        HOSPITAL = "hospital", _("Hospital or emergency department")
        FAMILY = "family", _("Family or friend")
        COMMUNITY = "community", _("Community organization")
        OTHER = "other", _("Other")

    class GenderPreference(models.TextChoices):
        NONE = "", _("No preference")
        WOMAN = "woman", _("Woman")
        MAN = "man", _("Man")
        NONBINARY = "nonbinary", _("Non-binary")

    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, related_name="mentees", verbose_name=_("program")
    )
    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="mentee_profiles", verbose_name=_("user")
    )
    # The program's own study ID when it brings them (unique within the program), or one
    # assigned at random.
    participant_id = models.CharField(
        _("participant ID"),
        max_length=PARTICIPANT_ID_MAX,
        default=new_participant_id,
        editable=False,
    )
    enrolled_on = models.DateField(_("enrolled on"), help_text=_("Day 1 of every outcome window."))
    recovery_stage = models.CharField(
        _("recovery stage"), max_length=12, choices=Stage.choices, default=Stage.EARLY
    )
    substances = models.ManyToManyField(
        Substance, blank=True, related_name="mentees", verbose_name=_("substances")
    )
    preferred_philosophy = models.ForeignKey(
        Philosophy,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("preferred philosophy"),
    )
    philosophy_required = models.BooleanField(
        _("philosophy required"),
        default=False,
        help_text=_("Only mentors who support this philosophy may be matched."),
    )
    languages = models.ManyToManyField(
        Language, blank=True, related_name="mentees", verbose_name=_("languages")
    )
    gender = models.CharField(_("gender"), max_length=12, choices=Gender.choices, blank=True)
    preferred_mentor_gender = models.CharField(
        _("preferred mentor gender"), max_length=12, choices=GenderPreference.choices, blank=True
    )
    mentor_gender_required = models.BooleanField(_("mentor gender required"), default=False)
    availability = models.PositiveIntegerField(_("availability"), default=0)
    referral_source = models.CharField(
        _("referral source"), max_length=12, choices=Referral.choices, blank=True
    )
    study_arm = models.CharField(
        _("study arm"), max_length=12, choices=Arm.choices, default=Arm.MENTORED
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.ENROLLED
    )
    created_at = models.DateTimeField(_("created"), default=now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name = _("mentee")
        verbose_name_plural = _("mentees")
        constraints = [
            models.UniqueConstraint(fields=["program", "user"], name="mentee_once_per_program"),
            models.UniqueConstraint(
                fields=["program", "participant_id"], name="participant_id_unique_in_program"
            ),
            models.CheckConstraint(
                condition=Q(availability__lt=1 << 21), name="mentee_availability_21_slots"
            ),
            # The comparison arm is followed for outcomes and never matched.
            models.CheckConstraint(
                condition=~Q(study_arm="comparison", status__in=["matched", "active", "paused"]),
                name="comparison_arm_never_matched",
            ),
        ]


class MenteeFocusArea(models.Model):
    class Priority(models.IntegerChoices):
        HIGH = 3, _("High")
        MEDIUM = 2, _("Medium")
        LOW = 1, _("Low")

    mentee = models.ForeignKey(
        MenteeProfile,
        on_delete=models.CASCADE,
        related_name="focus_needs",
        verbose_name=_("mentee"),
    )
    focus_area = models.ForeignKey(
        FocusArea, on_delete=models.CASCADE, related_name="+", verbose_name=_("focus area")
    )
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, default=Priority.MEDIUM
    )

    class Meta:
        verbose_name = _("focus area needed")
        verbose_name_plural = _("focus areas needed")
        ordering = ["-priority", "focus_area__name"]
        constraints = [
            models.UniqueConstraint(fields=["mentee", "focus_area"], name="mentee_focus_once")
        ]

    def __str__(self):
        return f"{self.focus_area} ({self.get_priority_display()})"


class StatusChange(models.Model):
    """Dated history of a mentee's status; written by services only."""

    class Reason:
        """Reasons the services write themselves. Stored as the English msgid (rows written before
        this equal it already) and translated when shown, so each reader sees their language."""

        ENROLLED = gettext_noop("Enrolled")
        ENROLLED_IMPORT = gettext_noop("Enrolled (CSV import)")
        MATCH_STARTED = gettext_noop("Match started")
        MATCH_PAUSED = gettext_noop("Match paused")
        MATCH_RESUMED = gettext_noop("Match resumed")
        MATCH_ENDED = gettext_noop("Match ended")
        MATCHED = gettext_noop("Matched")
        PROGRAM_COMPLETED = gettext_noop("Program completed")

    # Only these are translated: a reason a coordinator typed is shown as typed, even if it
    # happens to equal some other msgid.
    SYSTEM_REASONS = frozenset(
        value for name, value in vars(Reason).items() if name.isupper() and isinstance(value, str)
    )

    access_paths = AccessPaths(program="mentee__program", mentee="mentee")

    mentee = models.ForeignKey(
        MenteeProfile, on_delete=models.CASCADE, related_name="status_history"
    )
    from_status = models.CharField(
        _("from status"), max_length=12, choices=MenteeProfile.Status.choices, blank=True
    )
    to_status = models.CharField(
        _("new status"), max_length=12, choices=MenteeProfile.Status.choices
    )
    reason = models.CharField(_("reason"), max_length=240, blank=True)
    changed_at = models.DateTimeField(_("changed"), default=now)
    changed_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-changed_at", "-id"]

    def __str__(self):
        return f"{self.from_status or '—'} → {self.to_status} on {self.changed_at:%Y-%m-%d}"

    @property
    def reason_text(self) -> str:
        """The reason in the reader's language; what every page shows."""
        return gettext(self.reason) if self.reason in self.SYSTEM_REASONS else self.reason


class Consent(models.Model):
    """A written consent to disclose (42 CFR Part 2, section 2.31). Versioned, never deleted.

    Each element the regulation requires is a field: who (the participant), who may disclose (the
    program), what, to whom, why, until when, the right to revoke, signature and date.
    """

    access_paths = AccessPaths(
        program="mentee__program", mentee="mentee", change_roles=("coordinator",)
    )

    class SignatureKind(models.TextChoices):
        TYPED = "typed", _("Typed name")
        UPLOADED = "uploaded", _("Uploaded signed form")

    mentee = models.ForeignKey(MenteeProfile, on_delete=models.PROTECT, related_name="consents")
    version = models.PositiveIntegerField()
    # What information
    covers_checkin_notes = models.BooleanField(_("check-in notes"), default=False)
    covers_use_log = models.BooleanField(_("substance-use log"), default=False)
    covers_goals = models.BooleanField(_("goals"), default=False)
    covers_assessments = models.BooleanField(_("assessments"), default=False)
    # To whom
    to_mentor = models.BooleanField(_("the matched mentor"), default=False)
    to_program_staff = models.BooleanField(_("program staff"), default=False)
    to_evaluation = models.BooleanField(_("the program evaluation"), default=False)
    purpose = models.CharField(
        _("purpose"), max_length=240, default="Peer recovery mentorship and program evaluation."
    )
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    expiry_event = models.CharField(
        _("expiry event"),
        max_length=160,
        blank=True,
        help_text=_("e.g. “when I leave the program”."),
    )
    revocation_explained = models.BooleanField(
        _("the right to revoke was explained"), default=False
    )
    signature_kind = models.CharField(
        _("signature kind"),
        max_length=10,
        choices=SignatureKind.choices,
        default=SignatureKind.TYPED,
    )
    signature_name = models.CharField(_("typed signature"), max_length=160, blank=True)
    signed_form = models.FileField(_("signed form"), upload_to="consents/%Y/", blank=True)
    signed_at = models.DateTimeField(_("signed"), default=now)
    recorded_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["-version"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        constraints = [
            models.UniqueConstraint(fields=["mentee", "version"], name="consent_version_once"),
            models.CheckConstraint(
                condition=Q(expires_on__isnull=False) | ~Q(expiry_event=""),
                name="consent_has_expiry",
            ),
        ]

    def __str__(self):
        return gettext("Consent v%(version)s for %(participant)s") % {
            "version": self.version,
            "participant": self.mentee.participant_id,
        }

    @classmethod
    def active_q(cls, prefix: str = "", today: date | None = None) -> Q:
        """Consents in force today: not revoked, not expired."""
        today = today or now().date()
        p = f"{prefix}__" if prefix else ""
        return Q(**{f"{p}revoked_at__isnull": True}) & (
            Q(**{f"{p}expires_on__isnull": True}) | Q(**{f"{p}expires_on__gte": today})
        )

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and (
            self.expires_on is None or self.expires_on >= now().date()
        )


class Invitation(models.Model):
    """A single-use link to set a password. Only the token's hash is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="invitations")
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    superseded_at = models.DateTimeField(null=True, blank=True)
    sent_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self):
        return f"Invitation for {self.user} ({self.created_at:%Y-%m-%d})"


# --- Second factor: recovery codes (TOTP and passkeys are django-otp's and
# django-otp-webauthn's own models).


class RecoveryCodes(ThrottlingMixin, Device):
    """A person's set of one-time recovery codes, a django-otp device. Only SHA-256 digests are
    kept: each code is 80 random bits, so a fast hash is enough (as for API tokens) and a copy
    of the database does not sign anyone in. Regenerating replaces the whole set."""

    def __str__(self):
        return f"Recovery codes of {self.user_id}"

    @staticmethod
    def digest(code: str) -> str:
        normalized = "".join(ch for ch in code.upper() if ch.isalnum())
        return hashlib.sha256(normalized.encode()).hexdigest()

    def get_throttle_factor(self) -> int:
        return 1  # 1, 2, 4, 8 ... seconds between attempts after successive failures

    def verify_token(self, token) -> bool:
        allowed, _ = self.verify_is_allowed()
        if not allowed:
            return False
        # Deleting the row is what makes a code single-use; the conditional DELETE makes two
        # concurrent uses of the same code succeed once.
        used, _ = self.codes.filter(digest=self.digest(str(token))).delete()
        if used:
            self.throttle_reset()
        else:
            self.throttle_increment()
        return bool(used)


class RecoveryCode(models.Model):
    device = models.ForeignKey(RecoveryCodes, on_delete=models.CASCADE, related_name="codes")
    digest = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["device", "digest"], name="recovery_code_unique")
        ]

    def __str__(self):
        return f"Recovery code {self.pk}"


class EmailChange(models.Model):
    """A person's request to sign in with another e-mail address. It takes effect only when
    confirmed from a link sent to the new address (proof that they hold it); the old address
    is told afterwards. Like an invitation, only the token's hash is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="email_changes")
    new_email = models.EmailField()
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    superseded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"E-mail change for user {self.user_id} ({self.created_at:%Y-%m-%d})"

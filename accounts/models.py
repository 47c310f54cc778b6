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
from django.utils.timezone import now
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device, ThrottlingMixin

from mentorship.access import AccessPaths
from mentorship.i18n import in_language


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"“{value}” is not a known time zone, e.g. America/Chicago.")


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

    email = models.EmailField("email", unique=True)
    first_name = models.CharField(max_length=80, blank=True)
    last_name = models.CharField(max_length=80, blank=True)
    timezone = models.CharField(
        max_length=64,
        blank=True,
        validators=[validate_timezone],
        help_text="Leave blank to use the program's time zone.",
    )
    # Blank: no choice yet; pages follow the browser, e-mails the program's default
    # (accounts.languages).
    preferred_language = models.CharField(
        _("language"), max_length=8, blank=True, default="", choices=settings.LANGUAGES
    )
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField("admin site access", default=False)
    date_joined = models.DateTimeField(default=now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["last_name", "first_name", "email"]

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
        raise ValidationError(f"Not a valid regular expression: {exc}.") from None


def participant_id_problem(value: str, program: "Program") -> str | None:
    """Why this is not a usable study ID in this program (uniqueness aside), or None."""
    if len(value) > PARTICIPANT_ID_MAX or not PARTICIPANT_ID_CHARACTERS.fullmatch(value):
        return (
            f"A participant ID is 1 to {PARTICIPANT_ID_MAX} letters, digits, “-” or “_”; "
            f"not “{value[:40]}”."
        )
    pattern = program.participant_id_pattern
    if pattern and not re.fullmatch(pattern, value):
        return f"“{value}” does not match this program's participant ID pattern {pattern}."
    return None


class Program(models.Model):
    """One site or cohort of a recovery organization."""

    class Cadence(models.TextChoices):
        WEEKLY = "weekly", "Weekly"
        BIWEEKLY = "biweekly", "Every two weeks"

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=60, unique=True)
    organization = models.CharField(max_length=120, blank=True)
    timezone = models.CharField(
        max_length=64, default="America/New_York", validators=[validate_timezone]
    )
    default_checkin_cadence = models.CharField(
        max_length=10, choices=Cadence.choices, default=Cadence.WEEKLY
    )
    # For people who chose no language and whose browser asks for none we have.
    default_language = models.CharField(
        _("default language"), max_length=8, default="en", choices=settings.LANGUAGES
    )
    # Mentor eligibility (MAP: at least 6 months of continuous recovery).
    min_recovery_months = models.PositiveSmallIntegerField(
        default=6, validators=[MaxValueValidator(240)]
    )
    required_trainings = models.ManyToManyField("Training", blank=True, related_name="+")
    crisis_resources = models.TextField(
        default="988 Suicide & Crisis Lifeline: call or text 988 (24/7).",
        help_text="Shown to mentors and coordinators whenever a crisis is flagged.",
    )
    created_at = models.DateTimeField(default=now)
    # Second factor (issue #16): coordinators and evaluators must have one this many days after
    # the later of their role starting and `second_factor_since` (when the rule began for this
    # program: existing roles get the full grace period rather than being locked out on the day).
    # Set by a superuser in the admin, not on the settings page: a coordinator must not be able
    # to lengthen their own grace.
    second_factor_grace_days = models.PositiveSmallIntegerField(
        default=14, validators=[MaxValueValidator(365)]
    )
    second_factor_since = models.DateTimeField(default=now)
    # A program that brings its own study IDs (e.g. M001) says what they look like; an imported
    # participant_id must match it whole. Empty: any ID up to 32 letters, digits, "-" or "_".
    participant_id_pattern = models.CharField(
        "participant ID pattern",
        max_length=100,
        blank=True,
        validators=[validate_participant_id_pattern],
        help_text="A regular expression the whole ID must match, e.g. M[0-9]{3}.",
    )

    class Meta:
        ordering = ["name"]

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
        COORDINATOR = "coordinator", "Coordinator"
        MENTOR = "mentor", "Mentor"
        MENTEE = "mentee", "Mentee"
        STAFF = "staff", "Evaluator"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=12, choices=Role.choices)
    is_active = models.BooleanField(default=True)
    # When the person joined the program. A participant enrolled by a coordinator joins only by
    # accepting the program's invitation (signed in, if the e-mail already has an account);
    # until then the membership is pending (None) and grants nothing: a coordinator typing an
    # e-mail must never give anyone access to the program, nor the program to an account.
    joined_at = models.DateTimeField(null=True, blank=True, default=now)
    created_at = models.DateTimeField(default=now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "program", "role"], name="membership_one_role_per_program"
            )
        ]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()} in {self.program}"


# --- Vocabularies: per program, seeded with defaults, edited by coordinators.


class VocabularyTerm(models.Model):
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=80)
    description = models.CharField(max_length=240, blank=True)
    # The same term in Spanish; blank shows `name` (mentorship.i18n.in_language).
    name_es = models.CharField(_("name in Spanish"), max_length=80, blank=True, default="")
    description_es = models.CharField(
        _("description in Spanish"), max_length=240, blank=True, default=""
    )
    position = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)

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
        verbose_name_plural = "philosophies"
        constraints = [
            models.UniqueConstraint(fields=["program", "name"], name="philosophy_unique_name")
        ]


class FocusArea(VocabularyTerm):
    class Meta(VocabularyTerm.Meta):
        constraints = [
            models.UniqueConstraint(fields=["program", "name"], name="focusarea_unique_name")
        ]


class Substance(VocabularyTerm):
    class Meta(VocabularyTerm.Meta):
        constraints = [
            models.UniqueConstraint(fields=["program", "name"], name="substance_unique_name")
        ]


class Training(VocabularyTerm):
    class Meta(VocabularyTerm.Meta):
        constraints = [
            models.UniqueConstraint(fields=["program", "name"], name="training_unique_name")
        ]


class Language(models.Model):
    """Shared by all programs: languages are not a program's choice."""

    code = models.CharField(max_length=12, unique=True)
    name = models.CharField(max_length=60)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Gender(models.TextChoices):
    WOMAN = "woman", "Woman"
    MAN = "man", "Man"
    NONBINARY = "nonbinary", "Non-binary"
    SELF_DESCRIBED = "other", "Self-described"
    UNDISCLOSED = "undisclosed", "Prefer not to say"


# Weekly availability is a bitmask of 21 slots: 7 weekdays x morning/afternoon/evening.
# Matching counts shared slots with one AND; the form shows a grid of checkboxes.
WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
DAYPARTS = ["morning", "afternoon", "evening"]
AVAILABILITY_SLOTS = [
    (day * 3 + part, f"{WEEKDAYS[day]} {DAYPARTS[part]}") for day in range(7) for part in range(3)
]
ALL_AVAILABILITY = (1 << 21) - 1


def availability_labels(mask: int) -> list[str]:
    return [label for bit, label in AVAILABILITY_SLOTS if mask & (1 << bit)]


class ProgramName(models.Model):
    """The name a program knows a participant by. The account's own name belongs to the person
    (only they or a superuser change it); each program keeps what its coordinator typed, so no
    program shows, or can change, the name another program holds."""

    first_name = models.CharField(max_length=80, blank=True)
    last_name = models.CharField(max_length=80, blank=True)

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

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="mentors")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="mentor_profiles")
    philosophies = models.ManyToManyField(Philosophy, blank=True, related_name="mentors")
    focus_areas = models.ManyToManyField(FocusArea, blank=True, related_name="mentors")
    languages = models.ManyToManyField(Language, blank=True, related_name="mentors")
    gender = models.CharField(max_length=12, choices=Gender.choices, blank=True)
    lived_substances = models.ManyToManyField(Substance, blank=True, related_name="mentors")
    recovery_since = models.DateField(
        null=True, blank=True, help_text="Start of continuous recovery."
    )
    is_certified_peer_specialist = models.BooleanField(
        "certified peer recovery specialist", default=False
    )
    certifications = models.CharField(max_length=240, blank=True)
    capacity = models.PositiveSmallIntegerField(
        default=3,
        validators=[MinValueValidator(0), MaxValueValidator(25)],
        help_text="Maximum number of active mentees.",
    )
    accepting_new = models.BooleanField("accepting new mentees", default=True)
    availability = models.PositiveIntegerField(default=0)
    bio = models.TextField(max_length=1500, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["last_name", "first_name"]
        constraints = [
            models.UniqueConstraint(fields=["program", "user"], name="mentor_once_per_program"),
            models.CheckConstraint(condition=Q(capacity__lte=25), name="mentor_capacity_range"),
            models.CheckConstraint(
                condition=Q(availability__lt=1 << 21), name="mentor_availability_21_slots"
            ),
        ]


class MentorTraining(models.Model):
    mentor = models.ForeignKey(MentorProfile, on_delete=models.CASCADE, related_name="trainings")
    training = models.ForeignKey(Training, on_delete=models.CASCADE, related_name="+")
    completed_on = models.DateField()

    class Meta:
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
        IN_TREATMENT = "in_treatment", "In treatment"
        EARLY = "early", "Early recovery (under 3 months)"
        EARLY_LATE = "early_late", "Early recovery (3-12 months)"
        SUSTAINED = "sustained", "Sustained recovery (over 1 year)"

    class Arm(models.TextChoices):
        MENTORED = "mentored", "Mentored"
        COMPARISON = "comparison", "Comparison (treatment as usual)"

    class Status(models.TextChoices):
        ENROLLED = "enrolled", "Enrolled"
        MATCHED = "matched", "Matched"
        ACTIVE = "active", "Active"
        PAUSED = "paused", "Paused"
        COMPLETED = "completed", "Completed"
        WITHDRAWN = "withdrawn", "Withdrawn"
        DISCHARGED = "discharged", "Discharged"

    class Referral(models.TextChoices):
        SELF = "self", "Self"
        TREATMENT = "treatment", "Treatment provider"
        COURT = "court", "Court or probation"
        HOSPITAL = "hospital", "Hospital or emergency department"
        FAMILY = "family", "Family or friend"
        COMMUNITY = "community", "Community organization"
        OTHER = "other", "Other"

    class GenderPreference(models.TextChoices):
        NONE = "", "No preference"
        WOMAN = "woman", "Woman"
        MAN = "man", "Man"
        NONBINARY = "nonbinary", "Non-binary"

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="mentees")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="mentee_profiles")
    # The program's own study ID when it brings them (unique within the program), or one
    # assigned at random.
    participant_id = models.CharField(
        max_length=PARTICIPANT_ID_MAX, default=new_participant_id, editable=False
    )
    enrolled_on = models.DateField(help_text="Day 1 of every outcome window.")
    recovery_stage = models.CharField(max_length=12, choices=Stage.choices, default=Stage.EARLY)
    substances = models.ManyToManyField(Substance, blank=True, related_name="mentees")
    preferred_philosophy = models.ForeignKey(
        Philosophy, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    philosophy_required = models.BooleanField(
        default=False, help_text="Only mentors who support this philosophy may be matched."
    )
    languages = models.ManyToManyField(Language, blank=True, related_name="mentees")
    gender = models.CharField(max_length=12, choices=Gender.choices, blank=True)
    preferred_mentor_gender = models.CharField(
        max_length=12, choices=GenderPreference.choices, blank=True
    )
    mentor_gender_required = models.BooleanField(default=False)
    availability = models.PositiveIntegerField(default=0)
    referral_source = models.CharField(max_length=12, choices=Referral.choices, blank=True)
    study_arm = models.CharField(max_length=12, choices=Arm.choices, default=Arm.MENTORED)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.ENROLLED)
    created_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["last_name", "first_name"]
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
        HIGH = 3, "High"
        MEDIUM = 2, "Medium"
        LOW = 1, "Low"

    mentee = models.ForeignKey(MenteeProfile, on_delete=models.CASCADE, related_name="focus_needs")
    focus_area = models.ForeignKey(FocusArea, on_delete=models.CASCADE, related_name="+")
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.MEDIUM)

    class Meta:
        ordering = ["-priority", "focus_area__name"]
        constraints = [
            models.UniqueConstraint(fields=["mentee", "focus_area"], name="mentee_focus_once")
        ]

    def __str__(self):
        return f"{self.focus_area} ({self.get_priority_display()})"


class StatusChange(models.Model):
    """Dated history of a mentee's status; written by services only."""

    access_paths = AccessPaths(program="mentee__program", mentee="mentee")

    mentee = models.ForeignKey(
        MenteeProfile, on_delete=models.CASCADE, related_name="status_history"
    )
    from_status = models.CharField(max_length=12, choices=MenteeProfile.Status.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=MenteeProfile.Status.choices)
    reason = models.CharField(max_length=240, blank=True)
    changed_at = models.DateTimeField(default=now)
    changed_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-changed_at", "-id"]

    def __str__(self):
        return f"{self.from_status or '—'} → {self.to_status} on {self.changed_at:%Y-%m-%d}"


class Consent(models.Model):
    """A written consent to disclose (42 CFR Part 2, section 2.31). Versioned, never deleted.

    Each element the regulation requires is a field: who (the participant), who may disclose (the
    program), what, to whom, why, until when, the right to revoke, signature and date.
    """

    access_paths = AccessPaths(
        program="mentee__program", mentee="mentee", change_roles=("coordinator",)
    )

    class SignatureKind(models.TextChoices):
        TYPED = "typed", "Typed name"
        UPLOADED = "uploaded", "Uploaded signed form"

    mentee = models.ForeignKey(MenteeProfile, on_delete=models.PROTECT, related_name="consents")
    version = models.PositiveIntegerField()
    # What information
    covers_checkin_notes = models.BooleanField("check-in notes", default=False)
    covers_use_log = models.BooleanField("substance-use log", default=False)
    covers_goals = models.BooleanField("goals", default=False)
    covers_assessments = models.BooleanField("assessments", default=False)
    # To whom
    to_mentor = models.BooleanField("the matched mentor", default=False)
    to_program_staff = models.BooleanField("program staff", default=False)
    to_evaluation = models.BooleanField("the program evaluation", default=False)
    purpose = models.CharField(
        max_length=240, default="Peer recovery mentorship and program evaluation."
    )
    expires_on = models.DateField(null=True, blank=True)
    expiry_event = models.CharField(
        max_length=160, blank=True, help_text="e.g. “when I leave the program”."
    )
    revocation_explained = models.BooleanField("the right to revoke was explained", default=False)
    signature_kind = models.CharField(
        max_length=10, choices=SignatureKind.choices, default=SignatureKind.TYPED
    )
    signature_name = models.CharField("typed signature", max_length=160, blank=True)
    signed_form = models.FileField(upload_to="consents/%Y/", blank=True)
    signed_at = models.DateTimeField(default=now)
    recorded_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["mentee", "version"], name="consent_version_once"),
            models.CheckConstraint(
                condition=Q(expires_on__isnull=False) | ~Q(expiry_event=""),
                name="consent_has_expiry",
            ),
        ]

    def __str__(self):
        return f"Consent v{self.version} for {self.mentee.participant_id}"

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

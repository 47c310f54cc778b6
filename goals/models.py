"""SMART goals: each of the five elements is its own field, so a goal missing one cannot be saved
through the form and the program can report on each part.

Progress entries record where the mentee stands on a date (the latest entry is the current
level); how far that is toward the target is computed in `goals.progress`, never stored.
"""

import re
from decimal import Decimal

from django.db import models
from django.db.models import F, Q
from django.utils import formats
from django.utils.timezone import now
from django.utils.translation import gettext, pgettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from accounts.models import FocusArea, MenteeProfile, Program, User
from checkins.models import CheckIn
from mentorship.access import COORDINATOR, MENTEE, MENTOR, AccessPaths
from mentorship.i18n import in_language

# Mentee and mentor set goals together; coordinators read them (and edit templates).
GOAL_CHANGE_ROLES = (MENTEE, MENTOR)


class Direction(models.TextChoices):
    AT_LEAST = "at_least", _("At least (more is better)")
    AT_MOST = "at_most", _("At most (less is better)")
    DONE = "done", _("Done or not done")


class Kind(models.TextChoices):
    # Harm reduction sits beside abstinence and life goals: any positive change counts.
    ABSTINENCE = "abstinence", _("Abstinence")
    HARM_REDUCTION = "harm_reduction", _("Harm reduction")
    LIFE = "life", _("Life goal")


class ReviewCadence(models.TextChoices):
    WEEKLY = "weekly", _("Every week")
    BIWEEKLY = "biweekly", _("Every two weeks")
    MONTHLY = "monthly", _("Every month")


class GoalTemplate(models.Model):
    """A starting point for a goal, per focus area, edited by the program's coordinators.

    Placeholders N and DATE in the title are for the mentee to fill in; the form does not
    accept a goal that still contains them.
    """

    access_paths = AccessPaths(program="program", change_roles=(COORDINATOR,))

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="goal_templates")
    focus_area = models.ForeignKey(FocusArea, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.LIFE)
    title = models.CharField(max_length=120)
    # The same template in Spanish (N and DATE kept); blank shows `title`.
    title_es = models.CharField(_("title in Spanish"), max_length=120, blank=True, default="")
    metric = models.CharField(max_length=80, blank=True)
    unit = models.CharField(max_length=40, blank=True)
    direction = models.CharField(max_length=10, choices=Direction.choices)
    suggested_target = models.DecimalField(max_digits=9, decimal_places=2, null=True, blank=True)
    suggested_steps = models.TextField(max_length=1000, blank=True)
    review_cadence = models.CharField(
        max_length=10, choices=ReviewCadence.choices, default=ReviewCadence.WEEKLY
    )
    is_active = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["focus_area__position", "focus_area__name", "position", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "focus_area", "title"], name="goaltemplate_unique_title"
            )
        ]

    def __str__(self):
        return self.title

    def sentence(self, due=None) -> str:
        """The title as a sentence a mentee reads: N becomes the suggested target ("3", not
        "3.00"), DATE the due date (or "a date you choose"); no placeholder is left."""
        amount = plain_number(self.suggested_target) if self.suggested_target is not None else ""
        # Translators: stands for the number N in a goal template title when no target is set,
        # e.g. "Attend some meetings a week"; pick words that fit before any plural noun.
        text = re.sub(r"\bN\b", amount or pgettext("goal template number", "some"), self.label)
        when = formats.date_format(due, "DATE_FORMAT") if due else gettext("a date you choose")
        return re.sub(r"\bDATE\b", when, text)

    @property
    def label(self) -> str:
        return in_language(self, "title")


def plain_number(value: Decimal | None) -> str:
    """3.00 -> "3", 2.50 -> "2.5": a number as a person writes it."""
    if value is None:
        return ""
    return format(Decimal(value).normalize(), "f")


class Goal(models.Model):
    access_paths = AccessPaths(
        program="mentee__program",
        mentee="mentee",
        mentor_consent="covers_goals",
        change_roles=GOAL_CHANGE_ROLES,
    )

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        # Context: Spanish agrees the word with what it describes ("Activa", a goal).
        ACTIVE = "active", pgettext_lazy("goal status", "Active")
        ACHIEVED = "achieved", _("Achieved")
        NOT_ACHIEVED = "not_achieved", _("Not achieved")
        ABANDONED = "abandoned", _("Abandoned")

    OPEN = (Status.DRAFT, Status.ACTIVE)
    CLOSED = (Status.ACHIEVED, Status.NOT_ACHIEVED, Status.ABANDONED)

    mentee = models.ForeignKey(MenteeProfile, on_delete=models.CASCADE, related_name="goals")
    template = models.ForeignKey(
        GoalTemplate, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.LIFE)
    # Specific
    title = models.CharField(max_length=120)
    specific = models.TextField(max_length=2000)
    # Measurable
    metric = models.CharField(max_length=80)
    unit = models.CharField(max_length=40, blank=True)
    direction = models.CharField(max_length=10, choices=Direction.choices)
    baseline = models.DecimalField(max_digits=9, decimal_places=2, default=0)
    target = models.DecimalField(max_digits=9, decimal_places=2, null=True, blank=True)
    # Achievable
    steps = models.TextField(max_length=2000)
    support = models.TextField(max_length=1000)
    agreed_at = models.DateTimeField(null=True, blank=True)
    agreed_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Relevant
    focus_area = models.ForeignKey(FocusArea, on_delete=models.PROTECT, related_name="+")
    why_it_matters = models.TextField(max_length=1000)
    # Time-bound
    start_date = models.DateField()
    due_date = models.DateField()
    review_cadence = models.CharField(
        max_length=10, choices=ReviewCadence.choices, default=ReviewCadence.WEEKLY
    )

    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    status_reason = models.CharField(max_length=240, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due_date", "id"]
        indexes = [
            # Serves the board and the coordinator's attainment page: one mentee's goals by status.
            models.Index(fields=["mentee", "status"], name="goal_mentee_status"),
            # Goals changed since a time: what the outcome reports watch to keep their stored
            # figures current.
            models.Index(fields=["updated_at"], name="goal_changed"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(due_date__gt=F("start_date")), name="goal_due_after_start"
            ),
            models.CheckConstraint(
                condition=Q(direction="done") | Q(target__isnull=False),
                name="goal_measured_has_target",
            ),
            models.CheckConstraint(
                condition=~Q(status="abandoned") | ~Q(status_reason=""),
                name="goal_abandoned_has_reason",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN


class ProgressEntry(models.Model):
    """Where the mentee stood on a date. Entered by the mentee, or by the mentor for them."""

    access_paths = AccessPaths(
        program="goal__mentee__program",
        mentee="goal__mentee",
        mentor_consent="covers_goals",
        change_roles=GOAL_CHANGE_ROLES,
    )

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="entries")
    recorded_on = models.DateField()
    value = models.DecimalField(max_digits=9, decimal_places=2)
    note = models.TextField(max_length=1000, blank=True)
    recorded_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # True when the mentor entered it for the mentee: the mentee's record shows who spoke.
    on_behalf = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["-recorded_on", "-created_at", "-id"]
        verbose_name_plural = _("progress entries")
        constraints = [
            models.CheckConstraint(condition=Q(value__gte=0), name="progress_value_not_negative")
        ]

    def __str__(self):
        return f"{self.value} on {self.recorded_on:%Y-%m-%d}"


class GoalComment(models.Model):
    access_paths = AccessPaths(
        program="goal__mentee__program",
        mentee="goal__mentee",
        mentor_consent="covers_goals",
        change_roles=GOAL_CHANGE_ROLES,
    )

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(max_length=2000)
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"Comment on goal {self.goal_id} at {self.created_at:%Y-%m-%d %H:%M}"


class MenteeGoals(MenteeProfile):
    """A mentee seen through the goals policy: the page "this mentee's goals" and "new goal for
    this mentee" need the goal rules (the mentor only with consent covering goals; mentee and
    mentor may add, coordinators read), not the profile's rules (coordinators edit)."""

    access_paths = AccessPaths(
        program="program", mentee="", mentor_consent="covers_goals", change_roles=GOAL_CHANGE_ROLES
    )

    class Meta:
        proxy = True
        verbose_name = _("mentee (goals)")
        verbose_name_plural = _("mentees (goals)")


class GoalReview(models.Model):
    """A goal the mentor and mentee looked at together during a check-in."""

    access_paths = AccessPaths(
        program="goal__mentee__program",
        mentee="goal__mentee",
        mentor_consent="covers_goals",
        change_roles=GOAL_CHANGE_ROLES,
    )

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="reviews")
    checkin = models.ForeignKey(CheckIn, on_delete=models.CASCADE, related_name="goal_reviews")
    reviewed_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["goal", "checkin"], name="goalreview_once_per_checkin")
        ]

    def __str__(self):
        return f"Goal {self.goal_id} reviewed at check-in {self.checkin_id}"

"""The match: a pairing of one mentee with one mentor, its lifecycle, and the data matching
reads (program weights, the philosophy compatibility table, "never pair" exclusions)."""

from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from accounts.models import MenteeProfile, MentorProfile, Philosophy, Program, User
from mentorship.access import AccessPaths

# Default weights: they sum to 100, so each part's points are out of its weight.
DEFAULT_WEIGHTS = {
    "philosophy": 30,
    "focus": 25,
    "language": 10,
    "gender": 10,
    "substance": 10,
    "availability": 15,
}


class MatchingSettings(models.Model):
    """How one program scores pairs. One row per program, created on first use."""

    access_paths = AccessPaths(program="program", change_roles=("coordinator",))

    program = models.OneToOneField(Program, on_delete=models.CASCADE, related_name="matching")
    weight_philosophy = models.PositiveSmallIntegerField(
        _("recovery philosophy"), default=30, validators=[MaxValueValidator(100)]
    )
    weight_focus = models.PositiveSmallIntegerField(
        _("focus areas"), default=25, validators=[MaxValueValidator(100)]
    )
    weight_language = models.PositiveSmallIntegerField(
        _("shared language"), default=10, validators=[MaxValueValidator(100)]
    )
    weight_gender = models.PositiveSmallIntegerField(
        _("gender preference"), default=10, validators=[MaxValueValidator(100)]
    )
    weight_substance = models.PositiveSmallIntegerField(
        _("shared lived experience"), default=10, validators=[MaxValueValidator(100)]
    )
    weight_availability = models.PositiveSmallIntegerField(
        _("availability overlap"), default=15, validators=[MaxValueValidator(100)]
    )
    mentor_must_accept = models.BooleanField(
        default=False, help_text=_("A proposed match starts only when the mentor accepts it.")
    )

    class Meta:
        verbose_name_plural = _("matching settings")
        constraints = [
            # Scores are out of 100 because the weights add up to 100.
            models.CheckConstraint(
                condition=Q(
                    weight_philosophy__lte=100,
                    weight_focus__lte=100,
                    weight_language__lte=100,
                    weight_gender__lte=100,
                    weight_substance__lte=100,
                    weight_availability__lte=100,
                ),
                name="matchingsettings_weights_range",
            )
        ]

    def __str__(self):
        return f"Matching settings for {self.program}"

    @property
    def weights(self) -> dict[str, int]:
        return {name: getattr(self, f"weight_{name}") for name in DEFAULT_WEIGHTS}


class PhilosophyCompatibility(models.Model):
    """How well a mentor following one philosophy fits a mentee preferring another (0-100).

    Pairs not listed: 100 for the same philosophy, DEFAULT_CROSS for different ones. 0 means
    incompatible: such mentors are excluded for that mentee (e.g. a mentee on medication needs
    a mentor who affirms it)."""

    DEFAULT_CROSS = 40

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")
    mentee_philosophy = models.ForeignKey(Philosophy, on_delete=models.CASCADE, related_name="+")
    mentor_philosophy = models.ForeignKey(Philosophy, on_delete=models.CASCADE, related_name="+")
    compatibility = models.PositiveSmallIntegerField(validators=[MaxValueValidator(100)])

    class Meta:
        verbose_name_plural = _("philosophy compatibilities")
        constraints = [
            models.UniqueConstraint(
                fields=["mentee_philosophy", "mentor_philosophy"], name="philcompat_once"
            ),
            models.CheckConstraint(condition=Q(compatibility__lte=100), name="philcompat_percent"),
        ]

    def __str__(self):
        return f"{self.mentee_philosophy} ← {self.mentor_philosophy}: {self.compatibility}"


class NeverPair(models.Model):
    """A coordinator's exclusion: this mentor is never matched with this mentee."""

    # Coordinators only: the reason (say, a past using relationship) is not for the mentor or
    # the mentee to read, so neither path is declared. Audit entries name the mentee explicitly.
    access_paths = AccessPaths(program="program", change_roles=("coordinator",))

    class Reason(models.TextChoices):
        HOUSEHOLD = "household", _("Same household or family")
        USING = "using", _("Past using relationship")
        CONFLICT = "conflict", _("Conflict of interest")
        OTHER = "other", _("Other")

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")
    mentee = models.ForeignKey(MenteeProfile, on_delete=models.CASCADE, related_name="+")
    mentor = models.ForeignKey(MentorProfile, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=12, choices=Reason.choices)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["mentee", "mentor"], name="neverpair_once"),
        ]

    def __str__(self):
        return f"Never pair {self.mentee} with {self.mentor}"


class Match(models.Model):
    # The mentor reaches the match as theirs until it ends (mentor_match=""); coordinators always.
    access_paths = AccessPaths(program="program", mentee="mentee", mentor="mentor", mentor_match="")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        # Contexts (here and in EndReason): Spanish agrees the word with what it describes
        # ("Activo", "Completado": a match).
        ACTIVE = "active", pgettext_lazy("match status", "Active")
        PAUSED = "paused", _("Paused")
        ENDED = "ended", _("Ended")

    class EndReason(models.TextChoices):
        COMPLETED = "completed", pgettext_lazy("match end reason", "Completed")
        REMATCH = "rematch", _("Rematch requested")
        MENTOR_UNAVAILABLE = "mentor_unavailable", _("Mentor unavailable")
        SAFETY = "safety", _("Safety")
        OTHER = "other", _("Other")

    # Matches that hold one of the mentor's places.
    CURRENT = (Status.ACTIVE, Status.PAUSED)

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="matches")
    mentee = models.ForeignKey(MenteeProfile, on_delete=models.CASCADE, related_name="matches")
    mentor = models.ForeignKey(MentorProfile, on_delete=models.CASCADE, related_name="matches")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED)
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    proposed_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=20, choices=EndReason.choices, blank=True)
    do_not_rematch = models.BooleanField(default=False)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-proposed_at"]
        verbose_name_plural = _("matches")
        constraints = [
            # At most one current pairing per mentee; ended matches are history.
            models.UniqueConstraint(
                fields=["mentee"],
                condition=Q(status__in=["active", "paused"]),
                name="match_one_current_per_mentee",
            ),
            # One open proposal per pair: a double-clicked "Propose" makes one row.
            models.UniqueConstraint(
                fields=["mentee", "mentor"],
                condition=Q(status="proposed"),
                name="match_one_proposal_per_pair",
            ),
            models.CheckConstraint(
                condition=Q(status="ended") | Q(end_reason=""), name="match_end_reason_if_ended"
            ),
        ]
        indexes = [
            # Capacity counts and the mentor access filter read current matches per mentor.
            models.Index(fields=["mentor", "status"], name="match_mentor_status"),
        ]

    def __str__(self):
        return f"{self.mentee} ↔ {self.mentor} ({self.get_status_display()})"


class MatchStatusChange(models.Model):
    """Dated history of a match; written by the services only."""

    access_paths = AccessPaths(program="match__program", mentee="match__mentee")

    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="history")
    from_status = models.CharField(max_length=10, choices=Match.Status.choices, blank=True)
    to_status = models.CharField(max_length=10, choices=Match.Status.choices)
    end_reason = models.CharField(max_length=20, choices=Match.EndReason.choices, blank=True)
    changed_at = models.DateTimeField(default=timezone.now)
    changed_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["changed_at", "id"]

    def __str__(self):
        return f"{self.from_status or '—'} → {self.to_status} on {self.changed_at:%Y-%m-%d}"


class CohortRun(models.Model):
    """One background run of whole-cohort matching for a program (see matching.cohort_runs):
    its progress while a worker solves it, then its totals; the pairs are CohortPair rows.

    Pins and removals are kept as (mentee id, mentor id) lists: the next run starts from them."""

    access_paths = AccessPaths(program="program", change_roles=("coordinator",))

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting for a worker")
        RUNNING = "running", _("Matching")
        DONE = "done", _("Ready")
        PROPOSING = "proposing", _("Writing the matches")
        PROPOSED = "proposed", _("Matches written")
        FAILED = "failed", _("Failed")

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")
    started_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    # Only these waiting mentees (ids), or every waiting mentee when null.
    mentee_ids = models.JSONField(null=True, blank=True)
    pins = models.JSONField(default=list, blank=True)
    removed = models.JSONField(default=list, blank=True)
    mentees_total = models.PositiveIntegerField(default=0)
    mentees_done = models.PositiveIntegerField(default=0)
    matched = models.PositiveIntegerField(default=0)
    unmatched = models.PositiveIntegerField(default=0)
    total_score = models.PositiveIntegerField(default=0)
    exact = models.BooleanField(default=True)
    # What the worker noticed while solving (a pin dropped) and, when "Propose all" wrote
    # nothing because the plan went out of date, why: each a `plan_problem` (msgid and the
    # values that fill it), translated when shown (`problem_texts`, `error_text`), because the
    # worker that finds them has no reader's language. `error` keeps any other failure's text.
    problems = models.JSONField(default=list, blank=True)
    propose_problems = models.JSONField(default=list, blank=True)
    proposed_count = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["program", "-created_at"], name="cohortrun_program_recent")]

    def __str__(self):
        return f"Cohort run {self.pk} for {self.program} ({self.get_status_display()})"

    @property
    def percent(self) -> int:
        if self.status in (self.Status.DONE, self.Status.PROPOSED):
            return 100
        if not self.mentees_total:
            return 0
        return min(99, self.mentees_done * 100 // self.mentees_total)

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.PROPOSED, self.Status.FAILED)

    @property
    def problem_texts(self) -> list[str]:
        return [plan_problem_text(problem) for problem in self.problems]

    @property
    def error_text(self) -> str:
        """Why the run failed, in the reader's language when it is a plan problem."""
        return " ".join(plan_problem_text(p) for p in self.propose_problems) or self.error


def plan_problem(msgid: str, **params) -> dict:
    """A problem with a cohort plan as stored: its English msgid (marked with `gettext_noop`
    where it is found) and the values that fill it (names, counts), never translated text."""
    return {"msgid": msgid, "params": params}


def plan_problem_text(problem: dict | str) -> str:
    """A stored plan problem in the reader's language."""
    if isinstance(problem, str):
        # Stored before problems were kept as msgids: already text (in the worker's language,
        # English), shown as it is.
        return problem
    text = gettext(problem["msgid"])
    return text % problem["params"] if problem["params"] else text


def unmatched_reason_text(reason: str, words: list[str]) -> str:
    """An unmatched mentee's reason in the reader's language, from the stored msgids."""
    if not words:
        return gettext(reason)
    return gettext(reason) % {"reasons": ", ".join(gettext(word) for word in words)}


class CohortPair(models.Model):
    """One mentee's row in a cohort run: the planned mentor and score, or why none."""

    access_paths = AccessPaths(program="run__program", change_roles=("coordinator",))

    run = models.ForeignKey(CohortRun, on_delete=models.CASCADE, related_name="pairs")
    mentee = models.ForeignKey(MenteeProfile, on_delete=models.CASCADE, related_name="+")
    mentor = models.ForeignKey(
        MentorProfile, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    pinned = models.BooleanField(default=False)
    # Taken out of this plan by the coordinator: not proposed, and never used by the next run.
    removed = models.BooleanField(default=False)
    # Why no mentor, when mentor is null: the English msgid and, for a sentence with
    # parameters, the msgids of the words that fill it; translated when shown (`reason_text`),
    # because the worker that writes them has no reader's language.
    reason = models.CharField(max_length=300, blank=True)
    reason_words = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["run", "mentee"], name="cohortpair_once_per_run"),
        ]
        indexes = [
            # The page's order, so one page of a large plan is read without sorting it all.
            models.Index(
                F("run"),
                F("pinned").desc(),
                F("score").desc(nulls_last=True),
                F("mentee"),
                name="cohortpair_page_order",
            )
        ]

    def __str__(self):
        return f"{self.mentee} ← {self.mentor or '—'}"

    @property
    def reason_text(self) -> str:
        return unmatched_reason_text(self.reason, self.reason_words)

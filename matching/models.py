"""The match: a pairing of one mentee with one mentor, and its lifecycle."""

from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.models import MenteeProfile, MentorProfile, Program, User
from mentorship.access import AccessPaths


class Match(models.Model):
    access_paths = AccessPaths(program="program", mentee="mentee", mentor="mentor")

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        ACTIVE = "active", "Active"
        PAUSED = "paused", "Paused"
        ENDED = "ended", "Ended"

    class EndReason(models.TextChoices):
        COMPLETED = "completed", "Completed"
        REMATCH = "rematch", "Rematch requested"
        MENTOR_UNAVAILABLE = "mentor_unavailable", "Mentor unavailable"
        SAFETY = "safety", "Safety"
        OTHER = "other", "Other"

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
        verbose_name_plural = "matches"
        constraints = [
            # At most one current pairing per mentee; ended matches are history.
            models.UniqueConstraint(
                fields=["mentee"],
                condition=Q(status__in=["active", "paused"]),
                name="match_one_current_per_mentee",
            ),
        ]

    def __str__(self):
        return f"{self.mentee} ↔ {self.mentor} ({self.get_status_display()})"

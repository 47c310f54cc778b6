"""The one outbox: every e-mail the product sends is a row here before it is a message."""

from django.db import models
from django.db.models import Q
from django.utils.timezone import now as utc_now
from django.utils.translation import gettext_lazy as _

from accounts.models import Program, User
from mentorship.access import COORDINATOR, AccessPaths


class Notification(models.Model):
    """An e-mail that must go out once. The row, not the broker, is the source of truth.

    Lifecycle: pending -> claimed (by one dispatcher, until `available_at`, the lease) ->
    sending (committed just before its own SMTP send) -> sent. A claimed row goes back to
    pending when it lands in quiet hours; a failed send goes back to pending with a backoff,
    or to failed after MAX_ATTEMPTS (a coordinator may retry it). Cancelled only from pending
    or claimed: once "sending" is committed the send has started and the cancel loses, and the
    "sent" mark only moves a row from sending, so it can never flip a cancel back. A claimed
    or sending row whose lease ran out (its worker died, Redis lost the batch message) is
    claimable again: the one message in flight at a worker's death goes out again, with the
    same Message-ID.

    `kind` names a registered kind (notifications.registry.kinds): its templates and its
    staleness check. `about_id` and `topic` are the registering app's opaque keys for what the
    message is about (a check-in's id; "assessment:12:barc10:12"); `data` holds the few
    non-clinical values its template needs that cannot be read back at send time.
    """

    access_paths = AccessPaths(program="program", change_roles=(COORDINATOR,))

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        CLAIMED = "claimed", _("Claimed")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    UNSENT = (Status.PENDING, Status.CLAIMED)  # what a cancel may still withdraw

    # Every index of this table is written again when a row is claimed and when it is sent, so
    # the table keeps only the indexes its queries use (see Meta); the foreign keys have none of
    # their own (deleting a program or a person, an administrator's rare act, may scan).
    kind = models.CharField(max_length=40)
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+", db_index=False)
    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+", db_index=False)
    about_id = models.BigIntegerField(null=True, blank=True)
    topic = models.CharField(max_length=80, blank=True)
    # The time of what it concerns (the check-in time it was planned for, the alert, the day
    # something is due); part of the Message-ID.
    for_time = models.DateTimeField()
    data = models.JSONField(default=dict, blank=True)
    due_at = models.DateTimeField()
    # The earliest moment anyone may (re)try: due_at, then a retry backoff or a claim's lease.
    available_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    claim_token = models.UUIDField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=80, blank=True)  # exception class only
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=utc_now)

    class Meta:
        ordering = ["due_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "about_id", "recipient", "for_time"],
                condition=Q(about_id__isnull=False),
                name="notification_once",
            ),
            # One message per recipient per topic (a thing due), however often it is planned.
            models.UniqueConstraint(
                fields=["kind", "recipient", "topic"],
                condition=~Q(topic=""),
                name="notification_once_per_topic",
            ),
        ]
        indexes = [
            # The "due and unsent" index. Its user: services.notification_claim_due, run by the
            # beat task notifications.dispatch every minute. Finished rows stay out of it.
            models.Index(
                fields=["available_at"],
                condition=Q(status__in=["pending", "claimed", "sending"]),
                name="notification_due_unsent",
            ),
            # Its user: services.notification_send_batch, reading one claim's rows in id order.
            models.Index(
                fields=["claim_token", "id"],
                condition=Q(status="claimed"),
                name="notification_claimed",
            ),
            # Its users: the apps that plan and withdraw messages about one thing (a check-in's
            # reminders, a match's notices), and their cancels.
            models.Index(fields=["about_id", "kind"], name="notification_about"),
            # Its user: selectors.failed_notifications, on the coordinators' engagement page.
            models.Index(
                fields=["program"], condition=Q(status="failed"), name="notification_failed"
            ),
        ]

    def __str__(self):
        return f"{self.kind} #{self.pk} ({self.status})"

    @property
    def kind_label(self) -> str:
        from notifications.registry import kinds

        return kinds.get(self.kind).label if self.kind in kinds else self.kind

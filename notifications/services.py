"""The outbox: enqueue, cancel, claim, send, retry. Keyword-only, typed, atomic where they write.

How a message goes out exactly once (DESIGN.md invariant 3):
- The row is the truth; the broker carries only "send this claim". The beat task claims due
  rows in batches (`select_for_update(skip_locked=True)`, a lease in `available_at`), one
  broker message per batch. A lost message or a dead worker only delays: the lease runs out
  and the rows are claimed again.
- Just before each e-mail, one conditional UPDATE moves that one row from claimed to sending
  and commits (the same statement records the previous e-mail sent: one commit per message).
  A cancel only moves pending or claimed rows, so the cancel and the send decide on the same
  row state in the database: whichever commits first wins, and a cancelled row is never
  sent. The "sent" mark moves only sending to sent.
- A worker killed between its send and its mark leaves that one row in "sending"; after the
  lease it is claimed and sent again with the same Message-ID (a mail system that keeps one
  copy per Message-ID shows it once). Nothing else can repeat: every other row of the batch
  is either marked sent or still claimed.
Every statement is an ordinary ORM statement in autocommit, with the server's durability.
"""

import contextlib
import logging
import smtplib
import uuid
import zoneinfo
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.core.mail import EmailMessage, get_connection
from django.core.mail.utils import DNS_NAME
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from accounts.languages import language_for_recipient
from accounts.models import Program, User
from mentorship.audit import Action, audit_record
from notifications.models import Notification
from notifications.quiet import outside_quiet_hours, quiet_period
from notifications.registry import Kind, Outgoing, kinds, program_quiet_hours

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 4
SEND_CHUNK = 100  # rows read, and checked for staleness, just before they are sent
# A batch stops this long before its claim's lease runs out: after that another dispatcher may
# claim the rest. Also covers clock skew.
LEASE_MARGIN = timedelta(seconds=60)
Status = Notification.Status


def batch_size() -> int:
    return getattr(settings, "NOTIFICATIONS_BATCH", 500)


def lease() -> timedelta:
    return timedelta(seconds=getattr(settings, "NOTIFICATIONS_LEASE_SECONDS", 600))


def can_sign_in(user: User) -> bool:
    return user.is_active and not (user.password or "").startswith(UNUSABLE_PASSWORD_PREFIX)


def recipient_tz(user: User, program: Program) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(user.timezone or program.timezone)


def _kick_dispatch() -> None:
    """Ask a worker to dispatch now rather than at the next beat tick, after commit so the
    worker sees the rows. Losing this message is harmless: the beat tick finds the rows."""
    from notifications.tasks import dispatch

    dispatch.delay_on_commit()


def may_receive(*, kind: str, recipient: User) -> bool:
    """Whether `recipient` may get a `kind` message at all: active, and able to sign in if the
    message points to a page behind sign-in (such a person gets their invitation instead)."""
    if not recipient.is_active or not recipient.email:
        return False
    return not kinds.get(kind).needs_sign_in or can_sign_in(recipient)


@transaction.atomic
def notifications_enqueue(*, rows: list[Notification]) -> int:
    """Queue messages (unsaved rows; `kind`, `program`, `recipient`, `for_time` set, `due_at`
    defaulting to now). Rows their recipient may not get are dropped; a row that already
    exists (same kind, thing and time, or same topic) is kept as it is. Returns rows queued."""
    now = timezone.now()
    keep = []
    for row in rows:
        if not may_receive(kind=row.kind, recipient=row.recipient):
            continue
        row.due_at = row.due_at or now
        row.available_at = row.due_at
        keep.append(row)
    # ignore_conflicts: two planners at once both insert; the unique constraints keep one.
    queued = len(Notification.objects.bulk_create(keep, ignore_conflicts=True))
    if keep:
        _kick_dispatch()
    return queued


@transaction.atomic
def notification_enqueue(
    *,
    kind: str,
    recipient: User,
    program: Program,
    for_time: datetime | None = None,
    about_id: int | None = None,
    topic: str = "",
    data: dict | None = None,
    due_at: datetime | None = None,
) -> int:
    return notifications_enqueue(
        rows=[
            Notification(
                kind=kind,
                recipient=recipient,
                program=program,
                for_time=for_time or timezone.now(),
                about_id=about_id,
                topic=topic,
                data=data or {},
                due_at=due_at,
            )
        ]
    )


def notification_replace(*, kind: str, recipient: User, program: Program, **fields) -> int:
    """notification_enqueue() of a message that supersedes the recipient's unsent one of the
    same kind: asked for again before it went out (a reset, a confirmation link), the person
    gets one e-mail, the latest."""
    notifications_cancel(kinds=[kind], recipients=[recipient.pk])
    return notification_enqueue(kind=kind, recipient=recipient, program=program, **fields)


def notifications_cancel(
    *,
    kinds: list[str] | tuple[str, ...] | None = None,
    about_ids: list[int] | None = None,
    topics: list[str] | None = None,
    recipients: list[int] | None = None,
    with_topic: bool = False,
) -> int:
    """Withdraw the unsent messages matching all the given filters; call it in the transaction
    that changes the thing (a check-in cancelled, a match ended, an invitation revoked).

    Only pending and claimed rows move: a row already "sending" has started its send (it was
    committed just before the SMTP call) and is not called back. A row being moved to sending
    right now holds its row lock; this UPDATE waits for it and then no longer matches."""
    rows = Notification.objects.filter(status__in=Notification.UNSENT)
    if kinds is not None:
        rows = rows.filter(kind__in=kinds)
    if about_ids is not None:
        rows = rows.filter(about_id__in=about_ids)
    if topics is not None:
        rows = rows.filter(topic__in=topics)
    if recipients is not None:
        rows = rows.filter(recipient_id__in=recipients)
    if with_topic:
        rows = rows.exclude(topic="")
    return rows.update(status=Status.CANCELLED)


def notification_revive(*, pk: int, due_at: datetime, **fields) -> int:
    """A cancelled message wanted again (a check-in moved back, reminders turned on again)."""
    return Notification.objects.filter(pk=pk, status=Status.CANCELLED).update(
        status=Status.PENDING,
        due_at=due_at,
        available_at=due_at,
        claim_token=None,
        attempts=0,
        last_error="",
        **fields,
    )


def due_outside_quiet_hours(
    due: datetime,
    *,
    recipient: User,
    program: Program,
    quiet: tuple,
    not_after: datetime | None = None,
) -> datetime:
    """`quiet` is `program_quiet_hours(program)`, read once by the caller for all its rows
    (it is a query, and planners place many messages at a time)."""
    start, end = quiet
    return outside_quiet_hours(
        due,
        tz=recipient_tz(recipient, program),
        quiet_start=start,
        quiet_end=end,
        not_after=not_after,
    )


@dataclass(frozen=True)
class TopicItem:
    """One thing due for one person, as the planning app sees it. `topic` is that app's opaque
    key for the thing (one message per recipient and topic, ever); `due_at` when it should go
    out (moved out of quiet hours here); `data` the non-clinical values its template needs."""

    recipient: User
    topic: str
    for_time: datetime
    due_at: datetime
    data: dict


@transaction.atomic
def notifications_plan_topics(
    *, program: Program, kind: str, items: list[TopicItem], topic_prefix: str
) -> int:
    """Make the unsent `kind` messages of `program` whose topic starts with `topic_prefix` match
    `items` exactly: add what is missing (a row that was sent is never planned again), revive
    what was cancelled and is wanted again, cancel what is no longer wanted. Idempotent;
    returns the number of rows added or revived."""
    wanted = {
        (item.recipient.pk, item.topic): item
        for item in items
        if may_receive(kind=kind, recipient=item.recipient)
    }
    mine = Notification.objects.filter(program=program, kind=kind, topic__startswith=topic_prefix)
    # Conditional on still unsent: a row moving to "sending" right now holds its lock; this
    # waits for it and then no longer matches.
    stale = [
        pk
        for pk, user_id, topic in mine.filter(status__in=Notification.UNSENT).values_list(
            "pk", "recipient_id", "topic"
        )
        if (user_id, topic) not in wanted
    ]
    if stale:
        mine.filter(pk__in=stale, status__in=Notification.UNSENT).update(status=Status.CANCELLED)
    existing = {
        (user_id, topic): (pk, status)
        for pk, user_id, topic, status in mine.filter(
            recipient_id__in={key[0] for key in wanted}
        ).values_list("pk", "recipient_id", "topic", "status")
    }
    changed, new = 0, []
    quiet = program_quiet_hours(program)
    for key, item in wanted.items():
        due = due_outside_quiet_hours(
            item.due_at, recipient=item.recipient, program=program, quiet=quiet
        )
        found = existing.get(key)
        if found is None:
            new.append(
                Notification(
                    kind=kind,
                    program=program,
                    recipient=item.recipient,
                    topic=item.topic,
                    for_time=item.for_time,
                    due_at=due,
                    data=item.data,
                )
            )
        elif found[1] == Status.CANCELLED:
            changed += notification_revive(
                pk=found[0], due_at=due, for_time=item.for_time, data=item.data
            )
    if new:
        changed += notifications_enqueue(rows=new)
    elif changed:
        _kick_dispatch()
    return changed


# --- Claiming


@transaction.atomic
def notification_claim_due(
    *, now: datetime | None = None, limit: int | None = None
) -> uuid.UUID | None:
    """Claim up to `limit` due messages for one batch and return the claim token.

    Due pending rows, and claimed or sending rows whose lease ran out (a worker died, or Redis
    lost the batch message), are claimable. The batch message is enqueued after commit.
    """
    now = now or timezone.now()
    token = uuid.uuid4()
    # skip_locked: two beat ticks or dispatchers at once take different rows instead of both
    # claiming (and sending) the same ones, and neither waits for the other.
    ids = list(
        Notification.objects.select_for_update(skip_locked=True)
        .filter(
            status__in=[Status.PENDING, Status.CLAIMED, Status.SENDING],
            available_at__lte=now,
        )
        .order_by("available_at")
        .values_list("pk", flat=True)[: limit or batch_size()]
    )
    if not ids:
        return None
    Notification.objects.filter(pk__in=ids).update(
        status=Status.CLAIMED, claim_token=token, available_at=now + lease()
    )
    from notifications.tasks import send_batch

    # If the broker is down, the claim stands and its lease runs out, so the rows are claimed
    # again by a later tick.
    send_batch.delay_on_commit(str(token))
    return token


def notifications_dispatch(*, max_batches: int = 50) -> int:
    """One beat tick: claim due messages batch by batch; each batch is one broker message."""
    batches = 0
    while batches < max_batches and notification_claim_due() is not None:
        batches += 1
    return batches


# --- Sending


def message_id(row: Outgoing) -> str:
    """The same for every attempt at one message: a message sent twice (a worker killed between
    writing it and recording it) shows once in a mail system that keeps one copy per
    Message-ID. The time it is for keeps ids apart should a database be rebuilt."""
    return f"<notification.{row.pk}.{int(row.for_time.timestamp())}@{DNS_NAME}>"


def notification_of(message: EmailMessage) -> int:
    """The notification a message built here is for."""
    return int(message.extra_headers["Message-ID"].split(".")[1])


def outgoing(rows, *, programs: dict[int, Program]) -> list[Outgoing]:
    """The rows of a queryset in id order, as plain values. Recipients and programs are read
    apart (a few recur across many rows); `programs` keeps those already read."""
    found = list(
        rows.order_by("pk").values_list(
            "pk", "kind", "about_id", "topic", "for_time", "data", "available_at", "attempts",
            "recipient_id", "program_id",
        )
    )  # fmt: skip
    people = {
        pk: (
            email,
            zone,
            active and not password.startswith(UNUSABLE_PASSWORD_PREFIX),
            active,
            language,
        )
        for pk, email, zone, active, password, language in User.objects.filter(
            pk__in={row[8] for row in found}
        ).values_list("pk", "email", "timezone", "is_active", "password", "preferred_language")
    }
    missing = {row[9] for row in found} - programs.keys()
    if missing:
        programs.update(Program.objects.in_bulk(missing))
    result = []
    for pk, kind, about_id, topic, for_time, data, lease_ends, attempts, who, program_id in found:
        program = programs[program_id]
        email, zone, signs_in, active, language = people[who]
        result.append(
            Outgoing(
                pk=pk,
                kind=kind,
                about_id=about_id,
                topic=topic,
                for_time=for_time,
                data=data,
                lease_ends=lease_ends,
                attempts=attempts,
                recipient_id=who,
                email=email,
                recipient_active=active,
                recipient_can_sign_in=signs_in,
                tz=zoneinfo.ZoneInfo(zone or program.timezone),
                program=program,
                language=language_for_recipient(preference=language, program=program),
            )
        )
    return result


def build(row: Outgoing, kind: Kind, context: dict, connection) -> EmailMessage:
    context = {"site_url": settings.SITE_URL, "program": row.program, **context}
    # Each message in its recipient's language, even in a batch for people of both.
    with translation.override(row.language):
        subject = render_to_string(kind.subject, context)
        body = render_to_string(kind.body, context)
    return EmailMessage(
        subject=" ".join(subject.split()),
        body=body,
        to=[kind.address(row)],
        connection=connection,
        headers={"Message-ID": message_id(row)},
    )


def notification_send_batch(*, token: str) -> dict[str, int]:
    """Send the messages of one claim. Not atomic on purpose: each state change commits on
    its own, so a worker killed mid-batch leaves exactly what it did recorded."""
    counts = dict.fromkeys(("sent", "skipped", "deferred", "retry", "failed", "cancelled"), 0)
    token = uuid.UUID(str(token))
    mail = get_connection(fail_silently=False)
    # One SMTP session for the batch rather than one per e-mail. If the server cannot be
    # reached, each message finds out on its own and is retried.
    with contextlib.suppress(smtplib.SMTPException, OSError):
        mail.open()
    programs: dict[int, Program] = {}
    quiet: dict[int, tuple] = {}
    ours = Notification.objects.filter(claim_token=token, status=Status.CLAIMED)
    ids = list(ours.order_by("pk").values_list("pk", flat=True))
    try:
        for start in range(0, len(ids), SEND_CHUNK):
            # A range, not a list of ids: planning a long IN list costs more than the rows.
            first, last = ids[start], ids[min(start + SEND_CHUNK, len(ids)) - 1]
            chunk = outgoing(ours.filter(pk__range=(first, last)), programs=programs)
            if not _send_chunk(chunk, token=token, mail=mail, quiet=quiet, counts=counts):
                break  # the lease is running out: the rest goes with a later claim
    finally:
        # Closing a broken SMTP connection may fail too; nothing is left to do about it.
        with contextlib.suppress(Exception):
            mail.close()
    return counts


def _fresh(chunk: list[Outgoing], *, now: datetime) -> tuple[list[tuple], list[int]]:
    """(row, kind, context) of what is still wanted, and the ids of what is stale."""
    by_kind: dict[str, list[Outgoing]] = {}
    for row in chunk:
        by_kind.setdefault(row.kind, []).append(row)
    stale: set[int] = set()
    contexts: dict[int, dict] = {}
    for key, rows in by_kind.items():
        kind = kinds.get(key)
        for row in rows:
            # Deactivated since, or (for a page behind sign-in) unable to sign in.
            if not row.recipient_active or (kind.needs_sign_in and not row.recipient_can_sign_in):
                stale.add(row.pk)
        rows = [row for row in rows if row.pk not in stale]
        stale |= kind.stale(rows, now)
        contexts.update(kind.context([row for row in rows if row.pk not in stale]))
    fresh = [
        (row, kinds.get(row.kind), contexts[row.pk])
        for row in chunk
        if row.pk not in stale and row.pk in contexts
    ]
    return fresh, [row.pk for row in chunk if row.pk in stale or row.pk not in contexts]


def _send_chunk(chunk: list[Outgoing], *, token, mail, quiet: dict, counts) -> bool:
    """Send what is fresh; cancel what is stale; defer what would land in quiet hours. Returns
    False when the lease is too close to its end to go on."""
    fresh, stale = _fresh(chunk, now=timezone.now())
    ours = Notification.objects.filter(claim_token=token, status=Status.CLAIMED)
    if stale:
        counts["cancelled"] += ours.filter(pk__in=stale).update(status=Status.CANCELLED)
    deferred: dict[datetime, list[int]] = {}
    delivered = None  # written to the mail server; its "sent" mark rides on the next statement
    for index, (row, kind, context) in enumerate(fresh):
        now = timezone.now()
        if now >= row.lease_ends - LEASE_MARGIN:
            counts["skipped"] += len(fresh) - index
            _mark_sent(delivered)
            _defer(ours, deferred, counts)
            return False
        if kind.quiet_hours:
            if row.program.pk not in quiet:
                quiet[row.program.pk] = program_quiet_hours(row.program)
            period = quiet_period(now, row.tz, *quiet[row.program.pk])
            if period is not None:
                # Delayed into quiet hours (an outage, a backlog): wait until they end.
                deferred.setdefault(period[1], []).append(row.pk)
                continue
        message = build(row, kind, context, mail)
        # The decision point: this row moves from claimed to sending, committed, or it was
        # cancelled (or taken by another sender) and is not ours to send.
        started = _step(token=token, sent=delivered, start=row.pk)
        delivered = None
        if not started:
            counts["cancelled"] += 1
            continue
        try:
            message.send()
        except (smtplib.SMTPException, OSError) as error:
            counts[_send_failed(row, error=error, now=now)] += 1
            # A broken SMTP session is replaced for the next e-mail (or each opens its own).
            with contextlib.suppress(Exception):
                mail.close()
            with contextlib.suppress(smtplib.SMTPException, OSError):
                mail.open()
            continue
        delivered = row.pk
        counts["sent"] += 1
    _mark_sent(delivered)
    _defer(ours, deferred, counts)
    return True


# One statement, written out rather than built by the ORM: it runs once per e-mail, and
# compiling the equivalent Case/When update cost more than the database round trip.
# With `sent` NULL its first branch matches nothing (the first message of a chunk); with
# `start` NULL its second (the last one).
# The table name is our model's; every value is a parameter.
_STEP_SQL = f"""
    UPDATE {Notification._meta.db_table} SET
        status = CASE WHEN id = %(sent)s THEN %(sent_status)s ELSE %(sending)s END,
        sent_at = CASE WHEN id = %(sent)s THEN %(now)s ELSE sent_at END,
        attempts = CASE WHEN id = %(sent)s THEN attempts + 1 ELSE attempts END
    WHERE (id = %(sent)s AND status = %(sending)s)
       OR (id = %(start)s AND claim_token = %(token)s AND status = %(claimed)s)
"""  # noqa: S608


def _advance(*, token: uuid.UUID | None, sent: int | None, start: int | None) -> int:
    """Run the step statement; returns how many rows it moved."""
    params = {
        "sent": sent,
        "start": start,
        "token": token,
        "now": timezone.now(),
        "sent_status": Status.SENT,
        "sending": Status.SENDING,
        "claimed": Status.CLAIMED,
    }
    with connection.cursor() as cursor:
        cursor.execute(_STEP_SQL, params)
        return cursor.rowcount


def _step(*, token: uuid.UUID, sent: int | None, start: int) -> bool:
    """One committed statement per message: the message just delivered (if any) moves from
    sending to sent, and the next one from claimed to sending. One commit per message, not
    two, and still at most one row is ever in "sending" for a batch: a worker killed at any
    point leaves at most that one message to go out again. Only a row in sending can become
    sent, so a mark never flips another state (cancelled) to sent. Returns whether `start` may
    be sent (it was still claimed by this batch, not cancelled)."""
    changed = _advance(token=token, sent=sent, start=start)
    # With a delivered message, 1 means the next one was cancelled meanwhile (the delivered
    # one is always ours, in sending). Were it the other way round, holding back is the safe
    # reading: the row would be claimed again after its lease and sent then.
    return changed == (1 if sent is None else 2)


def _mark_sent(pk: int | None) -> None:
    """The last message of a chunk: the same statement with no next one to start."""
    if pk is None:
        return
    if _advance(token=None, sent=pk, start=None) != 1:
        log.warning("notification %s was sent but was no longer sending", pk)


def _defer(ours, deferred: dict[datetime, list[int]], counts) -> None:
    for available_at, pks in deferred.items():
        counts["deferred"] += ours.filter(pk__in=pks).update(
            status=Status.PENDING, available_at=available_at, claim_token=None
        )
    deferred.clear()


def _send_failed(row: Outgoing, *, error: Exception, now: datetime) -> str:
    """The SMTP server refused or was unreachable: retry with backoff, or give up and show it
    to the program's coordinators."""
    attempts = row.attempts + 1
    if attempts >= MAX_ATTEMPTS:
        status, available_at, outcome = Status.FAILED, now, "failed"
        log.warning("notification %s failed after %s attempts", row.pk, attempts)
    else:
        # Backoff 2, 4, 8 minutes; the beat task picks it up again when available.
        status, available_at = Status.PENDING, now + timedelta(minutes=2**attempts)
        outcome = "retry"
    Notification.objects.filter(pk=row.pk, status=Status.SENDING).update(
        attempts=attempts,
        last_error=type(error).__name__,
        status=status,
        available_at=available_at,
        claim_token=None,
    )
    return outcome


@transaction.atomic
def notification_retry(*, actor: User, notification: Notification) -> bool:
    """A coordinator sends a failed message again (the mail server is back, an address was
    corrected). Conditional on still failed: two coordinators pressing at once queue it once.
    It is checked like any other before it goes: a thing cancelled meanwhile gets none."""
    retried = Notification.objects.filter(pk=notification.pk, status=Status.FAILED).update(
        status=Status.PENDING,
        attempts=0,
        last_error="",
        claim_token=None,
        available_at=timezone.now(),
    )
    if retried:
        audit_record(actor=actor, action=Action.UPDATE, obj=notification, fields=["status"])
        _kick_dispatch()
    return bool(retried)

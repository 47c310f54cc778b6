"""Sending reminders: what is read of a claimed reminder, and how it is recorded as sent.

What is read: `Outgoing`, plain values of the reminder, its check-in, program and recipient,
read a chunk at a time. Building model instances for them cost more than writing the e-mails.

Recorded as sent one row at a time, without waiting for the database each time.

Why one row at a time: a worker killed mid-batch must leave every e-mail it wrote recorded as
sent (or it would be sent again) and every e-mail it did not write unrecorded. So each "sent"
is its own committed statement, issued right after its e-mail is written and before the next
e-mail is started.

Why not wait for it: a round trip and a commit cost about as much as writing the e-mail. On
PostgreSQL the statement is written to the socket in full (the server then runs and commits it
even if this process dies that instant) and its answer is read only before the next statement,
while the next e-mail is being rendered and written. On other databases (SQLite under
`make run`) each mark is a plain UPDATE.

The marks do not wait for the database's write-ahead log to reach the disk (the session sets
synchronous_commit off while sending): a killed worker still loses nothing, as the server has
the mark; a crash of the database server itself can lose the last fraction of a second of
marks, and those few reminders are then sent again after their lease. Never lost, and twice
only after a database crash: for a reminder that is the right way round.

Rows are matched on their claim token as well as their id: a row someone else has claimed
since is not ours to mark (`reminder_send_batch` stops well before its lease runs out, so that
only happens if a batch is delayed beyond the lease).
"""

import logging
import uuid
import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime

from django.db import DatabaseError, connection
from django.db.models import F, QuerySet

from accounts.models import Program, User
from checkins.models import Reminder

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Outgoing:
    """A claimed reminder, as sending needs it."""

    pk: int
    kind: str
    for_time: datetime
    lease_ends: datetime  # a claimed row's available_at
    attempts: int
    recipient_id: int
    email: str
    recipient_active: bool
    tz: zoneinfo.ZoneInfo  # the recipient's, else the program's
    program: Program
    checkin_id: int | None
    checkin_status: str | None
    scheduled_at: datetime | None
    mode: str | None
    due_on: date | None
    link_path: str


def outgoing(reminders: QuerySet, *, programs: dict[int, Program]) -> list[Outgoing]:
    """The rows of `reminders` in id order. Their recipients and programs are read apart (a few
    people and programs recur across many rows); `programs` keeps those already read.

    A check-in reminder's program is its check-in's (rows planned before reminders carried a
    program have only that one)."""
    rows = list(
        reminders.order_by("pk").values_list(
            "pk", "kind", "for_time", "available_at", "attempts", "due_on", "link_path",
            "recipient_id", "program_id", "checkin_id", "checkin__status",
            "checkin__scheduled_at", "checkin__mode", "checkin__program_id",
        )
    )  # fmt: skip
    people = {
        pk: (email, active, zone)
        for pk, email, active, zone in User.objects.filter(
            pk__in={row[7] for row in rows}
        ).values_list("pk", "email", "is_active", "timezone")
    }
    wanted = {row[13] or row[8] for row in rows} - programs.keys()
    if wanted:
        programs.update(Program.objects.in_bulk(wanted))
    found = []
    for (
        pk, kind, for_time, available_at, attempts, due_on, link_path, recipient_id,
        program_id, checkin_id, checkin_status, scheduled_at, mode, checkin_program_id,
    ) in rows:  # fmt: skip
        program = programs[checkin_program_id or program_id]
        email, active, user_zone = people[recipient_id]
        found.append(
            Outgoing(
                pk=pk,
                kind=kind,
                for_time=for_time,
                lease_ends=available_at,
                attempts=attempts,
                recipient_id=recipient_id,
                email=email,
                recipient_active=active,
                tz=zoneinfo.ZoneInfo(user_zone or program.timezone),
                program=program,
                checkin_id=checkin_id,
                checkin_status=checkin_status,
                scheduled_at=scheduled_at,
                mode=mode,
                due_on=due_on,
                link_path=link_path,
            )
        )
    return found


class SentMarks:
    """Use as a context manager around one batch; call `wait()` before any other query on the
    default database connection while the batch runs."""

    def __init__(self, token: uuid.UUID):
        self.token = token

    def __enter__(self) -> "SentMarks":
        return self

    def __exit__(self, *exc) -> None:
        self.wait()

    def sent(self, pk: int, *, at: datetime) -> None:
        marked = Reminder.objects.filter(pk=pk, claim_token=self.token).update(
            status=Reminder.Status.SENT, sent_at=at, attempts=F("attempts") + 1
        )
        _warn_unless_marked(pk, marked)

    def wait(self) -> None:
        pass


def _warn_unless_marked(pk: int, marked: int) -> None:
    if marked != 1:
        log.warning("reminder %s was sent but had been claimed again; not marked sent", pk)


# The same UPDATE as SentMarks.sent, in libpq's terms (Reminder's table, Status.SENT).
_MARK_SENT = (
    b"UPDATE checkins_reminder SET status = 'sent', sent_at = $3::timestamptz,"
    b" attempts = attempts + 1 WHERE id = $1::bigint AND claim_token = $2::uuid"
)


class _PipelinedSentMarks(SentMarks):
    """PostgreSQL: at most one "sent" statement in flight, read back before the next one."""

    def __enter__(self) -> "_PipelinedSentMarks":
        connection.ensure_connection()
        self._pgconn = connection.connection.pgconn
        self._in_flight: int | None = None
        self._token = str(self.token).encode()
        self._prepared = False
        # psycopg drives libpq in non-blocking mode; blocking mode makes sending return only
        # once the whole statement is on the socket, which is the guarantee we need.
        self._was_nonblocking = self._pgconn.nonblocking
        self._pgconn.nonblocking = 0
        try:
            with connection.cursor() as cursor:
                cursor.execute("SET synchronous_commit TO off")
            # Parsed and planned once per batch, not once per reminder.
            # A fresh name each batch: a statement a failed batch left on a reused connection
            # can never be in the way of the next one.
            self._statement = f"reminder_mark_sent_{uuid.uuid4().hex}"
            self._check(self._pgconn.prepare(self._statement.encode(), _MARK_SENT), "preparing")
            self._prepared = True
        except BaseException as error:
            self.__exit__(type(error), error, None)
            raise
        return self

    def __exit__(self, error_type, *exc) -> None:
        try:
            self.wait()
        finally:
            self._pgconn.nonblocking = self._was_nonblocking
            try:
                with connection.cursor() as cursor:
                    if self._prepared:
                        cursor.execute(f"DEALLOCATE {self._statement}")
                    cursor.execute("RESET synchronous_commit")
            except DatabaseError:
                if error_type is None:
                    raise
                # The batch failed first (often the connection itself): report that failure.

    def sent(self, pk: int, *, at: datetime) -> None:
        self.wait()
        self._pgconn.send_query_prepared(
            self._statement.encode(), [str(pk).encode(), self._token, at.isoformat().encode()]
        )
        self._in_flight = pk

    def wait(self) -> None:
        if self._in_flight is None:
            return
        pk, self._in_flight = self._in_flight, None
        result = self._pgconn.get_result()
        while self._pgconn.get_result() is not None:  # libpq ends each answer with None
            pass
        self._check(result, f"marking reminder {pk} sent")
        _warn_unless_marked(pk, result.command_tuples)

    @staticmethod
    def _check(result, doing: str) -> None:
        from psycopg import pq

        if result is None or result.status != pq.ExecStatus.COMMAND_OK:
            message = result.error_message.decode(errors="replace") if result else "no answer"
            raise DatabaseError(f"{doing} failed: {message}")


def sent_marks(token: uuid.UUID) -> SentMarks:
    if connection.vendor == "postgresql":
        return _PipelinedSentMarks(token)
    return SentMarks(token)

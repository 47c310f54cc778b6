"""Recording reminders as sent, one row at a time, without waiting for the database each time.

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
from datetime import datetime

from django.db import DatabaseError, connection
from django.db.models import F

from checkins.models import Reminder

log = logging.getLogger(__name__)


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
        # psycopg drives libpq in non-blocking mode; blocking mode makes sending return only
        # once the whole statement is on the socket, which is the guarantee we need.
        self._was_nonblocking = self._pgconn.nonblocking
        self._pgconn.nonblocking = 0
        self._in_flight: int | None = None
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit TO off")
        return self

    def __exit__(self, error_type, *exc) -> None:
        try:
            self.wait()
        finally:
            self._pgconn.nonblocking = self._was_nonblocking
            try:
                with connection.cursor() as cursor:
                    cursor.execute("RESET synchronous_commit")
            except DatabaseError:
                if error_type is None:
                    raise
                # The batch failed first (often the connection itself): report that failure.

    def sent(self, pk: int, *, at: datetime) -> None:
        self.wait()
        self._pgconn.send_query_params(
            _MARK_SENT, [str(pk).encode(), str(self.token).encode(), at.isoformat().encode()]
        )
        self._in_flight = pk

    def wait(self) -> None:
        if self._in_flight is None:
            return
        from psycopg import pq

        pk, self._in_flight = self._in_flight, None
        result = self._pgconn.get_result()
        while self._pgconn.get_result() is not None:  # libpq ends each answer with None
            pass
        if result is None or result.status != pq.ExecStatus.COMMAND_OK:
            message = result.error_message.decode(errors="replace") if result else "no answer"
            raise DatabaseError(f"marking reminder {pk} sent failed: {message}")
        _warn_unless_marked(pk, result.command_tuples)


def sent_marks(token: uuid.UUID) -> SentMarks:
    if connection.vendor == "postgresql":
        return _PipelinedSentMarks(token)
    return SentMarks(token)

"""Dispatching due check-in reminders through the outbox's real task path against plain
`send_mail` calls in one process, both to Django's file e-mail backend (a local folder); and
broker messages per 500 reminders.

The real task path: the dispatch task (`notifications.dispatch`, what beat runs each minute)
claims due rows and publishes one message per batch to Redis; a Celery worker, started as
`make run` and a deployment start it (the default pool: one process per core), sends each
batch: per message a staleness check (per chunk), a committed claimed -> sending UPDATE, the
send, and a sending -> sent UPDATE, all plain ORM statements with the server's durability. The clock runs from the first claim until the database says
every reminder was sent; the worker is started (and has imported everything) before it.

Also printed, for comparison: the same path with the batches run inside this one process.
BENCH_REMINDERS sets the number of reminders (the issue asks for 100,000, the default).
"""

import os
from collections.abc import Callable

from _harness import setup

setup()

import shutil  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from datetime import time as clock  # noqa: E402
from datetime import timedelta  # noqa: E402
from pathlib import Path  # noqa: E402

from celery.signals import before_task_publish  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.mail import send_mail  # noqa: E402
from django.db import connection  # noqa: E402
from django.urls import get_resolver  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.demo import demo_seed_small  # noqa: E402
from checkins.emails import BEFORE_24H  # noqa: E402
from checkins.models import CheckIn, CheckinSettings  # noqa: E402
from matching.demo import demo_seed_matches  # noqa: E402
from matching.models import Match  # noqa: E402
from mentorship.celery import app  # noqa: E402
from notifications import tasks  # noqa: E402
from notifications.models import Notification  # noqa: E402

N = int(os.environ.get("BENCH_REMINDERS", "100000"))
ROOT = Path(__file__).resolve().parents[1]


def _rows() -> Callable[[], None]:
    """The reminders to send, in the demo program (quiet hours off), and what puts the program
    back as it was: `make bench` runs the next scripts on the same database, and bench/pages.py
    times the demo program as its small size (100,000 extra check-ins made it 5x slower)."""
    program, _ = demo_seed_small()
    demo_seed_matches(program=program)
    match = Match.objects.filter(program=program, status="active").select_related("mentee").first()
    quiet = CheckinSettings.objects.filter(program=program).values("quiet_start", "quiet_end")
    before = quiet.first()
    CheckinSettings.objects.update_or_create(
        program=program, defaults={"quiet_start": clock(0), "quiet_end": clock(0)}
    )

    def clear() -> None:
        Notification.objects.filter(program=program, kind=BEFORE_24H).delete()
        CheckIn.objects.filter(program=program, title="bench").delete()

    def restore() -> None:
        clear()
        if before is None:
            CheckinSettings.objects.filter(program=program).delete()
        else:
            CheckinSettings.objects.filter(program=program).update(**before)

    clear()
    start = timezone.now().replace(microsecond=0) + timedelta(days=2)
    checkins = CheckIn.objects.bulk_create(
        [
            CheckIn(
                program=program,
                match=match,
                mentee=match.mentee,
                title="bench",
                scheduled_at=start + timedelta(seconds=i),
            )
            for i in range(N)
        ],
        batch_size=5000,
    )
    Notification.objects.bulk_create(
        [
            Notification(
                about_id=c.pk,
                program=program,
                recipient_id=match.mentee.user_id,
                kind=BEFORE_24H,
                due_at=c.scheduled_at - timedelta(hours=24),
                for_time=c.scheduled_at,
                available_at=c.scheduled_at,
            )
            for c in checkins
        ],
        batch_size=5000,
    )
    return restore


def _make_due() -> None:
    due = timezone.now() - timedelta(minutes=1)
    Notification.objects.filter(kind=BEFORE_24H).update(
        status="pending", claim_token=None, available_at=due, sent_at=None, attempts=0
    )
    # Old row versions cleared as autovacuum would in a deployment (a benchmark database may
    # run without it, and each run rewrites every row several times).
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE notifications_notification")


def _worker(mail_dir: Path) -> subprocess.Popen:
    level = os.environ.get("BENCH_WORKER_LOG", "WARNING")
    env = {**os.environ, "VAR_DIR": str(mail_dir.parent), "LOG_LEVEL": level}
    env.pop("EMAIL_HOST", None)  # the file backend, into VAR_DIR/mail
    worker = subprocess.Popen(
        [str(Path(sys.executable).with_name("celery")), "-A", "mentorship", "worker"]
        + [f"--loglevel={level}", "--without-gossip", "--without-mingle", "-n", "bench@%h"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(mail_dir.parent / "worker.log", "w"),  # noqa: SIM115 — closed with it
    )
    deadline = time.monotonic() + 90
    while not app.control.ping(destination=[f"bench@{socket.gethostname()}"], timeout=1):
        if worker.poll() is not None or time.monotonic() > deadline:
            raise SystemExit("the Celery worker did not start")
    return worker


def _until_all_sent() -> None:
    # The "due and unsent" index answers this without reading the sent rows. Only the
    # benchmark's own kind: a database kept for benchmarks also holds the demo programs' rows,
    # some planned for later (a nudge waiting out quiet hours), which would be waited on forever.
    unsent = Notification.objects.filter(
        kind=BEFORE_24H, status__in=["pending", "claimed", "sending"]
    )
    while unsent.exists():
        time.sleep(0.25)
    assert Notification.objects.filter(kind=BEFORE_24H, status="sent").count() == N


def _mailed(folder: Path) -> int:
    return sum(
        path.read_bytes().count(b"\nMessage-ID: <notification.") for path in folder.iterdir()
    )


def main() -> None:
    if not settings.CELERY_BROKER_URL.startswith("redis://"):
        raise SystemExit("set REDIS_URL: this benchmark runs a real worker against Redis")
    work = Path(tempfile.mkdtemp(prefix="bench-notifications-"))
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(work / "here")
    Path(settings.EMAIL_FILE_PATH).mkdir()
    restore = _rows()
    try:
        _measure(work)
    finally:
        restore()


def _measure(work: Path) -> None:
    _make_due()
    # Messages left in this Redis database (a test run's "dispatch now") would let the worker
    # start sending before the clock does.
    app.control.purge()
    worker = _worker(work / "mail")
    messages = 0

    def count(sender=None, **kwargs):
        nonlocal messages
        messages += sender == tasks.send_batch.name

    before_task_publish.connect(count)
    try:
        start = time.perf_counter()
        while tasks.dispatch.apply().get():  # beat ticks, back to back
            pass
        _until_all_sent()
        workers = time.perf_counter() - start
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=60)
        before_task_publish.disconnect(count)
    mailed = _mailed(work / "mail")
    assert mailed == N, f"the mail folder holds {mailed} reminders, not {N}"

    # The same path with each batch run here, one at a time, instead of by the worker.
    _make_due()
    send_batch = tasks.send_batch
    send_batch.delay = lambda *args, **kwargs: send_batch.apply(args=args)
    assert get_resolver().url_patterns  # as in the worker: links need the URL configuration
    start = time.perf_counter()
    while tasks.dispatch.apply().get():
        pass
    one_process = time.perf_counter() - start
    assert Notification.objects.filter(kind=BEFORE_24H, status="sent").count() == N

    send_mail("Warm-up", "Body", None, ["mentee@example.org"])
    start = time.perf_counter()
    for i in range(N):
        send_mail("Check-in reminder", f"Body {i}", None, ["mentee@example.org"])
    plain = time.perf_counter() - start
    if os.environ.get("BENCH_WORKER_LOG"):
        print((work / "worker.log").read_text()[-20000:])
    shutil.rmtree(work)

    concurrency = os.cpu_count()
    print(f"{N} reminders, plain send_mail in one process: {plain:.1f}s")
    print(f"task path, worker with {concurrency} processes: {workers:.1f}s")
    print(
        f"task path, batches run in one process: {one_process:.1f}s "
        f"(ratio {one_process / plain:.2f})"
    )
    print(f"broker messages per 500 reminders: {messages * 500 / N:.2f} (target <= 1)")
    # The guarantees need one committed statement per message (claimed -> sending just before
    # it is sent, which also marks the previous one sent). What N such commits cost on this
    # server, with its default durability, is the floor no plain path goes under: when the
    # ratio misses its target, this line says how much of it the commits alone explain.
    floor = _commit_floor(N)
    print(
        f"{N} single-row committed UPDATEs: {floor:.1f}s (commit floor ratio {floor / plain:.2f})"
    )
    print(f"notifications_dispatch ratio={workers / plain:.2f} target=<=3")


def _commit_floor(n: int) -> float:
    sample = min(n, 2000)
    pks = list(Notification.objects.values_list("pk", flat=True)[:sample])
    start = time.perf_counter()
    for pk in pks:  # autocommit: each UPDATE is its own transaction, as in the outbox
        Notification.objects.filter(pk=pk).update(attempts=0)
    return (time.perf_counter() - start) * n / len(pks)


if __name__ == "__main__":
    main()

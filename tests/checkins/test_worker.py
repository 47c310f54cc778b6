"""The reminder guarantees, each with real Celery worker processes, real Redis (our own db
number) and the PostgreSQL test database:

(a) Redis flushed between scheduling and sending loses nothing;
(b) two workers and two beat ticks at once send each reminder exactly once;
(c) a worker killed mid-batch: what it claimed and did not send is sent later, nothing twice;
(d) a check-in cancelled or moved before its reminder gets no stale reminder.
"""

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import time as clock
from datetime import timedelta
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connection
from django.utils import timezone

from checkins import services
from checkins.models import CheckIn, CheckinSettings, Reminder
from checkins.tasks import reminders_dispatch
from tests import factories

pytestmark = [pytest.mark.worker, pytest.mark.timeout(120)]
CELERY = Path(sys.executable).with_name("celery")
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def broker():
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    client.flushdb()  # our own db number only: stale messages from an earlier run
    yield client
    client.flushdb()


@pytest.fixture
def workers(tmp_path, broker):
    """Start worker processes on demand; stop them all at the end."""
    started: list[subprocess.Popen] = []
    db = connection.settings_dict
    database_url = (
        f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )

    def start(name: str, **extra_env) -> subprocess.Popen:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.checkins.worker_settings",
            "DATABASE_URL": database_url,
            "REDIS_URL": settings.CELERY_BROKER_URL,
            "SECRET_KEY": "worker-test-secret-key-worker-test-secret-key-0123",
            "VAR_DIR": str(tmp_path / name),
            "MAIL_LOG": str(tmp_path / "mail.log"),
            "LOG_LEVEL": "WARNING",
            **extra_env,
        }
        process = subprocess.Popen(
            [
                str(CELERY),
                "-A",
                "mentorship",
                "worker",
                "--pool=solo",
                "-n",
                f"{name}@%h",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--loglevel=WARNING",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=open(tmp_path / f"{name}.log", "w"),  # noqa: SIM115 — closed with the process
        )
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)


def _sent_ids(tmp_path) -> Counter:
    path = tmp_path / "mail.log"
    return Counter(int(x) for x in path.read_text().split()) if path.exists() else Counter()


def _wait_for(predicate, timeout=45.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError("timed out waiting for the workers")


def _all_done():
    return not Reminder.objects.filter(status__in=["pending", "claimed"]).exists()


def _due_reminders(count: int) -> list[int]:
    """`count` reminders that are due now, for check-ins tomorrow (quiet hours off, so the
    test does not depend on the time of day it runs)."""
    match = factories.MatchFactory()
    CheckinSettings.objects.create(program=match.program, quiet_start=clock(0), quiet_end=clock(0))
    tomorrow = timezone.now().replace(microsecond=0) + timedelta(days=1)
    checkins = CheckIn.objects.bulk_create(
        [
            CheckIn(
                program=match.program,
                match=match,
                mentee=match.mentee,
                scheduled_at=tomorrow + timedelta(minutes=i),
            )
            for i in range(count)
        ]
    )
    due = timezone.now() - timedelta(minutes=1)
    rows = Reminder.objects.bulk_create(
        [
            Reminder(
                checkin=c,
                recipient=match.mentee.user,
                kind="before_24h",
                due_at=due,
                for_time=c.scheduled_at,
                available_at=due,
            )
            for c in checkins
        ]
    )
    return [r.pk for r in rows]


def _expire_leases():
    """What the passing of the lease time does, without waiting for it."""
    Reminder.objects.filter(status="claimed").update(
        available_at=timezone.now() - timedelta(seconds=1)
    )


def test_a_redis_flush_between_scheduling_and_sending_loses_nothing(
    transactional_db, workers, broker, tmp_path
):
    ids = _due_reminders(30)
    services.reminders_dispatch()  # claimed, batch messages enqueued in Redis ...
    assert broker.llen("celery") == 1  # one batch message (batch size 500 here)
    broker.flushdb()  # ... and lost: Redis restarted with nothing on disk
    _expire_leases()
    workers("w1")
    reminders_dispatch.delay()  # the next beat tick
    _wait_for(_all_done)
    assert _sent_ids(tmp_path) == Counter(ids)
    assert Reminder.objects.filter(status="sent").count() == 30


def test_two_workers_and_two_beat_ticks_send_each_reminder_exactly_once(
    transactional_db, workers, tmp_path
):
    ids = _due_reminders(100)  # five batches of 20, shared by the two workers
    workers("w1")
    workers("w2")
    reminders_dispatch.delay()
    reminders_dispatch.delay()
    _wait_for(_all_done)
    time.sleep(0.5)  # a late duplicate would show up now
    sent = _sent_ids(tmp_path)
    assert sent == Counter(ids), f"duplicates: {[k for k, v in sent.items() if v > 1]}"


def test_a_worker_killed_mid_batch_leaves_nothing_unsent_and_nothing_twice(
    transactional_db, workers, tmp_path
):
    ids = _due_reminders(20)  # one batch
    doomed = workers("w1", HANG_AFTER="5")
    reminders_dispatch.delay()
    _wait_for(lambda: Path(f"{tmp_path}/mail.log.hang").exists())
    doomed.send_signal(signal.SIGKILL)
    doomed.wait(timeout=10)
    assert sum(_sent_ids(tmp_path).values()) == 5
    assert Reminder.objects.filter(status="sent").count() == 5
    _wait_for(lambda: Reminder.objects.filter(status="claimed").count() == 15)  # rolled back
    _expire_leases()
    workers("w2")
    reminders_dispatch.delay()
    _wait_for(_all_done)
    assert _sent_ids(tmp_path) == Counter(ids)


def test_a_check_in_cancelled_or_moved_before_its_reminder_gets_none(
    transactional_db, workers, tmp_path
):
    ids = _due_reminders(10)
    services.reminders_dispatch()  # claimed and enqueued before the change
    reminders = Reminder.objects.filter(pk__in=ids[:2]).select_related("checkin")
    cancelled, moved = (r.checkin for r in reminders.order_by("pk"))
    user = cancelled.match.mentor.user
    services.checkin_cancel(actor=user, checkin=cancelled)
    services.checkin_move(
        actor=user, checkin=moved, scheduled_at=moved.scheduled_at + timedelta(days=3)
    )
    workers("w1")
    _wait_for(lambda: not Reminder.objects.filter(status="claimed").exists())
    assert _sent_ids(tmp_path) == Counter(ids[2:])
    assert set(Reminder.objects.filter(pk__in=ids[:2]).values_list("status", flat=True)) == {
        "cancelled"
    }
    moved.refresh_from_db()
    assert moved.reminders.filter(status="pending", for_time=moved.scheduled_at).exists()

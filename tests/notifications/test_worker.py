"""The outbox guarantees, for EVERY registered kind, with real Celery worker processes, real
Redis (our own db number) and the PostgreSQL test database:

(a) Redis flushed between claiming and sending: every message is sent exactly once;
(b) two workers and two beat ticks at once: every message is sent exactly once;
(c) a worker killed (SIGKILL) after a delivery and before its "sent" mark: nothing is lost,
    and only that one message goes out again, with the same Message-ID;
(d) messages withdrawn through the domain before dispatch or while their batch is being sent
    are never sent; the one whose send had started when the cancel came is sent.
"""

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connection

from notifications import services
from notifications.models import Notification
from notifications.registry import kinds
from notifications.tasks import dispatch
from tests.notifications.kinds import MAKERS

pytestmark = [pytest.mark.worker, pytest.mark.timeout(120)]
CELERY = Path(sys.executable).with_name("celery")
ROOT = Path(__file__).resolve().parents[2]
KINDS = sorted(MAKERS)
COUNT = 20  # three batches of 8


def test_every_registered_kind_is_tested():
    assert sorted(key for key, _ in kinds.items()) == KINDS


@pytest.fixture(autouse=True)
def small_batches(settings):
    settings.NOTIFICATIONS_BATCH = 8  # as in the workers (worker_settings)


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
            "DJANGO_SETTINGS_MODULE": "tests.notifications.worker_settings",
            "DATABASE_URL": database_url,
            "REDIS_URL": settings.CELERY_BROKER_URL,
            "SECRET_KEY": settings.SECRET_KEY,  # invitation links are derived from it
            "VAR_DIR": str(tmp_path / name),
            "MAIL_LOG": str(tmp_path / "mail.log"),
            "LOG_LEVEL": "WARNING",
            **extra_env,
        }
        process = subprocess.Popen(
            [
                str(CELERY), "-A", "mentorship", "worker", "--pool=solo", "-n", f"{name}@%h",
                "--without-gossip", "--without-mingle", "--without-heartbeat",
                "--loglevel=WARNING",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=open(tmp_path / f"{name}.log", "w"),  # noqa: SIM115 — closed with the process
        )  # fmt: skip
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)


def _mail(tmp_path) -> list[tuple[int, str]]:
    path = tmp_path / "mail.log"
    lines = path.read_text().split("\n") if path.exists() else []
    return [(int(pk), message_id) for pk, message_id in (x.split(" ") for x in lines if x)]


def _sent_ids(tmp_path) -> Counter:
    return Counter(pk for pk, _ in _mail(tmp_path))


def _wait_for(predicate, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError("timed out waiting for the workers")


def _done(ids: list[int]) -> bool:
    unsent = Notification.objects.filter(pk__in=ids, status__in=["pending", "claimed", "sending"])
    return not unsent.exists()


def _expire_leases():
    """What the passing of the lease time does, without waiting for it."""
    from datetime import timedelta

    from django.utils import timezone

    Notification.objects.filter(status__in=["claimed", "sending"]).update(
        available_at=timezone.now() - timedelta(seconds=1)
    )


def _make(kind: str) -> list[int]:
    ids = MAKERS[kind].make(COUNT)
    assert len(ids) >= 10, f"{kind}: the maker queued only {len(ids)}"
    return ids


@pytest.mark.parametrize("kind", KINDS)
def test_a_redis_flush_between_claiming_and_sending_loses_nothing(
    kind, transactional_db, workers, broker, tmp_path
):
    ids = _make(kind)
    broker.flushdb()  # the "dispatch now" nudges the makers queued
    services.notifications_dispatch()  # claimed, batch messages enqueued in Redis ...
    assert broker.llen("celery") == -(-len(ids) // 8)  # one message per batch
    broker.flushdb()  # ... and lost: Redis restarted with nothing on disk
    _expire_leases()
    workers("w1")
    dispatch.delay()  # the next beat tick
    _wait_for(lambda: _done(ids))
    assert _sent_ids(tmp_path) == Counter(ids)
    assert Notification.objects.filter(pk__in=ids, status="sent").count() == len(ids)


@pytest.mark.parametrize("kind", KINDS)
def test_two_workers_and_two_beat_ticks_send_each_message_exactly_once(
    kind, transactional_db, workers, tmp_path
):
    ids = _make(kind)
    workers("w1")
    workers("w2")
    dispatch.delay()
    dispatch.delay()
    _wait_for(lambda: _done(ids))
    time.sleep(0.5)  # a late duplicate would show up now
    sent = _sent_ids(tmp_path)
    assert sent == Counter(ids), f"duplicates: {[k for k, v in sent.items() if v > 1]}"


@pytest.mark.parametrize("kind", KINDS)
def test_a_worker_killed_mid_batch_loses_nothing_and_repeats_only_its_message_in_flight(
    kind, transactional_db, workers, broker, tmp_path
):
    ids = _make(kind)
    broker.flushdb()
    doomed = workers("w1", HANG_AFTER="3")  # the 4th e-mail is delivered, then the kill
    dispatch.delay()
    _wait_for(lambda: (tmp_path / "mail.log.hang").exists())
    in_flight = int((tmp_path / "mail.log.hang").read_text())
    doomed.send_signal(signal.SIGKILL)
    doomed.wait(timeout=10)
    assert sum(_sent_ids(tmp_path).values()) == 4
    assert Notification.objects.filter(status="sent").count() == 3
    assert Notification.objects.get(pk=in_flight).status == "sending"
    _expire_leases()
    workers("w2")
    dispatch.delay()
    _wait_for(lambda: _done(ids))
    sent = _sent_ids(tmp_path)
    assert set(sent) == set(ids)  # nothing lost
    assert {pk for pk, times in sent.items() if times > 1} == {in_flight}
    assert sent[in_flight] == 2
    repeats = {message_id for pk, message_id in _mail(tmp_path) if pk == in_flight}
    assert len(repeats) == 1  # the same Message-ID both times


@pytest.mark.parametrize("kind", KINDS)
def test_a_message_withdrawn_before_its_own_send_starts_is_never_sent(
    kind, transactional_db, workers, broker, tmp_path
):
    ids = _make(kind)
    broker.flushdb()
    before_dispatch, rest = ids[:2], ids[2:]
    MAKERS[kind].cancel(before_dispatch)
    worker = workers("w1", PAUSE_AT="2")  # stops just before writing its 3rd e-mail
    dispatch.delay()
    _wait_for(lambda: (tmp_path / "mail.log.pause").exists())
    sending = int((tmp_path / "mail.log.pause").read_text())
    assert Notification.objects.get(pk=sending).status == "sending"
    # Withdrawn while their batch is being sent: the one being sent and three still claimed.
    claimed = list(
        Notification.objects.filter(pk__in=rest, status="claimed")
        .order_by("pk")
        .values_list("pk", flat=True)[:3]
    )
    assert claimed, "the batch has rows still waiting"
    MAKERS[kind].cancel([sending, *claimed])
    (tmp_path / "mail.log.go").write_text("go")
    _wait_for(lambda: _done(ids))
    time.sleep(0.5)
    worker.send_signal(signal.SIGTERM)
    sent = _sent_ids(tmp_path)
    withdrawn = set(before_dispatch) | set(claimed)
    assert not withdrawn & set(sent), "a withdrawn message was sent"
    assert sent[sending] == 1  # its send had started: the cancel came too late for it
    assert {pk for pk in ids if pk not in withdrawn} == {pk for pk in sent if pk in ids}
    assert set(Notification.objects.filter(pk__in=withdrawn).values_list("status", flat=True)) == {
        "cancelled"
    }
    assert Notification.objects.get(pk=sending).status == "sent"

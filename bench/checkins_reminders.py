"""Dispatching due reminders through the real task path (beat task -> claim -> one batch
message -> send task -> per-row locked send) against plain `send_mail` calls in one process,
both to Django's file e-mail backend (a local folder); and broker messages per 500 reminders.

Each reminder is sent in its own short transaction holding its row lock: that is what makes
"a worker killed mid-batch sends nothing twice" true, and it is the cost this measures.
N defaults to 20,000 (about ten minutes on a busy 2-core machine); the issue asks for
BENCH_REMINDERS=100000.
"""

import os

from _harness import setup

setup()

import shutil  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from datetime import time as clock  # noqa: E402
from datetime import timedelta  # noqa: E402

from django.conf import settings  # noqa: E402
from django.core.mail import send_mail  # noqa: E402
from django.urls import get_resolver  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.demo import demo_seed_small  # noqa: E402
from checkins import tasks  # noqa: E402
from checkins.models import CheckIn, CheckinSettings, Reminder  # noqa: E402
from matching.demo import demo_seed_matches  # noqa: E402
from matching.models import Match  # noqa: E402

N = int(os.environ.get("BENCH_REMINDERS", "20000"))


def _rows() -> None:
    program, _ = demo_seed_small()
    demo_seed_matches(program=program)
    match = Match.objects.filter(program=program, status="active").select_related("mentee").first()
    CheckinSettings.objects.update_or_create(
        program=program, defaults={"quiet_start": clock(0), "quiet_end": clock(0)}
    )
    Reminder.objects.filter(checkin__program=program).delete()
    CheckIn.objects.filter(program=program, title="bench").delete()
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
    due = timezone.now() - timedelta(minutes=1)
    Reminder.objects.bulk_create(
        [
            Reminder(
                checkin=c,
                recipient_id=match.mentee.user_id,
                kind="before_24h",
                due_at=due,
                for_time=c.scheduled_at,
                available_at=due,
            )
            for c in checkins
        ],
        batch_size=5000,
    )


def main() -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = tempfile.mkdtemp(prefix="bench-mail-")
    _rows()
    messages = 0
    send_batch = tasks.reminders_send_batch

    def publish(*args, **kwargs):
        # Stands in for the broker: count the message and run the task as a worker would.
        nonlocal messages
        messages += 1
        return send_batch.apply(args=args)

    send_batch.delay = publish
    # Steady state, as in a worker that has been up for a while: the first reminder imports
    # the URL configuration (every app's views) to build its links, once per process.
    assert get_resolver().url_patterns
    send_mail("Warm-up", "Body", None, ["mentee@example.org"])
    start = time.perf_counter()
    while (
        Reminder.objects.filter(status="claimed").exists() or tasks.reminders_dispatch.apply().get()
    ):
        pass
    ours = time.perf_counter() - start
    sent = Reminder.objects.filter(status="sent").count()
    assert sent == N, f"sent {sent} of {N}"

    start = time.perf_counter()
    for i in range(N):
        send_mail("Check-in reminder", f"Body {i}", None, ["mentee@example.org"])
    plain = time.perf_counter() - start

    print(f"{N} reminders: task path {ours:.1f}s, plain send_mail {plain:.2f}s")
    print(f"broker messages per 500 reminders: {messages * 500 / N:.2f} (target <= 1)")
    shutil.rmtree(settings.EMAIL_FILE_PATH)
    print(f"checkins_reminders ratio={ours / plain:.2f} target=<=2")


if __name__ == "__main__":
    main()

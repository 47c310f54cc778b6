"""The de-identified per-day CSV export of 1,000,000 rows against a plain PostgreSQL COPY of the
same rows to a file via psycopg, in the same run. Targets: <= 1.5x the time, peak memory <= 100 MB
(growth of this process while the export runs).

Ours: `outcomes.exports.export_chunks` on `export_rows(kind="days")`, the writer the download
link, the background job and `manage.py export_outcomes` all call, written to a file as the job
does.

Everything happens inside one transaction that is rolled back, so the database is left as found.
"""

from _harness import setup

setup()

import tempfile  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402

import psutil  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from accounts.models import MenteeProfile, Program, User  # noqa: E402
from outcomes.exports import export_chunks, export_rows  # noqa: E402

MENTEES = 1_000
DAYS = 1_000  # x MENTEES = 1,000,000 use-day rows
TARGET_RATIO = 1.5
TARGET_MB = 100
ROUNDS = 3

BASELINE_SQL = """
COPY (
  SELECT m.participant_id, m.study_arm, m.enrolled_on, d.day, d.used, d.substances, d.heavy,
         d.amount, d.source, d.report_count
  FROM outcomes_useday d JOIN accounts_menteeprofile m ON m.id = d.mentee_id
  WHERE m.program_id = %s
  ORDER BY m.participant_id, d.day
) TO STDOUT WITH (FORMAT csv)
"""


def seed() -> Program:
    tag = uuid.uuid4().hex[:8]
    program = Program.objects.create(name=f"Bench {tag}", slug=f"bench-{tag}")
    users = User.objects.bulk_create(
        User(email=f"b{i}-{tag}@bench.example", password="!")  # noqa: S106 — unusable
        for i in range(MENTEES)
    )
    MenteeProfile.objects.bulk_create(
        MenteeProfile(
            program=program,
            user=user,
            participant_id=f"B{tag[:4]}{i:05d}",
            enrolled_on="2024-01-01",
            study_arm="mentored" if i % 2 else "comparison",
        )
        for i, user in enumerate(users)
    )
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO outcomes_usereport
                (mentee_id, day, used, substances, amount, heavy, source, recorded_at)
            SELECT m.id, m.enrolled_on + g, random() < 0.2,
                   CASE WHEN g %% 5 = 0 THEN '["Alcohol"]'::jsonb ELSE '[]'::jsonb END,
                   NULL, false, 'self', now()
            FROM accounts_menteeprofile m, generate_series(0, %s - 1) g
            WHERE m.program_id = %s
            """,
            [DAYS, program.pk],
        )
        cursor.execute(
            """
            INSERT INTO outcomes_useday
                (mentee_id, day, used, substances, amount, heavy, source, report_id,
                 report_count, conflicting, updated_at)
            SELECT r.mentee_id, r.day, r.used, r.substances, r.amount, r.heavy, r.source, r.id,
                   1, false, now()
            FROM outcomes_usereport r JOIN accounts_menteeprofile m ON m.id = r.mentee_id
            WHERE m.program_id = %s
            """,
            [program.pk],
        )
        cursor.execute("ANALYZE outcomes_useday")
    return program


class PeakRss:
    """Samples this process's resident memory every 5 ms while running."""

    def __init__(self):
        self.process = psutil.Process()
        self.peak = self.start = self.process.memory_info().rss
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, self.process.memory_info().rss)
            time.sleep(0.005)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    @property
    def growth_mb(self) -> float:
        return (self.peak - self.start) / 2**20


def baseline(program: Program) -> tuple[float, int]:
    with tempfile.TemporaryFile() as target:
        started = time.perf_counter()
        with connection.cursor() as cursor, cursor.cursor.copy(BASELINE_SQL, [program.pk]) as cp:
            for chunk in cp:
                target.write(chunk)
        return time.perf_counter() - started, target.tell()


def export(program: Program) -> tuple[float, int, float]:
    with tempfile.TemporaryFile() as target, PeakRss() as memory:
        started = time.perf_counter()
        export = export_rows(program=program, kind="days", today=program.today())
        for chunk in export_chunks(export, fmt="csv"):
            target.write(chunk)
        elapsed = time.perf_counter() - started
        return elapsed, target.tell(), memory.growth_mb


def main() -> None:
    with transaction.atomic():
        started = time.perf_counter()
        program = seed()
        print(f"seeded {MENTEES * DAYS:,} use days in {time.perf_counter() - started:.1f}s")
        base_times, export_times, growth = [], [], []
        for _ in range(ROUNDS):
            seconds, size = baseline(program)
            base_times.append(seconds)
            seconds, export_size, mb = export(program)
            export_times.append(seconds)
            growth.append(mb)
        transaction.set_rollback(True)
    base, ours = min(base_times), min(export_times)
    print(f"COPY of the raw rows:     {base:.2f}s, {size / 2**20:.0f} MB")
    print(f"de-identified export:     {ours:.2f}s, {export_size / 2**20:.0f} MB")
    print(f"memory growth during export: {max(growth):.1f} MB (target <= {TARGET_MB} MB)")
    print(f"peak RSS of the process: {psutil.Process().memory_info().rss / 2**20:.0f} MB")
    print(f"outcomes_export ratio={ours / base:.2f} target=<={TARGET_RATIO}")


if __name__ == "__main__":
    main()

"""The cohort report page for 10,000 participants with 1,000,000 use-day rows against the same
page for 100 participants (10,000 rows), in the same run. Targets: the same number of queries,
and <= 3x the time of the small page.

Timed: the report page itself (`outcomes.views_reports.cohort_report` through the test client),
so whatever the page does is in the figure, including counting the days of anyone whose stored
summary is out of date. The seed builds the summaries the use-log services keep current on
every write (`outcomes.services._use_days_refresh`), and nothing more.

Everything happens inside one transaction that is rolled back, so the database is left as found.
"""

import os
import tempfile

from _harness import setup

# DEBUG is off (production-like), so static URLs come from a manifest: collect the files into a
# throwaway folder first, as a deploy does.
_static_root = tempfile.TemporaryDirectory(prefix="bench-static-")
os.environ["STATIC_ROOT"] = _static_root.name

setup()

import time  # noqa: E402
import uuid  # noqa: E402

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from accounts.models import Membership, MenteeProfile, Program, User  # noqa: E402
from outcomes.services import use_summaries_refresh  # noqa: E402

DAYS = 100
TARGET_RATIO = 3.0
ROUNDS = 3


def seed(mentees: int) -> Program:
    tag = uuid.uuid4().hex[:8]
    program = Program.objects.create(name=f"Bench {tag}", slug=f"bench-{tag}")
    users = User.objects.bulk_create(
        User(email=f"r{i}-{tag}@bench.example", password="!")  # noqa: S106 — unusable
        for i in range(mentees)
    )
    MenteeProfile.objects.bulk_create(
        MenteeProfile(
            program=program,
            user=user,
            participant_id=f"R{tag[:4]}{i:05d}",
            enrolled_on="2024-01-01",
            study_arm="mentored" if i % 2 else "comparison",
        )
        for i, user in enumerate(users)
    )
    with connection.cursor() as cursor:
        for sql in (
            """INSERT INTO outcomes_usereport
                   (mentee_id, day, used, substances, heavy, source, recorded_at)
               SELECT m.id, m.enrolled_on + g, random() < 0.2, '[]'::jsonb, false, 'self', now()
               FROM accounts_menteeprofile m, generate_series(0, %s - 1) g
               WHERE m.program_id = %s""",
            """INSERT INTO outcomes_useday
                   (mentee_id, day, used, substances, heavy, source, report_id, report_count,
                    conflicting, updated_at)
               SELECT r.mentee_id, r.day, r.used, r.substances, r.heavy, r.source, r.id, 1,
                      false, now()
               FROM outcomes_usereport r JOIN accounts_menteeprofile m ON m.id = r.mentee_id
               WHERE m.program_id = %s""",
        ):
            params = [DAYS, program.pk] if sql.count("%s") == 2 else [program.pk]
            cursor.execute(sql, params)
        cursor.execute("ANALYZE outcomes_useday")
    # Rows loaded by SQL bypass the services: build the report summaries as the services would.
    ids = list(MenteeProfile.objects.filter(program=program).values_list("pk", flat=True))
    for start in range(0, len(ids), 1000):
        use_summaries_refresh(mentee_ids=ids[start : start + 1000])
    return program


def measure(client: Client, program: Program) -> tuple[float, int]:
    url = reverse("outcomes:report", kwargs={"slug": program.slug})
    best, queries = float("inf"), 0
    for _ in range(ROUNDS):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            best = min(best, time.perf_counter() - started)
        assert response.status_code == 200, response.status_code
        queries = len(captured)
    return best, queries


def main() -> None:
    call_command("collectstatic", interactive=False, verbosity=0)
    with transaction.atomic():
        small, large = seed(100), seed(10_000)
        staff = User.objects.create(email=f"staff-{uuid.uuid4().hex[:6]}@bench.example")
        for program in (small, large):
            Membership.objects.create(user=staff, program=program, role="staff")
        client = Client(SERVER_NAME="localhost")  # an allowed host under DEBUG
        client.force_login(staff)
        small_time, small_queries = measure(client, small)
        large_time, large_queries = measure(client, large)
        transaction.set_rollback(True)
    print(f"100 participants, 10,000 rows:       {small_time:.3f}s, {small_queries} queries")
    print(f"10,000 participants, 1,000,000 rows: {large_time:.3f}s, {large_queries} queries")
    print(f"same query count: {small_queries == large_queries}")
    print(f"ratio {large_time / small_time:.1f}x (target <= {TARGET_RATIO}x)")
    print(f"outcomes_report ratio={large_time / small_time:.2f} target=<={TARGET_RATIO:g}")


if __name__ == "__main__":
    main()

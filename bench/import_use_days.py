"""Cost of the use-day CSV import (parse, check every row, compare with the reports on record,
write reports, recount days and summaries, audit) against a plain `bulk_create` of the same
reports, and the import's peak memory. N rows (BENCH_ROWS, default 50,000): 500 mentees x 100
days. Everything happens inside one transaction that is rolled back.
"""

import os

from _harness import setup

setup()

import resource  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from datetime import timedelta  # noqa: E402

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.db import transaction  # noqa: E402

from accounts.models import MenteeProfile, Program, User  # noqa: E402
from accounts.vocabularies import vocabulary_seed_defaults  # noqa: E402
from outcomes.importing import use_days_import  # noqa: E402
from outcomes.models import Source, UseReport  # noqa: E402

N = int(os.environ.get("BENCH_ROWS", "50000"))
DAYS = 100
TARGET = 2.0
MEMORY_MB = 300


def cohort(program: Program) -> list[MenteeProfile]:
    tag = uuid.uuid4().hex[:8]
    users = User.objects.bulk_create(
        [User(email=f"u{i}@{tag}.example", password=make_password(None)) for i in range(N // DAYS)]
    )
    start = program.today() - timedelta(days=DAYS + 5)
    return MenteeProfile.objects.bulk_create(
        [MenteeProfile(program=program, user=u, enrolled_on=start) for u in users]
    )


def rows(mentees) -> list[tuple]:
    return [
        (m, m.enrolled_on + timedelta(days=d), d % 7 == 0) for m in mentees for d in range(DAYS)
    ]


def new_program() -> Program:
    program = Program.objects.create(name="Bench", slug=f"bench-{uuid.uuid4().hex[:12]}")
    vocabulary_seed_defaults(program=program)
    return program


def main() -> None:
    with transaction.atomic():
        reference, imported = new_program(), new_program()
        plain_rows = rows(cohort(reference))
        import_rows = rows(cohort(imported))
        lines = ["participant_id,date,used,substances,source"] + [
            f"{m.participant_id},{day:%Y-%m-%d},{'yes' if used else 'no'},"
            f"{'Alcohol' if used else ''},self"
            for m, day, used in import_rows
        ]
        content = ("\n".join(lines) + "\n").encode()

        start = time.perf_counter()
        UseReport.objects.bulk_create(
            [
                UseReport(
                    mentee=m, day=day, used=used, substances=["Alcohol"] if used else [],
                    source=Source.SELF,
                )
                for m, day, used in plain_rows
            ],
            batch_size=2000,
        )  # fmt: skip
        plain = time.perf_counter() - start

        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        start = time.perf_counter()
        result = use_days_import(program=imported, data=content, actor=None)
        ours = time.perf_counter() - start
        assert result.ok and result.written == N, result.errors[:5]
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

        start = time.perf_counter()
        again = use_days_import(program=imported, data=content, actor=None)
        reimport = time.perf_counter() - start
        assert again.unchanged == N and again.written == 0
        transaction.set_rollback(True)
    print(
        f"import_use_days: {N} rows in {ours:.2f}s (re-import, all unchanged: {reimport:.2f}s); "
        f"plain bulk_create: {plain:.2f}s; process peak RSS "
        f"{rss:.0f} MB (before the import {rss_before:.0f} MB)"
    )
    print(
        f"import_use_days ratio={ours / plain:.2f} target=<={TARGET:g} "
        f"memory={rss:.0f}MB target=<{MEMORY_MB}"
    )


if __name__ == "__main__":
    main()

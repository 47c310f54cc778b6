"""Cost of the CSV import (parse, check every row with the forms, bulk insert, audit) against a
plain `bulk_create` of the same people, profiles and links.

Each run is a process of its own (so each peak RSS is that run's alone) inside one transaction
that is rolled back, so the database is left as found.
Runs on the database in DATABASE_URL (PostgreSQL under `make bench`).
"""

from _harness import setup

setup()

import csv  # noqa: E402
import io  # noqa: E402
import os  # noqa: E402
import resource  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.db import transaction  # noqa: E402

from accounts.imports import participants_import  # noqa: E402
from accounts.models import (  # noqa: E402
    FocusArea,
    Language,
    Membership,
    MenteeFocusArea,
    MenteeProfile,
    MentorProfile,
    Philosophy,
    Program,
    Substance,
    User,
)
from accounts.vocabularies import vocabulary_seed_defaults  # noqa: E402

# The scale is 50,000 (BENCH_ROWS=50000); the default keeps `make bench` short.
N = int(os.environ.get("BENCH_ROWS", "10000"))
TARGET = 2.0  # issue #13: at most twice a plain bulk_create
ROUNDS = 2
HEADER = [
    "role",
    "email",
    "first_name",
    "last_name",
    "enrolled_on",
    "substances",
    "focus_areas",
    "languages",
    "philosophies",
    "capacity",
]


def people(domain: str) -> list[dict]:
    rows = []
    for i in range(N):
        mentor = i % 10 == 0  # one mentor for nine mentees, as programs run
        rows.append(
            {
                "role": "mentor" if mentor else "mentee",
                "email": f"p{i}@{domain}",
                "first_name": f"First{i}",
                "last_name": f"Last{i}",
                "enrolled_on": "" if mentor else "2026-01-05",
                "substances": "Opioids;Alcohol",
                "focus_areas": "Housing;Legal" if mentor else "Housing:high;Legal:low",
                "languages": "English",
                "philosophies": "SMART Recovery" if mentor else "",
                "capacity": "4" if mentor else "",
            }
        )
    return rows


def as_csv(rows: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, HEADER)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def new_program() -> Program:
    program = Program.objects.create(name="Bench", slug=f"bench-{uuid.uuid4().hex[:12]}")
    vocabulary_seed_defaults(program=program)
    return program


def plain_bulk_create(rows: list[dict], program: Program) -> None:
    """The reference: the same rows inserted with bulk_create, no checks, no audit."""
    term = {
        "housing": FocusArea.objects.get(program=program, name="Housing"),
        "legal": FocusArea.objects.get(program=program, name="Legal"),
        "opioids": Substance.objects.get(program=program, name="Opioids"),
        "alcohol": Substance.objects.get(program=program, name="Alcohol"),
        "smart": Philosophy.objects.get(program=program, name="SMART Recovery"),
        "en": Language.objects.get(code="en"),
    }
    users = [
        User(
            email=r["email"],
            first_name=r["first_name"],
            last_name=r["last_name"],
            password=make_password(None),
        )
        for r in rows
    ]
    User.objects.bulk_create(users, batch_size=2000)
    Membership.objects.bulk_create(
        [
            Membership(user=u, program=program, role=r["role"])
            for u, r in zip(users, rows, strict=True)
        ],
        batch_size=2000,
    )
    mentors = [
        MentorProfile(program=program, user=u, capacity=4)
        for u, r in zip(users, rows, strict=True)
        if r["role"] == "mentor"
    ]
    mentees = [
        MenteeProfile(program=program, user=u, enrolled_on="2026-01-05")
        for u, r in zip(users, rows, strict=True)
        if r["role"] == "mentee"
    ]
    MentorProfile.objects.bulk_create(mentors, batch_size=2000)
    MenteeProfile.objects.bulk_create(mentees, batch_size=2000)

    def links(model, field, profiles, terms):
        through = getattr(model, field).through
        source = model._meta.get_field(field).m2m_field_name() + "_id"
        target = model._meta.get_field(field).m2m_reverse_field_name() + "_id"
        through.objects.bulk_create(
            [through(**{source: p.pk, target: t.pk}) for p in profiles for t in terms],
            batch_size=2000,
        )

    links(MentorProfile, "lived_substances", mentors, [term["opioids"], term["alcohol"]])
    links(MentorProfile, "focus_areas", mentors, [term["housing"], term["legal"]])
    links(MentorProfile, "languages", mentors, [term["en"]])
    links(MentorProfile, "philosophies", mentors, [term["smart"]])
    links(MenteeProfile, "substances", mentees, [term["opioids"], term["alcohol"]])
    links(MenteeProfile, "languages", mentees, [term["en"]])
    MenteeFocusArea.objects.bulk_create(
        [
            MenteeFocusArea(mentee=m, focus_area=area, priority=priority)
            for m in mentees
            for area, priority in ((term["housing"], 3), (term["legal"], 1))
        ],
        batch_size=2000,
    )


def rss_now_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def run_one(kind: str) -> None:
    """One timed run in this process (a child of main): prints seconds, the process's peak RSS
    and its RSS just before the run (Django loaded, the input made), so the import's own memory
    is the difference and the reference's memory is not mixed into it."""
    with transaction.atomic():
        program = new_program()
        if kind == "reference":
            data = people(f"ref-{uuid.uuid4().hex[:8]}.example")
        else:
            data = as_csv(people(f"imp-{uuid.uuid4().hex[:8]}.example"))
        before = rss_now_mb()
        start = time.perf_counter()
        if kind == "reference":
            plain_bulk_create(data, program)
        else:
            result = participants_import(program=program, content=data)
            assert result.written, result.problems[:5]
        seconds = time.perf_counter() - start
        transaction.set_rollback(True)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{seconds:.3f} {peak:.0f} {before:.0f}")


def main() -> None:
    runs: dict[str, list[tuple[float, float, float]]] = {"reference": [], "import": []}
    # Alternate the two, twice, and keep each one's best: on a shared machine a single run
    # mostly measures the neighbours. Each run is its own process, so each peak is its own.
    for _ in range(ROUNDS):
        for kind in runs:
            out = subprocess.run(
                [sys.executable, __file__, kind], check=True, capture_output=True, text=True
            ).stdout
            seconds, peak, before = map(float, out.split()[-3:])
            runs[kind].append((seconds, peak, before))
    plain, ours = (min(r[0] for r in runs[kind]) for kind in ("reference", "import"))
    for kind, label in (("reference", "plain bulk_create"), ("import", "import")):
        peak = max(r[1] for r in runs[kind])
        before = max(r[2] for r in runs[kind])
        print(
            f"{label}: {N} rows, best {min(r[0] for r in runs[kind]):.2f}s; "
            f"process peak RSS {peak:.0f} MB ({before:.0f} MB before the run)"
        )
    print(f"import_participants ratio={ours / plain:.2f} target=<={TARGET:g}")


if __name__ == "__main__":
    if len(sys.argv) > 1:
        run_one(sys.argv[1])
    else:
        main()

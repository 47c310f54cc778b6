"""The pages each role opens daily, timed on the demo program (24 mentees) and on the large one
(10,000 mentees, 3,000 mentors, ~2,500 matches with a year of check-ins, goals, use days and
assessments) in the same run. Targets: the same number of queries at both sizes, and every page
at most 3x its time on the demo program.

    DATABASE_URL=... python bench/pages.py [--size large|medium|small] [--rounds 15]

The programs are built by `seed_demo`'s functions and kept: the first run seeds (minutes at
the large size), later runs reuse them. `--size medium` (2,000 mentees) and `small` (500) are
quicker to seed, for a first look. Each page: 2 warm-ups, then `--rounds` requests through the
test client after VACUUM ANALYZE; the median is printed.
"""

import argparse
import csv
import io
import logging
import os
import statistics
import tempfile

from _harness import setup, vacuum_analyze

# DEBUG is off (production-like), so static URLs come from a manifest: collect the files into a
# throwaway folder first, as a deploy does.
_static_root = tempfile.TemporaryDirectory(prefix="bench-static-")
os.environ["STATIC_ROOT"] = _static_root.name

setup()

import time  # noqa: E402

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from accounts.demo import demo_seed_small  # noqa: E402
from accounts.models import MenteeProfile, Program, User  # noqa: E402
from checkins.demo import demo_seed_checkins  # noqa: E402
from checkins.models import CheckIn  # noqa: E402
from goals.demo import demo_seed_goals  # noqa: E402
from matching.demo import demo_seed_matches  # noqa: E402
from matching.models import Match  # noqa: E402
from outcomes.demo import demo_seed_outcomes  # noqa: E402
from outcomes.services import activity_figures_refresh_stale  # noqa: E402
from portal.management.commands.seed_demo import seed_large  # noqa: E402

TARGET_RATIO = 3.0
WARM_UPS = 2
SIZES = {"large": (10_000, 3_000, 2_500), "medium": (2_000, 600, 500), "small": (500, 150, 125)}


def seed_small() -> tuple[Program, dict[str, str]]:
    program, logins = demo_seed_small()
    demo_seed_matches(program=program)
    demo_seed_checkins(program=program)
    demo_seed_goals(program=program)
    demo_seed_outcomes(program=program)
    return program, logins


def people(program: Program, logins: dict[str, str]) -> dict:
    """Who opens the pages, and what they open: the first active match's mentor and mentee, an
    unmatched mentored mentee (match suggestions) and the next check-in waiting for its log."""
    match = (
        Match.objects.filter(program=program, status=Match.Status.ACTIVE)
        .select_related("mentor__user", "mentee__user")
        .order_by("pk")
        .first()
    )
    waiting = (
        CheckIn.objects.filter(match=match, status=CheckIn.Status.SCHEDULED)
        .order_by("scheduled_at")
        .first()
    )
    unmatched = (
        MenteeProfile.objects.filter(
            program=program,
            study_arm=MenteeProfile.Arm.MENTORED,
            status=MenteeProfile.Status.ENROLLED,
        )
        .order_by("pk")
        .first()
    )
    return {
        "program": program,
        "coordinator": User.objects.get(email=logins["Coordinator"]),
        "evaluator": User.objects.get(email=logins["Evaluator"]),
        "mentor": match.mentor.user,
        "mentee": match.mentee.user,
        "matched": match.mentee,
        "mentor_profile": match.mentor,
        "unmatched": unmatched,
        "checkin": waiting,
    }


def pages(w: dict) -> list[tuple[str, str, str]]:
    """(role, page, URL) for every page timed."""
    program, matched = w["program"], w["matched"]
    slug = {"slug": program.slug}
    mentee = {"pk": matched.pk}
    return [
        ("coordinator", "dashboard", reverse("home")),
        ("coordinator", "mentee list", reverse("accounts:program_mentees", kwargs={"program": program.slug})),
        ("coordinator", "mentor list", reverse("accounts:program_mentors", kwargs={"program": program.slug})),
        ("coordinator", "participant page", reverse("accounts:mentee_detail", kwargs=mentee)),
        ("coordinator", "mentor page", reverse("accounts:mentor_detail", kwargs={"pk": w["mentor_profile"].pk})),
        ("coordinator", "engagement", reverse("checkins:engagement", kwargs={"program_pk": program.pk})),
        ("coordinator", "audit trail", reverse("audit_trail") + f"?program={program.pk}"),
        ("coordinator", "matches", reverse("matching:program_matches", kwargs=slug)),
        ("coordinator", "match suggestions", reverse("matching:suggestions", kwargs={"pk": w["unmatched"].pk})),
        ("coordinator", "cohort matching preview", reverse("matching:cohort", kwargs=slug)),
        ("coordinator", "goal attainment", reverse("goals:program_attainment", kwargs=slug)),
        ("mentor", "dashboard", reverse("home")),
        ("mentor", "check-ins", reverse("checkins:list")),
        ("mentor", "check-in log form", reverse("checkins:log", kwargs={"pk": w["checkin"].pk})),
        ("mentor", "participant page", reverse("accounts:mentee_detail", kwargs=mentee)),
        ("mentor", "goals board", reverse("goals:board")),
        ("mentor", "mentee goals", reverse("goals:mentee_goals", kwargs={"mentee_pk": matched.pk})),
        ("mentor", "use calendar", reverse("outcomes:calendar", kwargs={"mentee_pk": matched.pk})),
        ("mentee", "dashboard", reverse("home")),
        ("mentee", "check-ins", reverse("checkins:list")),
        ("mentee", "goals board", reverse("goals:board")),
        ("mentee", "use calendar", reverse("outcomes:calendar", kwargs={"mentee_pk": matched.pk})),
        ("evaluator", "dashboard", reverse("home")),
        ("evaluator", "cohort report", reverse("outcomes:report", kwargs=slug)),
        (
            "evaluator",
            "participants CSV",
            reverse("outcomes:export", kwargs={**slug, "kind": "participants", "fmt": "csv"}),
        ),
    ]  # fmt: skip


def measure(client: Client, url: str, rounds: int) -> tuple[float, int]:
    times, queries = [], set()
    for n in range(WARM_UPS + rounds):
        # The query log keeps the last 9,000 queries: once full, a capture's count reads 0.
        connection.queries_log.clear()
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            # A streamed download is timed to its last byte.
            if getattr(response, "streaming", False):
                b"".join(response.streaming_content)
            elapsed = time.perf_counter() - started
        assert response.status_code == 200, (url, response.status_code)
        if n >= WARM_UPS:
            times.append(elapsed)
            queries.add(len(captured))
    return statistics.median(times), max(queries)


def download_floor(client: Client, url: str, rounds: int) -> None:
    """A download's time grows with its rows, whatever writes it: the participants CSV at the
    large size against the floor of any path that writes the file in Python, the csv module
    writing the same rows already built (strings in lists), in the same process."""
    response = client.get(url)
    body = b"".join(response.streaming_content).decode()
    built = list(csv.reader(io.StringIO(body)))
    floors = []
    for _ in range(rounds):
        started = time.perf_counter()
        csv.writer(io.StringIO()).writerows(built)
        floors.append(time.perf_counter() - started)
    page, _ = measure(client, url, rounds)
    floor = statistics.median(floors)
    print(
        f"participants CSV, large: {len(built) - 1} rows in {page * 1000:.1f} ms; the csv module "
        f"writing the same rows already built: {floor * 1000:.1f} ms (download/floor "
        f"{page / floor:.1f}x)"
    )


def clients(w: dict) -> dict[str, Client]:
    result = {}
    for role in ("coordinator", "evaluator", "mentor", "mentee"):
        client = Client(SERVER_NAME="localhost")
        client.force_login(w[role])
        result[role] = client
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=list(SIZES), default="large")
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--only", help="time only pages whose name contains this")
    options = parser.parse_args()
    call_command("collectstatic", interactive=False, verbosity=0)
    logging.getLogger("mentorship.security").setLevel(logging.WARNING)  # a line per sign-in
    started = time.monotonic()
    small = people(*seed_small())
    mentees, mentors, matched = SIZES[options.size]
    large = people(*seed_large(mentees=mentees, mentors=mentors, matched=matched))
    print(f"seeded in {time.monotonic() - started:.0f} s")
    # What the hourly pass keeps current in a running program (a seed kept from an earlier run
    # has figures of an earlier day, or none).
    activity_figures_refresh_stale()
    vacuum_analyze()
    small_clients, large_clients = clients(small), clients(large)
    worst, rows = 0.0, []
    for (role, name, small_url), (_, _, large_url) in zip(pages(small), pages(large), strict=True):
        if options.only and options.only not in name:
            continue
        small_time, small_queries = measure(small_clients[role], small_url, options.rounds)
        large_time, large_queries = measure(large_clients[role], large_url, options.rounds)
        ratio = large_time / small_time
        worst = max(worst, ratio)
        rows.append((role, name, small_time, large_time, ratio, small_queries, large_queries))
        print(
            f"{role:<12} {name:<24} {small_time * 1000:8.1f} ms {large_time * 1000:9.1f} ms "
            f"{ratio:6.1f}x  queries {small_queries}/{large_queries}",
            flush=True,
        )
    if not options.only or options.only in "participants CSV":
        download_floor(large_clients["evaluator"], pages(large)[-1][2], options.rounds)
    unequal = [(role, name, s, q) for role, name, _, _, _, s, q in rows if s != q]
    assert not unequal, f"query counts differ between sizes: {unequal}"
    print(f"pages ratio={worst:.2f} target=<={TARGET_RATIO:g}")


if __name__ == "__main__":
    main()

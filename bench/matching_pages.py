"""The two matching pages a coordinator opens, timed as a browser request (Django's test client,
middleware and templates included) on a large program against the same pages on a small one, in
the same run: p50 large / p50 small, the worst of the pages. Target <= 3.

Pages: the cohort matching page showing a finished run's first page of pairs (explained), a
filtered page, and the match suggestions page of one mentee (ranked mentors, excluded mentors
grouped by reason, a never-pair name search). The cohort run itself is a background job: its
time (`cohort_run_compute`, in-process) is printed for the record, not part of the ratio.

Sizes: small = 24 mentees x 8 mentors (the demo's); large = MENTEES x MENTORS (defaults 4,000 x
3,000; override with BENCH_MENTEES / BENCH_MENTORS). Programs are seeded in bulk on the first run
("bench-mpages-small", "bench-mpages-large") and reused after.
"""

import os
import random
import statistics
import time
from datetime import timedelta

from _harness import setup

setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
from django.urls import reverse  # noqa: E402

from accounts.models import (  # noqa: E402
    FocusArea,
    Gender,
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
from matching import cohort_runs  # noqa: E402
from matching.models import CohortRun  # noqa: E402

MENTEES = int(os.environ.get("BENCH_MENTEES", 4_000))
MENTORS = int(os.environ.get("BENCH_MENTORS", 3_000))
RUNS = 15


@transaction.atomic
def seed(slug: str, mentees: int, mentors: int) -> tuple[Program, User]:
    program, _ = Program.objects.get_or_create(slug=slug, defaults={"name": slug})
    vocabulary_seed_defaults(program=program)
    coordinator = User.objects.filter(email=f"coordinator@{slug}.example").first()
    if coordinator is not None:
        return program, coordinator
    rng = random.Random(slug)
    philosophies = list(Philosophy.objects.filter(program=program))
    focus = list(FocusArea.objects.filter(program=program))
    substances = list(Substance.objects.filter(program=program))
    languages = list(Language.objects.filter(code__in=["en", "es", "vi", "zh"]))
    today = program.today()
    unusable = make_password(None)
    coordinator = User.objects.create(
        email=f"coordinator@{slug}.example", password=unusable, first_name="Cora", last_name="Ord"
    )
    Membership.objects.create(user=coordinator, program=program, role="coordinator")
    users = User.objects.bulk_create(
        (
            User(
                email=f"p{k}@{slug}.example",
                password=unusable,
                first_name=rng.choice(["Ana", "Ben", "Cy", "Dee", "Eli", "Fay", "Gus", "Hal"]),
                last_name=f"Person{k}",
            )
            for k in range(mentors + mentees)
        ),
        batch_size=5000,
    )
    Membership.objects.bulk_create(
        (
            Membership(user=u, program=program, role="mentor" if k < mentors else "mentee")
            for k, u in enumerate(users)
        ),
        batch_size=5000,
    )
    mentor_rows = MentorProfile.objects.bulk_create(
        (
            MentorProfile(
                program=program,
                user=u,
                first_name=u.first_name,
                last_name=u.last_name,
                gender=rng.choice([Gender.WOMAN, Gender.MAN]),
                # About a third are excluded for some mentor-level reason.
                recovery_since=today - timedelta(days=rng.randint(60, 4000)),
                is_active=rng.random() > 0.05,
                capacity=rng.randint(1, 4),
                accepting_new=rng.random() > 0.1,
                availability=rng.getrandbits(21),
            )
            for u in users[:mentors]
        ),
        batch_size=5000,
    )
    for field, vocab, low, high in [
        ("philosophies", philosophies, 1, 2),
        ("focus_areas", focus, 3, 3),
        ("languages", languages, 1, 2),
        ("lived_substances", substances, 1, 2),
    ]:
        through = getattr(MentorProfile, field).through
        target = [f.name for f in through._meta.fields if f.name not in ("id", "mentorprofile")][0]
        through.objects.bulk_create(
            (
                through(mentorprofile=m, **{target: t})
                for m in mentor_rows
                for t in rng.sample(vocab, rng.randint(low, high))
            ),
            batch_size=5000,
        )
    mentee_rows = MenteeProfile.objects.bulk_create(
        (
            MenteeProfile(
                program=program,
                user=u,
                first_name=u.first_name,
                last_name=u.last_name,
                enrolled_on=today - timedelta(days=rng.randint(0, 60)),
                preferred_philosophy=rng.choice(philosophies + [None]),
                preferred_mentor_gender=rng.choice(["", "", "woman", "man"]),
                availability=rng.getrandbits(21),
            )
            for u in users[mentors:]
        ),
        batch_size=5000,
    )
    MenteeProfile.languages.through.objects.bulk_create(
        (
            MenteeProfile.languages.through(menteeprofile=m, language=rng.choice(languages[:2]))
            for m in mentee_rows
        ),
        batch_size=5000,
    )
    MenteeProfile.substances.through.objects.bulk_create(
        (
            MenteeProfile.substances.through(menteeprofile=m, substance=s)
            for m in mentee_rows
            for s in rng.sample(substances, 2)
        ),
        batch_size=5000,
    )
    MenteeFocusArea.objects.bulk_create(
        (
            MenteeFocusArea(mentee=m, focus_area=area, priority=3 - k)
            for m in mentee_rows
            for k, area in enumerate(rng.sample(focus, 3))
        ),
        batch_size=5000,
    )
    return program, coordinator


def finished_run(program: Program, coordinator: User) -> tuple[CohortRun, float]:
    run = CohortRun.objects.filter(program=program, status=CohortRun.Status.DONE).first()
    if run is not None:
        return run, float("nan")
    run = cohort_runs.cohort_run_start(program=program, actor=coordinator)
    start = time.perf_counter()
    cohort_runs.cohort_run_compute(run_id=run.pk)
    return CohortRun.objects.get(pk=run.pk), time.perf_counter() - start


def pages(program: Program, coordinator: User) -> dict:
    """{name: a function doing the request} for one program."""
    client = Client()
    client.force_login(coordinator)
    cohort = reverse("matching:cohort", kwargs={"slug": program.slug})
    mentee = MenteeProfile.objects.filter(program=program).order_by("pk").first()
    suggestions = reverse("matching:suggestions", kwargs={"pk": mentee.pk})

    def get(url, data=None):
        def run():
            response = client.get(url, data or {})
            assert response.status_code == 200, (url, response.status_code)
            return len(response.content)

        return run

    return {
        "cohort page": get(cohort),
        "cohort page, filtered": get(cohort, {"show": "planned", "band": "80", "page": "3"}),
        "suggestions": get(suggestions),
        "suggestions, search": get(suggestions, {"q": "ana"}),
    }


def p50s(fns: list) -> list[float]:
    """Median time of each function, run in turns so a busy machine slows all alike."""
    for fn in fns:
        fn()
        fn()
    times = [[] for _ in fns]
    for _ in range(RUNS):
        for k, fn in enumerate(fns):
            start = time.perf_counter()
            fn()
            times[k].append(time.perf_counter() - start)
    return [statistics.median(t) for t in times]


def vacuum() -> None:
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


@override_settings(
    # No collectstatic in a bench run: plain static URLs, the rest of the page is the same.
    STORAGES={
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
)
def main() -> None:
    settings.DEBUG = False
    small = seed("bench-mpages-small", 24, 8)
    large = seed("bench-mpages-large", MENTEES, MENTORS)
    vacuum()
    for (program, coordinator), label in ((small, "small"), (large, "large")):
        run, seconds = finished_run(program, coordinator)
        print(
            f"{label}: cohort run of {run.mentees_total} mentees x "
            f"{MentorProfile.objects.filter(program=program).count()} mentors: "
            f"{run.matched} matched"
            + (f", solved in {seconds:.1f} s" if seconds == seconds else "")
        )
    small_pages, large_pages = pages(*small), pages(*large)
    names = list(small_pages)
    sizes = {name: (small_pages[name](), large_pages[name]()) for name in names}
    timings = p50s([small_pages[n] for n in names] + [large_pages[n] for n in names])
    worst = 0.0
    for k, name in enumerate(names):
        s, big = timings[k], timings[k + len(names)]
        worst = max(worst, big / s)
        print(
            f"{name:24} small {s * 1000:7.1f} ms ({sizes[name][0] // 1024} KB)   "
            f"large {big * 1000:7.1f} ms ({sizes[name][1] // 1024} KB)   x{big / s:.2f}"
        )
    print(f"matching_pages ratio={worst:.3f} target=<=3")


if __name__ == "__main__":
    main()

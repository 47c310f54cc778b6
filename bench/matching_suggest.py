"""Top-10 mentor suggestions for one mentee among 10,000 mentors: p50 of ours / p50 of a
prepared raw-SQL scoring query (the same score and hard constraints, computed by PostgreSQL).

Ours: `matching.selectors.mentee_top_suggestions`, everything a caller gets: the mentee's
profile, PostgreSQL's ranking of all 10,000 mentors, then the candidates loaded, re-checked
(eligibility, exclusions) and explained part by part. Reference: that ranking query alone, with
its parameters ready, as a prepared statement; so the ratio is what loading and explaining cost. Runs on the database in DATABASE_URL (PostgreSQL under `make bench`); the program
"bench-suggest" is seeded on the first run and reused after.
"""

import random
import statistics
import time
from datetime import timedelta

from _harness import setup

setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.db import connection, transaction  # noqa: E402

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
from matching.selectors import (  # noqa: E402
    RANK_SQL,
    mentee_top_suggestions,
    profiles_load,
    rank_params,
)

MENTORS = 10_000
RUNS = 25
SLUG = "bench-suggest"


@transaction.atomic
def seed() -> tuple[Program, MenteeProfile]:
    program, _ = Program.objects.get_or_create(slug=SLUG, defaults={"name": "Suggestion bench"})
    vocabulary_seed_defaults(program=program)
    mentee = MenteeProfile.objects.filter(program=program).first()
    if mentee is not None:
        return program, mentee
    rng = random.Random(10)
    philosophies = list(Philosophy.objects.filter(program=program))
    focus = list(FocusArea.objects.filter(program=program))
    substances = list(Substance.objects.filter(program=program))
    languages = list(Language.objects.filter(code__in=["en", "es", "vi", "zh"]))
    today = program.today()
    unusable = make_password(None)
    users = User.objects.bulk_create(
        User(email=f"m{k}@{SLUG}.example", password=unusable, first_name="Mentor", last_name=str(k))
        for k in range(MENTORS + 1)
    )
    Membership.objects.bulk_create(
        Membership(user=u, program=program, role="mentor") for u in users[:MENTORS]
    )
    mentors = MentorProfile.objects.bulk_create(
        MentorProfile(
            program=program,
            user=u,
            gender=rng.choice([Gender.WOMAN, Gender.MAN]),
            recovery_since=today - timedelta(days=rng.randint(90, 4000)),
            capacity=rng.randint(1, 5),
            accepting_new=rng.random() > 0.05,
            availability=rng.getrandbits(21),
        )
        for u in users[:MENTORS]
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
                for m in mentors
                for t in rng.sample(vocab, rng.randint(low, high))
            ),
            batch_size=5000,
        )
    mentee = MenteeProfile.objects.create(
        program=program,
        user=users[-1],
        enrolled_on=today,
        preferred_philosophy=philosophies[1],
        preferred_mentor_gender="woman",
        availability=rng.getrandbits(21),
    )
    Membership.objects.create(user=users[-1], program=program, role="mentee")
    mentee.languages.set(languages[:1])
    mentee.substances.set(substances[:2])
    for n, area in enumerate(focus[:3]):
        MenteeFocusArea.objects.create(mentee=mentee, focus_area=area, priority=3 - n)
    return program, mentee


def reference_query(program: Program, mentee: MenteeProfile):
    """The scoring query alone, parameters ready, as a server-side prepared statement."""
    one = MenteeProfile.objects.filter(pk=mentee.pk)
    me = profiles_load(program, mentees=one, mentors=MentorProfile.objects.none())
    params = rank_params(program, me, limit=10)
    connection.ensure_connection()
    raw = connection.connection

    def run():
        return raw.execute(RANK_SQL, params, prepare=True).fetchall()

    return run


def p50s(*fns) -> list[float]:
    """Median time of each function, run in turns so a busy machine slows both alike."""
    for fn in fns:
        fn()  # warm caches and connections
    times = [[] for _ in fns]
    for _ in range(RUNS):
        for k, fn in enumerate(fns):
            start = time.perf_counter()
            fn()
            times[k].append(time.perf_counter() - start)
    return [statistics.median(t) for t in times]


def vacuum() -> None:
    # Freshly bulk-inserted rows are not yet in the visibility map: without this, both sides
    # pay for heap fetches autovacuum would soon remove, and the run measures the seeding.
    with connection.cursor() as cursor:
        for table in [
            "accounts_mentorprofile",
            "accounts_mentorprofile_philosophies",
            "accounts_mentorprofile_focus_areas",
            "accounts_mentorprofile_languages",
            "accounts_mentorprofile_lived_substances",
            "accounts_mentortraining",
            "matching_match",
        ]:
            cursor.execute(f"VACUUM (ANALYZE) {table}")


def main() -> None:
    # The harness runs with DEBUG=1 (dev defaults), which logs every ORM query; production
    # does not, and the raw reference never would.
    settings.DEBUG = False
    program, mentee = seed()
    vacuum()
    ours = mentee_top_suggestions(program, mentee, limit=10)
    reference = reference_query(program, mentee)
    reference_rows = reference()
    print("ours:     ", [(s.mentor_id, s.score) for s in ours])
    print("reference:", reference_rows)
    ours_s, ref_s = p50s(lambda: mentee_top_suggestions(program, mentee, limit=10), reference)
    print(f"ours p50 {ours_s * 1000:.1f} ms, reference p50 {ref_s * 1000:.1f} ms")
    print(f"matching_suggest ratio={ours_s / ref_s:.3f} target=<=1.3")


if __name__ == "__main__":
    main()

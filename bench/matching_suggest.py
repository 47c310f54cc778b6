"""Top-10 mentor suggestions for one mentee among 10,000 mentors, end to end from the database:
p50 of ours / p50 of a reference, in the same run. Target <= 1.5.

Ours: `matching.selectors.mentee_suggestions`, the function the suggestions page calls (the page
asks for 25, this asks for 10): the mentee's and every mentor's profile read from the database,
scored with every hard constraint by `matching.scoring` (the scorer cohort matching uses), the
top ten explained part by part and every excluded mentor given its reasons.
Reference (the yardstick, here only): one prepared query returning the same mentor columns,
turned into arrays and scored with plain numpy (the same parts and weights, no explanations,
no exclusion reasons), top ten by argpartition. The mentee's preferences are read beforehand.
The program "bench-suggest" is seeded on the first run and reused after.
"""

import random
import statistics
import time
from datetime import timedelta
from itertools import chain

from _harness import setup

setup()

import numpy as np  # noqa: E402
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
from matching.selectors import mentee_suggestions, profiles_load  # noqa: E402

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


REFERENCE_SQL = """
SELECT m.id, m.user_id, u.first_name, u.last_name, u.email, m.gender, m.availability,
       m.capacity, m.accepting_new, m.is_active, m.recovery_since,
       (SELECT count(*) FROM matching_match x
        WHERE x.mentor_id = m.id AND x.status IN ('active', 'paused', 'proposed')),
       ARRAY(SELECT philosophy_id FROM accounts_mentorprofile_philosophies
             WHERE mentorprofile_id = m.id),
       ARRAY(SELECT focusarea_id FROM accounts_mentorprofile_focus_areas
             WHERE mentorprofile_id = m.id),
       ARRAY(SELECT language_id FROM accounts_mentorprofile_languages
             WHERE mentorprofile_id = m.id),
       ARRAY(SELECT substance_id FROM accounts_mentorprofile_lived_substances
             WHERE mentorprofile_id = m.id),
       ARRAY(SELECT training_id FROM accounts_mentortraining WHERE mentor_id = m.id)
FROM accounts_mentorprofile m JOIN accounts_user u ON u.id = m.user_id
WHERE m.program_id = %s
ORDER BY m.id
"""


def _members(lists, vocabulary: list[int]) -> np.ndarray:
    out = np.zeros((len(lists), len(vocabulary)), dtype=bool)
    lengths = np.fromiter(map(len, lists), dtype=np.int64, count=len(lists))
    ids = np.fromiter(chain.from_iterable(lists), dtype=np.int64, count=int(lengths.sum()))
    known = np.array(vocabulary, dtype=np.int64)
    order = np.argsort(known)
    at = np.minimum(np.searchsorted(known[order], ids), len(known) - 1)
    found = known[order][at] == ids
    out[np.repeat(np.arange(len(lists)), lengths)[found], order[at[found]]] = True
    return out


def reference_query(program: Program, mentee: MenteeProfile):
    """One prepared query for the mentor columns, then plain numpy scoring and a top ten."""
    one = MenteeProfile.objects.filter(pk=mentee.pk)
    me = profiles_load(program, mentees=one, mentors=MentorProfile.objects.none())
    w, ids = me.weights, me.vocabulary_ids
    phil = int(me.mentee_philosophy[0])
    fit = me.compat[phil] if phil >= 0 else np.full(len(ids["philosophy"]), 100)
    focus = me.mentee_focus[0]
    langs, subs = me.mentee_languages[0], me.mentee_substances[0]
    gender = Gender.values[int(me.mentee_gender_pref[0])] if me.mentee_gender_pref[0] >= 0 else ""
    avail = int(me.mentee_availability[0])
    cutoff = program.today() - timedelta(days=30 * program.min_recovery_months)
    connection.ensure_connection()
    raw = connection.connection

    def run():
        rows = raw.execute(REFERENCE_SQL, [program.pk], prepare=True).fetchall()
        cols = list(zip(*rows, strict=True))
        phils = _members(cols[12], ids["philosophy"])
        score = np.where(phils.any(1), (phils * fit[None, :]).max(1), 100 if phil < 0 else 0)
        score = (2 * w["philosophy"] * score + 100) // 200
        total = max(int(focus.sum()), 1)
        shared = _members(cols[13], ids["focus"]) @ focus
        score += (2 * w["focus"] * shared + total) // (2 * total)
        speaks = _members(cols[14], ids["language"])
        common = (speaks & langs[None, :]).any(1)
        score += w["language"] * (common | ~langs.any())
        genders = np.array(cols[5])
        score += w["gender"] * ((genders == gender) | (gender == ""))
        count = max(int(subs.sum()), 1)
        lived = (_members(cols[15], ids["substance"]) & subs[None, :]).sum(1)
        score += (2 * w["substance"] * lived + count) // (2 * count)
        both = np.bitwise_count(np.array(cols[6], dtype=np.int64) & avail)
        score += (2 * w["availability"] * np.minimum(both, 3) + 3) // 6
        since = np.array([d or cutoff for d in cols[10]], dtype="datetime64[D]")
        ok = np.array(cols[8]) & np.array(cols[9]) & (np.array(cols[7]) > np.array(cols[11]))
        ok &= since <= np.datetime64(cutoff)
        ok &= common | ~speaks.any(1) | ~langs.any()
        score = np.where(ok, score, -1)
        top = np.argpartition(-score, 10)[:10]
        return sorted(zip((-score[top]).tolist(), np.array(cols[0])[top].tolist(), strict=True))

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
    # Production-like: no query log (the harness's default, made sure of here).
    settings.DEBUG = False
    program, mentee = seed()
    vacuum()
    ours = mentee_suggestions(program, mentee, limit=10)
    reference = reference_query(program, mentee)
    print("ours:     ", sorted(s.score for s in ours.allowed)[::-1])
    print("reference:", [-score for score, _ in reference()])
    ours_s, ref_s = p50s(lambda: mentee_suggestions(program, mentee, limit=10), reference)
    print(f"ours p50 {ours_s * 1000:.1f} ms, reference p50 {ref_s * 1000:.1f} ms")
    print(f"matching_suggest ratio={ours_s / ref_s:.3f} target=<=1.5")


if __name__ == "__main__":
    main()

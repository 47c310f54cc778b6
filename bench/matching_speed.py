"""Speed and peak memory of whole-cohort matching, end to end from the database.

20,000 waiting mentees x 6,000 mentors, seeded once (program "bench-cohort") from the synthetic
profiles of `matching.synthetic` (the shapes of `demo_seed_large`) and reused after.
Ours: `matching.cohort.cohort_plan`, what the cohort page and `manage.py match_cohort` call:
profiles read from the database, scored with every hard constraint, candidate pruning, OR-tools
min-cost max-flow, and each planned pair explained. Reference (the yardstick, here only): two
prepared queries for the same mentee and mentor columns, a plain vectorised numpy scoring that
keeps the top 50 candidates per mentee, then OR-tools' `SimpleMinCostFlow`, no explanations.
Each runs in its own process so peak RSS is its own; one run each (more would pass the
budget on a shared 2-core machine). The last line is the worse of the two ratios (time, memory).
"""

import json
import resource
import subprocess
import sys
import time
from itertools import chain
from pathlib import Path

from _harness import setup

MENTEES, MENTORS = 20_000, 6_000
TOP = 50
SLUG = "bench-cohort"

MENTOR_SQL = """
SELECT m.id, m.gender, m.availability, m.capacity, m.accepting_new AND m.is_active,
       m.capacity - (SELECT count(*) FROM matching_match x
                     WHERE x.mentor_id = m.id AND x.status IN ('active', 'paused', 'proposed')),
       ARRAY(SELECT philosophy_id FROM accounts_mentorprofile_philosophies
             WHERE mentorprofile_id = m.id),
       ARRAY(SELECT focusarea_id FROM accounts_mentorprofile_focus_areas
             WHERE mentorprofile_id = m.id),
       ARRAY(SELECT language_id FROM accounts_mentorprofile_languages
             WHERE mentorprofile_id = m.id),
       ARRAY(SELECT substance_id FROM accounts_mentorprofile_lived_substances
             WHERE mentorprofile_id = m.id)
FROM accounts_mentorprofile m WHERE m.program_id = %s ORDER BY m.id
"""
MENTEE_SQL = """
SELECT e.id, coalesce(e.preferred_philosophy_id, 0), e.philosophy_required,
       e.preferred_mentor_gender, e.mentor_gender_required, e.availability,
       ARRAY(SELECT focus_area_id FROM accounts_menteefocusarea f WHERE f.mentee_id = e.id
             ORDER BY focus_area_id),
       ARRAY(SELECT priority FROM accounts_menteefocusarea f WHERE f.mentee_id = e.id
             ORDER BY focus_area_id),
       ARRAY(SELECT language_id FROM accounts_menteeprofile_languages
             WHERE menteeprofile_id = e.id),
       ARRAY(SELECT substance_id FROM accounts_menteeprofile_substances
             WHERE menteeprofile_id = e.id)
FROM accounts_menteeprofile e
WHERE e.program_id = %s AND e.study_arm = 'mentored' AND e.status = 'enrolled'
  AND NOT EXISTS (SELECT 1 FROM matching_match x WHERE x.mentee_id = e.id
                  AND x.status IN ('active', 'paused', 'proposed'))
ORDER BY e.id
"""


def seed(
    slug: str = SLUG, n_mentees: int = MENTEES, n_mentors: int = MENTORS, *, rng_seed: int = 2026
):
    """A program of synthetic profiles, seeded on the first run and reused after."""
    import numpy as np
    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from accounts.models import (
        FocusArea,
        Gender,
        Language,
        MenteeFocusArea,
        MenteeProfile,
        MentorProfile,
        Philosophy,
        Program,
        Substance,
        User,
    )
    from accounts.vocabularies import vocabulary_seed_defaults
    from matching.synthetic import synthetic_profiles

    program, created = Program.objects.get_or_create(
        slug=slug, defaults={"name": f"Cohort bench {slug}", "min_recovery_months": 0}
    )
    if not created and MenteeProfile.objects.filter(program=program).exists():
        return program
    with transaction.atomic():
        vocabulary_seed_defaults(program=program)
        p = synthetic_profiles(n_mentees, n_mentors, seed=rng_seed, never_pairs=0)
        vocab = {
            "philosophy": list(Philosophy.objects.filter(program=program).order_by("pk")),
            "focus": list(FocusArea.objects.filter(program=program).order_by("pk")),
            "language": list(Language.objects.order_by("pk")),
            "substance": list(Substance.objects.filter(program=program).order_by("pk")),
        }
        unusable = make_password(None)
        users = User.objects.bulk_create(
            (
                User(
                    email=f"c{k}@{slug}.example",
                    password=unusable,
                    first_name="P",
                    last_name=str(k),
                )
                for k in range(n_mentors + n_mentees)
            ),
            batch_size=5000,
        )
        genders = [Gender.WOMAN, Gender.MAN]
        mentors = MentorProfile.objects.bulk_create(
            (
                MentorProfile(
                    program=program,
                    user=users[j],
                    gender=genders[int(p.mentor_gender[j])],
                    capacity=int(p.mentor_capacity[j]),
                    accepting_new=not p.mentor_why[j],
                    availability=int(p.mentor_availability[j]),
                )
                for j in range(n_mentors)
            ),
            batch_size=5000,
        )
        today = program.today()
        preference = ["", *genders]
        mentees = MenteeProfile.objects.bulk_create(
            (
                MenteeProfile(
                    program=program,
                    user=users[n_mentors + i],
                    enrolled_on=today,
                    preferred_philosophy=vocab["philosophy"][int(p.mentee_philosophy[i])],
                    philosophy_required=bool(p.mentee_philosophy_required[i]),
                    preferred_mentor_gender=preference[int(p.mentee_gender_pref[i]) + 1],
                    mentor_gender_required=bool(p.mentee_gender_required[i])
                    and p.mentee_gender_pref[i] >= 0,
                    availability=int(p.mentee_availability[i]),
                )
                for i in range(n_mentees)
            ),
            batch_size=5000,
        )

        def link(profiles, model, field, target, matrix, terms):
            through = getattr(model, field).through
            owner = "mentorprofile" if model is MentorProfile else "menteeprofile"
            rows, cols = np.nonzero(matrix)
            through.objects.bulk_create(
                (
                    through(**{f"{owner}_id": profiles[r].pk, f"{target}_id": terms[c].pk})
                    for r, c in zip(rows.tolist(), cols.tolist(), strict=True)
                ),
                batch_size=10000,
            )

        link(
            mentors,
            MentorProfile,
            "philosophies",
            "philosophy",
            p.mentor_philosophies,
            vocab["philosophy"],
        )
        link(mentors, MentorProfile, "focus_areas", "focusarea", p.mentor_focus, vocab["focus"])
        link(mentors, MentorProfile, "languages", "language", p.mentor_languages, vocab["language"])
        link(
            mentors,
            MentorProfile,
            "lived_substances",
            "substance",
            p.mentor_substances,
            vocab["substance"],
        )
        link(mentees, MenteeProfile, "languages", "language", p.mentee_languages, vocab["language"])
        link(
            mentees,
            MenteeProfile,
            "substances",
            "substance",
            p.mentee_substances,
            vocab["substance"],
        )
        rows, cols = np.nonzero(p.mentee_focus)
        MenteeFocusArea.objects.bulk_create(
            (
                MenteeFocusArea(
                    mentee=mentees[r], focus_area=vocab["focus"][c], priority=int(p.mentee_focus[r, c])
                )
                for r, c in zip(rows.tolist(), cols.tolist(), strict=True)
            ),
            batch_size=10000,
        )  # fmt: skip
    return program


def _members(lists, vocabulary):
    import numpy as np

    out = np.zeros((len(lists), len(vocabulary)), dtype=np.int64)
    lengths = np.fromiter(map(len, lists), dtype=np.int64, count=len(lists))
    ids = np.fromiter(chain.from_iterable(lists), dtype=np.int64, count=int(lengths.sum()))
    known = np.array(vocabulary, dtype=np.int64)
    order = np.argsort(known)
    at = np.minimum(np.searchsorted(known[order], ids), len(known) - 1)
    found = known[order][at] == ids
    out[np.repeat(np.arange(len(lists)), lengths)[found], order[at[found]]] = 1
    return out


def reference(program, ready) -> int:
    """Two prepared queries, plain numpy scoring of the top 50 per mentee, min-cost flow."""
    import numpy as np
    from django.db import connection
    from ortools.graph.python import min_cost_flow

    compat, ids = ready
    connection.ensure_connection()
    raw = connection.connection
    mentors = list(
        zip(*raw.execute(MENTOR_SQL, [program.pk], prepare=True).fetchall(), strict=True)
    )
    mentees = list(
        zip(*raw.execute(MENTEE_SQL, [program.pk], prepare=True).fetchall(), strict=True)
    )
    n, m = len(mentees[0]), len(mentors[0])
    mentor_phil = _members(mentors[6], ids["philosophy"]).astype(bool)
    mentor_focus = _members(mentors[7], ids["focus"]).astype(np.float32)
    mentor_lang = _members(mentors[8], ids["language"]).astype(np.float32)
    mentor_subst = _members(mentors[9], ids["substance"]).astype(np.float32)
    mentor_gender = np.array(mentors[1])
    mentor_avail = np.array(mentors[2], dtype=np.int64)
    room = np.maximum(np.array(mentors[5], dtype=np.int64), 0)
    mentor_ok = np.array(mentors[4], dtype=bool)
    phil_index = {pk: k for k, pk in enumerate(ids["philosophy"])}
    mentee_phil = np.array([phil_index.get(x, 0) for x in mentees[1]])
    phil_required = np.array(mentees[2], dtype=bool)
    pref = np.array(mentees[3])
    gender_required = np.array(mentees[4], dtype=bool)
    mentee_avail = np.array(mentees[5], dtype=np.int64)
    focus = np.zeros((n, len(ids["focus"])), dtype=np.float32)
    focus_index = {pk: k for k, pk in enumerate(ids["focus"])}
    for i, (areas, priorities) in enumerate(zip(mentees[6], mentees[7], strict=True)):
        for area, priority in zip(areas, priorities, strict=True):
            focus[i, focus_index[area]] = priority
    mentee_lang = _members(mentees[8], ids["language"]).astype(np.float32)
    mentee_subst = _members(mentees[9], ids["substance"]).astype(np.float32)
    fit = (mentor_phil[:, None, :] * compat[None, :, :]).max(axis=2)
    rows_all, cols_all, cost_all = [], [], []
    step = 2_000_000 // m
    for start in range(0, n, step):
        r = np.arange(start, min(start + step, n))
        s = 0.3 * fit[:, mentee_phil[r]].T.astype(np.float32)
        f = focus[r]
        s += 25 * (f @ mentor_focus.T) / np.maximum(f.sum(1, keepdims=True), 1)
        common = (mentee_lang[r] @ mentor_lang.T) > 0
        s += 10 * common
        wanted = pref[r][:, None]
        same = mentor_gender[None, :] == wanted
        s += 10 * ((wanted == "") | same)
        subst = mentee_subst[r]
        s += 10 * (subst @ mentor_subst.T) / np.maximum(subst.sum(1, keepdims=True), 1)
        both = mentee_avail[r][:, None] & mentor_avail[None, :]
        s += 15 * np.minimum(np.bitwise_count(both), 3) / 3
        ok = common & mentor_ok[None, :] & (room > 0)[None, :]
        ok &= ~(gender_required[r][:, None] & (wanted != "") & ~same)
        ok &= ~(phil_required[r][:, None] & ~mentor_phil[:, mentee_phil[r]].T)
        s = np.where(ok, np.rint(s), -1)
        top = np.argpartition(-s, TOP - 1, axis=1)[:, :TOP]
        val = np.take_along_axis(s, top, axis=1)
        keep = val >= 0
        rows_all.append(np.repeat(r[:, None], TOP, axis=1)[keep])
        cols_all.append(top[keep])
        cost_all.append(100 - val[keep].astype(np.int64))
    tail, head, cost = map(np.concatenate, (rows_all, cols_all, cost_all))
    flow = min_cost_flow.SimpleMinCostFlow()
    source, sink = n + m, n + m + 1
    flow.add_arcs_with_capacity_and_unit_cost(
        np.full(n, source), np.arange(n), np.ones(n, dtype=np.int64), np.zeros(n, dtype=np.int64)
    )
    arcs = flow.add_arcs_with_capacity_and_unit_cost(
        tail, n + head, np.ones(len(tail), dtype=np.int64), cost
    )
    flow.add_arcs_with_capacity_and_unit_cost(
        n + np.arange(m), np.full(m, sink), room, np.zeros(m, dtype=np.int64)
    )
    flow.set_node_supply(source, n)
    flow.set_node_supply(sink, -n)
    flow.solve_max_flow_with_min_cost()
    return int((flow.flows(arcs) > 0).sum())


def child(which: str) -> None:
    setup()
    from accounts.models import MenteeProfile, MentorProfile, Program
    from matching.cohort import cohort_plan
    from matching.selectors import profiles_load

    program = Program.objects.get(slug=SLUG)
    # The reference's parameters, read before its clock starts: the compatibility table and
    # the vocabulary ids.
    ready = profiles_load(
        program, mentees=MenteeProfile.objects.none(), mentors=MentorProfile.objects.none()
    )
    ready = (ready.compat, ready.vocabulary_ids)
    start = time.perf_counter()
    matched = len(cohort_plan(program).pairs) if which == "ours" else reference(program, ready)
    seconds = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "peak_mb": peak_mb, "matched": matched}))


def run(which: str) -> dict:
    out = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), which],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    setup()
    started = time.perf_counter()
    seed()
    print(f"program ready in {time.perf_counter() - started:.1f}s")
    best = {which: run(which) for which in ("reference", "ours")}
    for which, b in best.items():
        print(f"{which}: {b['seconds']:.2f} s, peak {b['peak_mb']:.0f} MB, matched {b['matched']}")
    time_ratio = best["ours"]["seconds"] / best["reference"]["seconds"]
    memory_ratio = best["ours"]["peak_mb"] / best["reference"]["peak_mb"]
    print(f"time ratio {time_ratio:.3f}, memory ratio {memory_ratio:.3f}")
    print(f"matching_speed ratio={max(time_ratio, memory_ratio):.3f} target=<=1.5")


if __name__ == "__main__":
    if len(sys.argv) > 1:
        child(sys.argv[1])
    else:
        main()

"""Quality of whole-cohort matching: our total score / the exact optimum, same number matched.

5,000 waiting mentees x 1,500 mentors (capacities 1-5), seeded once (program
"bench-cohort-quality") from the synthetic profiles of `matching.synthetic` and reused after.
Ours: `matching.cohort.cohort_plan`, what the cohort page and `manage.py match_cohort` call. At
this size it prunes candidates (each mentee's TOP_K best mentors, each mentor's best mentees),
so this measures what pruning costs against a dense `scipy.optimize.linear_sum_assignment`
optimum over every mentor place, computed on the very arrays the plan scored
(`matching.selectors.profiles_load` for the same mentee pool). Greedy (best pair first) is
printed for reference.
"""

import time

import numpy as np
from _harness import setup

setup()

from matching_speed import seed  # noqa: E402

from matching.cohort import cohort_plan  # noqa: E402
from matching.scoring import score_block  # noqa: E402
from matching.selectors import mentee_pool, profiles_load  # noqa: E402
from matching.synthetic import oracle_assignment  # noqa: E402

MENTEES, MENTORS = 5_000, 1_500
SLUG = "bench-cohort-quality"


def greedy(p) -> tuple[int, int]:
    block = score_block(p, np.arange(p.n_mentees))
    score = np.where((block.excluded == 0) & (p.mentor_room > 0)[None, :], block.score, -1)
    order = np.argsort(-score, axis=None, kind="stable")
    room, done, matched, total = p.mentor_room.copy(), set(), 0, 0
    for flat in order:
        i, j = divmod(int(flat), p.n_mentors)
        if score[i, j] < 0:
            break
        if i in done or room[j] == 0:
            continue
        done.add(i)
        room[j] -= 1
        matched += 1
        total += int(score[i, j])
    return matched, total


def main() -> None:
    program = seed(SLUG, MENTEES, MENTORS, rng_seed=2020)
    start = time.perf_counter()
    plan = cohort_plan(program)
    ours_s = time.perf_counter() - start
    p = profiles_load(program, mentees=mentee_pool(program))
    start = time.perf_counter()
    best_matched, best_total = oracle_assignment(p)
    oracle_s = time.perf_counter() - start
    g_matched, g_total = greedy(p)
    matched, total = len(plan.pairs), plan.total_score
    print(f"places: {int(p.mentor_room.sum())}, exact graph: {plan.exact}")
    print(f"ours:   matched {matched}, total {total} in {ours_s:.1f} s")
    print(f"oracle: matched {best_matched}, total {best_total} in {oracle_s:.1f} s")
    print(f"greedy: matched {g_matched}, total {g_total} ({g_total / best_total:.4f} of optimum)")
    if matched != best_matched:
        print(f"FAIL: matched {matched}, the optimum matches {best_matched}")
        ratio = 0.0
    else:
        ratio = total / best_total
    print(f"matching_quality ratio={ratio:.6f} target=>=0.9999")


if __name__ == "__main__":
    main()

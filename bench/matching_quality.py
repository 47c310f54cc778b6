"""Quality of whole-cohort matching: our total score / the exact optimum.

5,000 mentees x 1,500 mentors (capacities 1-5) of seeded synthetic profiles (the shapes of
`demo_seed_large`). At this size the solver prunes candidates (each mentee's TOP_K best mentors,
each mentor's best mentees), so this measures what pruning costs against a dense
`scipy.optimize.linear_sum_assignment` optimum over every mentor place. The same number of
mentees must be matched; greedy (best pair first) is printed for reference.
"""

import time

import _harness  # noqa: F401  (puts the project on the path and picks the settings)
import django

django.setup()  # arrays only: no database needed

import numpy as np  # noqa: E402

from matching.cohort import solve  # noqa: E402
from matching.scoring import score_block  # noqa: E402
from matching.synthetic import oracle_assignment, synthetic_profiles  # noqa: E402

MENTEES, MENTORS = 5_000, 1_500


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
    p = synthetic_profiles(MENTEES, MENTORS, seed=2020, never_pairs=200)
    start = time.perf_counter()
    ours = solve(p)
    ours_s = time.perf_counter() - start
    start = time.perf_counter()
    best_matched, best_total = oracle_assignment(p)
    oracle_s = time.perf_counter() - start
    g_matched, g_total = greedy(p)
    matched, total = len(ours.rows), int(ours.scores.sum())
    print(f"places: {int(p.mentor_room.sum())}, exact graph: {ours.exact}")
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

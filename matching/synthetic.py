"""Seeded synthetic profiles for benchmarks and property tests: the same shapes and rates as
`accounts.demo.demo_seed_large`, built straight into arrays (no database)."""

import numpy as np

from matching.models import DEFAULT_WEIGHTS
from matching.scoring import NEVER_PAIR, NOT_ACCEPTING, Profiles, score_block

PHILOSOPHIES = 6
FOCUS = 9
LANGUAGES = 4
SUBSTANCES = 8


def _masks(rng, rows: int, cols: int, low: int, high: int) -> np.ndarray:
    """Each row gets between low and high distinct True columns."""
    out = np.zeros((rows, cols), dtype=bool)
    counts = rng.integers(low, high + 1, size=rows)
    order = np.argsort(rng.random((rows, cols)), axis=1)
    for k in range(high):
        chosen = order[:, k]
        out[np.arange(rows)[counts > k], chosen[counts > k]] = True
    return out


def _availability(rng, rows: int, low: int, high: int) -> np.ndarray:
    bits = _masks(rng, rows, 21, low, high)
    return (bits * (1 << np.arange(21, dtype=np.int64))).sum(axis=1)


def synthetic_profiles(
    n_mentees: int,
    n_mentors: int,
    *,
    seed: int = 7,
    capacity: tuple[int, int] = (1, 5),
    never_pairs: int = 0,
) -> Profiles:
    rng = np.random.default_rng(seed)
    compat = np.full((PHILOSOPHIES, PHILOSOPHIES), 40, dtype=np.int64)
    compat[np.arange(PHILOSOPHIES), np.arange(PHILOSOPHIES)] = 100
    compat[2, [0, 3]] = [10, 15]  # medication-assisted mentees and 12-step / faith mentors
    compat[[0, 3], [3, 0]] = 60
    m, n = n_mentors, n_mentees
    accepting = rng.random(m) > 0.05
    why = np.where(accepting, 0, NOT_ACCEPTING)
    focus = np.zeros((n, FOCUS), dtype=np.int64)
    needs = _masks(rng, n, FOCUS, 1, 3)
    focus[needs] = rng.integers(1, 4, size=int(needs.sum()))
    languages = np.zeros((n, LANGUAGES), dtype=bool)
    languages[np.arange(n), rng.choice(LANGUAGES, size=n, p=[0.7, 0.2, 0.05, 0.05])] = True
    mentor_languages = _masks(rng, m, LANGUAGES, 1, 2)
    mentor_languages[:, 0] |= rng.random(m) < 0.8  # most mentors speak the main language
    places = rng.integers(capacity[0], capacity[1] + 1, size=m).astype(np.int64)
    pair_bits = {}
    for _ in range(never_pairs):
        pair_bits[(int(rng.integers(n)), int(rng.integers(m)))] = NEVER_PAIR
    return Profiles(
        weights=dict(DEFAULT_WEIGHTS),
        philosophy_names=[f"Philosophy {k}" for k in range(PHILOSOPHIES)],
        focus_names=[f"Focus {k}" for k in range(FOCUS)],
        language_names=[f"Language {k}" for k in range(LANGUAGES)],
        substance_names=[f"Substance {k}" for k in range(SUBSTANCES)],
        compat=compat,
        mentor_ids=np.arange(1, m + 1, dtype=np.int64),
        mentor_user_ids=np.arange(1, m + 1, dtype=np.int64),
        mentor_names=[f"Mentor {k}" for k in range(m)],
        mentor_philosophies=_masks(rng, m, PHILOSOPHIES, 1, 2),
        mentor_focus=_masks(rng, m, FOCUS, 3, 3),
        mentor_languages=mentor_languages,
        mentor_substances=_masks(rng, m, SUBSTANCES, 1, 2),
        mentor_gender=rng.integers(0, 2, size=m).astype(np.int64),
        mentor_availability=_availability(rng, m, 3, 15),
        mentor_capacity=places,
        mentor_room=places.copy(),
        mentor_why=why,
        mentee_ids=np.arange(1, n + 1, dtype=np.int64),
        mentee_user_ids=np.arange(10**7, 10**7 + n, dtype=np.int64),
        mentee_names=[f"Mentee {k}" for k in range(n)],
        mentee_philosophy=rng.integers(0, PHILOSOPHIES, size=n).astype(np.int64),
        mentee_philosophy_required=rng.random(n) < 0.1,
        mentee_focus=focus,
        mentee_languages=languages,
        mentee_substances=_masks(rng, n, SUBSTANCES, 1, 2),
        mentee_gender_pref=rng.choice([-1, -1, 0, 1], size=n).astype(np.int64),
        mentee_gender_required=rng.random(n) < 0.1,
        mentee_availability=_availability(rng, n, 3, 12),
        pair_bits=pair_bits,
    )


def oracle_assignment(p: Profiles) -> tuple[int, int]:
    """(matched, total score) of the exact optimum, by a dense linear_sum_assignment over
    mentor places. Matching more mentees always wins over a higher score (lexicographic)."""
    from scipy.optimize import linear_sum_assignment  # only the oracle needs it

    slots = np.repeat(np.arange(p.n_mentors), p.mentor_room)
    if not len(slots) or not p.n_mentees:
        return 0, 0
    big = 101 * (p.n_mentees + 1)
    cost = np.zeros((p.n_mentees, len(slots)), dtype=np.float64)
    score = np.zeros((p.n_mentees, p.n_mentors), dtype=np.int16)
    allowed = np.zeros((p.n_mentees, p.n_mentors), dtype=bool)
    step = max(1, 1_000_000 // max(p.n_mentors, 1))
    for start in range(0, p.n_mentees, step):
        block = score_block(p, np.arange(start, min(start + step, p.n_mentees)))
        ok = (block.excluded == 0) & (p.mentor_room > 0)[None, :]
        score[start : start + step] = block.score
        allowed[start : start + step] = ok
        cost[start : start + step] = np.where(
            ok[:, slots], -(big + block.score[:, slots].astype(np.float64)), 0
        )
    rows, cols = linear_sum_assignment(cost)
    used = allowed[rows, slots[cols]]
    return int(used.sum()), int(score[rows[used], slots[cols[used]]].astype(np.int64).sum())

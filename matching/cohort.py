"""Whole-cohort matching: as many mentees as possible, then the highest total score, under
mentor capacities and every hard constraint.

It is a min-cost max-flow problem: source -> mentee (capacity 1) -> mentor (capacity 1, cost
100 - score) -> sink (capacity = the mentor's places left). OR-tools' `SolveMaxFlowWithMinCost`
first maximises the flow (mentees matched) and then, among maximum flows, minimises the cost,
which is the same as maximising the total score: the optimum is exact for the graph it is given.

The graph holds every allowed pair while there are at most EXACT_PAIRS mentee-mentor pairs.
Beyond that, each mentee keeps its TOP_K best allowed mentors (and each mentor its best
mentees); that pruning is the one approximation, and `bench/matching_quality.py` measures its
total score against a dense `scipy.optimize.linear_sum_assignment` optimum.

`manage.py match_cohort` calls `cohort_plan`; the page runs `cohort_assign` in a background job
(matching.cohort_runs) and stores the result. Both write through `matches_create`.
"""

from collections import Counter
from dataclasses import dataclass, field

import numpy as np
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_noop
from ortools.graph.python import min_cost_flow

from accounts.models import MenteeProfile, MentorProfile, Program
from matching.models import plan_problem, plan_problem_text, unmatched_reason_text
from matching.scoring import (
    DO_NOT_REMATCH,
    GENDER_REQUIRED,
    MENTOR_UNAVAILABLE,
    NEVER_PAIR,
    NO_LANGUAGE,
    PHILOSOPHY_INCOMPATIBLE,
    PHILOSOPHY_REQUIRED,
    Explanation,
    Part,
    Profiles,
    explain,
    score_block,
)
from matching.selectors import mentee_pool, profiles_load

EXACT_PAIRS = 2_000_000
TOP_K = 40
MENTOR_TOP_FACTOR = 4  # each mentor also keeps its best capacity x this many mentees
CHUNK_PAIRS = 500_000  # pairs scored at once: bounds scoring memory to tens of MB

BIT_WORDS = {
    MENTOR_UNAVAILABLE: gettext_noop("mentor unavailable, ineligible or full"),
    NO_LANGUAGE: gettext_noop("no shared language"),
    GENDER_REQUIRED: gettext_noop("required mentor gender"),
    PHILOSOPHY_REQUIRED: gettext_noop("required philosophy"),
    PHILOSOPHY_INCOMPATIBLE: gettext_noop("incompatible philosophy"),
    NEVER_PAIR: gettext_noop("never-pair exclusion"),
    DO_NOT_REMATCH: gettext_noop("do not rematch"),
}


@dataclass
class Solution:
    rows: np.ndarray  # mentee rows matched (pins included)
    cols: np.ndarray  # their mentors
    scores: np.ndarray
    allowed_count: np.ndarray  # per mentee row: allowed mentors with places
    reason_bits: list[Counter]  # per unmatched-without-options row: why mentors were excluded
    exact: bool


def solve(
    p: Profiles,
    *,
    pins: list[tuple[int, int]] = (),
    removed: set[tuple[int, int]] = frozenset(),
    top_k: int = TOP_K,
    exact_pairs: int = EXACT_PAIRS,
    progress=None,
) -> Solution:
    """The optimal assignment of profile rows to mentor columns. Pins must be allowed pairs
    (see `cohort_plan`); removed pairs are never used."""
    n, m = p.n_mentees, p.n_mentors
    room = p.mentor_room.copy()
    pinned_rows = {i for i, _ in pins}
    for _mentee, j in pins:
        room[j] -= 1
    free = np.array([i for i in range(n) if i not in pinned_rows], dtype=np.int64)
    exact = len(free) * m <= exact_pairs
    allowed_count = np.zeros(n, dtype=np.int64)
    reason_bits: list[Counter] = [Counter() for _ in range(n)]
    tails, heads, costs = [], [], []
    # Candidate edges, a chunk of mentees at a time so memory stays bounded.
    chunk = max(1, CHUNK_PAIRS // max(m, 1))
    per_mentor = int(max(room.max(initial=0), 1)) * MENTOR_TOP_FACTOR
    best_scores = np.empty((0, m), dtype=np.int16)
    best_rows = np.empty((0, m), dtype=np.int64)
    removed_by_row: dict[int, list[int]] = {}
    for i, j in removed:
        removed_by_row.setdefault(i, []).append(j)
    for start in range(0, len(free), chunk):
        rows = free[start : start + chunk]
        block = score_block(p, rows)
        allowed = (block.excluded == 0) & (room > 0)[None, :]
        for r, i in enumerate(rows):
            for j in removed_by_row.get(int(i), ()):
                allowed[r, j] = False
        counts = allowed.sum(axis=1)
        allowed_count[rows] = counts
        for r in np.flatnonzero(counts == 0):
            bits = block.excluded[r]
            reason_bits[int(rows[r])] = Counter(
                {bit: int(((bits & bit) > 0).sum()) for bit in BIT_WORDS}
            )
        score = np.where(allowed, block.score, -1).astype(np.int16)
        if exact:
            r_idx, c_idx = np.nonzero(allowed)
        else:
            k = min(top_k, m)
            top = np.argpartition(-score, k - 1, axis=1)[:, :k]
            r_idx = np.repeat(np.arange(len(rows)), k)
            c_idx = top.ravel()
            keep = score[r_idx, c_idx] >= 0
            r_idx, c_idx = r_idx[keep], c_idx[keep]
            # Each mentor also keeps its best mentees over the whole cohort, so a popular
            # mentor's places are not decided only by the mentees who rank it highest.
            stacked_s = np.concatenate([best_scores, score], axis=0)
            stacked_r = np.concatenate([best_rows, np.repeat(rows[:, None], m, axis=1)], axis=0)
            keep_n = min(per_mentor, len(stacked_s))
            top = np.argpartition(-stacked_s, keep_n - 1, axis=0)[:keep_n, :]
            best_scores = np.take_along_axis(stacked_s, top, axis=0)
            best_rows = np.take_along_axis(stacked_r, top, axis=0)
        tails.append(rows[r_idx])
        heads.append(c_idx)
        costs.append(100 - score[r_idx, c_idx].astype(np.int64))
        if progress is not None:
            progress(len(pinned_rows) + start + len(rows))
    if not exact:
        b_cols = np.tile(np.arange(m), len(best_scores))
        ok = best_scores.ravel() >= 0
        tails.append(best_rows.ravel()[ok])
        heads.append(b_cols[ok])
        costs.append(100 - best_scores.ravel()[ok].astype(np.int64))

    pin_rows = np.array([i for i, _ in pins], dtype=np.int64)
    pin_cols = np.array([j for _, j in pins], dtype=np.int64)
    pin_scores = np.array([int(score_block(p, [i]).score[0, j]) for i, j in pins], dtype=np.int64)
    if not tails or not sum(len(t) for t in tails):
        return Solution(pin_rows, pin_cols, pin_scores, allowed_count, reason_bits, exact)

    tail = np.concatenate(tails)
    head = np.concatenate(heads)
    cost = np.concatenate(costs)
    if not exact:
        # The two candidate lists overlap; keep each pair once.
        key = np.unique(tail * m + head, return_index=True)[1]
        tail, head, cost = tail[key], head[key], cost[key]
    source, sink = n + m, n + m + 1
    mentee_nodes = np.unique(tail)
    mentors_used = np.unique(head)
    flow = min_cost_flow.SimpleMinCostFlow()
    # Node ids: mentee row i -> i, mentor column j -> n + j.
    flow.add_arcs_with_capacity_and_unit_cost(
        np.full(len(mentee_nodes), source),
        mentee_nodes,
        np.ones(len(mentee_nodes)),
        np.zeros(len(mentee_nodes)),
    )
    pair_arcs = flow.add_arcs_with_capacity_and_unit_cost(
        tail, n + head, np.ones(len(tail), dtype=np.int64), cost
    )
    flow.add_arcs_with_capacity_and_unit_cost(
        n + mentors_used,
        np.full(len(mentors_used), sink),
        room[mentors_used].astype(np.int64),
        np.zeros(len(mentors_used), dtype=np.int64),
    )
    supply = len(mentee_nodes)
    flow.set_node_supply(source, supply)
    flow.set_node_supply(sink, -supply)
    status = flow.solve_max_flow_with_min_cost()
    if status != flow.OPTIMAL:
        raise RuntimeError(f"The min-cost flow solver stopped with status {status}.")
    used = flow.flows(pair_arcs) > 0
    rows = np.concatenate([pin_rows, tail[used]])
    cols = np.concatenate([pin_cols, head[used]])
    scores = np.concatenate([pin_scores, 100 - cost[used]])
    return Solution(rows, cols, scores, allowed_count, reason_bits, exact)


# --- the plan a coordinator previews ---------------------------------------------------------


@dataclass
class PlannedPair:
    mentee_id: int
    mentee_name: str
    mentor_id: int
    mentor_name: str
    score: int
    parts: list[Part]
    pinned: bool = False


@dataclass
class Unmatched:
    mentee_id: int
    mentee_name: str
    reason: str


@dataclass
class Plan:
    pairs: list[PlannedPair]
    unmatched: list[Unmatched]
    exact: bool
    problems: list[str] = field(default_factory=list)  # in the current language

    @property
    def total_score(self) -> int:
        return sum(pair.score for pair in self.pairs)

    def as_dict(self) -> dict:
        return {
            "matched": len(self.pairs),
            "unmatched": len(self.unmatched),
            "total_score": self.total_score,
            "exact": self.exact,
            "problems": self.problems,
            "pairs": [
                {
                    "mentee_id": x.mentee_id,
                    "mentor_id": x.mentor_id,
                    "score": x.score,
                    "pinned": x.pinned,
                    "parts": [{"points": part.points, "text": part.text} for part in x.parts],
                }
                for x in self.pairs
            ],
            "unmatched_mentees": [
                {"mentee_id": u.mentee_id, "reason": u.reason} for u in self.unmatched
            ],
        }


def _unmatched_reason(solution: Solution, i: int) -> tuple[str, list[str]]:
    """(msgid, msgids of the words that fill it): stored by the worker, translated when shown
    (`matching.models.unmatched_reason_text`)."""
    if solution.allowed_count[i] == 0:
        common = [BIT_WORDS[bit] for bit, count in solution.reason_bits[i].most_common(2) if count]
        if common:
            return gettext_noop(
                "No mentor with a place passes the hard constraints (most often: %(reasons)s)"
            ), common
        return gettext_noop("No mentor with a place passes the hard constraints"), []
    return gettext_noop("Every compatible mentor's places went to other mentees"), []


@dataclass
class Assignment:
    """A solved cohort before any explanation: what a background run stores."""

    profiles: Profiles
    solution: Solution
    pinned: set[tuple[int, int]]
    problems: list[dict]  # `plan_problem`s: stored as they are, translated when shown

    def pairs(self):
        """(mentee row, mentor column, score, pinned) in mentee row order."""
        s = self.solution
        for k in np.argsort(s.rows, kind="stable"):
            i, j = int(s.rows[k]), int(s.cols[k])
            yield i, j, int(s.scores[k]), (i, j) in self.pinned

    def unmatched_rows(self) -> list[int]:
        matched = set(self.solution.rows.tolist())
        return [i for i in range(self.profiles.n_mentees) if i not in matched]

    def unmatched_reason(self, i: int) -> tuple[str, list[str]]:
        return _unmatched_reason(self.solution, i)


def cohort_assign(
    program: Program,
    *,
    mentee_ids: list[int] | None = None,
    pins: list[tuple[int, int]] = (),
    removed: list[tuple[int, int]] = (),
    progress=None,
) -> Assignment:
    """Solve the cohort without explaining any pair: pins (mentee id, mentor id) are kept,
    removed pairs never used. `progress(mentees scored so far, total)` is called as it goes."""
    pool = mentee_pool(program)
    if mentee_ids is not None:
        pool = pool.filter(pk__in=mentee_ids)
    p = profiles_load(program, mentees=pool)
    problems = []
    pin_rc = []
    pinned_cols = Counter()
    for mentee_id, mentor_id in pins:
        i, j = p.mentee_index.get(mentee_id), p.mentor_index.get(mentor_id)
        if i is None or j is None:
            problems.append(
                plan_problem(gettext_noop("A pinned pair is no longer available and was dropped."))
            )
            continue
        block = score_block(p, [i])
        if block.excluded[0, j] or pinned_cols[j] >= p.mentor_room[j]:
            problems.append(
                plan_problem(
                    gettext_noop(
                        "Pinned pair %(mentee)s – %(mentor)s breaks a hard constraint or the "
                        "mentor's capacity, and was dropped."
                    ),
                    mentee=p.mentee_names[i],
                    mentor=p.mentor_names[j],
                )
            )
            continue
        pinned_cols[j] += 1
        pin_rc.append((i, j))
    removed_rc = {
        (p.mentee_index[a], p.mentor_index[b])
        for a, b in removed
        if a in p.mentee_index and b in p.mentor_index
    }
    total = p.n_mentees
    solution = solve(
        p,
        pins=pin_rc,
        removed=removed_rc,
        progress=(lambda done: progress(done, total)) if progress else None,
    )
    return Assignment(profiles=p, solution=solution, pinned=set(pin_rc), problems=problems)


def cohort_plan(
    program: Program,
    *,
    mentee_ids: list[int] | None = None,
    pins: list[tuple[int, int]] = (),
    removed: list[tuple[int, int]] = (),
) -> Plan:
    """Plan the cohort and explain every pair (`manage.py match_cohort`). The page stores a
    `cohort_assign` result instead and explains only the pairs it shows (`pairs_explain`)."""
    assignment = cohort_assign(program, mentee_ids=mentee_ids, pins=pins, removed=removed)
    p = assignment.profiles
    rows = list(assignment.pairs())
    pairs = []
    # Scored again in chunks of the solver's size: a block holds every mentor's parts for its
    # rows, so 1,000 rows x 6,000 mentors alone took ~200 MB, more than the solve itself.
    step = max(1, CHUNK_PAIRS // max(p.n_mentors, 1))
    for start in range(0, len(rows), step):
        chunk = rows[start : start + step]
        block = score_block(p, [i for i, *_ in chunk])
        for r, (i, j, _score, pinned) in enumerate(chunk):
            exp = explain(p, block, r, j)
            pairs.append(
                PlannedPair(
                    mentee_id=int(p.mentee_ids[i]),
                    mentee_name=p.mentee_names[i],
                    mentor_id=int(p.mentor_ids[j]),
                    mentor_name=p.mentor_names[j],
                    score=exp.score,
                    parts=exp.parts,
                    pinned=pinned,
                )
            )
    unmatched = [
        Unmatched(
            int(p.mentee_ids[i]),
            p.mentee_names[i],
            unmatched_reason_text(*assignment.unmatched_reason(i)),
        )
        for i in assignment.unmatched_rows()
    ]
    return Plan(
        pairs=pairs,
        unmatched=unmatched,
        exact=assignment.solution.exact,
        problems=[plan_problem_text(problem) for problem in assignment.problems],
    )


def pairs_explain(
    program: Program, pairs: list[tuple[int, int]]
) -> dict[tuple[int, int], Explanation]:
    """{(mentee id, mentor id): Explanation} for a page of pairs: the same profiles_load ->
    score_block -> explain path, loading only these mentees and mentors."""
    if not pairs:
        return {}
    p = profiles_load(
        program,
        mentees=MenteeProfile.objects.filter(program=program, pk__in={a for a, _ in pairs}),
        mentors=MentorProfile.objects.filter(pk__in={b for _, b in pairs}),
    )
    rows = [p.mentee_index[a] for a, b in pairs if a in p.mentee_index and b in p.mentor_index]
    block = score_block(p, rows)
    found = {}
    r = 0
    for a, b in pairs:
        if a in p.mentee_index and b in p.mentor_index:
            found[(a, b)] = explain(p, block, r, p.mentor_index[b])
            r += 1
    return found


class PlanRefused(ValidationError):
    """`matches_create` refused an assignment. `problems` are `plan_problem`s, for a worker to
    store and a page to show in its reader's language; `messages` are in the current one."""

    def __init__(self, problems: list[dict]):
        self.problems = problems
        super().__init__([plan_problem_text(problem) for problem in problems])


def pairs_check(
    program: Program, pairs: list[tuple[int, int]], *, must_accept: bool
) -> tuple[list[dict], dict[tuple[int, int], int]]:
    """(problems that stop an assignment from being written now, as `plan_problem`s; each
    pair's score as of now).

    Scores are recomputed here, never taken from the preview a browser sent back."""
    mentee_ids = [a for a, _ in pairs]
    p = profiles_load(program, mentees=mentee_pool(program).filter(pk__in=mentee_ids))
    problems: list[dict] = []
    scores: dict[tuple[int, int], int] = {}
    if p.n_mentees != len(set(mentee_ids)):
        problems.append(
            plan_problem(
                gettext_noop(
                    "Some mentees were matched or changed since the preview; re-run the preview."
                )
            )
        )
        return problems, scores
    use = Counter()
    rows = [p.mentee_index[a] for a, _ in pairs]
    block = score_block(p, rows)
    for r, (a, b) in enumerate(pairs):
        j = p.mentor_index.get(b)
        if j is None:
            problems.append(
                plan_problem(
                    gettext_noop("A mentor in the assignment is no longer in the program.")
                )
            )
            continue
        use[j] += 1
        scores[(a, b)] = int(block.score[r, j])
        if block.excluded[r, j] & ~MENTOR_UNAVAILABLE or not p.mentor_ok[j] and p.mentor_room[j]:
            problems.append(
                plan_problem(
                    gettext_noop("%(mentee)s – %(mentor)s now breaks a hard constraint."),
                    mentee=p.mentee_names[rows[r]],
                    mentor=p.mentor_names[j],
                )
            )
    for j, count in use.items():
        if count > p.mentor_room[j]:
            problems.append(
                # Counts as "label: number", so no plural form is needed when it is stored.
                plan_problem(
                    gettext_noop(
                        "Places left for %(mentor)s: %(room)s; mentees given to them in the "
                        "assignment: %(count)s. Re-run the preview."
                    ),
                    mentor=p.mentor_names[j],
                    room=int(p.mentor_room[j]),
                    count=count,
                )
            )
    return problems, scores

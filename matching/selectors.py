"""Reads for matching: profiles as arrays for scoring, and the lists pages show."""

from collections import defaultdict
from datetime import date

import numpy as np
from django.db.models import CharField, Exists, OuterRef, Q, QuerySet, Value

from accounts.eligibility import ineligibility_bits
from accounts.models import (
    FocusArea,
    Language,
    MenteeFocusArea,
    MenteeProfile,
    MentorProfile,
    MentorTraining,
    Philosophy,
    Program,
    Substance,
)
from matching.compatibility import DEFAULT_COMPATIBILITY
from matching.models import (
    DEFAULT_WEIGHTS,
    Match,
    MatchingSettings,
    NeverPair,
    PhilosophyCompatibility,
)
from matching.scoring import (
    CURRENT_MENTOR,
    DO_NOT_REMATCH,
    GENDER_CODES,
    NEVER_PAIR,
    NO_PLACES,
    NOT_ACCEPTING,
    SAME_PERSON,
    Profiles,
    Suggestions,
    suggestions,
)
from mentorship import access


def matching_settings_get(program: Program) -> MatchingSettings:
    """The program's settings, or unsaved defaults (reading never writes)."""
    return MatchingSettings.objects.filter(program=program).first() or MatchingSettings(
        program=program
    )


def effective_weights(settings: MatchingSettings) -> dict[str, int]:
    """Weights scaled to add up to exactly 100, so every score is out of 100."""
    raw = settings.weights
    total = sum(raw.values())
    if total == 100:
        return raw
    if total == 0:
        return dict(DEFAULT_WEIGHTS)
    scaled = {k: v * 100 // total for k, v in raw.items()}
    largest = max(raw, key=raw.get)
    scaled[largest] += 100 - sum(scaled.values())
    return scaled


def compatibility_matrix(program: Program, philosophies: list) -> np.ndarray:
    index = {ph.pk: k for k, ph in enumerate(philosophies)}
    size = len(philosophies)
    matrix = np.full((size, size), PhilosophyCompatibility.DEFAULT_CROSS, dtype=np.int64)
    for a, mentee_ph in enumerate(philosophies):
        for b, mentor_ph in enumerate(philosophies):
            if a == b:
                matrix[a, b] = 100
            else:
                matrix[a, b] = DEFAULT_COMPATIBILITY.get(
                    (mentee_ph.name, mentor_ph.name), matrix[a, b]
                )
    rows = PhilosophyCompatibility.objects.filter(program=program).values_list(
        "mentee_philosophy_id", "mentor_philosophy_id", "compatibility"
    )
    for mentee_ph, mentor_ph, value in rows:
        if mentee_ph in index and mentor_ph in index:
            matrix[index[mentee_ph], index[mentor_ph]] = value
    return matrix


def _bool_matrix(pairs, rows: dict[int, int], cols: dict[int, int], shape) -> np.ndarray:
    out = np.zeros(shape, dtype=bool)
    r = [rows[a] for a, b in pairs if a in rows and b in cols]
    c = [cols[b] for a, b in pairs if a in rows and b in cols]
    out[r, c] = True
    return out


def waiting_mentees() -> QuerySet:
    """Mentees waiting for a mentor: mentored arm, enrolled, no current match or proposal."""
    busy = Match.objects.filter(
        mentee=OuterRef("pk"), status__in=[*Match.CURRENT, Match.Status.PROPOSED]
    )
    return MenteeProfile.objects.filter(
        study_arm=MenteeProfile.Arm.MENTORED, status=MenteeProfile.Status.ENROLLED
    ).exclude(Exists(busy))


def mentee_pool(program: Program) -> QuerySet:
    """The mentees a cohort run of this program may match."""
    return waiting_mentees().filter(program=program)


def profiles_load(
    program: Program,
    *,
    mentees: QuerySet,
    mentors: QuerySet | None = None,
    today: date | None = None,
) -> Profiles:
    """The program's mentors (or `mentors`) and the given mentees as arrays, in a constant
    number of queries whatever their count."""
    settings = matching_settings_get(program)
    philosophies, focus_areas, substances = _vocabularies(program)
    languages = list(Language.objects.all())
    vocabulary_ids = {
        "philosophy": [x.pk for x in philosophies],
        "focus": [x.pk for x in focus_areas],
        "language": [x.pk for x in languages],
        "substance": [x.pk for x in substances],
    }
    ph_idx, fo_idx, la_idx, su_idx = (
        {pk: k for k, pk in enumerate(vocabulary_ids[name])}
        for name in ("philosophy", "focus", "language", "substance")
    )

    mentor_qs = (mentors if mentors is not None else MentorProfile.objects.all()).filter(
        program=program
    )
    mentor_sub = mentor_qs.order_by().values("pk")
    mentor_arrays = _mentor_arrays(
        mentor_qs,
        program=program,
        today=today or program.today(),
        index={"philosophy": ph_idx, "focus": fo_idx, "language": la_idx, "substance": su_idx},
    )
    mentor_ids, mentor_user_ids = mentor_arrays["mentor_ids"], mentor_arrays["mentor_user_ids"]
    mi = {int(pk): j for j, pk in enumerate(mentor_ids)}

    # Mentees.
    mentee_sub = mentees.values("pk")
    mentee_arrays = _mentee_arrays(mentees, ph_idx, fo_idx, la_idx, su_idx)
    mentee_ids = mentee_arrays["mentee_ids"]
    mentee_user_ids = mentee_arrays["mentee_user_ids"]
    ni = {int(pk): i for i, pk in enumerate(mentee_ids)}

    # Pair exclusions for these mentees.
    pair_bits: dict[tuple[int, int], int] = defaultdict(int)
    pair_notes: dict[tuple[int, int], str] = {}
    for mentee_id, mentor_id, reason in NeverPair.objects.filter(
        mentee_id__in=mentee_sub, mentor_id__in=mentor_sub
    ).values_list("mentee_id", "mentor_id", "reason"):
        if mentee_id in ni and mentor_id in mi:
            key = (ni[mentee_id], mi[mentor_id])
            pair_bits[key] |= NEVER_PAIR
            pair_notes[key] = NeverPair.Reason(reason).label
    for mentee_id, mentor_id, status in (
        Match.objects.filter(mentee_id__in=mentee_sub, mentor_id__in=mentor_sub)
        .filter(status__in=[*Match.CURRENT, Match.Status.PROPOSED, Match.Status.ENDED])
        .exclude(status=Match.Status.ENDED, do_not_rematch=False)
        .values_list("mentee_id", "mentor_id", "status")
    ):
        if mentee_id in ni and mentor_id in mi:
            bit = DO_NOT_REMATCH if status == Match.Status.ENDED else CURRENT_MENTOR
            pair_bits[(ni[mentee_id], mi[mentor_id])] |= bit
    mentor_by_user = {int(user_id): j for j, user_id in enumerate(mentor_user_ids)}
    for i, user_id in enumerate(mentee_user_ids):
        if int(user_id) in mentor_by_user:
            pair_bits[(i, mentor_by_user[int(user_id)])] |= SAME_PERSON

    return Profiles(
        weights=effective_weights(settings),
        philosophy_names=[x.name for x in philosophies],
        focus_names=[x.name for x in focus_areas],
        language_names=[x.name for x in languages],
        substance_names=[x.name for x in substances],
        compat=compatibility_matrix(program, philosophies),
        **mentor_arrays,
        **mentee_arrays,
        pair_bits=dict(pair_bits),
        pair_notes=pair_notes,
        vocabulary_ids=vocabulary_ids,
    )


def _mentor_arrays(mentor_qs: QuerySet, *, program: Program, today: date, index: dict) -> dict:
    """The mentors as arrays, from plain values: at 10,000 mentors, building model instances
    cost more than the query itself. Their vocabulary terms, trainings and places taken come as
    (mentor, id) pairs, one query per table, gathered with numpy: a correlated array subquery
    per mentor and table cost most of the suggestions page at 3,000 mentors. Eligibility
    reasons come from accounts.eligibility, the one place its rules are written."""
    rows = list(
        mentor_qs.order_by("pk").values_list(
            "pk",
            "user_id",
            "first_name",
            "last_name",
            "user__email",
            "gender",
            "availability",
            "capacity",
            "accepting_new",
            "is_active",
            "recovery_since",
        )
    )
    columns = list(zip(*rows, strict=True)) or [()] * 11
    (pk, user_id, first, last, email, gender, availability, capacity, accepting, active,
     since) = columns  # fmt: skip
    mentor_ids = np.array(pk, dtype=np.int64)
    mentor_sub = mentor_qs.order_by().values("pk")

    def pairs(queryset: QuerySet, owner: str, term: str) -> tuple[np.ndarray, np.ndarray]:
        """(row of the mentor in the arrays, term id) for the mentors' rows of a table."""
        found = np.array(
            list(queryset.filter(**{f"{owner}__in": mentor_sub}).values_list(owner, term)),
            dtype=np.int64,
        ).reshape(-1, 2)
        return np.searchsorted(mentor_ids, found[:, 0]), found[:, 1]

    def linked(field: str, column: str) -> tuple[np.ndarray, np.ndarray]:
        return pairs(getattr(MentorProfile, field).through.objects, "mentorprofile_id", column)

    # The mentor's current and proposed matches.
    taken_rows, _ = pairs(
        Match.objects.filter(status__in=[*Match.CURRENT, Match.Status.PROPOSED]), "mentor_id", "pk"
    )
    taken = np.bincount(taken_rows, minlength=len(rows)).astype(np.int64)
    training_rows, training_done = pairs(MentorTraining.objects, "mentor_id", "training_id")
    training_ids: list[list[int]] = [[] for _ in rows]
    for row, training in zip(training_rows.tolist(), training_done.tolist(), strict=True):
        training_ids[row].append(training)
    capacity_a = np.array(capacity, dtype=np.int64)
    active_a = np.array(active, dtype=bool)
    # Eligibility in one pass over the arrays (accounts' rules, as bits), then matching's own.
    required = list(program.required_trainings.values_list("pk", "name"))
    months = program.min_recovery_months or 0
    why, missing = ineligibility_bits(
        is_active=active_a,
        recovery_since=list(since),
        training_ids=training_ids,
        required_ids=[pk for pk, _ in required],
        months=months,
        today=today,
    )
    why |= np.where(np.array(accepting, dtype=bool), 0, NOT_ACCEPTING)
    why |= np.where((capacity_a - taken <= 0) & active_a, NO_PLACES, 0)
    count = len(rows)
    return {
        "mentor_ids": mentor_ids,
        "mentor_user_ids": np.array(user_id, dtype=np.int64),
        "mentor_names": [
            f"{a} {b}".strip() or c for a, b, c in zip(first, last, email, strict=True)
        ],
        "mentor_philosophies": _membership(
            *linked("philosophies", "philosophy_id"), count, index["philosophy"]
        ),
        "mentor_focus": _membership(*linked("focus_areas", "focusarea_id"), count, index["focus"]),
        "mentor_languages": _membership(
            *linked("languages", "language_id"), count, index["language"]
        ),
        "mentor_substances": _membership(
            *linked("lived_substances", "substance_id"), count, index["substance"]
        ),
        "mentor_gender": np.array([GENDER_CODES.get(g, -1) for g in gender], dtype=np.int64),
        "mentor_availability": np.array(availability, dtype=np.int64),
        "mentor_capacity": capacity_a,
        "mentor_room": np.maximum(capacity_a - taken, 0),
        "mentor_taken": taken,
        "mentor_why": why,
        "mentor_missing_trainings": missing,
        "min_recovery_months": months,
        "required_training_names": [name for _, name in required],
    }


def _membership(rows: np.ndarray, ids: np.ndarray, count: int, index: dict[int, int]) -> np.ndarray:
    """(count, vocabulary) bool: row r has term k when index[id] == k for a pair (r, id).
    Ids outside the index (inactive terms) are left out."""
    out = np.zeros((count, len(index)), dtype=bool)
    if not index or not ids.size:
        return out
    known = np.array(sorted(index), dtype=np.int64)
    columns = np.array([index[k] for k in known], dtype=np.int64)
    at = np.minimum(np.searchsorted(known, ids), len(known) - 1)
    found = known[at] == ids
    out[rows[found], columns[at[found]]] = True
    return out


def _vocabularies(program: Program) -> tuple[list, list, list]:
    """The program's active philosophies, focus areas and substances, in one query."""
    kinds = {"philosophy": Philosophy, "focus": FocusArea, "substance": Substance}
    parts = [
        model.objects.filter(program=program, is_active=True)
        .order_by()
        .values_list("pk", "name", "position", Value(kind, output_field=CharField()))
        for kind, model in kinds.items()
    ]
    rows = sorted(parts[0].union(*parts[1:], all=True), key=lambda r: (r[2], r[1]))
    found: dict[str, list] = {kind: [] for kind in kinds}
    for pk, name, _, kind in rows:
        found[kind].append(kinds[kind](pk=pk, name=name, program=program))
    return found["philosophy"], found["focus"], found["substance"]


def _mentee_arrays(mentees: QuerySet, ph_idx, fo_idx, la_idx, su_idx) -> dict:
    rows = list(
        mentees.order_by("pk").values_list(
            "pk",
            "user_id",
            "first_name",
            "last_name",
            "preferred_philosophy_id",
            "philosophy_required",
            "preferred_mentor_gender",
            "mentor_gender_required",
            "availability",
        )
    )
    n = len(rows)
    ni = {row[0]: i for i, row in enumerate(rows)}
    mentee_sub = mentees.values("pk")

    def mentee_m2m(field: str, target: str, idx):
        through = getattr(MenteeProfile, field).through
        pairs = through.objects.filter(menteeprofile_id__in=mentee_sub).values_list(
            "menteeprofile_id", f"{target}_id"
        )
        return _bool_matrix(pairs, ni, idx, (n, len(idx)))

    focus = np.zeros((n, len(fo_idx)), dtype=np.int64)
    for mentee_id, area_id, priority in MenteeFocusArea.objects.filter(
        mentee_id__in=mentee_sub
    ).values_list("mentee_id", "focus_area_id", "priority"):
        if mentee_id in ni and area_id in fo_idx:
            focus[ni[mentee_id], fo_idx[area_id]] = priority
    return {
        "mentee_ids": np.array([row[0] for row in rows], dtype=np.int64),
        "mentee_user_ids": np.array([row[1] for row in rows], dtype=np.int64),
        "mentee_names": [f"{row[2]} {row[3]}".strip() for row in rows],
        "mentee_philosophy": np.array(
            [ph_idx.get(row[4], -1) if row[4] else -1 for row in rows], dtype=np.int64
        ),
        "mentee_philosophy_required": np.array([row[5] for row in rows], dtype=bool),
        "mentee_focus": focus,
        "mentee_languages": mentee_m2m("languages", "language", la_idx),
        "mentee_substances": mentee_m2m("substances", "substance", su_idx),
        "mentee_gender_pref": np.array(
            [GENDER_CODES.get(row[6], -1) if row[6] else -1 for row in rows], dtype=np.int64
        ),
        "mentee_gender_required": np.array([row[7] for row in rows], dtype=bool),
        "mentee_availability": np.array([row[8] for row in rows], dtype=np.int64),
    }


def mentee_suggestions(
    program: Program, mentee: MenteeProfile, *, limit: int | None = None
) -> Suggestions:
    """One mentee's suggestions, scored by the same code as cohort matching: the best `limit`
    allowed mentors (all when None) explained part by part, and the excluded ones with reasons.
    The suggestions page and bench/matching_suggest.py call this."""
    profiles = profiles_load(program, mentees=MenteeProfile.objects.filter(pk=mentee.pk))
    return suggestions(profiles, 0, limit=limit)


def mentor_search(user, program: Program, text: str) -> QuerySet:
    """The program's mentors this user may see whose name has every word of
    `text`, by name: the never-pair picker. Other programs' mentors are never found."""
    found = access.scope(user, MentorProfile.objects.filter(program=program))
    for word in text.split()[:4]:
        found = found.filter(Q(first_name__icontains=word) | Q(last_name__icontains=word))
    return found.select_related("user").order_by("first_name", "last_name", "pk")

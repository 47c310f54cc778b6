"""Compatibility scores (0-100) with their parts, and the hard constraints, for many pairs at once.

Profiles are loaded once into numpy arrays (`matching.selectors.profiles_load`); `score_block`
scores a block of mentees against every mentor with array operations. The same arrays give the
plain-sentence explanation of any pair (`explain`), so the numbers a coordinator reads are the
numbers the cohort solver optimised.

Each part's points are whole numbers, rounded half up in integer arithmetic, so the parts of an
explanation always add up to the score shown.
"""

from dataclasses import dataclass, field

import numpy as np
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy

from accounts import eligibility
from accounts.models import AVAILABILITY_SLOTS, Gender
from matching.models import DEFAULT_WEIGHTS

PARTS = list(DEFAULT_WEIGHTS)  # philosophy, focus, language, gender, substance, availability
# Three shared weekly slots leave room for a weekly meeting whatever comes up.
AVAILABILITY_ENOUGH = 3

GENDER_CODES = {value: code for code, value in enumerate(Gender.values)}
# The sentences name the gender: "Mentor is a woman, as preferred".
GENDER_NOUNS = {
    "woman": pgettext_lazy("mentor is", "a woman"),
    "man": pgettext_lazy("mentor is", "a man"),
    "nonbinary": pgettext_lazy("mentor is", "non-binary"),
}

# Why a pair is excluded: one bit each, so a block of pairs carries its reasons in one array.
NO_LANGUAGE = 1
GENDER_REQUIRED = 2
PHILOSOPHY_REQUIRED = 4
PHILOSOPHY_INCOMPATIBLE = 8
NEVER_PAIR = 16
DO_NOT_REMATCH = 32
CURRENT_MENTOR = 64
SAME_PERSON = 128
MENTOR_UNAVAILABLE = 256  # a mentor-level reason (ineligible, not accepting, no places left)

# Mentor-level reasons (Profiles.mentor_why): accounts' eligibility bits, then matching's own.
NOT_ACCEPTING = 16
NO_PLACES = 32
MENTOR_WHY = {
    eligibility.INACTIVE: gettext_lazy("Mentor profile is inactive"),
    eligibility.NO_RECOVERY_DATE: gettext_lazy("Needs a continuous-recovery start date"),
    eligibility.SHORT_RECOVERY: gettext_lazy("Not enough continuous recovery"),
    eligibility.MISSING_TRAINING: gettext_lazy("Needs a required training"),
    NOT_ACCEPTING: gettext_lazy("Not accepting new mentees"),
    NO_PLACES: gettext_lazy("No places left"),
}


@dataclass
class Profiles:
    """Everything scoring needs, as arrays; rows are mentees, columns mentors."""

    weights: dict[str, int]
    # vocabularies: names by column index
    philosophy_names: list[str]
    focus_names: list[str]
    language_names: list[str]
    substance_names: list[str]
    compat: np.ndarray  # (P, P) int: [mentee philosophy, mentor philosophy] -> 0..100
    # mentors
    mentor_ids: np.ndarray  # (m,)
    mentor_user_ids: np.ndarray
    mentor_names: list[str]
    mentor_philosophies: np.ndarray  # (m, P) bool
    mentor_focus: np.ndarray  # (m, F) bool
    mentor_languages: np.ndarray  # (m, L) bool
    mentor_substances: np.ndarray  # (m, S) bool
    mentor_gender: np.ndarray  # (m,) int code, -1 unknown
    mentor_availability: np.ndarray  # (m,) int64 bitmask
    mentor_capacity: np.ndarray  # (m,) int
    mentor_room: np.ndarray  # (m,) int: places left for new mentees
    mentor_why: np.ndarray  # (m,) int mentor-level exclusion bits (MENTOR_WHY), 0 = available
    # mentees
    mentee_ids: np.ndarray  # (n,)
    mentee_user_ids: np.ndarray
    mentee_names: list[str]
    mentee_philosophy: np.ndarray  # (n,) int, -1 no preference
    mentee_philosophy_required: np.ndarray  # (n,) bool
    mentee_focus: np.ndarray  # (n, F) int priority 0..3
    mentee_languages: np.ndarray  # (n, L) bool
    mentee_substances: np.ndarray  # (n, S) bool
    mentee_gender_pref: np.ndarray  # (n,) int code, -1 none
    mentee_gender_required: np.ndarray  # (n,) bool
    mentee_availability: np.ndarray  # (n,) int64
    # sparse pair exclusions: (mentee row, mentor column) -> bits, and the never-pair reason text
    pair_bits: dict[tuple[int, int], int] = field(default_factory=dict)
    pair_notes: dict[tuple[int, int], str] = field(default_factory=dict)
    # database ids of the vocabulary columns (empty for synthetic profiles)
    vocabulary_ids: dict[str, list[int]] = field(default_factory=dict)
    # what the mentor-level reasons' sentences name
    min_recovery_months: int = 0
    required_training_names: list[str] = field(default_factory=list)
    mentor_missing_trainings: np.ndarray | None = None  # (m, R) bool
    mentor_taken: np.ndarray | None = None  # (m,) current and proposed matches

    def __post_init__(self):
        self.mentor_index = {int(pk): j for j, pk in enumerate(self.mentor_ids)}
        self.mentee_index = {int(pk): i for i, pk in enumerate(self.mentee_ids)}
        self.mentor_why = np.asarray(self.mentor_why, dtype=np.int64)
        self.mentor_ok = self.mentor_why == 0
        if self.mentor_missing_trainings is None:
            self.mentor_missing_trainings = np.zeros((len(self.mentor_ids), 0), dtype=bool)
        if self.mentor_taken is None:
            self.mentor_taken = self.mentor_capacity - self.mentor_room
        # Best compatibility each mentor offers for each mentee philosophy: (m, P).
        if self.compat.size:
            self.philosophy_fit = (
                self.mentor_philosophies[:, None, :] * self.compat[None, :, :]
            ).max(axis=2)
        else:
            self.philosophy_fit = np.zeros((len(self.mentor_ids), 0), dtype=np.int64)
        self.philosophy_points_by_pref = np.ascontiguousarray(
            points(self.weights["philosophy"], self.philosophy_fit, 100).astype(np.int16).T
        )
        # 0 in the table means incompatible; a mentor with no philosophy recorded is unscored.
        self.incompatible_by_pref = np.ascontiguousarray(
            ((self.philosophy_fit == 0) & self.mentor_philosophies.any(axis=1)[:, None]).T
        )
        self.follows_by_pref = np.ascontiguousarray(self.mentor_philosophies.T)
        self.mentor_focus_t = np.ascontiguousarray(self.mentor_focus.T)
        self.mentor_languages_t = np.ascontiguousarray(self.mentor_languages.T)
        self.mentor_substances_t = np.ascontiguousarray(self.mentor_substances.T)
        self.mentor_has_language = self.mentor_languages.any(axis=1)
        self.mentee_has_language = self.mentee_languages.any(axis=1)
        self.mentee_focus_total = self.mentee_focus.sum(axis=1)
        self.mentee_substance_count = self.mentee_substances.sum(axis=1)
        # Pair exclusions grouped by mentee row, for blocks.
        self.pairs_by_row: dict[int, list[tuple[int, int]]] = {}
        for (i, j), bits in self.pair_bits.items():
            self.pairs_by_row.setdefault(i, []).append((j, bits))

    def mentor_reasons(self, j: int, why: int | None = None) -> list[str]:
        """Why mentor column j takes no new mentee, in sentences (empty when available).
        `why`: only these of its MENTOR_WHY bits (all of them when None)."""
        why = int(self.mentor_why[j]) if why is None else why
        if not why:
            return []
        reasons = eligibility.ineligibility_words(
            why,
            self.mentor_missing_trainings[j],
            months=self.min_recovery_months,
            required_names=self.required_training_names,
        )
        if why & NOT_ACCEPTING:
            reasons.append(_("Not accepting new mentees"))
        if why & NO_PLACES:
            capacity, taken = int(self.mentor_capacity[j]), int(self.mentor_taken[j])
            reasons.append(
                _("No places left (%(taken)s of %(capacity)s taken)")
                % {"taken": taken, "capacity": capacity}
            )
        return reasons

    @property
    def n_mentees(self) -> int:
        return len(self.mentee_ids)

    @property
    def n_mentors(self) -> int:
        return len(self.mentor_ids)


def points(weight: int, num, den):
    """weight x num / den rounded half up, in integers (den > 0)."""
    return (2 * weight * num + den) // (2 * den)


@dataclass
class Block:
    rows: np.ndarray  # mentee rows scored
    score: np.ndarray  # (b, m) int
    parts: dict[str, np.ndarray]  # each (b, m) int
    excluded: np.ndarray  # (b, m) int bits, 0 = allowed


def _points_f32(weight: int, num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """`points` on float32 arrays (BLAS-sized blocks). Exact: numerators and denominators are
    small integers, so the correctly rounded quotient never crosses an integer wrongly."""
    return np.floor((2 * weight * num + den) / (2 * den)).astype(np.int16)


def _overlap(mentee: np.ndarray, mentor_t: np.ndarray) -> np.ndarray:
    """(b, K) weights x (K, m) membership -> (b, m) weighted overlap, one vocabulary term at a
    time. Not a matrix product: BLAS threads on a busy server were the slowest part here."""
    out = np.zeros((mentee.shape[0], mentor_t.shape[1]), dtype=np.int16)
    weights = mentee.astype(np.int16)
    for k in np.flatnonzero(weights.any(axis=0)):
        out += weights[:, k, None] * mentor_t[k][None, :]
    return out


def score_block(p: Profiles, rows) -> Block:
    """Score mentees `rows` against every mentor, with the reasons any pair is excluded."""
    rows = np.asarray(rows, dtype=np.int64)
    w = p.weights
    b, m = len(rows), p.n_mentors
    bits = np.zeros((b, m), dtype=np.int16)
    parts = {}
    i16 = np.int16

    # Philosophy: best compatibility among the mentor's philosophies with the mentee's choice.
    phil = p.mentee_philosophy[rows]
    has_pref = phil >= 0
    if p.philosophy_fit.shape[1]:
        # Row gathers from (P, m) tables: each mentee's row is one contiguous copy.
        col = np.where(has_pref, phil, 0)
        parts["philosophy"] = np.where(
            has_pref[:, None], p.philosophy_points_by_pref[col], i16(w["philosophy"])
        )
        bits += (has_pref[:, None] & p.incompatible_by_pref[col]) * i16(PHILOSOPHY_INCOMPATIBLE)
        required = (has_pref & p.mentee_philosophy_required[rows])[:, None]
        bits += (required & ~p.follows_by_pref[col]) * i16(PHILOSOPHY_REQUIRED)
    else:
        parts["philosophy"] = np.full((b, m), w["philosophy"], dtype=i16)

    # Focus areas, weighted by the mentee's priorities.
    total = p.mentee_focus_total[rows].astype(np.float32)[:, None]
    shared = _overlap(p.mentee_focus[rows], p.mentor_focus_t).astype(np.float32)
    parts["focus"] = np.where(
        total > 0, _points_f32(w["focus"], shared, np.maximum(total, 1)), i16(w["focus"])
    )

    # Language: a shared one is required whenever both sides recorded any.
    mentee_lang = p.mentee_has_language[rows][:, None]
    common = _overlap(p.mentee_languages[rows], p.mentor_languages_t) > 0
    parts["language"] = (common | ~mentee_lang) * i16(w["language"])
    bits += (mentee_lang & p.mentor_has_language[None, :] & ~common) * i16(NO_LANGUAGE)

    # Gender preference; a requirement excludes everyone else.
    pref = p.mentee_gender_pref[rows][:, None]
    same = p.mentor_gender[None, :] == pref
    parts["gender"] = ((pref < 0) | same) * i16(w["gender"])
    required = p.mentee_gender_required[rows][:, None] & (pref >= 0)
    bits += (required & ~same) * i16(GENDER_REQUIRED)

    # Shared lived experience with the mentee's substances.
    count = p.mentee_substance_count[rows].astype(np.float32)[:, None]
    shared = _overlap(p.mentee_substances[rows], p.mentor_substances_t).astype(np.float32)
    parts["substance"] = np.where(
        count > 0, _points_f32(w["substance"], shared, np.maximum(count, 1)), i16(0)
    )

    # Availability: shared weekly slots, enough at AVAILABILITY_ENOUGH (a lookup by count).
    slots = np.bitwise_count(p.mentee_availability[rows][:, None] & p.mentor_availability[None, :])
    by_count = np.array(
        [
            points(w["availability"], min(k, AVAILABILITY_ENOUGH), AVAILABILITY_ENOUGH)
            for k in range(65)
        ],
        dtype=i16,
    )
    parts["availability"] = by_count[slots]

    bits += (~p.mentor_ok * i16(MENTOR_UNAVAILABLE))[None, :]
    for r, i in enumerate(rows):
        for j, pair in p.pairs_by_row.get(int(i), ()):
            bits[r, j] |= pair
    # Points are at most 100: small integers keep a block of a million pairs in a few MB.
    parts = {key: np.asarray(parts[key], dtype=i16) for key in PARTS}
    score = sum(parts.values()).astype(i16)
    return Block(rows=rows, score=score, parts=parts, excluded=bits)


# --- Explanations: sentences from the same arrays --------------------------------------------


@dataclass
class Part:
    key: str
    points: int
    weight: int
    text: str


@dataclass
class Explanation:
    mentor_id: int
    mentor_name: str
    score: int
    parts: list[Part]
    reasons: list[str]  # why excluded; empty when the pair is allowed
    room: int


def _names(names: list[str], mask) -> list[str]:
    return [names[k] for k in np.flatnonzero(mask)]


def _and(items: list[str]) -> str:
    # "A and B": the conjunction is translated, the names are the vocabulary's.
    return _(" and ").join(items)


def _or(items: list[str]) -> str:
    return _(" or ").join(items)


def _listing(items: list[str]) -> str:
    return ", ".join(item.lower() for item in items)


def explain(p: Profiles, block: Block, r: int, j: int) -> Explanation:
    """The parts of one pair's score and why it is excluded, in plain sentences."""
    i = int(block.rows[r])
    w = p.weights
    pts = {key: int(block.parts[key][r, j]) for key in PARTS}
    parts = []

    phil = int(p.mentee_philosophy[i])
    mentor_phils = _names(p.philosophy_names, p.mentor_philosophies[j])
    if phil < 0:
        text = _("No philosophy preference")
    elif p.mentor_philosophies[j, phil]:
        text = _("Both follow %(philosophy)s") % {"philosophy": p.philosophy_names[phil]}
    elif mentor_phils:
        text = _(
            "Mentee prefers %(philosophy)s; mentor follows %(mentor_philosophies)s (fit %(fit)s%%)"
        ) % {
            "philosophy": p.philosophy_names[phil],
            "mentor_philosophies": _and(mentor_phils),
            "fit": int(p.philosophy_fit[j, phil]),
        }
    else:
        text = _("Mentee prefers %(philosophy)s; mentor's philosophy not recorded") % {
            "philosophy": p.philosophy_names[phil]
        }
    parts.append(Part("philosophy", pts["philosophy"], w["philosophy"], text))

    needs = p.mentee_focus[i] > 0
    if not needs.any():
        text = _("No focus areas recorded")
    else:
        both = np.flatnonzero(needs & p.mentor_focus[j])
        # The mentee's highest priorities first.
        shared = [p.focus_names[k] for k in sorted(both, key=lambda k: -p.mentee_focus[i, k])]
        total = int(needs.sum())
        counts = {"shared": len(shared), "total": total, "names": _listing(shared)}
        if shared:
            text = (
                ngettext(
                    "Shares %(shared)s of %(total)s focus area (%(names)s)",
                    "Shares %(shared)s of %(total)s focus areas (%(names)s)",
                    total,
                )
                % counts
            )
        else:
            text = (
                ngettext(
                    "Shares %(shared)s of %(total)s focus area",
                    "Shares %(shared)s of %(total)s focus areas",
                    total,
                )
                % counts
            )
    parts.append(Part("focus", pts["focus"], w["focus"], text))

    common = _names(p.language_names, p.mentee_languages[i] & p.mentor_languages[j])
    if not p.mentee_has_language[i]:
        text = _("Mentee's language not recorded")
    elif common:
        text = _("Both speak %(languages)s") % {"languages": _and(common)}
    else:
        text = _("No shared language")
    parts.append(Part("language", pts["language"], w["language"], text))

    pref = int(p.mentee_gender_pref[i])
    if pref < 0:
        text = _("No gender preference")
    else:
        noun = GENDER_NOUNS.get(Gender.values[pref], Gender.values[pref])
        if int(p.mentor_gender[j]) == pref:
            text = _("Mentor is %(gender)s, as preferred") % {"gender": noun}
        else:
            text = _("Mentee prefers a mentor who is %(gender)s") % {"gender": noun}
    parts.append(Part("gender", pts["gender"], w["gender"], text))

    if not p.mentee_substances[i].any():
        text = _("Mentee's substances not recorded")
    else:
        shared = _names(p.substance_names, p.mentee_substances[i] & p.mentor_substances[j])
        text = (
            _("Shared lived experience (%(substances)s)") % {"substances": _listing(shared)}
            if shared
            else _("No shared lived experience")
        )
    parts.append(Part("substance", pts["substance"], w["substance"], text))

    both = int(p.mentee_availability[i]) & int(p.mentor_availability[j])
    labels = [label for bit, label in AVAILABILITY_SLOTS if both & (1 << bit)]
    if labels:
        text = ngettext(
            "Shares %(count)s weekly time slot (%(slots)s)",
            "Shares %(count)s weekly time slots (%(slots)s)",
            len(labels),
        ) % {
            "count": len(labels),
            "slots": ", ".join(labels[:3]) + (", …" if len(labels) > 3 else ""),
        }
    else:
        text = _("No shared weekly time slot")
    parts.append(Part("availability", pts["availability"], w["availability"], text))

    return Explanation(
        mentor_id=int(p.mentor_ids[j]),
        mentor_name=p.mentor_names[j],
        score=int(block.score[r, j]),
        parts=parts,
        reasons=exclusion_reasons(p, i, j, int(block.excluded[r, j])),
        room=int(p.mentor_room[j]),
    )


def exclusion_reasons(p: Profiles, i: int, j: int, bits: int, why: int | None = None) -> list[str]:
    """The sentences for a pair's exclusion `bits`; `why` as in `Profiles.mentor_reasons`."""
    reasons = p.mentor_reasons(j, why) if bits & MENTOR_UNAVAILABLE else []
    phil = int(p.mentee_philosophy[i])
    if bits & PHILOSOPHY_REQUIRED:
        reasons.append(
            _("Mentee requires a mentor who follows %(philosophy)s")
            % {"philosophy": p.philosophy_names[phil]}
        )
    if bits & PHILOSOPHY_INCOMPATIBLE:
        reasons.append(
            _("Mentor's philosophy is marked incompatible with %(philosophy)s")
            % {"philosophy": p.philosophy_names[phil]}
        )
    if bits & NO_LANGUAGE:
        langs = _names(p.language_names, p.mentee_languages[i])
        reasons.append(
            _("No shared language (mentee speaks %(languages)s)") % {"languages": _or(langs)}
        )
    if bits & GENDER_REQUIRED:
        noun = GENDER_NOUNS.get(Gender.values[int(p.mentee_gender_pref[i])], "")
        reasons.append(_("Mentee requires a mentor who is %(gender)s") % {"gender": noun})
    if bits & NEVER_PAIR:
        note = p.pair_notes.get((i, j), None)
        if note is None:
            note = _("coordinator exclusion")
        reasons.append(_("Never pair: %(note)s") % {"note": note})
    if bits & DO_NOT_REMATCH:
        reasons.append(_("A past match between them ended with “do not rematch”"))
    if bits & CURRENT_MENTOR:
        reasons.append(_("Already this mentee's mentor"))
    if bits & SAME_PERSON:
        reasons.append(_("Same person"))
    return reasons


# The excluded mentors of one mentee, grouped by reason: pair reasons by their bit, mentor-level
# ones by MENTOR_WHY (a mentor with two reasons counts in both groups).
PAIR_GROUPS = {
    NO_LANGUAGE: gettext_lazy("No shared language"),
    GENDER_REQUIRED: gettext_lazy("Not the gender the mentee requires"),
    PHILOSOPHY_REQUIRED: gettext_lazy("Not the philosophy the mentee requires"),
    PHILOSOPHY_INCOMPATIBLE: gettext_lazy("Philosophy marked incompatible"),
    NEVER_PAIR: gettext_lazy("Never pair"),
    DO_NOT_REMATCH: gettext_lazy("Do not rematch"),
    CURRENT_MENTOR: gettext_lazy("Already this mentee's mentor"),
    SAME_PERSON: gettext_lazy("Same person"),
}


@dataclass
class ExcludedGroup:
    key: str  # "pair-<bit>" or "mentor-<bit>": the page's filter value
    label: str
    count: int


@dataclass
class Suggestions:
    allowed: list[Explanation]  # the best allowed mentors (up to the limit), explained
    allowed_count: int  # every allowed mentor, shown or not
    excluded_columns: np.ndarray  # every excluded mentor column, best score first, then name
    excluded_groups: list[ExcludedGroup]  # how many are excluded for each reason
    profiles: Profiles
    block: Block

    @property
    def excluded_count(self) -> int:
        return len(self.excluded_columns)

    def excluded_in(self, key: str | None) -> np.ndarray:
        """The excluded columns in one reason group (all of them for None or an unknown key)."""
        kind, _, bit = (key or "").partition("-")
        if not bit.isdigit():
            return self.excluded_columns
        cols = self.excluded_columns
        if kind == "pair":
            return cols[(self.block.excluded[0, cols] & int(bit)) > 0]
        if kind == "mentor":
            return cols[(self.profiles.mentor_why[cols] & int(bit)) > 0]
        return cols

    def excluded_explained(self, columns) -> list[Explanation]:
        """Reasons for just these excluded mentors (a page of them)."""
        p, block = self.profiles, self.block
        i = int(block.rows[0])
        return [
            Explanation(
                mentor_id=int(p.mentor_ids[j]),
                mentor_name=p.mentor_names[j],
                score=int(block.score[0, j]),
                parts=[],
                reasons=exclusion_reasons(p, i, int(j), int(block.excluded[0, j])),
                room=int(p.mentor_room[j]),
            )
            for j in columns
        ]

    @property
    def excluded(self) -> list[Explanation]:
        return self.excluded_explained(self.excluded_columns)


def suggestions(p: Profiles, mentee_row: int, *, limit: int | None = None) -> Suggestions:
    """One mentee's ranked mentors: the best `limit` allowed ones (all when None) explained
    part by part; the excluded ones ordered and counted by reason, explained only when a page
    of them is shown (`Suggestions.excluded_explained`). Ties in score are listed by name.

    One vectorised pass over the mentors' arrays: with thousands of mentors, explaining or even
    visiting each one in Python cost more than reading them."""
    block = score_block(p, [mentee_row])
    score, bits = block.score[0], block.excluded[0]
    names = np.array(p.mentor_names, dtype=str)

    def best_first(columns: np.ndarray) -> np.ndarray:
        # lexsort: last key first; names as the tie-break.
        return columns[np.lexsort((names[columns], -score[columns].astype(np.int64)))]

    allowed = np.flatnonzero(bits == 0)
    if limit is not None and len(allowed) > limit:
        # The limit-th best score: only mentors scoring at least that can be shown.
        cut = np.partition(score[allowed], len(allowed) - limit)[len(allowed) - limit]
        allowed_shown = best_first(allowed[score[allowed] >= cut])[:limit]
    else:
        allowed_shown = best_first(allowed)
    excluded = best_first(np.flatnonzero(bits))
    groups = []
    if len(excluded):
        pair_bits = bits[excluded]
        for bit, label in PAIR_GROUPS.items():
            count = int(np.count_nonzero(pair_bits & bit))
            if count:
                groups.append(ExcludedGroup(f"pair-{bit}", label, count))
        why = p.mentor_why[excluded]
        for bit, label in MENTOR_WHY.items():
            count = int(np.count_nonzero(why & bit))
            if count:
                groups.append(ExcludedGroup(f"mentor-{bit}", label, count))
        groups.sort(key=lambda g: -g.count)
    return Suggestions(
        allowed=[explain(p, block, 0, int(j)) for j in allowed_shown],
        allowed_count=len(allowed),
        excluded_columns=excluded,
        excluded_groups=groups,
        profiles=p,
        block=block,
    )

"""Reads for matching: profiles as arrays for scoring, and the lists pages show."""

from collections import defaultdict
from datetime import date

import numpy as np
from django.db.models import Count, QuerySet

from accounts.eligibility import mentors_with_eligibility
from accounts.models import (
    FocusArea,
    Language,
    MenteeFocusArea,
    MenteeProfile,
    MentorProfile,
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
    SAME_PERSON,
    Profiles,
)


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


def mentee_pool(program: Program) -> QuerySet:
    """Mentees a cohort run may match: mentored arm, enrolled, no current match or proposal."""
    busy = Match.objects.filter(
        program=program, status__in=[*Match.CURRENT, Match.Status.PROPOSED]
    ).values("mentee_id")
    return MenteeProfile.objects.filter(
        program=program,
        study_arm=MenteeProfile.Arm.MENTORED,
        status=MenteeProfile.Status.ENROLLED,
    ).exclude(pk__in=busy)


def profiles_load(program: Program, *, mentees: QuerySet, today: date | None = None) -> Profiles:
    """All of the program's mentors and the given mentees as arrays, in a constant number of
    queries whatever their count."""
    settings = matching_settings_get(program)
    philosophies = list(Philosophy.objects.filter(program=program, is_active=True))
    focus_areas = list(FocusArea.objects.filter(program=program, is_active=True))
    substances = list(Substance.objects.filter(program=program, is_active=True))
    languages = list(Language.objects.all())
    ph_idx = {x.pk: k for k, x in enumerate(philosophies)}
    fo_idx = {x.pk: k for k, x in enumerate(focus_areas)}
    su_idx = {x.pk: k for k, x in enumerate(substances)}
    la_idx = {x.pk: k for k, x in enumerate(languages)}

    # Mentors, with eligibility under the program's rules and places left.
    taken: dict[int, int] = defaultdict(int)
    for mentor_id, n in (
        Match.objects.filter(program=program, status__in=[*Match.CURRENT, Match.Status.PROPOSED])
        .values_list("mentor_id")
        .annotate(n=Count("pk"))
    ):
        taken[mentor_id] = n
    mentor_qs = MentorProfile.objects.filter(program=program).select_related("user")
    mentors, reasons = [], []
    for mentor, why in mentors_with_eligibility(mentor_qs, program=program, today=today):
        why = list(why)
        if not mentor.accepting_new:
            why.append("Not accepting new mentees")
        if mentor.capacity - taken[mentor.pk] <= 0 and mentor.is_active:
            why.append(f"No places left ({taken[mentor.pk]} of {mentor.capacity} taken)")
        mentors.append(mentor)
        reasons.append(why)
    m = len(mentors)
    mi = {x.pk: j for j, x in enumerate(mentors)}
    mentor_sub = mentor_qs.values("pk")

    def mentor_m2m(field: str, target: str, idx, size):
        through = getattr(MentorProfile, field).through
        pairs = through.objects.filter(mentorprofile_id__in=mentor_sub).values_list(
            "mentorprofile_id", f"{target}_id"
        )
        return _bool_matrix(pairs, mi, idx, (m, size))

    # Mentees.
    mentee_rows = list(
        mentees.order_by("pk").values_list(
            "pk",
            "user_id",
            "user__first_name",
            "user__last_name",
            "preferred_philosophy_id",
            "philosophy_required",
            "preferred_mentor_gender",
            "mentor_gender_required",
            "availability",
        )
    )
    n = len(mentee_rows)
    ni = {row[0]: i for i, row in enumerate(mentee_rows)}
    mentee_sub = mentees.values("pk")

    def mentee_m2m(field: str, target: str, idx, size):
        through = getattr(MenteeProfile, field).through
        pairs = through.objects.filter(menteeprofile_id__in=mentee_sub).values_list(
            "menteeprofile_id", f"{target}_id"
        )
        return _bool_matrix(pairs, ni, idx, (n, size))

    focus = np.zeros((n, len(focus_areas)), dtype=np.int64)
    for mentee_id, area_id, priority in MenteeFocusArea.objects.filter(
        mentee_id__in=mentee_sub
    ).values_list("mentee_id", "focus_area_id", "priority"):
        if mentee_id in ni and area_id in fo_idx:
            focus[ni[mentee_id], fo_idx[area_id]] = priority

    # Pair exclusions for these mentees.
    pair_bits: dict[tuple[int, int], int] = defaultdict(int)
    pair_notes: dict[tuple[int, int], str] = {}
    for mentee_id, mentor_id, reason in NeverPair.objects.filter(
        mentee_id__in=mentee_sub
    ).values_list("mentee_id", "mentor_id", "reason"):
        if mentee_id in ni and mentor_id in mi:
            key = (ni[mentee_id], mi[mentor_id])
            pair_bits[key] |= NEVER_PAIR
            pair_notes[key] = NeverPair.Reason(reason).label
    for mentee_id, mentor_id, status in (
        Match.objects.filter(mentee_id__in=mentee_sub)
        .filter(status__in=[*Match.CURRENT, Match.Status.PROPOSED, Match.Status.ENDED])
        .exclude(status=Match.Status.ENDED, do_not_rematch=False)
        .values_list("mentee_id", "mentor_id", "status")
    ):
        if mentee_id in ni and mentor_id in mi:
            bit = DO_NOT_REMATCH if status == Match.Status.ENDED else CURRENT_MENTOR
            pair_bits[(ni[mentee_id], mi[mentor_id])] |= bit
    mentor_by_user = {x.user_id: j for j, x in enumerate(mentors)}
    for i, row in enumerate(mentee_rows):
        if row[1] in mentor_by_user:
            pair_bits[(i, mentor_by_user[row[1]])] |= SAME_PERSON

    gender_pref = [GENDER_CODES.get(row[6], -1) if row[6] else -1 for row in mentee_rows]
    return Profiles(
        weights=effective_weights(settings),
        philosophy_names=[x.name for x in philosophies],
        focus_names=[x.name for x in focus_areas],
        language_names=[x.name for x in languages],
        substance_names=[x.name for x in substances],
        compat=compatibility_matrix(program, philosophies),
        mentor_ids=np.array([x.pk for x in mentors], dtype=np.int64),
        mentor_user_ids=np.array([x.user_id for x in mentors], dtype=np.int64),
        mentor_names=[str(x.user) for x in mentors],
        mentor_philosophies=mentor_m2m("philosophies", "philosophy", ph_idx, len(philosophies)),
        mentor_focus=mentor_m2m("focus_areas", "focusarea", fo_idx, len(focus_areas)),
        mentor_languages=mentor_m2m("languages", "language", la_idx, len(languages)),
        mentor_substances=mentor_m2m("lived_substances", "substance", su_idx, len(substances)),
        mentor_gender=np.array([GENDER_CODES.get(x.gender, -1) for x in mentors], dtype=np.int64),
        mentor_availability=np.array([x.availability for x in mentors], dtype=np.int64),
        mentor_capacity=np.array([x.capacity for x in mentors], dtype=np.int64),
        mentor_room=np.array([max(x.capacity - taken[x.pk], 0) for x in mentors], dtype=np.int64),
        mentor_reasons=reasons,
        mentee_ids=np.array([row[0] for row in mentee_rows], dtype=np.int64),
        mentee_user_ids=np.array([row[1] for row in mentee_rows], dtype=np.int64),
        mentee_names=[f"{row[2]} {row[3]}".strip() for row in mentee_rows],
        mentee_philosophy=np.array(
            [ph_idx.get(row[4], -1) if row[4] else -1 for row in mentee_rows], dtype=np.int64
        ),
        mentee_philosophy_required=np.array([row[5] for row in mentee_rows], dtype=bool),
        mentee_focus=focus,
        mentee_languages=mentee_m2m("languages", "language", la_idx, len(languages)),
        mentee_substances=mentee_m2m("substances", "substance", su_idx, len(substances)),
        mentee_gender_pref=np.array(gender_pref, dtype=np.int64),
        mentee_gender_required=np.array([row[7] for row in mentee_rows], dtype=bool),
        mentee_availability=np.array([row[8] for row in mentee_rows], dtype=np.int64),
        pair_bits=dict(pair_bits),
        pair_notes=pair_notes,
    )


def mentee_suggestions(program: Program, mentee: MenteeProfile):
    """Ranked allowed mentors and excluded mentors (with reasons) for one mentee."""
    from matching.scoring import suggestions

    profiles = profiles_load(program, mentees=MenteeProfile.objects.filter(pk=mentee.pk))
    return suggestions(profiles, 0)

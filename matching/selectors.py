"""Reads for matching: profiles as arrays for scoring, and the lists pages show."""

from collections import defaultdict
from dataclasses import replace
from datetime import date

import numpy as np
from dateutil.relativedelta import relativedelta
from django.db import connection
from django.db.models import CharField, Count, Exists, OuterRef, QuerySet, Value

from accounts.eligibility import ineligibility_reasons, mentors_with_eligibility
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
    points,
    suggestions,
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

    # Mentors, with eligibility under the program's rules and places left.
    mentor_qs = (mentors if mentors is not None else MentorProfile.objects.all()).filter(
        program=program
    )
    mentor_sub = mentor_qs.order_by().values("pk")
    if mentors is not None and mentors.query.is_empty():
        # Just the mentees (e.g. before the database ranks mentors): no mentor queries at all.
        mentor_qs = MentorProfile.objects.none()
    taken: dict[int, int] = defaultdict(int)
    for mentor_id, n in (
        Match.objects.filter(
            mentor_id__in=mentor_sub, status__in=[*Match.CURRENT, Match.Status.PROPOSED]
        )
        .values_list("mentor_id")
        .annotate(n=Count("pk"))
    ):
        taken[mentor_id] = n
    mentor_list, reasons = [], []
    eligibility = (
        mentors_with_eligibility(
            mentor_qs.select_related("user").order_by("pk"), program=program, today=today
        )
        if not mentor_qs.query.is_empty()
        else ()
    )
    for mentor, why in eligibility:
        why = list(why)
        if not mentor.accepting_new:
            why.append("Not accepting new mentees")
        if mentor.capacity - taken[mentor.pk] <= 0 and mentor.is_active:
            why.append(f"No places left ({taken[mentor.pk]} of {mentor.capacity} taken)")
        mentor_list.append(mentor)
        reasons.append(why)
    m = len(mentor_list)
    mi = {x.pk: j for j, x in enumerate(mentor_list)}

    def mentor_m2m(field: str, target: str, idx):
        through = getattr(MentorProfile, field).through
        pairs = through.objects.filter(mentorprofile_id__in=mentor_sub).values_list(
            "mentorprofile_id", f"{target}_id"
        )
        return _bool_matrix(pairs, mi, idx, (m, len(idx)))

    mentor_arrays = {
        "mentor_ids": np.array([x.pk for x in mentor_list], dtype=np.int64),
        "mentor_user_ids": np.array([x.user_id for x in mentor_list], dtype=np.int64),
        "mentor_names": [str(x.user) for x in mentor_list],
        "mentor_philosophies": mentor_m2m("philosophies", "philosophy", ph_idx),
        "mentor_focus": mentor_m2m("focus_areas", "focusarea", fo_idx),
        "mentor_languages": mentor_m2m("languages", "language", la_idx),
        "mentor_substances": mentor_m2m("lived_substances", "substance", su_idx),
        "mentor_gender": np.array(
            [GENDER_CODES.get(x.gender, -1) for x in mentor_list], dtype=np.int64
        ),
        "mentor_availability": np.array([x.availability for x in mentor_list], dtype=np.int64),
        "mentor_capacity": np.array([x.capacity for x in mentor_list], dtype=np.int64),
        "mentor_room": np.array(
            [max(x.capacity - taken[x.pk], 0) for x in mentor_list], dtype=np.int64
        ),
        "mentor_reasons": reasons,
    }

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
    mentor_by_user = {x.user_id: j for j, x in enumerate(mentor_list)}
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
            "user__first_name",
            "user__last_name",
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


# The ranking half of `mentee_top_suggestions`, computed by PostgreSQL so a program with
# thousands of mentors is not loaded into Python for ten suggestions. It mirrors `score_block`
# part for part (same integer rounding) and every hard constraint; a test checks the two agree.
RANK_SQL = """
WITH me AS (SELECT %(mentee)s::bigint AS id, %(mentee_user)s::bigint AS user_id)
SELECT m.id, (
    COALESCE(
        (SELECT max(ph.pts) FROM accounts_mentorprofile_philosophies mp
         JOIN unnest(%(ph_ids)s::bigint[], %(ph_pts)s::int[]) AS ph(id, pts)
           ON ph.id = mp.philosophy_id
         WHERE mp.mentorprofile_id = m.id),
        %(ph_none)s)
  + CASE WHEN %(fo_total)s > 0 THEN
        (2 * %(w_focus)s * COALESCE(
            (SELECT sum(fo.pr) FROM accounts_mentorprofile_focus_areas mf
             JOIN unnest(%(fo_ids)s::bigint[], %(fo_pr)s::int[]) AS fo(id, pr)
               ON fo.id = mf.focusarea_id
             WHERE mf.mentorprofile_id = m.id), 0) + %(fo_total)s) / (2 * %(fo_total)s)
    ELSE %(w_focus)s END
  + CASE WHEN cardinality(%(langs)s::bigint[]) = 0 OR EXISTS (
        SELECT 1 FROM accounts_mentorprofile_languages ml
        WHERE ml.mentorprofile_id = m.id AND ml.language_id = ANY(%(langs)s::bigint[]))
    THEN %(w_language)s ELSE 0 END
  + CASE WHEN %(gender)s = '' OR m.gender = %(gender)s THEN %(w_gender)s ELSE 0 END
  + CASE WHEN cardinality(%(subs)s::bigint[]) > 0 THEN
        (2 * %(w_substance)s * (SELECT count(*) FROM accounts_mentorprofile_lived_substances ms
            WHERE ms.mentorprofile_id = m.id AND ms.substance_id = ANY(%(subs)s::bigint[]))
         + cardinality(%(subs)s::bigint[])) / (2 * cardinality(%(subs)s::bigint[]))
    ELSE 0 END
  + (2 * %(w_availability)s * LEAST(bit_count((m.availability & %(avail)s)::bit(21)), 3) + 3)
    / 6
) AS score
FROM accounts_mentorprofile m, me
WHERE m.program_id = %(program)s AND m.is_active AND m.accepting_new
  AND (%(months)s = 0 OR m.recovery_since <= %(cutoff)s)
  AND NOT EXISTS (
    SELECT 1 FROM accounts_program_required_trainings r
    WHERE r.program_id = %(program)s AND NOT EXISTS (
        SELECT 1 FROM accounts_mentortraining t
        WHERE t.mentor_id = m.id AND t.training_id = r.training_id))
  AND m.capacity > (SELECT count(*) FROM matching_match x
                    WHERE x.mentor_id = m.id AND x.status IN ('active', 'paused', 'proposed'))
  AND m.user_id <> me.user_id
  AND (cardinality(%(langs)s::bigint[]) = 0
       OR NOT EXISTS (SELECT 1 FROM accounts_mentorprofile_languages ml
                      WHERE ml.mentorprofile_id = m.id)
       OR EXISTS (SELECT 1 FROM accounts_mentorprofile_languages ml
                  WHERE ml.mentorprofile_id = m.id
                    AND ml.language_id = ANY(%(langs)s::bigint[])))
  AND (NOT %(gender_required)s OR m.gender = %(gender)s)
  AND (%(required_ph)s::bigint IS NULL OR EXISTS (
        SELECT 1 FROM accounts_mentorprofile_philosophies mp
        WHERE mp.mentorprofile_id = m.id AND mp.philosophy_id = %(required_ph)s))
  AND COALESCE(
        (SELECT max(ph.fit) FROM accounts_mentorprofile_philosophies mp
         JOIN unnest(%(ph_ids)s::bigint[], %(ph_fit)s::int[]) AS ph(id, fit)
           ON ph.id = mp.philosophy_id
         WHERE mp.mentorprofile_id = m.id), 1) > 0
  AND NOT EXISTS (SELECT 1 FROM matching_neverpair n
                  WHERE n.mentee_id = me.id AND n.mentor_id = m.id)
  AND NOT EXISTS (SELECT 1 FROM matching_match x
                  WHERE x.mentee_id = me.id AND x.mentor_id = m.id
                    AND (x.status IN ('active', 'paused', 'proposed') OR x.do_not_rematch))
ORDER BY score DESC, m.id
LIMIT %(limit)s
"""


def rank_params(program: Program, p: Profiles, *, limit: int, today: date | None = None):
    """Parameters of RANK_SQL for the one mentee in `p` (loaded with no mentors)."""
    w = p.weights
    ids = p.vocabulary_ids
    pref = int(p.mentee_philosophy[0])
    today = today or program.today()
    if pref >= 0:
        fit = [int(c) for c in p.compat[pref]]
        pts = [int(points(w["philosophy"], c, 100)) for c in fit]
    else:
        fit, pts = [100] * len(ids["philosophy"]), [w["philosophy"]] * len(ids["philosophy"])
    focus = p.mentee_focus[0]
    gender = "" if p.mentee_gender_pref[0] < 0 else Gender.values[int(p.mentee_gender_pref[0])]
    return {
        "mentee": int(p.mentee_ids[0]),
        "mentee_user": int(p.mentee_user_ids[0]),
        "program": program.pk,
        "ph_ids": ids["philosophy"],
        "ph_pts": pts,
        # A mentor without any philosophy recorded: full points without a preference, else 0.
        "ph_none": 0 if pref >= 0 else w["philosophy"],
        # A mentor whose best fit is 0 is incompatible (a mentor with none recorded is not).
        "ph_fit": fit,
        "required_ph": ids["philosophy"][pref]
        if pref >= 0 and p.mentee_philosophy_required[0]
        else None,
        "fo_ids": [ids["focus"][k] for k in np.flatnonzero(focus)],
        "fo_pr": [int(focus[k]) for k in np.flatnonzero(focus)],
        "fo_total": int(focus.sum()),
        "langs": [ids["language"][k] for k in np.flatnonzero(p.mentee_languages[0])],
        "subs": [ids["substance"][k] for k in np.flatnonzero(p.mentee_substances[0])],
        "gender": gender,
        "gender_required": bool(p.mentee_gender_required[0] and gender),
        "avail": int(p.mentee_availability[0]),
        "months": program.min_recovery_months,
        "cutoff": today - relativedelta(months=program.min_recovery_months),
        "limit": limit,
        **{f"w_{key}": value for key, value in w.items()},
    }


# The ranked candidates with everything scoring and eligibility need, in the same round trip.
_CANDIDATES_TAIL = """
SELECT m.id, m.user_id, u.email, u.first_name, u.last_name, m.gender, m.availability,
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
FROM ranked
JOIN accounts_mentorprofile m ON m.id = ranked.id
JOIN accounts_user u ON u.id = m.user_id
ORDER BY ranked.score DESC, m.id
"""
CANDIDATES_SQL = "WITH ranked AS (" + RANK_SQL + ")" + _CANDIDATES_TAIL


def _mentor_arrays_from_rows(rows, *, program: Program, vocabulary_ids, today: date) -> dict:
    """The mentor half of Profiles from CANDIDATES_SQL rows; eligibility still comes from
    accounts.eligibility, one mentor at a time."""
    required = list(program.required_trainings.all())
    index = {
        name: {pk: k for k, pk in enumerate(vocabulary_ids[name])}
        for name in ("philosophy", "focus", "language", "substance")
    }
    m = len(rows)

    def matrix(column: int, name: str) -> np.ndarray:
        out = np.zeros((m, len(index[name])), dtype=bool)
        for j, row in enumerate(rows):
            for pk in row[column]:
                if pk in index[name]:
                    out[j, index[name][pk]] = True
        return out

    reasons = []
    for row in rows:
        mentor = MentorProfile(pk=row[0], is_active=row[9], recovery_since=row[10])
        why = ineligibility_reasons(
            mentor, program=program, required=required, completed_ids=set(row[16]), today=today
        )
        if not row[8]:
            why.append("Not accepting new mentees")
        if row[7] - row[11] <= 0 and row[9]:
            why.append(f"No places left ({row[11]} of {row[7]} taken)")
        reasons.append(why)
    return {
        "mentor_ids": np.array([row[0] for row in rows], dtype=np.int64),
        "mentor_user_ids": np.array([row[1] for row in rows], dtype=np.int64),
        "mentor_names": [f"{row[3]} {row[4]}".strip() or row[2] for row in rows],
        "mentor_philosophies": matrix(12, "philosophy"),
        "mentor_focus": matrix(13, "focus"),
        "mentor_languages": matrix(14, "language"),
        "mentor_substances": matrix(15, "substance"),
        "mentor_gender": np.array([GENDER_CODES.get(row[5], -1) for row in rows], dtype=np.int64),
        "mentor_availability": np.array([row[6] for row in rows], dtype=np.int64),
        "mentor_capacity": np.array([row[7] for row in rows], dtype=np.int64),
        "mentor_room": np.array([max(row[7] - row[11], 0) for row in rows], dtype=np.int64),
        "mentor_reasons": reasons,
    }


def mentee_top_suggestions(program: Program, mentee: MenteeProfile, *, limit: int = 10):
    """The `limit` best allowed mentors for one mentee, explained: PostgreSQL ranks every
    mentor and returns the candidates' profiles (CANDIDATES_SQL); `matching.scoring` scores
    and explains them, re-checking eligibility through accounts.eligibility."""
    today = program.today()
    one = MenteeProfile.objects.filter(pk=mentee.pk)
    me = profiles_load(program, mentees=one, mentors=MentorProfile.objects.none(), today=today)
    # A little slack in case the re-check below disagrees with the database about a mentor.
    params = rank_params(program, me, limit=limit + 3, today=today)
    with connection.cursor() as cursor:
        cursor.execute(CANDIDATES_SQL, params)
        rows = cursor.fetchall()
    mentor_arrays = _mentor_arrays_from_rows(
        rows, program=program, vocabulary_ids=me.vocabulary_ids, today=today
    )
    allowed, _ = suggestions(replace(me, **mentor_arrays), 0)
    return allowed[:limit]


def mentee_suggestions(program: Program, mentee: MenteeProfile, *, explain_top: int | None = None):
    """Ranked allowed mentors and excluded mentors (with reasons) for one mentee; the first
    `explain_top` allowed ones (all when None) with every part of their score explained."""
    profiles = profiles_load(program, mentees=MenteeProfile.objects.filter(pk=mentee.pk))
    return suggestions(profiles, 0, explain_top=explain_top)

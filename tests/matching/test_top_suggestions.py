"""One scorer: the suggestions page's short list is the head of the full ranking, and cohort
matching gives a pair the score and explanation the suggestions page shows."""

import random
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import (
    FocusArea,
    Language,
    MenteeFocusArea,
    MenteeProfile,
    MentorTraining,
    Philosophy,
    Substance,
    Training,
)
from matching.cohort import cohort_plan
from matching.models import Match, MatchingSettings, PhilosophyCompatibility
from matching.selectors import mentee_suggestions
from tests import factories

pytestmark = pytest.mark.django_db


def test_short_list_and_cohort_plan_score_like_the_full_suggestions():
    rng = random.Random(4)
    program = factories.ProgramFactory()
    MatchingSettings.objects.create(
        program=program,
        weight_philosophy=23,
        weight_focus=29,
        weight_language=7,
        weight_gender=13,
        weight_substance=17,
        weight_availability=11,
    )
    philosophies = list(Philosophy.objects.filter(program=program))
    PhilosophyCompatibility.objects.create(
        program=program,
        mentee_philosophy=philosophies[2],
        mentor_philosophy=philosophies[0],
        compatibility=0,
    )
    focus = list(FocusArea.objects.filter(program=program))
    substances = list(Substance.objects.filter(program=program))
    languages = list(Language.objects.filter(code__in=["en", "es", "vi"]))
    training = Training.objects.filter(program=program).first()
    program.required_trainings.set([training])
    today = timezone.now().date()
    mentors = []
    suggested = 0
    for _ in range(40):
        mentor = factories.MentorProfileFactory(
            program=program,
            gender=rng.choice(["woman", "man", ""]),
            capacity=rng.randint(0, 3),
            accepting_new=rng.random() > 0.1,
            availability=rng.getrandbits(21),
            recovery_since=today - timedelta(days=rng.choice([30, 400, 2000])),
        )
        mentor.philosophies.set(rng.sample(philosophies, rng.randint(0, 2)))
        mentor.focus_areas.set(rng.sample(focus, rng.randint(0, 4)))
        mentor.languages.set(rng.sample(languages, rng.randint(0, 2)))
        mentor.lived_substances.set(rng.sample(substances, rng.randint(0, 2)))
        if rng.random() > 0.1:
            MentorTraining.objects.create(mentor=mentor, training=training, completed_on=today)
        mentors.append(mentor)
    for k in range(8):
        mentee = factories.MenteeProfileFactory(
            program=program,
            preferred_philosophy=rng.choice([None, *philosophies]),
            philosophy_required=rng.random() < 0.3,
            preferred_mentor_gender=rng.choice(["", "woman", "man"]),
            mentor_gender_required=rng.random() < 0.3,
            availability=rng.getrandbits(21),
        )
        mentee.languages.set(rng.sample(languages, rng.randint(0, 2)))
        mentee.substances.set(rng.sample(substances, rng.randint(0, 3)))
        for n, area in enumerate(rng.sample(focus, rng.randint(0, 3))):
            MenteeFocusArea.objects.create(mentee=mentee, focus_area=area, priority=3 - n)
        if k % 3 == 0:
            factories.NeverPairFactory(program=program, mentee=mentee, mentor=rng.choice(mentors))
            Match.objects.create(
                program=program,
                mentee=mentee,
                mentor=rng.choice(mentors),
                status="ended",
                end_reason="safety",
                do_not_rematch=True,
            )

        full = mentee_suggestions(program, mentee)
        top = mentee_suggestions(program, mentee, limit=10)

        assert [(s.mentor_id, s.score) for s in top.allowed] == [
            (s.mentor_id, s.score) for s in full.allowed[:10]
        ]
        assert [s.parts for s in top.allowed] == [s.parts for s in full.allowed[:10]]
        assert top.allowed_count == len(full.allowed)
        assert all(not s.reasons for s in top.allowed)
        assert {s.mentor_id for s in top.excluded} == {s.mentor_id for s in full.excluded}
        suggested += len(top.allowed)
    assert suggested > 20  # the comparison was not vacuous

    # The cohort plan scores and explains each pair exactly as the suggestions page does.
    plan = cohort_plan(program)
    assert plan.pairs
    for pair in plan.pairs:
        mentee = MenteeProfile.objects.get(pk=pair.mentee_id)
        shown = {s.mentor_id: s for s in mentee_suggestions(program, mentee).allowed}
        assert shown[pair.mentor_id].score == pair.score
        assert shown[pair.mentor_id].parts == pair.parts

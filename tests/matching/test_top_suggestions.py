"""The database ranking behind fast top-10 suggestions agrees with the array scoring."""

import random
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import (
    FocusArea,
    Language,
    MenteeFocusArea,
    MentorTraining,
    Philosophy,
    Substance,
    Training,
)
from matching.models import Match, MatchingSettings, PhilosophyCompatibility
from matching.selectors import mentee_suggestions, mentee_top_suggestions
from tests import factories

pytestmark = pytest.mark.django_db


def test_database_ranking_matches_the_array_scoring():
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

        allowed, _ = mentee_suggestions(program, mentee)
        top = mentee_top_suggestions(program, mentee, limit=10)

        assert [s.score for s in top] == [s.score for s in allowed[:10]]
        assert all(not s.reasons for s in top)
        suggested += len(top)
    assert suggested > 20  # the comparison was not vacuous

"""Each score part, each hard constraint, and the sentences that explain them."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import (
    FocusArea,
    Language,
    MenteeFocusArea,
    MenteeProfile,
    Philosophy,
    Substance,
)
from matching.models import Match, MatchingSettings, PhilosophyCompatibility
from matching.selectors import mentee_suggestions
from tests import factories

pytestmark = pytest.mark.django_db


def term(model, program, prefix):
    return model.objects.get(program=program, name__startswith=prefix)


@pytest.fixture
def program():
    return factories.ProgramFactory()


def suggest(program, mentee):
    found = mentee_suggestions(program, mentee)
    return {e.mentor_id: e for e in found.allowed}, {e.mentor_id: e for e in found.excluded}


def part(explanation, key):
    return next(p for p in explanation.parts if p.key == key)


def test_same_philosophy_earns_full_points_with_a_sentence(program):
    smart = term(Philosophy, program, "SMART")
    mentor = factories.MentorProfileFactory(program=program)
    mentor.philosophies.set([smart])
    mentee = factories.MenteeProfileFactory(program=program, preferred_philosophy=smart)

    allowed, _ = suggest(program, mentee)

    phil = part(allowed[mentor.pk], "philosophy")
    assert (phil.points, phil.text) == (30, "Both follow SMART Recovery")


def test_philosophy_fit_comes_from_the_compatibility_table(program):
    moud = term(Philosophy, program, "Medication")
    twelve = term(Philosophy, program, "12-step")
    harm = term(Philosophy, program, "Harm")
    mentor12 = factories.MentorProfileFactory(program=program)
    mentor12.philosophies.set([twelve])
    mentor_harm = factories.MentorProfileFactory(program=program)
    mentor_harm.philosophies.set([harm])
    mentee = factories.MenteeProfileFactory(program=program, preferred_philosophy=moud)

    allowed, _ = suggest(program, mentee)

    assert part(allowed[mentor_harm.pk], "philosophy").points == 24  # 80% of 30
    assert part(allowed[mentor12.pk], "philosophy").points == 3  # 10% of 30

    PhilosophyCompatibility.objects.create(
        program=program, mentee_philosophy=moud, mentor_philosophy=twelve, compatibility=0
    )
    allowed, excluded = suggest(program, mentee)
    assert mentor12.pk not in allowed
    assert excluded[mentor12.pk].reasons == [
        "Mentor's philosophy is marked incompatible with Medication-assisted (MOUD-affirming)"
    ]


def test_required_philosophy_excludes_mentors_who_do_not_follow_it(program):
    smart = term(Philosophy, program, "SMART")
    secular = term(Philosophy, program, "Secular")
    mentor = factories.MentorProfileFactory(program=program)
    mentor.philosophies.set([secular])
    mentee = factories.MenteeProfileFactory(
        program=program, preferred_philosophy=smart, philosophy_required=True
    )

    _, excluded = suggest(program, mentee)

    assert excluded[mentor.pk].reasons == ["Mentee requires a mentor who follows SMART Recovery"]


def test_focus_overlap_is_weighted_by_priority(program):
    housing = term(FocusArea, program, "Housing")
    work = term(FocusArea, program, "Employment")
    legal = term(FocusArea, program, "Legal")
    mentor = factories.MentorProfileFactory(program=program)
    mentor.focus_areas.set([housing, work])
    mentee = factories.MenteeProfileFactory(program=program)
    for area, priority in [(housing, 3), (work, 2), (legal, 1)]:
        MenteeFocusArea.objects.create(mentee=mentee, focus_area=area, priority=priority)

    allowed, _ = suggest(program, mentee)

    focus = part(allowed[mentor.pk], "focus")
    assert focus.points == 21  # 25 x 5/6
    assert focus.text == "Shares 2 of 3 focus areas (housing, employment and job search)"


def test_shared_language_scores_and_no_shared_language_excludes(program):
    english, spanish = Language.objects.get(code="en"), Language.objects.get(code="es")
    bilingual = factories.MentorProfileFactory(program=program)
    bilingual.languages.set([english, spanish])
    english_only = factories.MentorProfileFactory(program=program)
    english_only.languages.set([english])
    mentee = factories.MenteeProfileFactory(program=program)
    mentee.languages.set([spanish])

    allowed, excluded = suggest(program, mentee)

    assert part(allowed[bilingual.pk], "language").text == "Both speak Spanish"
    assert part(allowed[bilingual.pk], "language").points == 10
    assert excluded[english_only.pk].reasons == ["No shared language (mentee speaks Spanish)"]


def test_gender_preference_scores_and_a_requirement_excludes(program):
    woman = factories.MentorProfileFactory(program=program, gender="woman")
    man = factories.MentorProfileFactory(program=program, gender="man")
    prefers = factories.MenteeProfileFactory(program=program, preferred_mentor_gender="woman")
    requires = factories.MenteeProfileFactory(
        program=program, preferred_mentor_gender="woman", mentor_gender_required=True
    )

    allowed, _ = suggest(program, prefers)
    assert part(allowed[woman.pk], "gender").points == 10
    assert part(allowed[woman.pk], "gender").text == "Mentor is a woman, as preferred"
    assert part(allowed[man.pk], "gender").points == 0

    allowed, excluded = suggest(program, requires)
    assert woman.pk in allowed
    assert excluded[man.pk].reasons == ["Mentee requires a mentor who is a woman"]


def test_shared_lived_experience_and_availability(program):
    opioids = term(Substance, program, "Opioids")
    alcohol = term(Substance, program, "Alcohol")
    mentor = factories.MentorProfileFactory(program=program, availability=0b1111)
    mentor.lived_substances.set([opioids])
    mentee = factories.MenteeProfileFactory(program=program, availability=0b0110)
    mentee.substances.set([opioids, alcohol])

    allowed, _ = suggest(program, mentee)

    assert part(allowed[mentor.pk], "substance").points == 5
    assert part(allowed[mentor.pk], "substance").text == "Shared lived experience (opioids)"
    availability = part(allowed[mentor.pk], "availability")
    assert availability.points == 10  # 2 of 3 slots x 15
    assert availability.text == "Shares 2 weekly time slots (Mon afternoon, Mon evening)"


def test_parts_add_up_to_the_score_and_weights_come_from_the_program(program):
    MatchingSettings.objects.create(
        program=program,
        weight_philosophy=0,
        weight_focus=0,
        weight_language=0,
        weight_gender=100,
        weight_substance=0,
        weight_availability=0,
    )
    mentor = factories.MentorProfileFactory(program=program, gender="man")
    mentee = factories.MenteeProfileFactory(program=program, preferred_mentor_gender="man")

    allowed, _ = suggest(program, mentee)

    assert allowed[mentor.pk].score == 100
    assert sum(p.points for p in allowed[mentor.pk].parts) == 100


def test_mentor_level_constraints_show_their_reasons(program):
    full = factories.MentorProfileFactory(program=program, capacity=1)
    factories.MatchFactory(program=program, mentor=full)
    closed = factories.MentorProfileFactory(program=program, accepting_new=False)
    new = factories.MentorProfileFactory(
        program=program, recovery_since=timezone.now().date() - timedelta(days=30)
    )
    mentee = factories.MenteeProfileFactory(program=program)

    allowed, excluded = suggest(program, mentee)

    assert not allowed
    assert excluded[full.pk].reasons == ["No places left (1 of 1 taken)"]
    assert excluded[closed.pk].reasons == ["Not accepting new mentees"]
    assert excluded[new.pk].reasons == ["Needs 6 months of continuous recovery"]


def test_never_pair_and_do_not_rematch_exclude(program):
    mentee = factories.MenteeProfileFactory(program=program)
    never = factories.NeverPairFactory(program=program, mentee=mentee, reason="using").mentor
    past = factories.MatchFactory(
        program=program,
        mentee=mentee,
        status=Match.Status.ENDED,
        end_reason=Match.EndReason.SAFETY,
        do_not_rematch=True,
    ).mentor
    fine_past = factories.MatchFactory(
        program=program, mentee=mentee, status=Match.Status.ENDED, end_reason="other"
    ).mentor

    allowed, excluded = suggest(program, mentee)

    assert excluded[never.pk].reasons == ["Never pair: Past using relationship"]
    assert excluded[past.pk].reasons == ["A past match between them ended with “do not rematch”"]
    assert fine_past.pk in allowed


def test_suggestions_are_ranked_best_first(program):
    smart = term(Philosophy, program, "SMART")
    best = factories.MentorProfileFactory(program=program)
    best.philosophies.set([smart])
    other = factories.MentorProfileFactory(program=program)
    mentee = factories.MenteeProfileFactory(program=program, preferred_philosophy=smart)
    assert mentee.status == MenteeProfile.Status.ENROLLED

    allowed = mentee_suggestions(program, mentee).allowed

    assert [e.mentor_id for e in allowed] == [best.pk, other.pk]
    assert allowed[0].score > allowed[1].score

"""The suggestions page at scale: eligibility computed over arrays (equal to the per-mentor
rules in accounts.eligibility), excluded mentors counted by reason and paged, and the never-pair
picker as a search of the program's mentors."""

import random
from datetime import date, timedelta
from types import SimpleNamespace

from dateutil.relativedelta import relativedelta
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from accounts.eligibility import ineligibility_bits, ineligibility_reasons, ineligibility_words
from accounts.models import Membership, MenteeProfile, MentorProfile, MentorTraining, Training
from matching.models import NeverPair
from matching.selectors import profiles_load
from tests import factories

TODAY = date(2026, 3, 31)  # a month end: relativedelta's clamping is exercised


@settings(max_examples=300, deadline=None)
@given(
    months=st.integers(0, 30),
    required=st.lists(st.integers(1, 6), unique=True, max_size=4),
    mentors=st.lists(
        st.tuples(
            st.booleans(),
            st.one_of(st.none(), st.dates(date(2020, 1, 1), date(2027, 1, 1))),
            st.sets(st.integers(1, 6), max_size=6),
        ),
        max_size=12,
    ),
)
def test_array_eligibility_equals_the_per_mentor_rules(months, required, mentors):
    trainings = [SimpleNamespace(pk=pk, name=f"Training {pk}") for pk in required]
    program = SimpleNamespace(min_recovery_months=months)
    bits, missing = ineligibility_bits(
        is_active=[active for active, _, _ in mentors],
        recovery_since=[since for _, since, _ in mentors],
        training_ids=[sorted(done) for _, _, done in mentors],
        required_ids=required,
        months=months,
        today=TODAY,
    )
    for k, (active, since, done) in enumerate(mentors):
        old = ineligibility_reasons(
            MentorProfile(is_active=active, recovery_since=since),
            program=program,
            required=trainings,
            completed_ids=done,
            today=TODAY,
        )
        new = ineligibility_words(
            int(bits[k]), missing[k], months=months, required_names=[t.name for t in trainings]
        )
        assert new == old
        assert (bits[k] == 0) == (not old)


def test_profiles_give_each_mentor_the_same_reasons_as_the_per_object_check(db):
    rng = random.Random(17)
    program = factories.ProgramFactory(min_recovery_months=6)
    trainings = [Training.objects.create(program=program, name=f"Req {k}") for k in range(2)]
    program.required_trainings.set(trainings)
    today = program.today()
    mentors = []
    for _ in range(25):
        mentor = factories.MentorProfileFactory(
            program=program,
            is_active=rng.random() > 0.2,
            accepting_new=rng.random() > 0.2,
            capacity=rng.randint(0, 2),
            recovery_since=rng.choice([None, today - timedelta(days=rng.randint(0, 400))]),
        )
        for training in trainings:
            if rng.random() > 0.4:
                MentorTraining.objects.create(mentor=mentor, training=training, completed_on=today)
        mentors.append(mentor)

    p = profiles_load(program, mentees=MenteeProfile.objects.none())

    for mentor in mentors:
        done = set(mentor.trainings.values_list("training_id", flat=True))
        expected = ineligibility_reasons(
            mentor, program=program, required=trainings, completed_ids=done, today=today
        )
        if not mentor.accepting_new:
            expected.append("Not accepting new mentees")
        if mentor.capacity <= 0 and mentor.is_active:
            expected.append(f"No places left (0 of {mentor.capacity} taken)")
        assert p.mentor_reasons(p.mentor_index[mentor.pk]) == expected


def _program_with_mentors(count: int, *, excluded: int):
    """A mentee and `count` mentors; the first `excluded` have no continuous-recovery date."""
    program = factories.ProgramFactory(min_recovery_months=6)
    coordinator = factories.make_user_with_role(Membership.Role.COORDINATOR, program)
    mentee = factories.MenteeProfileFactory(program=program)
    for k in range(count):
        factories.MentorProfileFactory(
            program=program, **({"recovery_since": None} if k < excluded else {})
        )
    return program, coordinator, mentee


def test_excluded_mentors_are_counted_by_reason_and_paged(db, client):
    program, coordinator, mentee = _program_with_mentors(40, excluded=30)
    inactive = MentorProfile.objects.filter(program=program, recovery_since=None).first()
    inactive.is_active = False
    inactive.save()
    client.force_login(coordinator)
    url = reverse("matching:suggestions", kwargs={"pk": mentee.pk})

    page = client.get(url)

    groups = {g.label: g.count for g in page.context["excluded_groups"]}
    assert groups == {
        "Needs a continuous-recovery start date": 30,
        "Mentor profile is inactive": 1,
    }
    assert page.context["excluded_count"] == 30
    assert len(page.context["page"].object_list) == 25
    assert len(page.context["allowed"]) == 10
    assert client.get(url, {"page": 2}).context["page"].object_list.__len__() == 5
    key = next(g.key for g in page.context["excluded_groups"] if g.count == 1)
    only = client.get(url, {"reason": key}).context["page"].object_list
    assert [s.mentor_id for s in only] == [inactive.pk]
    assert "Mentor profile is inactive" in only[0].reasons
    # Unknown reasons and pages fall back to the whole list.
    assert client.get(url, {"reason": "pair-x", "page": "9"}).status_code == 200


def test_suggestions_page_has_a_constant_query_count(db, client):
    def count(mentors: int) -> int:
        program, coordinator, mentee = _program_with_mentors(mentors, excluded=mentors // 2)
        client.force_login(coordinator)
        url = reverse("matching:suggestions", kwargs={"pk": mentee.pk})
        client.get(url, {"q": "a"})
        with CaptureQueriesContext(connection) as queries:
            client.get(url, {"q": "a"})
        return len(queries)

    assert count(1) == count(50)


def test_never_pair_search_finds_only_this_programs_mentors(db, client):
    program, coordinator, mentee = _program_with_mentors(3, excluded=0)
    wanted = factories.MentorProfileFactory(
        program=program, user=factories.UserFactory(first_name="Zebedee", last_name="Quill")
    )
    other_program = factories.ProgramFactory()
    factories.MentorProfileFactory(
        program=other_program,
        user=factories.UserFactory(first_name="Zebedee", last_name="Elsewhere"),
    )
    client.force_login(coordinator)
    url = reverse("matching:suggestions", kwargs={"pk": mentee.pk})

    found = client.get(url, {"q": "zebedee"}).context["results"]

    assert [mentor.pk for mentor, _ in found] == [wanted.pk]
    html = client.get(url, {"q": "zebedee"}).content.decode()
    assert "Elsewhere" not in html and "Quill" in html
    # No select of every mentor on the page: only the reasons of the one found (the footer's
    # language switch is the page's only select).
    assert client.get(url).content.decode().split("<footer")[0].count("<option") == 0

    response = client.post(
        reverse("matching:never_pair_add", kwargs={"pk": mentee.pk}),
        {"mentor": wanted.pk, "reason": "household"},
    )
    assert response.status_code == 302
    assert NeverPair.objects.filter(mentee=mentee, mentor=wanted).exists()
    # Excluded already: not offered again.
    assert client.get(url, {"q": "zebedee"}).context["results"] == []
    # Another program's mentor cannot be posted either.
    elsewhere = MentorProfile.objects.get(program=other_program)
    client.post(
        reverse("matching:never_pair_add", kwargs={"pk": mentee.pk}),
        {"mentor": elsewhere.pk, "reason": "household"},
    )
    assert not NeverPair.objects.filter(mentor=elsewhere).exists()


def test_relativedelta_month_end_is_the_same_in_both(db):
    # The arrays compare dates with numpy; the cut-off is still accounts' relativedelta one.
    cutoff = TODAY - relativedelta(months=1)
    bits, _ = ineligibility_bits(
        is_active=[True, True],
        recovery_since=[cutoff, cutoff + timedelta(days=1)],
        training_ids=[[], []],
        required_ids=[],
        months=1,
        today=TODAY,
    )
    assert bits.tolist() == [0, 4]

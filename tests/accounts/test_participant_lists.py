"""Participant lists: search, filters, pagination and a constant number of queries."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import (
    FocusArea,
    Membership,
    MenteeFocusArea,
    MentorTraining,
    Philosophy,
    Training,
)
from tests import factories
from tests.conftest import page_queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def program():
    return factories.ProgramFactory(slug="riverside")


@pytest.fixture
def coord_client(client, program):
    client.force_login(factories.make_user_with_role(Membership.Role.COORDINATOR, program))
    return client


def mentees_url(program, query=""):
    return reverse("accounts:program_mentees", kwargs={"program": program.slug}) + query


def mentors_url(program, query=""):
    return reverse("accounts:program_mentors", kwargs={"program": program.slug}) + query


def listed(response, key="page"):
    if key == "rows":
        return {mentor for mentor, _ in response.context["rows"]}
    return set(response.context["page"].object_list)


def test_mentee_filters(coord_client, program):
    housing = FocusArea.objects.get(program=program, name="Housing")
    smart = Philosophy.objects.get(program=program, name="SMART Recovery")
    waiting = factories.MenteeProfileFactory(program=program, preferred_philosophy=smart)
    MenteeFocusArea.objects.create(mentee=waiting, focus_area=housing, priority=3)
    matched = factories.MatchFactory(program=program).mentee
    matched.status = "active"
    matched.save()
    comparison = factories.MenteeProfileFactory(program=program, study_arm="comparison")
    withdrawn = factories.MenteeProfileFactory(program=program, status="withdrawn")
    elsewhere = factories.MenteeProfileFactory()

    assert listed(coord_client.get(mentees_url(program))) == {
        waiting,
        matched,
        comparison,
        withdrawn,
    }
    assert listed(coord_client.get(mentees_url(program, "?status=active"))) == {matched}
    assert listed(coord_client.get(mentees_url(program, "?arm=comparison"))) == {comparison}
    assert listed(coord_client.get(mentees_url(program, f"?focus_area={housing.pk}"))) == {waiting}
    assert listed(coord_client.get(mentees_url(program, f"?philosophy={smart.pk}"))) == {waiting}
    assert listed(coord_client.get(mentees_url(program, "?unmatched=on"))) == {waiting}
    by_id = coord_client.get(mentees_url(program, f"?q={waiting.participant_id.lower()}"))
    assert listed(by_id) == {waiting}
    name = matched.user.last_name
    assert matched in listed(coord_client.get(mentees_url(program, f"?q={name}")))
    assert elsewhere not in listed(coord_client.get(mentees_url(program, "?q=@")))


def test_bad_filter_values_are_ignored_not_an_error(coord_client, program):
    mentee = factories.MenteeProfileFactory(program=program)
    response = coord_client.get(
        mentees_url(program, "?status=zzz&focus_area=abc&philosophy=999999&page=banana")
    )
    assert response.status_code == 200
    assert listed(response) == {mentee}


def test_mentor_filters_include_eligibility(coord_client, program):
    crisis = Training.objects.get(program=program, name="Crisis navigation")
    program.required_trainings.set([crisis])
    housing = FocusArea.objects.get(program=program, name="Housing")
    smart = Philosophy.objects.get(program=program, name="SMART Recovery")
    eligible = factories.MentorProfileFactory(program=program)
    MentorTraining.objects.create(mentor=eligible, training=crisis, completed_on=timezone.now())
    eligible.focus_areas.add(housing)
    untrained = factories.MentorProfileFactory(program=program)
    untrained.philosophies.add(smart)
    too_new = factories.MentorProfileFactory(
        program=program, recovery_since=timezone.now().date() - timedelta(days=30)
    )
    MentorTraining.objects.create(mentor=too_new, training=crisis, completed_on=timezone.now())
    busy = factories.MatchFactory(program=program).mentor
    MentorTraining.objects.create(mentor=busy, training=crisis, completed_on=timezone.now())
    inactive = factories.MentorProfileFactory(program=program, is_active=False)

    get = coord_client.get
    assert listed(get(mentors_url(program, "?eligibility=eligible")), "rows") == {eligible, busy}
    assert listed(get(mentors_url(program, "?eligibility=ineligible")), "rows") == {
        untrained,
        too_new,
        inactive,
    }
    assert listed(get(mentors_url(program, f"?focus_area={housing.pk}")), "rows") == {eligible}
    assert listed(get(mentors_url(program, f"?philosophy={smart.pk}")), "rows") == {untrained}
    assert busy not in listed(get(mentors_url(program, "?unmatched=on")), "rows")
    assert listed(get(mentors_url(program, "?status=inactive")), "rows") == {inactive}
    page = get(mentors_url(program)).content.decode()
    assert "Needs Crisis navigation training" in page
    assert "Needs 6 months of continuous recovery" in page


def test_lists_paginate(coord_client, program):
    for _ in range(30):
        factories.MenteeProfileFactory(program=program)
    first = coord_client.get(mentees_url(program))
    second = coord_client.get(mentees_url(program, "?page=2"))
    assert len(first.context["page"].object_list) == 25
    assert len(second.context["page"].object_list) == 5
    assert "Page 1 of 2" in first.content.decode()


def _rich_mentee(program):
    mentee = factories.MenteeProfileFactory(
        program=program, preferred_philosophy=Philosophy.objects.filter(program=program).first()
    )
    for area in FocusArea.objects.filter(program=program)[:2]:
        MenteeFocusArea.objects.create(mentee=mentee, focus_area=area, priority=2)
    return mentee


def _rich_mentor(program):
    mentor = factories.MentorProfileFactory(program=program)
    mentor.philosophies.set(Philosophy.objects.filter(program=program)[:2])
    mentor.focus_areas.set(FocusArea.objects.filter(program=program)[:2])
    for training in Training.objects.filter(program=program)[:2]:
        MentorTraining.objects.create(mentor=mentor, training=training, completed_on=timezone.now())
    return mentor


@pytest.mark.parametrize(
    ("url", "make_row", "query"),
    [
        (mentees_url, _rich_mentee, ""),
        (mentees_url, _rich_mentee, "?unmatched=on&q=a"),
        (mentors_url, _rich_mentor, ""),
        (mentors_url, _rich_mentor, "?eligibility=eligible"),
    ],
)
def test_list_query_count_does_not_grow_with_rows(coord_client, program, url, make_row, query):
    program.required_trainings.set(Training.objects.filter(program=program)[:1])
    make_row(program)
    factories.MatchFactory(program=program)  # one row with a current match
    few = page_queries(coord_client, url(program, query))
    for _ in range(48):
        make_row(program)
    assert page_queries(coord_client, url(program, query)) == few

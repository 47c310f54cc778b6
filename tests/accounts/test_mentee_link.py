"""`{% mentee_link %}`: every place that names a mentee links to their participant page, where
the viewer may open it, with the name as the viewer may see it."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse

from tests.conftest import count_queries

pytestmark = pytest.mark.django_db


def _render(user, mentees):
    request = RequestFactory().get("/")
    request.user = user
    template = Template("{% load consent %}{% for m in mentees %}{% mentee_link m %};{% endfor %}")
    return template.render(Context({"request": request, "mentees": mentees}))


def test_link_for_whom_may_open_the_page(world):
    mentee = world.mentee_profile
    url = reverse("accounts:mentee_detail", kwargs={"pk": mentee.pk})
    for user in (world.coordinator, world.mentor, world.mentee):
        assert f'<a href="{url}">' in _render(user, [mentee])
    for user in (world.other_mentor, world.staff, world.other_coordinator, AnonymousUser()):
        assert "<a " not in _render(user, [mentee])


def test_a_list_of_links_costs_the_same_for_one_or_many(world):
    from tests import factories

    one = [world.mentee_profile]
    many = [world.mentee_profile] + [
        factories.MenteeProfileFactory(program=world.program) for _ in range(20)
    ]
    coordinator = world.coordinator
    first = count_queries(lambda: _render(type(coordinator).objects.get(pk=coordinator.pk), one))
    second = count_queries(lambda: _render(type(coordinator).objects.get(pk=coordinator.pk), many))
    assert first == second


def test_pages_that_name_a_mentee_link_to_them(client, world):
    mentee_url = reverse("accounts:mentee_detail", kwargs={"pk": world.mentee_profile.pk})
    client.force_login(world.coordinator)
    for url in (
        reverse("matching:match_detail", kwargs={"pk": world.match.pk}),
        reverse("matching:program_matches", kwargs={"slug": world.program.slug}),
        reverse("checkins:engagement", kwargs={"program_pk": world.program.pk}),
        reverse("goals:mentee_goals", kwargs={"mentee_pk": world.mentee_profile.pk}),
    ):
        assert f'href="{mentee_url}"' in client.get(url).content.decode(), url
    client.force_login(world.mentor)
    assert f'href="{mentee_url}"' in client.get(reverse("home")).content.decode()

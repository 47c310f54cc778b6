"""Pages assembled from what the apps register: dashboard panels, participant-page panels and
navigation items (mentorship/site.py). The shell imports no registration of its own making."""

import pytest
from django.urls import reverse
from django.utils.html import format_html

from matching.models import Match
from mentorship import access
from mentorship.site import NavItem, dashboard_panels, nav_items, participant_panels
from tests.conftest import page_queries
from tests.factories import MatchFactory, MentorProfileFactory

pytestmark = pytest.mark.django_db


def _panel_html(text: str) -> str:
    return format_html("<p>{}</p>", text)


@pytest.fixture
def new_app_panels(monkeypatch):
    """A new app plugging in, as its AppConfig.ready() would; undone after the test."""

    def dashboard_panel(request, role):
        return _panel_html(f"Rides shared this week ({role})") if role != access.STAFF else ""

    def participant_panel(request, person, *, can_change):
        return _panel_html(f"Rides for {person.user.email}, can change: {can_change}")

    monkeypatch.setitem(dashboard_panels._entries, "rides", dashboard_panel)
    monkeypatch.setitem(participant_panels._entries, "rides", participant_panel)
    monkeypatch.setitem(
        nav_items._entries, "rides", NavItem("Rides", "checkins:list", (access.MENTOR,), 95)
    )


@pytest.mark.parametrize("role", ["coordinator", "mentor", "mentee"])
def test_a_panel_an_app_registers_shows_on_each_dashboard(client, world, new_app_panels, role):
    client.force_login(world.user(role))
    assert f"Rides shared this week ({role})" in client.get(reverse("home")).content.decode()


def test_a_panel_shows_nothing_where_it_returns_nothing(client, world, new_app_panels):
    client.force_login(world.staff)
    assert "Rides shared" not in client.get(reverse("home")).content.decode()


def test_a_participant_panel_an_app_registers_shows_on_mentee_and_mentor_pages(
    client, world, new_app_panels
):
    client.force_login(world.coordinator)
    mentee_page = client.get(
        reverse("accounts:mentee_detail", kwargs={"pk": world.mentee_profile.pk})
    )
    assert f"Rides for {world.mentee.email}, can change: True" in mentee_page.content.decode()
    client.force_login(world.mentor)
    mentor_page = client.get(
        reverse("accounts:mentor_detail", kwargs={"pk": world.mentor_profile.pk})
    )
    assert f"Rides for {world.mentor.email}, can change: False" in mentor_page.content.decode()


def test_a_navigation_item_shows_only_to_its_roles_in_its_place(client, world, new_app_panels):
    client.force_login(world.mentor)
    labels = [item["label"] for item in client.get(reverse("home")).context["nav_items"]]
    # Its order (95) puts it after check-ins (90).
    assert labels[labels.index("Check-ins") + 1] == "Rides"
    client.force_login(world.mentee)
    labels = [item["label"] for item in client.get(reverse("home")).context["nav_items"]]
    assert "Rides" not in labels


def test_coordinator_navigation_keeps_its_order_across_apps(client, world):
    client.force_login(world.coordinator)
    labels = [str(item["label"]) for item in client.get(reverse("home")).context["nav_items"]]
    assert labels == [
        "Dashboard",
        "Mentees",
        "Mentors",
        "Import",
        "Invitations",
        "Program settings",
        "Goals",
        "Matching",
        "Audit trail",
        "Check-ins",
        "Outcomes",
        "Follow-up",
    ]


def test_the_participant_page_shows_the_consent_and_match_panels_of_their_apps(client, world):
    client.force_login(world.coordinator)
    html = client.get(
        reverse("accounts:mentee_detail", kwargs={"pk": world.mentee_profile.pk})
    ).content.decode()
    assert "Consent to disclose" in html  # accounts' panel
    assert "Current match" in html and world.mentor.get_full_name() in html  # matching's panel


def test_an_ended_match_leaves_the_mentee_page_saying_not_matched(client, world):
    Match.objects.filter(pk=world.match.pk).update(status=Match.Status.ENDED)
    client.force_login(world.coordinator)
    html = client.get(
        reverse("accounts:mentee_detail", kwargs={"pk": world.mentee_profile.pk})
    ).content.decode()
    assert "Not matched yet." in html


def test_the_mentor_page_lists_current_mentees_in_a_constant_number_of_queries(client, world):
    mentor = MentorProfileFactory(program=world.program, capacity=10)
    MatchFactory(program=world.program, mentor=mentor)
    client.force_login(world.coordinator)
    url = reverse("accounts:mentor_detail", kwargs={"pk": mentor.pk})
    one = page_queries(client, url)
    others = [MatchFactory(program=world.program, mentor=mentor) for _ in range(9)]
    assert page_queries(client, url) == one
    html = client.get(url).content.decode()
    assert all(match.mentee.user.get_full_name() in html for match in others)

"""The navigation groups a coordinator's many items into dropdowns so the bar keeps to one
line; the browser's own /favicon.ico is served; counts read in the right number."""

import pytest
from django.urls import reverse

from accounts.imports import people_count


def test_a_coordinator_sees_grouped_menus_not_a_long_bar(client, world):
    client.force_login(world.coordinator)
    menu = client.get(reverse("home")).context["nav_menu"]
    top = [str(entry["label"]) for entry in menu]
    assert {"People", "Program"} <= set(top)
    assert len(top) <= 7, top  # 13+ items used to wrap at 1280 px
    people = next(entry for entry in menu if str(entry["label"]) == "People")
    assert [str(child["label"]) for child in people["children"]][:2] == ["Mentees", "Mentors"]


def test_a_group_of_one_shows_as_a_plain_link(client, world):
    client.force_login(world.staff)
    menu = client.get(reverse("home")).context["nav_menu"]
    assert all(entry["children"] is None for entry in menu)
    assert "Outcomes" in [str(entry["label"]) for entry in menu]


def test_sign_out_and_security_sit_in_the_account_menu(client, world):
    client.force_login(world.mentor)
    html = client.get(reverse("home")).content.decode()
    account_menu = html[html.index('id="nav-account"') :]
    assert "Sign out" in account_menu and "Security" in account_menu


@pytest.mark.django_db
def test_the_favicon_is_served_at_the_root_and_linked(client):
    assert client.get("/favicon.ico").status_code == 200
    assert 'rel="icon"' in client.get(reverse("login")).content.decode()


def test_import_counts_read_in_the_right_number():
    assert people_count(1, "mentor") == "1 mentor"
    assert people_count(2, "mentee") == "2 mentees"
    assert people_count(0, "mentor") == "0 mentors"

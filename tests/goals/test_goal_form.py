"""The guided SMART form: a goal missing any of the five parts is refused with a message at
the field that says what to add; no input at all makes it fail with a server error."""

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from goals.models import Goal
from tests import factories
from tests.goals.helpers import valid_goal_data


@pytest.fixture
def mentee_client(client, world):
    client.force_login(world.mentee)
    return client


def create_url(world):
    return reverse("goals:goal_create", kwargs={"mentee_pk": world.mentee_profile.pk})


def test_a_complete_goal_is_saved_as_a_draft_for_the_mentor_to_agree(mentee_client, world):
    response = mentee_client.post(create_url(world), valid_goal_data(world.program))

    goal = Goal.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("goals:goal_detail", kwargs={"pk": goal.pk})
    assert (goal.status, goal.agreed_at, goal.created_by) == ("draft", None, world.mentee)
    assert goal.mentee == world.mentee_profile


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("title", "", "Say in a few words what you want to do"),
        ("specific", "   ", "Describe the goal in your own words"),
        ("metric", "", "Add what you will count or check"),
        ("target", "", "Add a number to measure, e.g. 3 job applications a week."),
        ("unit", "", "Add the unit you count in"),
        ("steps", "", "List the steps you will take"),
        ("support", "", "Say who or what will help you"),
        ("focus_area", "", "Choose the focus area"),
        ("why_it_matters", "", "Say why this goal matters to your recovery"),
        ("start_date", "", "Choose the day you start"),
        ("due_date", "", "Choose the day this goal is due"),
    ],
)
def test_a_goal_missing_a_smart_part_is_refused_at_that_field(
    mentee_client, world, field, value, message
):
    response = mentee_client.post(
        create_url(world), valid_goal_data(world.program, **{field: value})
    )

    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert not Goal.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"target": "0", "baseline": "2"}, "target", "must be above where you start"),
        (
            {"direction": "at_most", "baseline": "0", "target": "0"},
            "target",
            "must be below where you start",
        ),
        ({"target": "-3"}, "target", "Use zero or a positive number."),
        ({"target": "NaN"}, "target", "Enter a number"),
        ({"target": "99999999999"}, "target", "below"),
        ({"due_date": "2020-01-01"}, "due_date", "after the start date"),
        ({"due_date": "2099-01-01"}, "due_date", "within two years"),
        ({"start_date": "31/02/2026"}, "start_date", "Enter a date"),
        ({"title": "Attend N meetings a week"}, "title", "Replace N and DATE"),
        ({"focus_area": "999999"}, "focus_area", "Choose the focus area"),
    ],
)
def test_impossible_measures_and_dates_are_refused_with_a_reason(
    mentee_client, world, overrides, field, message
):
    response = mentee_client.post(create_url(world), valid_goal_data(world.program, **overrides))

    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])


def test_a_focus_area_of_another_program_is_refused(mentee_client, world):
    foreign = world.other_program
    from accounts.models import FocusArea

    area = FocusArea.objects.filter(program=foreign).first()
    response = mentee_client.post(
        create_url(world), valid_goal_data(world.program, focus_area=str(area.pk))
    )
    assert "focus_area" in response.context["form"].errors


def test_a_done_goal_needs_no_target(mentee_client, world):
    data = valid_goal_data(world.program, direction="done", target="", unit="")
    response = mentee_client.post(create_url(world), data)

    assert response.status_code == 302
    goal = Goal.objects.get()
    assert (goal.direction, goal.target, goal.baseline) == ("done", None, 0)


def test_the_refusal_is_announced_and_the_typed_text_kept(mentee_client, world):
    response = mentee_client.post(create_url(world), valid_goal_data(world.program, target=""))

    html = response.content.decode()
    assert 'role="alert"' in html
    assert "kitchen and warehouse jobs" in html  # nothing the mentee typed is lost


text = st.one_of(
    st.text(max_size=300),
    st.sampled_from(["", " ", "0", "-1", "1e9", "NaN", "inf", "2026-02-30", "9999-12-31", "\x00"]),
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    overrides=st.dictionaries(
        st.sampled_from(
            [
                "title",
                "specific",
                "kind",
                "metric",
                "direction",
                "baseline",
                "target",
                "unit",
                "steps",
                "support",
                "focus_area",
                "why_it_matters",
                "start_date",
                "due_date",
                "review_cadence",
            ]
        ),
        text,
        max_size=6,
    )
)
def test_fuzzed_goal_form_never_fails_with_a_server_error(mentee_client, world, overrides):
    response = mentee_client.post(create_url(world), valid_goal_data(world.program, **overrides))

    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert response.context["form"].errors


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    data=st.dictionaries(
        st.sampled_from(["recorded_on", "value", "done", "note"]), text, max_size=4
    ),
    done_goal=st.booleans(),
)
def test_fuzzed_progress_form_never_fails_with_a_server_error(
    mentee_client, world, data, done_goal
):
    goal = factories.GoalFactory(
        mentee=world.mentee_profile,
        direction="done" if done_goal else "at_least",
        target=None if done_goal else 10,
    )
    response = mentee_client.post(reverse("goals:progress_add", kwargs={"pk": goal.pk}), data)
    assert response.status_code in (200, 302)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    view=st.sampled_from(["goals:goal_status", "goals:goal_comment", "goals:goal_edit"]),
    data=st.dictionaries(
        st.sampled_from(["status", "reason", "body", "title", "target", "due_date"]),
        text,
        max_size=4,
    ),
)
def test_fuzzed_goal_actions_never_fail_with_a_server_error(mentee_client, world, view, data):
    goal = factories.GoalFactory(mentee=world.mentee_profile)
    response = mentee_client.post(reverse(view, kwargs={"pk": goal.pk}), data)
    assert response.status_code in (200, 302)

"""The guided SMART form: a goal missing any of the five parts is refused with a message at
the field that says what to add; no input at all makes it fail with a server error."""

from datetime import timedelta

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import FocusArea
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
        ("title", "   ", "Say in a few words what you want to do"),
        ("target", "", "Add a number to measure, e.g. 3 job applications a week."),
        ("due_date", "", "Choose the day this goal is due"),
    ],
)
def test_a_goal_missing_one_of_the_three_questions_is_refused_at_that_field(
    mentee_client, world, field, value, message
):
    response = mentee_client.post(
        create_url(world), valid_goal_data(world.program, **{field: value})
    )

    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert not Goal.objects.exists()


def test_what_how_much_and_by_when_alone_make_a_goal_with_every_smart_part(mentee_client, world):
    due = world.program.today() + timedelta(weeks=6)
    response = mentee_client.post(
        create_url(world),
        {"title": "Walk 20 km a week", "target": "20", "due_date": f"{due:%Y-%m-%d}"},
    )

    assert response.status_code == 302
    goal = Goal.objects.get()
    assert (goal.title, goal.target, goal.due_date) == ("Walk 20 km a week", 20, due)
    # Specific, measurable, achievable, relevant, time-bound: each part has words or a date.
    assert goal.specific == "Walk 20 km a week"
    assert (goal.direction, goal.baseline, goal.metric, goal.unit) == (
        "at_least",
        0,
        "times I did it",
        "times",
    )
    assert goal.steps and goal.support and goal.why_it_matters
    assert (
        goal.focus_area
        == FocusArea.objects.filter(program=world.program).order_by("position", "name").first()
    )
    assert goal.start_date == world.program.today()
    assert (goal.kind, goal.review_cadence) == ("life", "weekly")


def test_the_form_asks_three_questions_and_folds_the_rest_away(mentee_client, world):
    response = mentee_client.get(create_url(world))

    form = response.context["form"]
    assert [name for name, field in form.fields.items() if field.required] == [
        "title",
        "due_date",
    ]  # the target is required in clean(), unless the goal is "done or not done"
    html = response.content.decode()
    assert '<details class="mb-3" id="goal-more">' in html  # closed on first sight
    short = html[: html.index('id="goal-more"')]
    assert all(f'name="{name}"' in short for name in ("title", "target", "due_date"))
    assert 'name="specific"' not in short


def test_a_refusal_under_more_details_opens_it(mentee_client, world):
    response = mentee_client.post(
        create_url(world), valid_goal_data(world.program, start_date="31/02/2026")
    )

    assert '<details class="mb-3" id="goal-more" open>' in response.content.decode()


def test_blank_parts_on_edit_get_the_same_defaults_and_the_rest_is_kept(mentee_client, world):
    goal = factories.GoalFactory(mentee=world.mentee_profile)
    data = valid_goal_data(world.program, steps="", support="")
    response = mentee_client.post(reverse("goals:goal_edit", kwargs={"pk": goal.pk}), data)

    assert response.status_code == 302
    goal.refresh_from_db()
    assert goal.steps == "Agree the steps with my mentor at our next check-in."
    assert goal.support == "My mentor and my program."
    assert goal.specific == data["specific"]


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

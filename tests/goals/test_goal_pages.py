"""Goal pages: who sees which goals, progress by mentee and by mentor, the status rules,
comments and agreement, coordinator attainment, and constant query counts."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from goals import services
from goals.models import Goal, GoalComment, GoalTemplate, ProgressEntry
from mentorship.models import AuditEntry
from tests import factories
from tests.conftest import page_queries
from tests.goals.helpers import valid_goal_data


@pytest.fixture
def goal(world):
    return factories.GoalFactory(mentee=world.mentee_profile)


def detail(goal):
    return reverse("goals:goal_detail", kwargs={"pk": goal.pk})


# --- access


def test_a_mentee_sees_only_their_own_goals(client, world, goal):
    other = factories.GoalFactory(mentee=world.other_mentee_profile, title="Someone else's goal")
    client.force_login(world.mentee)

    board = client.get(reverse("goals:board")).content.decode()

    assert goal.title in board and other.title not in board
    assert client.get(detail(other)).status_code == 404


def test_a_mentor_sees_their_matched_mentees_goals_only_with_consent(client, world, goal):
    client.force_login(world.mentor)
    assert client.get(detail(goal)).status_code == 200

    world.mentee_profile.consents.update(revoked_at=timezone.now())

    # Revoking consent takes effect on the very next request.
    assert client.get(detail(goal)).status_code == 404
    board = client.get(reverse("goals:board")).content.decode()
    assert goal.title not in board
    assert "Goals not shared with you" in board


def test_a_consent_without_goals_hides_them_from_the_mentor(client, world, goal):
    world.mentee_profile.consents.update(covers_goals=False)
    client.force_login(world.mentor)
    assert client.get(detail(goal)).status_code == 404


def test_ending_the_match_hides_the_goals_from_the_mentor(client, world, goal):
    world.match.status = "ended"
    world.match.save(update_fields=["status"])
    client.force_login(world.mentor)
    assert client.get(detail(goal)).status_code == 404


def test_a_coordinator_reads_but_does_not_change_goals(client, world, goal):
    client.force_login(world.coordinator)
    response = client.get(detail(goal))
    assert response.status_code == 200
    page = response.content.decode()
    assert escape(goal.title) in page
    assert "Record progress" not in page
    response = client.post(
        reverse("goals:progress_add", kwargs={"pk": goal.pk}),
        {"recorded_on": f"{timezone.now():%Y-%m-%d}", "value": "3"},
    )
    assert response.status_code == 403
    assert not ProgressEntry.objects.exists()


def test_viewing_a_goal_is_audited_without_its_content(client, world, goal):
    client.force_login(world.coordinator)
    client.get(detail(goal))
    entry = AuditEntry.objects.get(action="view", object_type="goals.goal")
    assert (entry.person, entry.program_id) == (world.mentee, world.program.pk)
    assert goal.title not in str(entry.fields)


# --- creating and agreeing


def test_a_goal_the_mentor_writes_with_the_mentee_is_agreed_and_active(client, world):
    client.force_login(world.mentor)
    url = reverse("goals:goal_create", kwargs={"mentee_pk": world.mentee_profile.pk})
    client.post(url, valid_goal_data(world.program))

    goal = Goal.objects.get()
    assert (goal.status, goal.agreed_by, goal.created_by) == ("active", world.mentor, world.mentor)


def test_the_mentor_agrees_a_draft_and_it_becomes_active(client, world, goal):
    goal.status = "draft"
    goal.save()
    client.force_login(world.mentor)

    client.post(reverse("goals:goal_agree", kwargs={"pk": goal.pk}))

    goal.refresh_from_db()
    assert (goal.status, goal.agreed_by) == ("active", world.mentor)


def test_a_mentee_changing_the_plan_needs_the_mentor_to_agree_again(world, goal):
    services.goal_agree(actor=world.mentor, goal=goal)
    services.goal_update(actor=world.mentee, goal=goal, data={"steps": "A new plan."})
    goal.refresh_from_db()
    assert goal.agreed_at is None


def test_a_mentee_cannot_agree_for_the_mentor(client, world, goal):
    client.force_login(world.mentee)
    assert client.post(reverse("goals:goal_agree", kwargs={"pk": goal.pk})).status_code == 403


def test_a_template_fills_in_the_form(client, world):
    template = factories.GoalTemplateFactory(program=world.program, title="Attend N meetings")
    client.force_login(world.mentee)
    url = reverse("goals:goal_create", kwargs={"mentee_pk": world.mentee_profile.pk})

    response = client.get(f"{url}?template={template.pk}")

    form = response.context["form"]
    # A sentence with no placeholder left: N is the suggested target, written as a person would.
    assert form.initial["title"] == f"Attend {form.initial['target']} meetings"
    assert "N" not in form.initial["title"].split() and "." not in str(form.initial["target"])
    assert form.initial["metric"] == "meetings attended"
    # An unknown or malformed template id is ignored, never an error page.
    assert client.get(f"{url}?template=abc").status_code == 200
    assert client.get(f"{url}?template=99999999999999").status_code == 200


# --- progress


def test_the_mentee_records_progress_and_the_bar_moves(client, world, goal):
    client.force_login(world.mentee)
    today = world.program.today()

    response = client.post(
        reverse("goals:progress_add", kwargs={"pk": goal.pk}),
        {"recorded_on": f"{today:%Y-%m-%d}", "value": "5", "note": "Two interviews!"},
    )

    assert response.status_code == 302
    entry = ProgressEntry.objects.get()
    assert (entry.value, entry.on_behalf, entry.recorded_by) == (5, False, world.mentee)
    page = client.get(detail(goal)).content.decode()
    assert 'data-progress="50"' in page
    assert "On track" in page


def test_the_mentor_records_progress_on_the_mentees_behalf(client, world, goal):
    client.force_login(world.mentor)
    client.post(
        reverse("goals:progress_add", kwargs={"pk": goal.pk}),
        {"recorded_on": f"{world.program.today():%Y-%m-%d}", "value": "2"},
    )
    entry = ProgressEntry.objects.get()
    assert (entry.on_behalf, entry.recorded_by) == (True, world.mentor)
    assert "for the mentee" in client.get(detail(goal)).content.decode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"value": ""}, "Add a number for where you stand"),
        ({"value": "-1"}, "Use zero or a positive number."),
        ({"value": "abc"}, "Enter a number"),
        ({"recorded_on": "2099-01-01"}, "future date"),
        ({"recorded_on": "2000-01-01"}, "The goal starts on"),
    ],
)
def test_bad_progress_is_refused_at_the_field(client, world, goal, data, message):
    client.force_login(world.mentee)
    values = {"recorded_on": f"{world.program.today():%Y-%m-%d}", "value": "1", **data}
    response = client.post(reverse("goals:progress_add", kwargs={"pk": goal.pk}), values)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ProgressEntry.objects.exists()


def test_a_done_goal_is_ticked(client, world, goal):
    goal.direction, goal.target, goal.unit = "done", None, ""
    goal.save()
    client.force_login(world.mentee)
    client.post(
        reverse("goals:progress_add", kwargs={"pk": goal.pk}),
        {"recorded_on": f"{world.program.today():%Y-%m-%d}", "done": "on"},
    )
    assert ProgressEntry.objects.get().value == 1
    assert "Target reached" in client.get(detail(goal)).content.decode()


def test_progress_entries_are_audited_by_field_name_only(world, goal):
    services.progress_record(
        actor=world.mentor,
        goal=goal,
        recorded_on=world.program.today(),
        value=3,
        note="Private note",
    )
    entry = AuditEntry.objects.get(object_type="goals.progressentry")
    assert entry.person == world.mentee
    assert "Private note" not in str(entry.fields)


# --- status rules


def status(goal, new, reason="", actor=None, world=None):
    return services.goal_set_status(
        actor=actor or goal.mentee.user,
        goal=goal,
        status=new,
        reason=reason,
        today=goal.mentee.program.today(),
    )


def test_abandoning_needs_a_reason(client, world, goal):
    client.force_login(world.mentee)
    url = reverse("goals:goal_status", kwargs={"pk": goal.pk})
    response = client.post(url, {"status": "abandoned", "reason": " "})
    assert "Say why the goal is abandoned" in response.content.decode()

    client.post(url, {"status": "abandoned", "reason": "Moved to another city."})
    goal.refresh_from_db()
    assert (goal.status, goal.status_reason) == ("abandoned", "Moved to another city.")
    assert goal.closed_on == world.program.today()


def test_achieved_needs_the_target_reached(world, goal):
    with pytest.raises(ValidationError, match="reaches the target"):
        status(goal, "achieved")
    services.progress_record(
        actor=world.mentee, goal=goal, recorded_on=world.program.today(), value=10
    )
    assert status(goal, "achieved").status == "achieved"


def test_a_draft_cannot_jump_to_achieved(client, world, goal):
    goal.status = "draft"
    goal.save()
    client.force_login(world.mentee)
    response = client.post(
        reverse("goals:goal_status", kwargs={"pk": goal.pk}), {"status": "achieved"}
    )
    assert response.status_code == 200
    assert "not possible from here" in response.content.decode()


def test_a_closed_goal_takes_no_progress_until_reopened(world, goal):
    status(goal, "not_achieved")
    goal.refresh_from_db()
    with pytest.raises(ValidationError):
        services.progress_record(
            actor=world.mentee, goal=goal, recorded_on=world.program.today(), value=1
        )
    reopened = status(goal, "active")
    assert (reopened.status, reopened.closed_on) == ("active", None)


# --- comments


def test_the_mentor_comments_and_the_mentee_reads_it(client, world, goal):
    client.force_login(world.mentor)
    client.post(reverse("goals:goal_comment", kwargs={"pk": goal.pk}), {"body": "Proud of you."})
    assert GoalComment.objects.get().author == world.mentor
    client.force_login(world.mentee)
    assert "Proud of you." in client.get(detail(goal)).content.decode()


def test_an_empty_comment_is_refused(client, world, goal):
    client.force_login(world.mentor)
    response = client.post(reverse("goals:goal_comment", kwargs={"pk": goal.pk}), {"body": "  "})
    assert "Write a comment first." in response.content.decode()


# --- coordinator views and templates


def test_attainment_counts_goals_per_mentee_and_program(client, world):
    today = world.program.today()
    mentee = world.mentee_profile
    factories.GoalFactory(mentee=mentee, status="draft")
    factories.GoalFactory(mentee=mentee, status="active")
    factories.GoalFactory(  # overdue
        mentee=mentee, start_date=today - timedelta(days=60), due_date=today - timedelta(days=1)
    )
    factories.GoalFactory(  # achieved on time
        mentee=mentee,
        status="achieved",
        start_date=today - timedelta(days=60),
        due_date=today - timedelta(days=5),
        closed_on=today - timedelta(days=10),
    )
    factories.GoalFactory(  # achieved late
        mentee=mentee,
        status="achieved",
        start_date=today - timedelta(days=60),
        due_date=today - timedelta(days=20),
        closed_on=today - timedelta(days=10),
    )
    client.force_login(world.coordinator)

    response = client.get(reverse("goals:program_attainment", kwargs={"slug": world.program.slug}))

    totals = response.context["totals"]
    assert totals["goals_set"] == 4  # the draft is a proposal, not a goal set
    assert totals["goals_achieved"] == 2
    assert totals["goals_achieved_on_time"] == 1
    assert totals["goals_overdue"] == 1
    assert totals["goals_due"] == 3
    row = next(m for m in response.context["page"].object_list if m.pk == mentee.pk)
    assert (row.goals_set, row.goals_overdue) == (4, 1)


def test_default_templates_include_harm_reduction_and_are_seeded_once(world):
    added = services.goal_template_seed_defaults(program=world.program)
    assert added == len(services.DEFAULT_TEMPLATES)
    kinds = set(GoalTemplate.objects.filter(program=world.program).values_list("kind", flat=True))
    assert {"harm_reduction", "abstinence", "life"} <= kinds
    assert services.goal_template_seed_defaults(program=world.program) == 0


def test_a_coordinator_edits_a_template(client, world):
    template = factories.GoalTemplateFactory(program=world.program)
    client.force_login(world.coordinator)
    url = reverse("goals:template_edit", kwargs={"slug": world.program.slug, "pk": template.pk})
    data = {
        "focus_area": template.focus_area_id,
        "kind": "harm_reduction",
        "title": "Attend N groups a week",
        "metric": "groups",
        "unit": "groups a week",
        "direction": "at_least",
        "suggested_target": "2",
        "review_cadence": "weekly",
        "position": "1",
        "is_active": "on",
    }
    assert client.post(url, data).status_code == 302
    template.refresh_from_db()
    assert (template.title, template.kind) == ("Attend N groups a week", "harm_reduction")


def test_a_duplicate_template_title_is_refused_at_the_field(client, world):
    template = factories.GoalTemplateFactory(program=world.program)
    client.force_login(world.coordinator)
    response = client.post(
        reverse("goals:template_create", kwargs={"slug": world.program.slug}),
        {
            "focus_area": template.focus_area_id,
            "kind": "life",
            "title": template.title,
            "direction": "at_least",
            "review_cadence": "weekly",
            "position": "0",
        },
    )
    assert response.status_code == 200
    assert "already has a template" in response.content.decode()


# --- dashboards


def test_the_mentee_dashboard_shows_their_goals_and_where_they_stand(client, world, goal):
    client.force_login(world.mentee)
    page = client.get(reverse("home")).content.decode()
    assert "My goals" in page and goal.title in page and "Behind" in page


def test_the_mentor_dashboard_counts_goals_behind(client, world, goal):
    client.force_login(world.mentor)
    page = client.get(reverse("home")).content.decode()
    assert "1 behind or overdue" in page


def test_the_staff_dashboard_has_no_goals(client, world, goal):
    client.force_login(world.staff)
    assert goal.title not in client.get(reverse("home")).content.decode()


# --- constant query counts


@pytest.mark.parametrize("who", ["mentee", "mentor"])
def test_the_board_costs_the_same_for_1_or_50_goals(client, world, who):
    factories.GoalFactory(mentee=world.mentee_profile)
    client.force_login(world.user(who))
    url = reverse("goals:board")
    one = page_queries(client, url)
    for _ in range(49):
        goal = factories.GoalFactory(mentee=world.mentee_profile)
        factories.ProgressEntryFactory(goal=goal)
    assert page_queries(client, url) == one


def test_the_mentee_goal_list_costs_the_same_for_1_or_50_goals(client, world):
    factories.GoalFactory(mentee=world.mentee_profile)
    client.force_login(world.mentor)
    url = reverse("goals:mentee_goals", kwargs={"mentee_pk": world.mentee_profile.pk})
    one = page_queries(client, url)
    for _ in range(49):
        factories.ProgressEntryFactory(goal=factories.GoalFactory(mentee=world.mentee_profile))
    assert page_queries(client, url) == one


def test_the_attainment_page_costs_the_same_for_1_or_50_mentees(client, world):
    client.force_login(world.coordinator)
    url = reverse("goals:program_attainment", kwargs={"slug": world.program.slug})
    factories.GoalFactory(mentee=world.mentee_profile)
    one = page_queries(client, url)
    for _ in range(49):
        factories.GoalFactory(mentee=factories.MenteeProfileFactory(program=world.program))
    assert page_queries(client, url) == one


def test_the_goal_page_costs_the_same_for_1_or_50_entries(client, world, goal):
    client.force_login(world.mentee)
    factories.ProgressEntryFactory(goal=goal)
    one = page_queries(client, detail(goal))
    for _ in range(49):
        factories.ProgressEntryFactory(goal=goal, recorded_by=world.mentor, on_behalf=True)
    assert page_queries(client, detail(goal)) == one


# --- check-ins


def test_the_mentor_records_which_goals_were_reviewed_at_a_check_in(client, world, goal):
    closed = factories.GoalFactory(
        mentee=world.mentee_profile, title="Old goal", status="abandoned", status_reason="Moved"
    )
    checkin = factories.CheckInFactory(match=world.match)
    client.force_login(world.mentor)
    url = reverse("goals:checkin_review", kwargs={"checkin_pk": checkin.pk})

    page = client.get(url).content.decode()
    assert goal.title in page
    assert closed.title not in page  # only open goals to tick

    client.post(url, {"goals": [goal.pk]})
    assert list(goal.reviews.values_list("checkin", flat=True)) == [checkin.pk]
    assert "Reviewed at check-ins" in client.get(detail(goal)).content.decode()

    # Ticking another mentee's goal is refused at the field, not saved.
    other = factories.GoalFactory(mentee=world.other_mentee_profile)
    response = client.post(url, {"goals": [other.pk]})
    assert "Choose from this mentee" in response.content.decode()

    client.post(url, {})  # unticking all clears the record
    assert not goal.reviews.exists()


def test_the_mentee_edits_a_goal_and_a_missing_part_is_refused(client, world, goal):
    client.force_login(world.mentee)
    url = reverse("goals:goal_edit", kwargs={"pk": goal.pk})
    data = valid_goal_data(world.program, start_date=f"{goal.start_date:%Y-%m-%d}")

    refused = client.post(url, {**data, "due_date": ""})
    assert "Choose the day this goal is due" in refused.content.decode()

    client.post(url, {**data, "target": "5"})
    goal.refresh_from_db()
    assert goal.target == 5


def test_without_consent_the_mentor_cannot_set_goals_for_the_mentee(client, world):
    world.mentee_profile.consents.update(revoked_at=timezone.now())
    client.force_login(world.mentor)
    url = reverse("goals:goal_create", kwargs={"mentee_pk": world.mentee_profile.pk})
    assert client.post(url, valid_goal_data(world.program)).status_code == 404
    assert not Goal.objects.exists()


def test_templates_read_as_sentences_with_no_placeholders(client, world):
    template = factories.GoalTemplateFactory(
        program=world.program, title="Apply to N jobs by DATE", suggested_target=Decimal("3.00")
    )
    client.force_login(world.mentee)
    url = reverse("goals:goal_create", kwargs={"mentee_pk": world.mentee_profile.pk})
    page = client.get(url).content.decode()
    assert "Apply to 3 jobs by a date you choose" in page
    form = client.get(f"{url}?template={template.pk}").context["form"]
    due = form.initial["due_date"]
    assert form.initial["title"] == f"Apply to 3 jobs by {due:%b} {due.day}, {due.year}"
    assert str(form.initial["target"]) == "3"


def test_comment_times_are_in_the_program_timezone_and_say_so(client, world, goal):
    world.program.timezone = "America/Los_Angeles"
    world.program.save(update_fields=["timezone"])
    client.force_login(world.mentor)
    client.post(reverse("goals:goal_comment", kwargs={"pk": goal.pk}), {"body": "Well done."})
    comment = GoalComment.objects.get(goal=goal)
    local = timezone.localtime(comment.created_at, world.program.tzinfo)
    page = client.get(reverse("goals:goal_detail", kwargs={"pk": goal.pk})).content.decode()
    assert f"{local:%H:%M} {local.tzname()}" in page

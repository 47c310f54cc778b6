"""Whole-cohort matching: optimal against an oracle, pins and removals, one transaction, and the
page and the command sharing one code path."""

import json

import numpy as np
import pytest
from django.core.management import call_command
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import Membership, MenteeProfile
from matching.cohort import cohort_plan, solve
from matching.models import Match, MatchingSettings
from matching.synthetic import oracle_assignment, synthetic_profiles
from mentorship.models import AuditEntry
from tests import factories
from tests.notifications.outbox import quiet_hours_off, send_due


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    n=st.integers(0, 14),
    m=st.integers(0, 8),
    seed=st.integers(0, 10_000),
    never=st.integers(0, 6),
)
def test_cohort_matching_is_optimal_against_an_oracle(n, m, seed, never):
    p = synthetic_profiles(n, m, seed=seed, capacity=(0, 3), never_pairs=never if n and m else 0)

    solution = solve(p)

    matched, total = oracle_assignment(p)
    assert len(solution.rows) == matched
    assert int(solution.scores.sum()) == total
    # Never more mentees than a mentor's places, never a mentee twice, never an excluded pair.
    assert len(set(solution.rows.tolist())) == len(solution.rows)
    counts = np.bincount(solution.cols, minlength=m) if m else np.array([])
    assert (counts <= p.mentor_room).all()


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_pruned_candidates_stay_close_to_the_optimum(seed):
    p = synthetic_profiles(60, 25, seed=seed)

    pruned = solve(p, top_k=5, exact_pairs=0)

    matched, total = oracle_assignment(p)
    assert not pruned.exact
    assert len(pruned.rows) == matched
    assert int(pruned.scores.sum()) >= 0.97 * total


def test_pins_are_kept_and_removed_pairs_never_used():
    p = synthetic_profiles(12, 6, seed=3)
    free = solve(p)
    i, j = int(free.rows[0]), int(free.cols[0])

    without = solve(p, removed={(i, j)})
    assert (i, j) not in set(zip(without.rows.tolist(), without.cols.tolist(), strict=True))

    other = next(c for c in range(6) if c != j and p.mentor_room[c] > 0)
    pinned = solve(p, pins=[(i, other)])
    assert (i, other) in set(zip(pinned.rows.tolist(), pinned.cols.tolist(), strict=True))


@pytest.fixture
def cohort_world(db):
    program = factories.ProgramFactory()
    quiet_hours_off(program)
    coordinator = factories.make_user_with_role(Membership.Role.COORDINATOR, program)
    mentors = [factories.MentorProfileFactory(program=program, capacity=1) for _ in range(2)]
    mentees = [factories.MenteeProfileFactory(program=program) for _ in range(3)]
    factories.MenteeProfileFactory(program=program, study_arm="comparison")
    return program, coordinator, mentors, mentees


def test_plan_lists_pairs_with_reasons_and_unmatched_mentees(cohort_world):
    program, _, mentors, mentees = cohort_world

    plan = cohort_plan(program)

    assert len(plan.pairs) == 2 and len(plan.unmatched) == 1
    assert plan.exact
    assert all(sum(part.points for part in pair.parts) == pair.score for pair in plan.pairs)
    assert plan.unmatched[0].reason == "Every compatible mentor's places went to other mentees"


def test_command_prints_json_and_commits_in_one_go(cohort_world, capsys):
    program, _, mentors, mentees = cohort_world

    call_command("match_cohort", program=program.slug, json=True)
    preview = json.loads(capsys.readouterr().out)
    assert (preview["matched"], preview["unmatched"], preview["committed"]) == (2, 1, 0)
    assert not Match.objects.exists()

    call_command("match_cohort", program=program.slug, commit=True)
    assert "2 matches written" in capsys.readouterr().out
    assert Match.objects.filter(status="active").count() == 2
    assert MenteeProfile.objects.filter(status="active").count() == 2
    # Nothing left to match: a second run plans nothing.
    assert len(cohort_plan(program).pairs) == 0


def test_page_pins_removes_and_commits(cohort_world, client, django_assert_max_num_queries):
    program, coordinator, mentors, mentees = cohort_world
    client.force_login(coordinator)
    url = reverse("matching:cohort", kwargs={"slug": program.slug})

    page = client.get(url)
    assert page.status_code == 200
    assert AuditEntry.objects.filter(
        action="view", object_type="matching.cohortpreview", program=program
    ).exists()
    plan = page.context["plan"]
    first = plan.pairs[0]
    client.post(url, {"action": "remove", "pair": f"{first.mentee_id}:{first.mentor_id}"})
    plan = client.get(url).context["plan"]
    assert (first.mentee_id, first.mentor_id) not in {
        (x.mentee_id, x.mentor_id) for x in plan.pairs
    }
    keep = plan.pairs[0]
    client.post(url, {"action": "pin", "pair": f"{keep.mentee_id}:{keep.mentor_id}"})
    plan = client.get(url).context["plan"]
    assert any(x.pinned and x.mentee_id == keep.mentee_id for x in plan.pairs)

    response = client.post(
        url,
        {
            "action": "commit",
            "pairs": [f"{x.mentee_id}:{x.mentor_id}" for x in plan.pairs],
        },
    )

    assert response.status_code == 302
    written = dict(
        Match.objects.filter(program=program, status="active").values_list("mentee_id", "score")
    )
    assert written == {x.mentee_id: x.score for x in plan.pairs}


def test_commit_is_all_or_nothing(cohort_world, client):
    program, coordinator, mentors, mentees = cohort_world
    client.force_login(coordinator)
    url = reverse("matching:cohort", kwargs={"slug": program.slug})
    # Both mentees on a mentor with one place: the second pair is refused, so neither is written.
    pairs = [f"{mentees[0].pk}:{mentors[0].pk}", f"{mentees[1].pk}:{mentors[0].pk}"]

    response = client.post(url, {"action": "commit", "pairs": pairs}, follow=True)

    assert not Match.objects.exists()
    assert "place(s) left" in response.content.decode()


def test_garbled_input_gets_a_message_not_an_error(cohort_world, client):
    program, coordinator, *_ = cohort_world
    client.force_login(coordinator)
    url = reverse("matching:cohort", kwargs={"slug": program.slug})

    not_understood = "That action was not understood; nothing changed."
    garbled = "The assignment was garbled; re-run the preview."
    for data, message in (
        ({"action": "explode"}, not_understood),
        ({"action": "commit", "pairs": ["x:y"]}, garbled),
        ({"action": "pin"}, not_understood),
    ):
        response = client.post(url, data, follow=True)
        assert response.status_code == 200
        assert message in response.content.decode()
    assert not Match.objects.exists()


def test_page_matches_only_the_chosen_mentees(cohort_world, client):
    program, coordinator, mentors, mentees = cohort_world
    client.force_login(coordinator)
    url = reverse("matching:cohort", kwargs={"slug": program.slug})

    client.post(url, {"action": "select", "mentees": [mentees[2].pk]})
    plan = client.get(url).context["plan"]
    assert [p.mentee_id for p in plan.pairs] == [mentees[2].pk]
    assert not plan.unmatched

    assert client.post(url, {"action": "select"}, follow=True).status_code == 200
    client.post(url, {"action": "select_all"})
    assert len(client.get(url).context["plan"].pairs) == 2


def test_command_matches_only_the_given_participants(cohort_world, capsys):
    program, _, mentors, mentees = cohort_world

    call_command("match_cohort", program=program.slug, mentees=mentees[0].participant_id, json=True)

    plan = json.loads(capsys.readouterr().out)
    assert [p["mentee_id"] for p in plan["pairs"]] == [mentees[0].pk]


def test_where_mentors_accept_a_cohort_commit_writes_proposals(
    cohort_world, mailoutbox, django_capture_on_commit_callbacks
):
    program, coordinator, mentors, mentees = cohort_world
    MatchingSettings.objects.create(program=program, mentor_must_accept=True)

    with django_capture_on_commit_callbacks(execute=True):
        call_command("match_cohort", program=program.slug, commit=True)
    send_due()

    assert Match.objects.filter(status="proposed").count() == 2
    assert MenteeProfile.objects.filter(status="active").count() == 0
    assert sorted(m.to[0] for m in mailoutbox) == sorted(m.user.email for m in mentors)

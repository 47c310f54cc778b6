"""The goals URLs in the role x URL matrix. The world's mentor is matched with the world's
mentee under a consent covering goals; goals are created on first use by each case."""

from tests import factories
from tests.urlcases import Case, expect

# Goals belong to the mentee and their matched mentor; coordinators read; everyone else 404.
READ = expect(
    coordinator=200,
    other_coordinator=404,
    staff=404,
    mentor=200,
    mentee=200,
    other_mentor=404,
    other_mentee=404,
)
CHANGE = {**READ, "coordinator": 403}
# Coordinator-only program pages: other roles in the program 403, outsiders 404.
COORDINATOR_PAGE = expect(
    coordinator=200,
    other_coordinator=404,
    staff=403,
    mentor=403,
    mentee=403,
    other_mentor=403,
    other_mentee=403,
)


def goal_of(world):
    goal = world.mentee_profile.goals.first()
    return goal or factories.GoalFactory(mentee=world.mentee_profile, status="draft")


def template_of(world):
    return factories.GoalTemplateFactory(program=world.program)


def mentee_kwargs(w):
    return {"mentee_pk": w.mentee_profile.pk}


def goal_kwargs(w):
    return {"pk": goal_of(w).pk}


def program_kwargs(w):
    return {"slug": w.program.slug}


CASES = [
    Case(
        "goals:board",
        expect(
            coordinator=200,
            other_coordinator=200,
            staff=403,
            mentor=200,
            mentee=200,
            other_mentor=200,
            other_mentee=200,
        ),
    ),
    Case("goals:mentee_goals", READ, kwargs=mentee_kwargs),
    Case("goals:goal_create", CHANGE, kwargs=mentee_kwargs),
    Case("goals:goal_detail", READ, kwargs=goal_kwargs),
    Case("goals:goal_edit", CHANGE, kwargs=goal_kwargs),
    Case("goals:progress_add", CHANGE, kwargs=goal_kwargs),
    Case("goals:goal_status", CHANGE, kwargs=goal_kwargs),
    Case("goals:goal_comment", CHANGE, kwargs=goal_kwargs),
    Case(
        "goals:goal_agree",
        {**CHANGE, "mentor": 302, "mentee": 403},
        kwargs=goal_kwargs,
        method="post",
    ),
    Case(
        "goals:checkin_review",
        # The check-in's rules first (mentors and coordinators log check-ins, a mentee reads
        # them: 403), then the goals' rules (coordinators read goals: 403).
        {**CHANGE, "mentee": 403},
        kwargs=lambda w: {"checkin_pk": factories.CheckInFactory(match=w.match).pk},
    ),
    Case("goals:program_attainment", COORDINATOR_PAGE, kwargs=program_kwargs),
    Case("goals:template_list", COORDINATOR_PAGE, kwargs=program_kwargs),
    Case("goals:template_create", COORDINATOR_PAGE, kwargs=program_kwargs),
    Case(
        "goals:template_edit",
        COORDINATOR_PAGE,
        kwargs=lambda w: {"slug": w.program.slug, "pk": template_of(w).pk},
    ),
    Case(
        "goals:template_seed",
        {**COORDINATOR_PAGE, "coordinator": 302},
        kwargs=program_kwargs,
        method="post",
    ),
]

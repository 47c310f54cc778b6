"""Reads for goals: lists carry their current value and standing in a constant number of
queries, whatever the number of goals."""

from datetime import date

from django.db.models import (
    Case,
    Count,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)

from accounts.models import MenteeProfile, Program
from goals.models import Goal, GoalTemplate, MenteeGoals, ProgressEntry
from goals.progress import Standing, goal_standing
from mentorship import access


def goals_with_progress(queryset: QuerySet) -> QuerySet:
    """Annotate each goal with `current_value` (its latest entry) in the same query."""
    latest = ProgressEntry.objects.filter(goal=OuterRef("pk")).order_by(
        "-recorded_on", "-created_at", "-id"
    )
    return queryset.select_related("focus_area", "mentee__program", "mentee__user").annotate(
        current_value=Subquery(latest.values("value")[:1])
    )


def standing_of(goal: Goal, today: date | None = None) -> Standing:
    """`goal` must come from `goals_with_progress` (or carry `current_value`)."""
    return goal_standing(
        status=goal.status,
        direction=goal.direction,
        baseline=goal.baseline,
        target=goal.target,
        current=getattr(goal, "current_value", None),
        start=goal.start_date,
        due=goal.due_date,
        today=today or goal.mentee.program.today(),
    )


def with_standings(goals) -> list[Goal]:
    """Attach `.standing` to each goal; the program's today is computed once per program."""
    todays: dict[int, date] = {}
    result = []
    for goal in goals:
        program = goal.mentee.program
        if program.pk not in todays:
            todays[program.pk] = program.today()
        goal.standing = standing_of(goal, todays[program.pk])
        result.append(goal)
    return result


def goal_board_order(queryset: QuerySet) -> QuerySet:
    """Open goals first (soonest due first), then closed goals."""
    closed = Case(When(status__in=Goal.CLOSED, then=Value(1)), default=Value(0))
    return queryset.order_by(closed, "due_date", "id")


def mentees_with_open_goals(user, roles: tuple[str, ...]) -> list[MenteeGoals]:
    """The mentees `user` reaches through `roles`, each with `.open_goals` (standings
    attached), in a constant number of queries whatever the number of mentees or goals."""
    open_goals = goal_board_order(goals_with_progress(Goal.objects.filter(status__in=Goal.OPEN)))
    mentees = list(
        access.scope(user, MenteeGoals.objects.all(), roles=roles)
        .select_related("user", "program")
        .prefetch_related(Prefetch("goals", queryset=open_goals, to_attr="open_goals"))
        .order_by("first_name", "last_name", "pk")
    )
    for mentee in mentees:
        with_standings(mentee.open_goals)
    return mentees


def templates_for_program(program: Program) -> QuerySet:
    return GoalTemplate.objects.filter(program=program, is_active=True).select_related("focus_area")


def attainment_by_mentee(program: Program, today: date) -> QuerySet:
    """Per mentee: goals set (drafts excluded), active, achieved, achieved by the due date,
    overdue (active and past due). One query for the whole page."""
    return (
        MenteeProfile.objects.filter(program=program, study_arm=MenteeProfile.Arm.MENTORED)
        .select_related("user")
        .annotate(**_attainment_counts("goals__", today))
        .order_by("last_name", "first_name", "pk")
    )


def attainment_for_program(program: Program, today: date) -> dict:
    return Goal.objects.filter(mentee__program=program).aggregate(**_attainment_counts("", today))


def _attainment_counts(prefix: str, today: date) -> dict:
    """Counts named as the coordinator reads them. Drafts are proposals, not goals set; a goal
    is due once its due date has passed, unless it was abandoned."""

    def count(*conditions: Q, **lookups) -> Count:
        q = Q(**{f"{prefix}{k}": v for k, v in lookups.items()})
        for condition in conditions:
            q &= condition
        return Count(f"{prefix}pk" if prefix else "pk", filter=q, distinct=True)

    not_draft = ~Q(**{f"{prefix}status": "draft"})
    return {
        "goals_set": count(not_draft),
        "goals_active": count(status="active"),
        "goals_achieved": count(status="achieved"),
        "goals_achieved_on_time": count(status="achieved", closed_on__lte=F(f"{prefix}due_date")),
        "goals_overdue": count(status="active", due_date__lt=today),
        "goals_due": count(not_draft, ~Q(**{f"{prefix}status": "abandoned"}), due_date__lt=today),
    }

"""Demo goals: the default templates, and goals in every state for the matched demo mentees,
with progress entries by the mentee and by the mentor on their behalf."""

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import FocusArea, MenteeProfile, Program
from goals.models import Goal, GoalComment, ProgressEntry
from goals.services import goal_template_seed_defaults
from matching.models import Match

# (focus area, kind, title, metric, unit, direction, baseline, target, start days ago,
#  length in days, status, reason, progress values oldest first)
PLANS = [
    (
        "Employment and job search",
        "life",
        "Apply to 10 jobs by the end of the quarter",
        "job applications sent",
        "applications",
        "at_least",
        0,
        10,
        28,
        84,
        "active",
        "",
        [1, 2, 4],
    ),
    (
        "Community and peer connection",
        "life",
        "Attend 3 meetings a week",
        "meetings attended",
        "meetings a week",
        "at_least",
        0,
        3,
        42,
        84,
        "active",
        "",
        [1, 1, 0],
    ),
    (
        "Emotional management and cravings",
        "harm_reduction",
        "Use on at most 1 day a week",
        "days with any use",
        "days a week",
        "at_most",
        5,
        1,
        21,
        56,
        "active",
        "",
        [4, 3, 2],
    ),
    (
        "Medication adherence",
        "harm_reduction",
        "Take my medication every day",
        "days medication taken",
        "days a week",
        "at_least",
        3,
        7,
        70,
        56,
        "achieved",
        "",
        [5, 6, 7, 7],
    ),
    (
        "Housing",
        "life",
        "Move into stable housing",
        "lease signed",
        "",
        "done",
        0,
        None,
        100,
        60,
        "not_achieved",
        "The housing program's waiting list was longer than expected.",
        [0],
    ),
    (
        "Education",
        "life",
        "Enrol in a GED class",
        "class enrolment",
        "",
        "done",
        0,
        None,
        30,
        60,
        "abandoned",
        "Starting a job first; will return to this in spring.",
        [],
    ),
    (
        "Physical health",
        "life",
        "Go to 3 health appointments",
        "appointments kept",
        "appointments",
        "at_least",
        0,
        3,
        5,
        60,
        "draft",
        "",
        [],
    ),
    (
        "Family and relationships",
        "life",
        "Call my sister every week",
        "calls made",
        "calls a week",
        "at_least",
        0,
        1,
        90,
        60,
        "active",
        "",
        [0],
    ),
]


@transaction.atomic
def demo_seed_goals(*, program: Program) -> None:
    goal_template_seed_defaults(program=program)
    if Goal.objects.filter(mentee__program=program).exists():
        return
    areas = {a.name: a for a in FocusArea.objects.filter(program=program)}
    matches = list(
        Match.objects.filter(program=program, status=Match.Status.ACTIVE)
        .select_related("mentee__user", "mentor__user")
        .order_by("started_at", "pk")
    )
    today = program.today()
    now = timezone.now()
    for index, match in enumerate(matches):
        # The first mentee has a goal in every state; the others two goals each.
        plans = PLANS if index == 0 else [PLANS[index % 3], PLANS[3 + index % 4]]
        for plan in plans:
            _goal(match, areas, plan, today, now)


def _goal(match: Match, areas, plan, today, now) -> None:
    (area, kind, title, metric, unit, direction, baseline, target, ago, length, status,
     reason, values) = plan  # fmt: skip
    if area not in areas:
        return
    mentee: MenteeProfile = match.mentee
    # Goals are set with the mentor: never before the match started.
    ago = min(ago, (today - timezone.localtime(match.started_at).date()).days - 1)
    if ago < 0:
        return
    start = today - timedelta(days=ago)
    due = start + timedelta(days=length)
    closed = status in Goal.CLOSED
    goal = Goal.objects.create(
        mentee=mentee,
        kind=kind,
        title=title,
        specific=f"{title}, in my own words: one step at a time.",
        metric=metric,
        unit=unit,
        direction=direction,
        baseline=Decimal(baseline),
        target=None if target is None else Decimal(target),
        steps="Write down the next step each week and tell my mentor.",
        support=f"{match.mentor.user.first_name}, my mentor; the program's resource list.",
        agreed_at=None if status == "draft" else now - timedelta(days=ago),
        agreed_by=None if status == "draft" else match.mentor.user,
        focus_area=areas[area],
        why_it_matters="Staying busy and connected keeps cravings down.",
        start_date=start,
        due_date=due,
        status=status,
        status_reason=reason,
        closed_on=min(due, today) if closed else None,
        created_by=mentee.user,
    )
    step = max(1, ago // (len(values) + 1)) if values else 1
    ProgressEntry.objects.bulk_create(
        ProgressEntry(
            goal=goal,
            recorded_on=min(today, start + timedelta(days=step * (i + 1))),
            value=Decimal(value),
            note="Logged at our check-in." if i % 2 else "",
            # Every other entry the mentor typed in during a check-in, on the mentee's behalf.
            recorded_by=match.mentor.user if i % 2 else mentee.user,
            on_behalf=bool(i % 2),
        )
        for i, value in enumerate(values)
    )
    if status == "active":
        GoalComment.objects.create(
            goal=goal,
            author=match.mentor.user,
            body="Good progress. Let's look at what gets in the way at our next check-in.",
        )


def demo_seed_goals_large(*, program: Program) -> None:
    """Three goals per active match of the large program, started over its year (the last one
    still active), each with a progress entry every two or three weeks. Bulk; idempotent."""
    goal_template_seed_defaults(program=program)
    if Goal.objects.filter(mentee__program=program).exists():
        return
    areas = {a.name: a for a in FocusArea.objects.filter(program=program)}
    plans = [plan for plan in PLANS if plan[0] in areas and plan[7] is not None]
    matches = list(
        Match.objects.filter(program=program, status=Match.Status.ACTIVE)
        .select_related("mentee", "mentor")
        .order_by("pk")
    )
    today = program.today()
    now = timezone.now()
    for start in range(0, len(matches), 500):
        with transaction.atomic():
            goals = []
            for index, match in enumerate(matches[start : start + 500], start):
                began = match.started_at.date()
                for n in range(3):
                    plan = plans[(index + n) % len(plans)]
                    opened = began + timedelta(days=120 * n)
                    due = opened + timedelta(days=110)
                    status = "active" if due > today else ("achieved" if n % 2 else "not_achieved")
                    goals.append(_large_goal(match, areas, plan, opened, due, status, now, today))
            Goal.objects.bulk_create(goals, batch_size=2000)
            # Each goal was last changed when it was agreed, or when it closed (the outcome
            # reports watch `updated_at`), not all today.
            for goal in goals:
                closed = goal.closed_on and datetime.combine(goal.closed_on, time(12), UTC)
                goal.updated_at = min(closed or goal.agreed_at, now)
            Goal.objects.bulk_update(goals, ["updated_at"], batch_size=2000)
            ProgressEntry.objects.bulk_create(
                (
                    ProgressEntry(
                        goal=goal,
                        recorded_on=day,
                        value=Decimal(week % 4),
                        recorded_by_id=goal.created_by_id,
                    )
                    for goal in goals
                    for week, day in enumerate(
                        goal.start_date + timedelta(days=d)
                        for d in range(14, (min(goal.due_date, today) - goal.start_date).days, 17)
                    )
                ),
                batch_size=5000,
            )


def _large_goal(match, areas, plan, opened, due, status, now, today) -> Goal:
    area, kind, title, metric, unit, direction, baseline, target = plan[:8]
    return Goal(
        mentee=match.mentee,
        kind=kind,
        title=title,
        specific=f"{title}, in my own words: one step at a time.",
        metric=metric,
        unit=unit,
        direction=direction,
        baseline=Decimal(baseline),
        target=Decimal(target),
        steps="Write down the next step each week and tell my mentor.",
        support="My mentor; the program's resource list.",
        agreed_at=now - timedelta(days=(today - opened).days),
        agreed_by_id=match.mentor.user_id,
        focus_area=areas[area],
        why_it_matters="Staying busy and connected keeps cravings down.",
        start_date=opened,
        due_date=due,
        status=status,
        closed_on=None if status == "active" else due,
        created_by_id=match.mentee.user_id,
    )

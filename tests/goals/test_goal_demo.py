from accounts.demo import demo_seed_small
from goals.demo import demo_seed_goals
from goals.models import Goal, GoalTemplate, ProgressEntry
from matching.demo import demo_seed_matches


def test_demo_has_goals_in_every_state_and_is_idempotent(db):
    program, _ = demo_seed_small()
    demo_seed_matches(program=program)

    demo_seed_goals(program=program)
    counts = (Goal.objects.count(), ProgressEntry.objects.count(), GoalTemplate.objects.count())
    demo_seed_goals(program=program)

    assert set(Goal.objects.values_list("status", flat=True)) == set(Goal.Status.values)
    assert ProgressEntry.objects.filter(on_behalf=True).exists()
    assert (Goal.objects.count(), ProgressEntry.objects.count(), GoalTemplate.objects.count()) == (
        counts
    )
    for goal in Goal.objects.all():
        goal.full_clean()  # demo data obeys the same rules as the form

import pytest
from django.core.management import call_command

from accounts.models import Membership, MenteeProfile, MentorProfile


def test_healthz_reports_database_and_broker(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}


@pytest.mark.django_db
def test_seed_demo_is_idempotent_and_prints_a_login_per_role(capsys):
    call_command("seed_demo")
    call_command("seed_demo")
    out = capsys.readouterr().out
    for role in ("Coordinator", "Evaluator", "Mentor", "Mentee"):
        assert role in out
    assert MentorProfile.objects.filter(program__slug="demo").count() == 8
    # 24 current mentees (later apps may add past cohorts for the reports).
    assert (
        MenteeProfile.objects.filter(
            program__slug="demo", user__email__regex=r"^mentee[0-9]+@"
        ).count()
        == 24
    )
    assert Membership.objects.filter(program__slug="demo", role="coordinator").count() == 1
    assert Membership.objects.filter(program__slug="demo", role="staff").count() == 1


@pytest.mark.django_db
def test_the_large_seed_lives_a_year_and_is_idempotent():
    """The benchmark program at a small scale: every role, a year of activity per match."""
    from checkins.models import CheckIn
    from goals.models import Goal, ProgressEntry
    from matching.models import Match
    from outcomes.models import Assessment, UseDay, UseSummary
    from portal.management.commands.seed_demo import seed_large

    def counts(program):
        return [
            Match.objects.filter(program=program, status="active").count(),
            CheckIn.objects.filter(program=program).count(),
            Goal.objects.filter(mentee__program=program).count(),
            ProgressEntry.objects.filter(goal__mentee__program=program).count(),
            UseDay.objects.filter(mentee__program=program).count(),
            Assessment.objects.filter(mentee__program=program).count(),
        ]

    program, logins = seed_large(mentees=40, mentors=12, matched=6)
    first = counts(program)
    again, _ = seed_large(mentees=40, mentors=12, matched=6)
    assert again == program and counts(program) == first
    matches, checkins, goals, entries, days, assessments = first
    assert matches == 6 and checkins >= 6 * 52 and goals == 18 and entries > goals
    assert days > 6 * 300 and assessments >= 6 * 5
    assert UseSummary.objects.filter(mentee__program=program).count() == 40
    assert set(logins) == {"Coordinator", "Evaluator"}
    assert Membership.objects.filter(program=program, role="coordinator").count() == 1

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

"""Programs (issue #13): one made by `manage.py create_program` or in the admin has its default
vocabularies, goal templates and outcome settings, and a participants file imports at once."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from accounts.models import MenteeProfile, Program, Substance
from goals.models import GoalTemplate
from outcomes.models import OutcomeSettings
from tests import factories
from tests.accounts.test_import import GOOD


def _ready_for_import(program: Program, tmp_path) -> None:
    assert Substance.objects.filter(program=program).exists()
    assert GoalTemplate.objects.filter(program=program).exists()
    assert OutcomeSettings.objects.get(program=program).min_cell_size == 11
    path = tmp_path / "people.csv"
    path.write_bytes(GOOD)
    call_command("import_participants", str(path), "--program", program.slug)
    assert MenteeProfile.objects.filter(program=program).count() == 2


def test_a_program_created_by_command_imports_at_once(db, tmp_path, capsys):
    call_command("create_program", "eastside", "--name", "Eastside", "--timezone", "America/Denver")
    assert "Created program eastside" in capsys.readouterr().out
    program = Program.objects.get(slug="eastside")
    assert program.timezone == "America/Denver"
    _ready_for_import(program, tmp_path)


def test_the_command_refuses_a_bad_timezone_or_a_taken_slug(db):
    with pytest.raises(CommandError, match="time zone|timezone"):
        call_command("create_program", "x", "--name", "X", "--timezone", "Mars/Olympus")
    call_command("create_program", "y", "--name", "Y", "--timezone", "UTC", "--language", "es")
    assert Program.objects.get(slug="y").default_language == "es"
    with pytest.raises(CommandError, match="(?i)slug"):
        call_command("create_program", "y", "--name", "Y again", "--timezone", "UTC")
    assert not Program.objects.filter(slug="x").exists()


def test_a_program_created_in_the_admin_imports_at_once(client, db, tmp_path):
    admin = factories.UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    response = client.post(
        reverse("admin:accounts_program_add"),
        {
            "name": "Westside",
            "slug": "westside",
            "timezone": "America/Chicago",
            "default_language": "en",
            "default_checkin_cadence": "weekly",
            "min_recovery_months": 6,
            "crisis_resources": "988",
            "second_factor_grace_days": 7,
            "created_at_0": "2026-01-05",
            "created_at_1": "09:00:00",
            "second_factor_since_0": "2026-01-05",
            "second_factor_since_1": "09:00:00",
            "memberships-TOTAL_FORMS": 0,
            "memberships-INITIAL_FORMS": 0,
        },
    )
    if response.status_code != 302:
        context = response.context or {}
        errors = context.get("errors") or context.get("inline_admin_formsets")
        raise AssertionError((response.status_code, response.get("Location"), errors))
    _ready_for_import(Program.objects.get(slug="westside"), tmp_path)


def test_a_program_created_on_the_superusers_page_imports_at_once(client, db, tmp_path):
    url = reverse("accounts:program_create")
    coordinator = factories.make_user_with_role("coordinator", factories.ProgramFactory())
    client.force_login(coordinator)
    assert client.get(url).status_code == 403
    client.force_login(factories.UserFactory(is_staff=True, is_superuser=True))
    assert client.get(url).status_code == 200
    bad = {"name": "North", "slug": "north", "timezone": "Nowhere/Land"}
    response = client.post(url, bad)
    assert response.status_code == 200 and "timezone" in response.context["form"].errors
    good = {
        **bad,
        "timezone": "America/New_York",
        "organization": "North Recovery",
        "default_language": "es",
    }
    response = client.post(url, good)
    assert response.status_code == 302
    program = Program.objects.get(slug="north")
    assert program.default_language == "es"
    _ready_for_import(program, tmp_path)

"""Re-importing participants already enrolled: unchanged rows are left alone, changed cells
are listed then applied as a coordinator's edit, rows naming two people or another role are
refused; the counts are the ones every import shows (mentorship.imports)."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.imports import participants_import
from accounts.models import MenteeProfile, User
from mentorship.models import AuditEntry
from tests import factories

HEADER = "role,email,first_name,last_name,enrolled_on,participant_id,recovery_stage"
FILE = [
    "mentee,alex@example.org,Alex,Kim,2026-03-02,R001,early",
    "mentee,bo@example.org,Bo,Lee,2026-03-03,R002,early",
]


def csv_bytes(*rows: str) -> bytes:
    return ("\n".join([HEADER, *rows]) + "\n").encode()


@pytest.fixture
def program(db):
    program = factories.ProgramFactory(slug="riverside", name="Riverside")
    assert participants_import(program=program, content=csv_bytes(*FILE)).written
    return program


def problems_of(result):
    return [(p.row, p.column, p.message) for p in result.problems]


def test_the_same_file_again_is_all_unchanged_and_writes_nothing(program):
    audit_before = AuditEntry.objects.count()

    result = participants_import(program=program, content=csv_bytes(*FILE))

    assert result.ok, problems_of(result)
    summary = result.summary
    assert (summary.new, summary.unchanged, summary.changed, summary.conflicting) == (0, 2, 0, 0)
    assert summary.summary() == "0 new, 2 unchanged, 0 changed, 0 conflicting"
    assert MenteeProfile.objects.filter(program=program).count() == 2
    assert AuditEntry.objects.count() == audit_before


def test_a_changed_cell_is_listed_then_applied_and_audited(client, program):
    coordinator = factories.make_user_with_role("coordinator", program)
    client.force_login(coordinator)
    changed = csv_bytes(FILE[0], "mentee,bo@example.org,Bo,Lee,2026-03-03,R002,sustained")
    file = io.BytesIO(changed)
    file.name = "people.csv"

    page = client.post(
        reverse("accounts:participant_import"), {"program": program.pk, "file": file}
    )

    text = page.content.decode()
    assert 'id="import-summary"' in text
    assert "<td>R002</td>" in text and "<td>recovery_stage</td>" in text
    assert "<td>early</td><td>sustained</td>" in text
    assert MenteeProfile.objects.get(participant_id="R002").recovery_stage == "early"

    token = page.context["confirm_form"].initial["token"]
    client.post(reverse("accounts:participant_import_confirm"), {"token": token})

    bo = MenteeProfile.objects.get(participant_id="R002")
    assert bo.recovery_stage == "sustained"
    entry = AuditEntry.objects.get(action="update", object_id=str(bo.pk))
    assert entry.actor == coordinator and entry.fields == ["recovery_stage"]
    assert not AuditEntry.objects.filter(
        action="update", object_id=str(MenteeProfile.objects.get(participant_id="R001").pk)
    ).exists()


def test_the_command_dry_run_prints_the_counts(program, tmp_path, capsys):
    path = tmp_path / "people.csv"
    path.write_bytes(
        csv_bytes(
            FILE[0],
            "mentee,bo@example.org,Bo,Lee,2026-03-03,R002,sustained",
            "mentee,cy@example.org,Cy,Ng,2026-03-04,R003,early",
        )
    )

    call_command("import_participants", str(path), program="riverside", dry_run=True)

    out = capsys.readouterr().out
    assert "1 new, 1 unchanged, 1 changed, 0 conflicting" in out
    assert "changed: R002 recovery_stage: early -> sustained" in out
    assert not User.objects.filter(email="cy@example.org").exists()
    assert MenteeProfile.objects.get(participant_id="R002").recovery_stage == "early"


def test_e_mail_and_id_of_two_different_people_is_refused(program):
    result = participants_import(
        program=program,
        content=csv_bytes("mentee,alex@example.org,Alex,Kim,2026-03-02,R002,sustained"),
    )

    assert not result.written
    assert problems_of(result) == [
        (
            2,
            "participant_id",
            "This e-mail and the participant ID “R002” belong to two different people in "
            "Riverside; correct one of them.",
        )
    ]
    assert result.summary.conflicting == 1
    assert MenteeProfile.objects.get(participant_id="R002").recovery_stage == "early"


def test_another_role_than_the_enrolled_one_is_refused_and_nothing_is_written(program):
    result = participants_import(
        program=program,
        content=csv_bytes(
            "mentee,cy@example.org,Cy,Ng,2026-03-04,,early",
            "mentor,alex@example.org,Alex,Kim,,,",
        ),
    )

    assert not result.written
    assert problems_of(result) == [
        (3, "role", "This person is already a mentee in Riverside, not a mentor.")
    ]
    assert not User.objects.filter(email="cy@example.org").exists()

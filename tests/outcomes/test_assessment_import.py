"""CSV import of assessments: the one import pipeline (preview, confirm, dry run) with the
instruments' scales and the one scoring path."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from mentorship.models import AuditEntry
from outcomes.assessment_imports import assessments_file_import, expected_columns, template_csv
from outcomes.instruments import BAM, BARC10
from outcomes.models import Assessment, OutcomeSettings
from tests import factories

BARC_HEADER = "participant_id,instrument,timepoint,date," + ",".join(
    f"item_{n}" for n in range(1, 11)
)


@pytest.fixture
def setup(db):
    program = factories.ProgramFactory()
    mentee = factories.MenteeProfileFactory(program=program)
    coordinator = factories.make_user_with_role("coordinator", program)
    return program, mentee, coordinator


def barc_csv(mentee, *rows, header=BARC_HEADER):
    """rows: (timepoint, date, answers) with answers a list of 10, or a raw line string."""
    lines = [header]
    for row in rows:
        if isinstance(row, str):
            lines.append(row.format(pid=mentee.participant_id, d0=mentee.enrolled_on))
        else:
            timepoint, day, answers = row
            cells = [mentee.participant_id, "barc10", timepoint, f"{day}"]
            lines.append(",".join(cells + [str(a) for a in answers]))
    return ("\n".join(lines) + "\n").encode()


FIVES = [5] * 10  # total 50


def run(program, data, actor=None, dry_run=False):
    return assessments_file_import(program=program, data=data, actor=actor, dry_run=dry_run)


def test_a_good_file_is_scored_by_the_instrument_and_audited(setup):
    program, mentee, coordinator = setup
    answers = [6, 5, 4, 3, 2, 1, 6, 5, 4, 3]
    result = run(program, barc_csv(mentee, ("intake", mentee.enrolled_on, answers)), coordinator)
    assert result.ok and result.written == 1 and result.new == 1
    stored = Assessment.objects.get(mentee=mentee)
    assert (stored.instrument, stored.week, stored.answers) == ("barc10", 0, answers)
    assert stored.total == 39 and stored.scores == BARC10.score(answers)
    assert AuditEntry.objects.filter(object_type="outcomes.assessment", person=mentee.user).exists()


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (
            BARC_HEADER + ",notes",
            "Unknown column “notes”. Expected columns: " + ", ".join(expected_columns()) + ".",
        ),
        (
            "participant_id,instrument,date,item_1",
            "Missing column(s): timepoint. Expected columns:",
        ),
    ],
)
def test_unknown_or_missing_columns_are_refused_with_the_expected_list(setup, header, message):
    program, mentee, _ = setup
    result = run(program, barc_csv(mentee, header=header))
    [(line, text)] = result.errors
    assert line == 1 and message in text


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("P-NOTHERE,barc10,intake,{d0},5,5,5,5,5,5,5,5,5,5", "“P-NOTHERE” is not in this program"),
        ("{pid},barc10,intake,03/06/2026,5,5,5,5,5,5,5,5,5,5", "03/06/2026"),
        ("{pid},barc10,4,{d0},5,5,5,7,5,5,5,5,5,5", "Column item_4: “7” is not on the item's scale (1-6)"),
        ("{pid},barc10,4,{d0},5,5,5,,5,5,5,5,5,5", "Column item_4: an answer is needed (1-6)"),
        ("{pid},phq9,intake,{d0},5,5,5,5,5,5,5,5,5,5", "Unknown instrument “phq9”"),
        ("{pid},barc10,week 5,{d0},5,5,5,5,5,5,5,5,5,5", "Timepoint “week 5” is not one of this program's (intake, 4, 12, 24)"),
    ],
)  # fmt: skip
def test_each_bad_row_is_refused_with_its_row_column_and_reason(setup, line, message):
    program, mentee, _ = setup
    good = ("intake", mentee.enrolled_on, FIVES)
    result = run(program, barc_csv(mentee, good, line))
    assert not result.ok
    [(number, text)] = result.errors
    assert number == 3 and message in text, text
    assert not Assessment.objects.exists()  # all or nothing


def test_dates_in_the_future_or_before_the_baseline_window_are_refused(setup):
    program, mentee, _ = setup
    future = program.today() + timedelta(days=2)
    too_early = mentee.enrolled_on - timedelta(days=91)
    result = run(
        program,
        barc_csv(
            mentee,
            ("intake", mentee.enrolled_on - timedelta(days=90), FIVES),  # inside: fine
            ("4", future, FIVES),
            ("12", too_early, FIVES),
        ),
    )
    assert [line for line, _ in result.errors] == [3, 4]
    assert "has not happened yet" in result.errors[0][1]
    assert "outside the 90-day baseline window" in result.errors[1][1]


def test_a_bam_row_is_checked_against_each_items_own_scale(setup):
    program, mentee, _ = setup
    OutcomeSettings.objects.update_or_create(
        program=program, defaults={"instruments": "barc10,bam"}
    )
    keys = [item.key for item in BAM.items]
    header = "participant_id,instrument,timepoint,date," + ",".join(f"item_{k}" for k in keys)
    answers = ["0"] * len(keys)
    answers[keys.index("14")] = "2"  # Yes/No item: 0 or 4
    line = ",".join([mentee.participant_id, "BAM", "intake", f"{mentee.enrolled_on}", *answers])
    result = run(program, barc_csv(mentee, line, header=header))
    [(number, text)] = result.errors
    assert number == 2 and "Column item_14: “2” is not on the item's scale (0 or 4)" in text


def test_a_bam_file_for_a_program_without_bam_is_refused(setup):
    program, mentee, _ = setup
    line = "{pid},bam,intake,{d0}," + ",".join(["0"] * 10)
    result = run(program, barc_csv(mentee, line))
    assert "is not one of this program's questionnaires" in result.errors[0][1]


def test_reimporting_the_same_file_changes_nothing_and_says_unchanged(setup):
    program, mentee, coordinator = setup
    data = barc_csv(mentee, ("intake", mentee.enrolled_on, FIVES))
    run(program, data, coordinator)
    before = AuditEntry.objects.count()
    again = run(program, data, coordinator)
    assert again.ok and (again.new, again.unchanged, again.changed, again.written) == (0, 1, 0, 0)
    assert again.summary() == "0 new, 1 unchanged, 0 changed, 0 conflicting"
    assert AuditEntry.objects.count() == before and Assessment.objects.count() == 1


def test_changed_answers_are_previewed_with_old_and_new_score_then_replace(setup):
    program, mentee, coordinator = setup
    run(program, barc_csv(mentee, ("intake", mentee.enrolled_on, FIVES)), coordinator)
    corrected = barc_csv(mentee, ("intake", mentee.enrolled_on, [6] * 10))
    preview = run(program, corrected, coordinator, dry_run=True)
    [change] = preview.changes
    assert change.participant_id == mentee.participant_id and "Intake" in change.what
    assert change.old.startswith("BARC-10 50") and change.new.startswith("BARC-10 60")
    assert Assessment.objects.get().total == 50  # a preview writes nothing
    done = run(program, corrected, coordinator)
    assert done.changed == 1 and Assessment.objects.get().total == 60


def test_the_same_administration_at_another_time_point_is_listed_as_conflicting(setup):
    program, mentee, coordinator = setup
    run(program, barc_csv(mentee, ("intake", mentee.enrolled_on, FIVES)), coordinator)
    result = run(program, barc_csv(mentee, ("4", mentee.enrolled_on, FIVES)), dry_run=True)
    [conflict] = result.conflicts
    assert "already on file as Intake" in conflict.answers
    assert result.summary() == "1 new, 0 unchanged, 0 changed, 1 conflicting"


def test_the_command_dry_run_writes_nothing_and_the_run_imports(setup, tmp_path, capsys):
    program, mentee, _ = setup
    path = tmp_path / "barc.csv"
    path.write_bytes(barc_csv(mentee, ("intake", mentee.enrolled_on, FIVES)))
    call_command("import_assessments", str(path), "--program", program.slug, "--dry-run")
    assert "1 new, 0 unchanged, 0 changed, 0 conflicting; dry run" in capsys.readouterr().out
    assert not Assessment.objects.exists()
    call_command("import_assessments", str(path), "--program", program.slug)
    assert Assessment.objects.get().total == 50
    path.write_bytes(barc_csv(mentee, "{pid},barc10,intake,{d0},9,5,5,5,5,5,5,5,5,5"))
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_assessments", str(path), "--program", program.slug)
    assert "Column item_1" in capsys.readouterr().err


def test_the_template_is_a_file_the_import_accepts(setup, client):
    program, mentee, coordinator = setup
    client.force_login(coordinator)
    url = reverse("outcomes:assessment_import_template", kwargs={"slug": program.slug})
    response = client.get(url)
    assert response.status_code == 200 and response.content.decode() == template_csv()
    example = template_csv().replace("P-EXAMPLE", mentee.participant_id)
    example = example.replace("2026-01-15", f"{mentee.enrolled_on}")
    OutcomeSettings.objects.update_or_create(
        program=program, defaults={"instruments": "barc10,bam"}
    )
    assert run(program, example.encode()).ok


def test_upload_preview_confirm_on_the_page(setup, client):
    program, mentee, coordinator = setup
    client.force_login(coordinator)
    url = reverse("outcomes:assessment_import", kwargs={"slug": program.slug})
    page = client.get(url)
    assert b"Download the template" in page.content
    bad = barc_csv(mentee, "{pid},barc10,intake,{d0},0,5,5,5,5,5,5,5,5,5")
    response = client.post(url, {"file": SimpleUploadedFile("a.csv", bad)})
    assert response.status_code == 400 and "Column item_1" in response.content.decode()
    good = barc_csv(mentee, ("intake", mentee.enrolled_on, FIVES))
    response = client.post(url, {"file": SimpleUploadedFile("a.csv", good)})
    assert b"Preview: nothing is written yet" in response.content
    assert not Assessment.objects.exists()
    token = response.context["confirm_form"].initial["token"]
    confirm = reverse("outcomes:assessment_import_confirm", kwargs={"slug": program.slug})
    response = client.post(confirm, {"token": token}, follow=True)
    assert b"Imported 1 assessment: 1 new, 0 unchanged" in response.content
    assert Assessment.objects.get().total == 50
    # Spent: a second confirmation writes nothing more.
    response = client.post(confirm, {"token": token}, follow=True)
    assert b"no longer kept" in response.content and Assessment.objects.count() == 1


def test_a_confirmation_after_the_file_expired_writes_nothing(setup, client):
    program, mentee, coordinator = setup
    client.force_login(coordinator)
    url = reverse("outcomes:assessment_import", kwargs={"slug": program.slug})
    good = barc_csv(mentee, ("intake", mentee.enrolled_on, FIVES))
    token = (
        client.post(url, {"file": SimpleUploadedFile("a.csv", good)})
        .context["confirm_form"]
        .initial["token"]
    )
    # What Redis does after the 30 minutes of csvfiles.PENDING_KEEP_SECONDS.
    cache.delete(f"assessment-import:{token}")
    confirm = reverse("outcomes:assessment_import_confirm", kwargs={"slug": program.slug})
    response = client.post(confirm, {"token": token}, follow=True)
    assert b"no longer kept (after 30 minutes)" in response.content
    assert not Assessment.objects.exists()


def test_outsiders_get_404_and_other_roles_403(setup, client):
    program, mentee, _ = setup
    url = reverse("outcomes:assessment_import", kwargs={"slug": program.slug})
    other = factories.make_user_with_role("coordinator", factories.ProgramFactory())
    client.force_login(other)
    assert client.get(url).status_code == 404
    client.force_login(mentee.user)
    assert client.get(url).status_code == 403


def test_the_import_is_linked_from_the_use_day_import_and_for_coordinators_only(world, client):
    target = reverse("outcomes:assessment_import", kwargs={"slug": world.program.slug}).encode()
    client.force_login(world.coordinator)
    page = client.get(reverse("outcomes:import", kwargs={"slug": world.program.slug}))
    assert target in page.content
    assessments = reverse("outcomes:assessments", kwargs={"mentee_pk": world.mentee_profile.pk})
    assert target in client.get(assessments).content
    client.force_login(world.mentor)
    response = client.get(assessments)
    assert response.status_code == 200 and target not in response.content

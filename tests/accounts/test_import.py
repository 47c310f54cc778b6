"""CSV import of participants: all or nothing, every problem by row and column, one code path
for the upload page and the management command."""

import csv
import io
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from accounts.imports import COLUMN_NAMES, participants_check, participants_import, template_csv
from accounts.models import (
    Membership,
    MenteeFocusArea,
    MenteeProfile,
    MentorProfile,
    MentorTraining,
    StatusChange,
    User,
)
from mentorship.models import AuditEntry
from tests import factories

HEADER = "role,email,first_name,last_name,enrolled_on,focus_areas,substances,languages"


def csv_bytes(*rows: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


GOOD = csv_bytes(
    "mentee,alex@example.org,Alex,Kim,2026-03-02,Housing:high;Legal,Opioids;alcohol,English",
    "mentee,bo@example.org,Bo,Lee,2026-03-03,,,",
)


@pytest.fixture
def program(db):
    return factories.ProgramFactory(slug="riverside", name="Riverside")


def problems_of(result):
    return [(p.row, p.column, p.message) for p in result.problems]


def test_good_file_creates_people_profiles_and_audit(program):
    coordinator = factories.make_user_with_role("coordinator", program)

    result = participants_import(program=program, content=GOOD, actor=coordinator)

    assert result.ok and result.written
    alex = MenteeProfile.objects.get(user__email="alex@example.org")
    assert alex.program == program and alex.enrolled_on == date(2026, 3, 2)
    assert alex.study_arm == "mentored" and alex.recovery_stage == "early"  # defaults
    assert alex.status == "enrolled"
    assert sorted(s.name for s in alex.substances.all()) == ["Alcohol", "Opioids"]
    assert [lang.code for lang in alex.languages.all()] == ["en"]
    needs = {n.focus_area.name: n.priority for n in alex.focus_needs.all()}
    assert needs == {"Housing": MenteeFocusArea.Priority.HIGH, "Legal": 2}
    assert not alex.user.has_usable_password()  # the invitation sets it
    assert Membership.objects.filter(user=alex.user, program=program, role="mentee").exists()
    assert StatusChange.objects.filter(mentee=alex, to_status="enrolled").exists()
    entries = AuditEntry.objects.filter(action="create", object_type="accounts.menteeprofile")
    assert entries.count() == 2
    entry = entries.get(object_id=str(alex.pk))
    assert entry.actor == coordinator and entry.person_id == alex.user_id
    assert "substances" in entry.fields and "Opioids" not in str(entry.fields)


def test_mentor_rows_with_every_column(program):
    content = template_csv().encode()

    result = participants_import(program=program, content=content)

    assert result.ok, problems_of(result)
    mentor = MentorProfile.objects.get(user__email="sam.rivera@example.org")
    assert mentor.capacity == 3 and mentor.is_certified_peer_specialist
    assert mentor.recovery_since == date(2019, 6, 1)
    assert {p.name for p in mentor.philosophies.all()} == {"12-step (AA/NA)", "SMART Recovery"}
    assert {s.name for s in mentor.lived_substances.all()} == {"Opioids", "Alcohol"}
    assert mentor.availability == (1 << 2) | (1 << 8) | (1 << 15)  # Mon/Wed evening, Sat morning
    trainings = MentorTraining.objects.filter(mentor=mentor)
    assert {t.training.name for t in trainings} == {
        "Crisis navigation",
        "Confidentiality / 42 CFR Part 2",
    }
    mentee = MenteeProfile.objects.get(user__email="alex.kim@example.org")
    assert mentee.preferred_philosophy.name == "SMART Recovery"
    assert mentee.preferred_mentor_gender == "woman"


def test_template_documents_every_column():
    rows = list(csv.reader(io.StringIO(template_csv())))
    assert rows[0] == COLUMN_NAMES
    assert [row[0] for row in rows[1:]] == ["mentor", "mentee"]


@pytest.mark.parametrize(
    ("row", "column", "message"),
    [
        ("teacher,a@example.org,A,B,2026-01-01,,,", "role", "Write mentor or mentee."),
        ("mentee,not-an-email,A,B,2026-01-01,,,", "email", "Enter a valid email address."),
        ("mentee,a@example.org,,B,2026-01-01,,,", "first_name", "This field is required."),
        ("mentee,a@example.org,A,B,,,,", "enrolled_on", "This field is required."),
        ("mentee,a@example.org,A,B,2026-02-30,,,", "enrolled_on", "write dates as YYYY-MM-DD"),
        (
            "mentee,a@example.org,A,B,07/01/2026,,,",
            "enrolled_on",
            "“07/01/2026” is not a date in the form YYYY-MM-DD",
        ),
        ("mentee,a@example.org,A,B,1999-01-01,,,", "enrolled_on", "Check the year"),
        ("mentee,a@example.org,A,B,2026-01-01,Knitting,,", "focus_areas", "“Knitting” is not"),
        ("mentee,a@example.org,A,B,2026-01-01,Housing:urgent,,", "focus_areas", "not a priority"),
        ("mentee,a@example.org,A,B,2026-01-01,,Kryptonite,", "substances", "not one of"),
        ("mentee,a@example.org,A,B,2026-01-01,,,Klingon", "languages", "not one of"),
        ("mentor,a@example.org,A,B,2026-01-01,,,", "enrolled_on", "Applies to mentees only"),
        ("mentor,a@example.org,A,B,,Housing:high,,", "focus_areas", "applies to mentees only"),
    ],
)
def test_each_kind_of_bad_row_is_reported_by_row_and_column(program, row, column, message):
    good = "mentee,ok@example.org,Ok,Row,2026-01-01,,,"

    result = participants_import(program=program, content=csv_bytes(good, row))

    assert not result.written
    assert any(r == 3 and c == column and message in m for r, c, m in problems_of(result)), (
        problems_of(result)
    )
    assert not User.objects.filter(email="ok@example.org").exists()  # all or nothing


@pytest.mark.parametrize(
    ("header", "row", "column", "message"),
    [
        ("role,email,first_name,capacity", "mentor,a@example.org,A,99", "capacity", "less than or equal to 25"),
        ("role,email,first_name,capacity", "mentor,a@example.org,A,many", "capacity", "Enter a whole number."),
        ("role,email,first_name,accepting_new", "mentor,a@example.org,A,maybe", "accepting_new", "Write yes or no."),
        ("role,email,first_name,availability", "mentor,a@example.org,A,Mon night", "availability", "not a slot"),
        ("role,email,first_name,recovery_since", "mentor,a@example.org,A,2099-01-01", "recovery_since", "in the future"),
        ("role,email,first_name,trainings", "mentor,a@example.org,A,Crisis navigation", "trainings", "name:YYYY-MM-DD"),
        ("role,email,first_name,enrolled_on,study_arm", "mentee,a@example.org,A,2026-01-01,control", "study_arm", "Select a valid choice"),
        ("role,email,first_name,enrolled_on,philosophy_required", "mentee,a@example.org,A,2026-01-01,yes", "philosophy_required", "Choose the philosophy"),
        ("role,email,first_name,enrolled_on,mentor_gender_required", "mentee,a@example.org,A,2026-01-01,yes", "mentor_gender_required", "Choose the mentor gender"),
    ],
)  # fmt: skip
def test_bad_values_get_the_browser_forms_messages(program, header, row, column, message):
    result = participants_import(program=program, content=csv_bytes(row, header=header))

    assert [(r, c) for r, c, _ in problems_of(result)] == [(2, column)], problems_of(result)
    assert message in result.problems[0].message


def test_choices_accept_the_label_and_yes_no_any_case(program):
    content = csv_bytes(
        "mentee,a@example.org,A,2026-01-01,Comparison (treatment as usual),Sustained recovery (over 1 year),YES",
        header="role,email,first_name,enrolled_on,study_arm,recovery_stage,mentor_gender_required",
    )
    result = participants_import(program=program, content=content)
    assert problems_of(result) == [
        (2, "mentor_gender_required", "Choose the mentor gender that is required.")
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty"),
        (HEADER.encode() + b"\n", "no participants"),
        (b"role,email\nmentee,a@example.org\n", "Missing column(s): first_name"),
        (csv_bytes("mentee,a@example.org,A,B,2026-01-01,,,", header=HEADER + ",shoe_size"), "Unknown column"),
        (csv_bytes("mentee,a@example.org,A,B,2026-01-01,,,", header=HEADER + ",email"), "appears twice"),
        ("role,email,first_name\nmentee,é@example.org,Zoë\n".encode("latin-1"), "not UTF-8"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "not UTF-8"),
        (b'role,email,first_name\nmentee,"a@example.org,A\n', "cannot be read as CSV"),
        (csv_bytes("mentee,a@example.org,A,B,2026-01-01,,,,extra"), "column without a name"),
    ],
)  # fmt: skip
def test_a_bad_file_is_explained(program, content, message):
    result = participants_import(program=program, content=content)
    assert not result.ok and not result.written
    assert message in " ".join(str(p) for p in result.problems)


def test_utf8_with_bom_and_excel_quoting(program):
    content = "\ufeff" + "\r\n".join(
        [
            "role,email,first_name,last_name,enrolled_on,focus_areas",
            'mentee,zoe@example.org,Zoë,"O\'Brien, ""Jr""",2026-01-05,"Housing:high;Employment and job search"',
            'mentee,ana@example.org,"Ana\nMaría",Núñez,2026-01-05,',
        ]
    )
    result = participants_import(program=program, content=content.encode("utf-8"))

    assert result.ok, problems_of(result)
    zoe = User.objects.get(email="zoe@example.org")
    assert zoe.first_name == "Zoë" and zoe.last_name == 'O\'Brien, "Jr"'
    assert User.objects.get(email="ana@example.org").first_name == "Ana\nMaría"
    assert MenteeProfile.objects.get(user=zoe).focus_needs.count() == 2


def test_duplicates_are_reported_never_merged(program):
    existing = factories.MentorProfileFactory(program=program, user__email="taken@example.org")
    content = csv_bytes(
        "mentee,twice@example.org,A,B,2026-01-01,,,",
        "mentee,TWICE@example.org,A,B,2026-01-01,,,",
        "mentee,taken@example.org,A,B,2026-01-01,,,",
    )

    result = participants_import(program=program, content=content)

    assert problems_of(result) == [
        (3, "email", "Also on row 2; list each person once."),
        (4, "role", "This person is already a mentor in Riverside, not a mentee."),
    ]  # fmt: skip
    assert not MenteeProfile.objects.filter(user=existing.user).exists()
    assert not User.objects.filter(email="twice@example.org").exists()


def test_a_person_from_another_program_keeps_one_account(program):
    other = factories.MenteeProfileFactory(user__email="moved@example.org")
    content = csv_bytes("mentee,moved@example.org,New,Name,2026-01-01,,,")

    result = participants_import(program=program, content=content)

    assert result.written
    assert MenteeProfile.objects.filter(user=other.user).count() == 2
    other.user.refresh_from_db()
    assert other.user.first_name != "New"  # an import never rewrites an existing person
    # This program knows the person by the name typed here, and they join it only by
    # accepting its invitation.
    ours = MenteeProfile.objects.get(user=other.user, program=program)
    assert ours.display_name == "New Name"
    assert Membership.objects.get(user=other.user, program=program).joined_at is None


def test_dry_run_writes_nothing(program):
    before = AuditEntry.objects.count()

    result = participants_import(program=program, content=GOOD, dry_run=True)

    assert result.ok and not result.written and result.mentee_count == 2
    assert not User.objects.filter(email__in=["alex@example.org", "bo@example.org"]).exists()
    assert AuditEntry.objects.count() == before


def test_command_imports_a_good_file(program, tmp_path, capsys):
    path = tmp_path / "people.csv"
    path.write_bytes(GOOD)

    call_command("import_participants", str(path), "--program", "riverside")

    assert "Imported 0 mentors and 2 mentees into Riverside." in capsys.readouterr().out
    assert MenteeProfile.objects.filter(program=program).count() == 2


def test_command_dry_run_and_bad_file_exit_codes(program, tmp_path, capsys):
    good = tmp_path / "good.csv"
    good.write_bytes(GOOD)
    call_command("import_participants", str(good), "--program", "riverside", "--dry-run")
    assert "Dry run: nothing was written" in capsys.readouterr().out
    assert not MenteeProfile.objects.filter(program=program).exists()

    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes("mentee,nope,A,B,2026-01-01,,,"))
    with pytest.raises(CommandError) as failure:
        call_command("import_participants", str(bad), "--program", "riverside")
    assert failure.value.returncode == 1
    assert "Row 2, email: Enter a valid email address." in capsys.readouterr().err

    with pytest.raises(CommandError) as failure:
        call_command("import_participants", str(good), "--program", "nowhere")
    assert failure.value.returncode == 2
    with pytest.raises(CommandError) as failure:
        call_command("import_participants", str(tmp_path / "missing.csv"), "--program", "riverside")
    assert failure.value.returncode == 2


def test_ten_thousand_rows_in_bulk(program, django_assert_max_num_queries):
    rows = [
        f"mentee,p{i}@example.org,P{i},Q,2026-01-01,Housing:high;Legal,Opioids,English"
        for i in range(10_000)
    ]
    with django_assert_max_num_queries(80):  # bulk inserts: the count does not grow with rows
        result = participants_import(program=program, content=csv_bytes(*rows))

    assert result.written
    assert MenteeProfile.objects.filter(program=program).count() == 10_000
    assert MenteeFocusArea.objects.filter(mentee__program=program).count() == 20_000
    assert AuditEntry.objects.filter(program=program, action="create").count() == 10_000


def test_checking_a_row_costs_the_same_however_many_rows_came_before(program):
    """The row forms share their fields; each row once added a validator to them, so a 50,000-
    row file took hours (issue #13, scale). The validators must not grow with the rows."""
    from accounts.forms_records import MenteeRowForm, PersonRowForm

    def validators():
        return {
            (form.__name__, name): len(field.validators)
            for form in (MenteeRowForm, PersonRowForm)
            for name, field in form.base_fields.items()
        }

    participants_check(program=program, content=GOOD)
    before = validators()
    rows = [f"mentee,p{i}@example.org,P{i},Q,2026-01-01,,,English" for i in range(50)]
    assert participants_check(program=program, content=csv_bytes(*rows)).ok
    assert validators() == before


PROFILE_HEADER = (
    "role,email,first_name,participant_id,enrolled_on,study_arm,availability,"
    "preferred_mentor_gender,mentor_gender_required"
)
PROFILE_CELLS = "2026-01-05,Comparison (treatment as usual),Mon evening;Sat morning,woman,yes"


def test_rows_with_the_same_profile_cells_each_get_the_profile_and_keep_their_own_person(program):
    """The profile form is checked once per distinct set of profile cells (_ProfileChecks): the
    rows sharing them get the same profile, each with its own e-mail, name and study ID."""
    content = csv_bytes(
        f"mentee,a@example.org,Ann,S-001,{PROFILE_CELLS}",
        f"mentee,b@example.org,Ben,S-002,{PROFILE_CELLS}",
        header=PROFILE_HEADER,
    )
    result = participants_import(program=program, content=content)
    assert result.ok, problems_of(result)
    people = MenteeProfile.objects.filter(program=program).order_by("participant_id")
    assert [(m.participant_id, m.user.email, m.first_name) for m in people] == [
        ("S-001", "a@example.org", "Ann"),
        ("S-002", "b@example.org", "Ben"),
    ]
    mon_evening, sat_morning = 1 << 2, 1 << 15  # the availability grid's bits
    expected = (date(2026, 1, 5), "comparison", mon_evening | sat_morning, "woman", True)
    profile = ("enrolled_on", "study_arm", "availability", "preferred_mentor_gender")
    profile += ("mentor_gender_required",)
    assert [tuple(getattr(m, name) for name in profile) for m in people] == [expected, expected]


def test_rows_with_the_same_bad_profile_cells_are_each_refused(program):
    bad = "2026-01-05,mentored,,,yes"  # a mentor gender required, none given
    content = csv_bytes(
        f"mentee,a@example.org,Ann,S-001,{bad}",
        f"mentee,b@example.org,Ben,S-002,{bad}",
        header=PROFILE_HEADER,
    )
    message = "Choose the mentor gender that is required."
    assert problems_of(participants_check(program=program, content=content)) == [
        (2, "mentor_gender_required", message),
        (3, "mentor_gender_required", message),
    ]


@pytest.mark.parametrize("role", ["mentee", "mentor"])
def test_the_profile_check_is_keyed_on_every_field_of_the_profile_form(program, role):
    """_ProfileChecks reuses one form outcome per key: sound only while the form reads nothing
    but the cells in the key (and the program's today). A field the form gains, in its class
    or in its __init__, without joining the key fails here."""
    from accounts.imports import PROFILE_FORMS, _profile_data, _ProfileChecks

    checks = _ProfileChecks(program)
    data = _profile_data(role, {}, lambda column, message: None)
    checks(role, data)
    ((key_role, *cells),) = checks.outcomes
    form = PROFILE_FORMS[role](data, program=program)
    assert key_role == role
    assert sorted(name for name, _value in cells) == sorted(form.fields)


# --- The upload page


def upload(client, program, content, name="people.csv"):
    file = io.BytesIO(content)
    file.name = name
    return client.post(
        reverse("accounts:participant_import"), {"program": program.pk, "file": file}
    )


def test_upload_previews_then_confirm_imports(client, program):
    coordinator = factories.make_user_with_role("coordinator", program)
    client.force_login(coordinator)

    preview = upload(client, program, GOOD)

    assert preview.status_code == 200
    page = preview.content.decode()
    assert "Ready to import into Riverside" in page and "alex@example.org" in page
    assert not User.objects.filter(email="alex@example.org").exists()
    token = preview.context["confirm_form"].initial["token"]

    done = client.post(reverse("accounts:participant_import_confirm"), {"token": token})

    assert done.status_code == 302
    assert MenteeProfile.objects.filter(program=program).count() == 2
    assert AuditEntry.objects.filter(actor=coordinator, action="create").count() == 2
    again = client.post(reverse("accounts:participant_import_confirm"), {"token": token})
    assert again.status_code == 302  # the kept file is gone: no double import
    assert MenteeProfile.objects.filter(program=program).count() == 2


def test_the_checked_file_waits_encrypted_and_only_its_session_can_import_it(client, program):
    from django.core.cache import cache

    from accounts.views_records import IMPORT_CACHE_KEY

    coordinator = factories.make_user_with_role("coordinator", program)
    client.force_login(coordinator)
    token = upload(client, program, GOOD).context["confirm_form"].initial["token"]

    kept = cache.get(IMPORT_CACHE_KEY.format(token))
    assert b"alex@example.org" not in kept["content"] and b"Alex" not in kept["content"]
    # The same coordinator signed in elsewhere (another session) cannot confirm it ...
    elsewhere = Client()
    elsewhere.force_login(coordinator)
    elsewhere.post(reverse("accounts:participant_import_confirm"), {"token": token})
    assert not MenteeProfile.objects.filter(program=program).exists()
    # ... the session that checked it can.
    client.post(reverse("accounts:participant_import_confirm"), {"token": token})
    assert MenteeProfile.objects.filter(program=program).count() == 2


def test_upload_reports_problems_by_row(client, program):
    client.force_login(factories.make_user_with_role("coordinator", program))

    response = upload(client, program, csv_bytes("mentee,nope,A,B,2026-01-01,,,"))

    page = response.content.decode()
    assert "1 problem found; nothing was imported" in page
    assert "Enter a valid email address." in page
    assert "confirm_form" not in response.context


def test_confirm_token_is_bound_to_the_person_who_checked(client, program):
    client.force_login(factories.make_user_with_role("coordinator", program))
    token = upload(client, program, GOOD).context["confirm_form"].initial["token"]
    client.force_login(factories.make_user_with_role("coordinator", program))

    client.post(reverse("accounts:participant_import_confirm"), {"token": token})

    assert not MenteeProfile.objects.filter(program=program).exists()


def test_coordinator_cannot_import_into_another_program(client, program, world):
    client.force_login(world.coordinator)

    response = upload(client, world.other_program, GOOD)

    assert response.status_code == 200
    assert "program" in response.context["form"].errors


def test_template_download(client, program):
    client.force_login(factories.make_user_with_role("coordinator", program))
    response = client.get(reverse("accounts:participant_import_template"))
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.decode().startswith("role,email,first_name")


def test_someone_enrolled_between_check_and_confirm_is_reported(client, program):
    client.force_login(factories.make_user_with_role("coordinator", program))
    token = upload(client, program, GOOD).context["confirm_form"].initial["token"]
    factories.MentorProfileFactory(program=program, user__email="bo@example.org")

    response = client.post(reverse("accounts:participant_import_confirm"), {"token": token})

    assert response.status_code == 200
    assert "already a mentor in Riverside, not a mentee" in response.content.decode()
    assert not User.objects.filter(email="alex@example.org").exists()


def test_an_oversized_upload_is_refused_at_the_field(client, program, monkeypatch):
    monkeypatch.setattr("accounts.forms_records.MAX_UPLOAD_BYTES", 20)
    client.force_login(factories.make_user_with_role("coordinator", program))

    response = upload(client, program, GOOD)

    assert "is larger than" in str(response.context["form"].errors["file"])
    assert "confirm_form" not in response.context


def test_a_future_enrollment_date_is_refused_with_the_form(program):
    tomorrow = program.today() + timedelta(days=1)
    result = participants_import(
        program=program, content=csv_bytes(f"mentee,a@example.org,A,B,{tomorrow},,,")
    )
    assert problems_of(result) == [
        (
            2,
            "enrolled_on",
            f"{tomorrow} is in the future; an imported enrollment date must be today or earlier "
            "(YYYY-MM-DD).",
        )
    ]
    today = participants_import(
        program=program, content=csv_bytes(f"mentee,b@example.org,A,B,{program.today()},,,")
    )
    assert today.ok, problems_of(today)


def test_unknown_columns_are_refused_with_the_expected_list(program):
    result = participants_import(
        program=program,
        content=csv_bytes("mentee,a@example.org,A,B,2026-01-01,,,", header=HEADER + ",notes"),
    )
    [problem] = result.problems
    assert (
        problem.row == 1
        and "Unknown column “notes”. Expected columns: role, email," in problem.message
    )


# --- Study IDs: the program's own, or assigned; the mapping comes back as a CSV

ID_HEADER = "role,email,first_name,enrolled_on,participant_id"


def test_a_program_brings_its_own_study_ids(program):
    program.participant_id_pattern = "M[0-9]{3}"
    program.save()
    content = csv_bytes(
        "mentee,a@example.org,A,2026-01-01,M001",
        "mentee,b@example.org,B,2026-01-01,",
        header=ID_HEADER,
    )
    result = participants_import(program=program, content=content)
    assert result.ok, problems_of(result)
    ids = dict(result.id_mapping)
    assert set(ids.values()) == {"a@example.org", "b@example.org"}
    assert MenteeProfile.objects.get(user__email="a@example.org").participant_id == "M001"
    assigned = MenteeProfile.objects.get(user__email="b@example.org").participant_id
    assert assigned.startswith("P-") and ids[assigned] == "b@example.org"


@pytest.mark.parametrize(
    ("rows", "row", "message"),
    [
        (["mentee,a@example.org,A,2026-01-01,X001"], 2, "does not match this program's participant ID pattern M[0-9]{3}"),
        (["mentee,a@example.org,A,2026-01-01,M 01"], 2, "letters, digits"),
        (["mentee,a@example.org,A,2026-01-01,M001", "mentee,b@example.org,B,2026-01-01,M001"], 3, "Also on row 2"),
        (["mentee,a@example.org,A,2026-01-01,M007"], 2, "“M007” is already a participant in Riverside"),
    ],
)  # fmt: skip
def test_study_ids_are_unique_in_the_program_and_match_its_pattern(program, rows, row, message):
    program.participant_id_pattern = "M[0-9]{3}"
    program.save()
    factories.MenteeProfileFactory(program=program, participant_id="M007")
    result = participants_import(program=program, content=csv_bytes(*rows, header=ID_HEADER))
    assert not result.written
    assert any(
        r == row and c == "participant_id" and message in m for r, c, m in problems_of(result)
    ), problems_of(result)


def test_the_same_study_id_may_be_used_by_another_program(program):
    factories.MenteeProfileFactory(participant_id="M001")  # another program
    content = csv_bytes("mentee,a@example.org,A,2026-01-01,M001", header=ID_HEADER)
    assert participants_import(program=program, content=content).ok


def test_the_pattern_setting_must_be_a_regular_expression(program):
    from django.core.exceptions import ValidationError

    program.participant_id_pattern = "M[0-9"
    with pytest.raises(ValidationError, match="regular expression"):
        program.full_clean()


def test_the_command_writes_the_id_mapping_and_audits_it(program, tmp_path):
    from django.core.management import call_command

    path = tmp_path / "people.csv"
    path.write_bytes(csv_bytes("mentee,a@example.org,A,2026-01-01,S-1", header=ID_HEADER))
    call_command("import_participants", str(path), "--program", program.slug)
    mapping = (tmp_path / "people-participant-ids.csv").read_text().splitlines()
    assert mapping == ["participant_id,email", "S-1,a@example.org"]
    assert AuditEntry.objects.filter(
        action="disclose", object_type="accounts.participant_id_mapping", program=program
    ).exists()


def test_the_page_offers_the_id_mapping_after_the_import(client, program):
    coordinator = factories.make_user_with_role("coordinator", program)
    client.force_login(coordinator)
    preview = upload(client, program, GOOD)
    token = preview.context["confirm_form"].initial["token"]
    done = client.post(reverse("accounts:participant_import_confirm"), {"token": token})
    page = client.get(done.url)
    ids_token = page.context["ids_token"]
    assert ids_token and b"Download the participant IDs" in page.content
    download = client.get(reverse("accounts:participant_import_ids"), {"token": ids_token})
    assert download.status_code == 200 and download["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(download.content.decode())))
    mentees = MenteeProfile.objects.filter(program=program).select_related("user")
    assert rows[0] == ["participant_id", "email"]
    assert sorted(rows[1:]) == sorted([m.participant_id, m.user.email] for m in mentees)
    assert (
        AuditEntry.objects.filter(
            actor=coordinator, action="disclose", object_type="accounts.participant_id_mapping"
        ).count()
        == 1
    )
    # Only the coordinator who imported can fetch it.
    other = factories.make_user_with_role("coordinator", program)
    client.force_login(other)
    assert (
        client.get(reverse("accounts:participant_import_ids"), {"token": ids_token}).status_code
        == 404
    )


# --- Warnings: a mentor the program's rules will call "Not eligible"

MENTOR_HEADER = "role,email,first_name,last_name,recovery_since,trainings"


def _requiring_crisis_training(program):
    from accounts.models import Training

    program.required_trainings.set(
        Training.objects.filter(program=program, name="Crisis navigation")
    )


def test_an_ineligible_mentor_row_is_a_warning_on_that_row_not_a_problem(program):
    _requiring_crisis_training(program)
    recent = (date.today() - timedelta(days=30)).isoformat()
    content = csv_bytes(
        f"mentor,new@example.org,New,Mentor,{recent},Crisis navigation:2025-01-15",
        "mentor,ready@example.org,Ready,Mentor,2019-06-01,Crisis navigation:2025-01-15",
        "mentor,untrained@example.org,Un,Trained,2019-06-01,",
        header=MENTOR_HEADER,
    )

    result = participants_import(program=program, content=content, dry_run=True)

    assert result.ok  # importable: a warning, not a problem
    assert [str(w) for w in result.warnings] == [
        "Row 2: mentor will not be eligible to match: Needs 6 months of continuous recovery.",
        "Row 4: mentor will not be eligible to match: Needs Crisis navigation training.",
    ]


def test_the_preview_and_the_dry_run_show_the_warning(client, program, tmp_path, capsys):
    _requiring_crisis_training(program)
    content = csv_bytes("mentor,un@example.org,Un,Trained,2019-06-01,", header=MENTOR_HEADER)
    client.force_login(factories.make_user_with_role("coordinator", program))

    preview = upload(client, program, content)

    page = preview.content.decode()
    assert 'id="import-warnings"' in page and "Ready to import" in page
    assert "Row 2: mentor will not be eligible to match: Needs Crisis navigation training." in page
    path = tmp_path / "mentors.csv"
    path.write_bytes(content)
    call_command("import_participants", str(path), "--program", program.slug, "--dry-run")
    out = capsys.readouterr().out
    assert "Row 2: mentor will not be eligible to match: Needs Crisis navigation training." in out
    assert "Dry run: nothing was written" in out


def test_the_templates_example_mentor_is_eligible(client, program):
    from accounts.eligibility import mentors_with_eligibility
    from accounts.models import Training

    # Without a program: the default trainings a program usually requires (the demo's two).
    program.required_trainings.set(
        Training.objects.filter(
            program=program, name__in=["Crisis navigation", "Confidentiality / 42 CFR Part 2"]
        )
    )
    result = participants_import(program=program, content=template_csv().encode(), dry_run=True)
    assert result.ok and result.warnings == []
    # The page's download: that program's own required trainings, whatever they are.
    program.required_trainings.set(Training.objects.filter(program=program))
    client.force_login(factories.make_user_with_role("coordinator", program))
    template = client.get(
        reverse("accounts:participant_import_template"), {"program": program.slug}
    ).content

    result = participants_import(program=program, content=template)

    assert result.ok and result.written and result.warnings == []
    mentor = MentorProfile.objects.filter(program=program, user__email="sam.rivera@example.org")
    assert [reasons for _, reasons in mentors_with_eligibility(mentor, program=program)] == [[]]

"""CSV import of participants (mentors and mentees), shared by the upload page and
`manage.py import_participants`.

Every row is checked before anything is written, with the fields of the browser forms so the
messages are the same; problems are reported by row, column and message; the write is one
transaction of bulk inserts, so a file goes in whole or not at all.
"""

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from accounts.eligibility import ineligibility_reasons
from accounts.forms_records import (
    MENTEE_ROW_FIELDS,
    MENTOR_ROW_FIELDS,
    MenteeRowForm,
    MentorRowForm,
    PersonRowForm,
)
from accounts.hooks import mentees_enrolled
from accounts.models import (
    AVAILABILITY_SLOTS,
    FocusArea,
    Language,
    Membership,
    MenteeFocusArea,
    MenteeProfile,
    MentorProfile,
    MentorTraining,
    Philosophy,
    Program,
    StatusChange,
    Substance,
    Training,
    User,
    participant_id_problem,
)
from accounts.services import mentee_update, mentor_update
from mentorship.audit import Action, audit_record, client_ip
from mentorship.csvfiles import (
    DATE_FORM,
    UnreadableFile,
    csv_text,
    header_key,
    header_problems,
    iso_date,
)
from mentorship.imports import Change, Conflict, ImportSummary
from mentorship.models import AuditEntry

MENTOR, MENTEE = Membership.Role.MENTOR, Membership.Role.MENTEE
BOTH = (MENTOR, MENTEE)
SEPARATOR = ";"
MAX_ROWS = 50_000
BATCH = 2_000
YES = {"yes", "y", "true", "1", "x"}
NO = {"no", "n", "false", "0", ""}
PRIORITIES = {
    "high": MenteeFocusArea.Priority.HIGH,
    "medium": MenteeFocusArea.Priority.MEDIUM,
    "low": MenteeFocusArea.Priority.LOW,
    "3": MenteeFocusArea.Priority.HIGH,
    "2": MenteeFocusArea.Priority.MEDIUM,
    "1": MenteeFocusArea.Priority.LOW,
}
PRIORITY_WORDS = {
    MenteeFocusArea.Priority.HIGH: "high",
    MenteeFocusArea.Priority.MEDIUM: "medium",
    MenteeFocusArea.Priority.LOW: "low",
}
# What a row is against the people already enrolled in the program (mentorship.imports' counts).
NEW, UNCHANGED, CHANGED, CONFLICTING = "new", "unchanged", "changed", "conflicting"


@dataclass(frozen=True)
class Column:
    name: str
    roles: tuple[str, ...]
    description: str  # lazy: in the reader's language
    mentor_example: str = ""
    mentee_example: str = ""
    required: bool = False


# The example mentor must be eligible where the file is used: the default trainings a program
# is likely to require (the template download puts in the program's own required ones).
EXAMPLE_TRAINING_DATE = "2025-01-15"
EXAMPLE_TRAININGS = ";".join(
    f"{name}:{EXAMPLE_TRAINING_DATE}"
    for name in ("Crisis navigation", "Confidentiality / 42 CFR Part 2")
)

# The one description of the file: the template, the column reference on the upload page and
# the parser all read it.
COLUMNS = [
    Column("role", BOTH, _("mentor or mentee."), "mentor", "mentee", required=True),
    Column("email", BOTH, _("Their sign-in; unique."), "sam.rivera@example.org",
           "alex.kim@example.org", required=True),
    Column("first_name", BOTH, _("First name."), "Sam", "Alex", required=True),
    Column("last_name", BOTH, _("Last name."), "Rivera", "Kim"),
    Column("gender", BOTH, _("woman, man, nonbinary, other or undisclosed (or the label)."),
           "man", "woman"),
    Column("languages", BOTH, _("Language names or codes, separated by “;”."),
           "English;Spanish", "English"),
    Column("availability", BOTH,
           _("Weekly slots such as “Mon evening;Sat morning” (morning, afternoon, evening)."),
           "Mon evening;Wed evening;Sat morning", "Mon evening;Sat morning"),
    Column("substances", BOTH,
           _("Mentee: substances of concern; mentor: lived experience. Names from the program's "
           "vocabulary, separated by “;”."), "Opioids;Alcohol", "Opioids"),
    Column("focus_areas", BOTH,
           _("Names from the program's vocabulary, separated by “;”. For a mentee add the "
           "priority after a colon (high, medium, low; medium if left out)."),
           "Employment and job search;Housing", "Housing:high;Employment and job search:low"),
    Column("participant_id", (MENTEE,),
           _("The program's own study ID (unique in the program, matching its pattern); empty: "
           "one is assigned. The import returns every ID with its e-mail."), "", ""),
    Column("enrolled_on", (MENTEE,), _("Enrollment date, YYYY-MM-DD: day 1 of the outcome windows."),
           "", "2026-03-02"),
    Column("study_arm", (MENTEE,), _("mentored or comparison (default mentored)."), "", "mentored"),
    Column("recovery_stage", (MENTEE,),
           _("in_treatment, early, early_late or sustained (default early)."), "", "early"),
    Column("preferred_philosophy", (MENTEE,), _("One name from the program's philosophies."), "",
           "SMART Recovery"),
    Column("philosophy_required", (MENTEE,), _("yes: only mentors who support it (default no)."),
           "", "no"),
    Column("preferred_mentor_gender", (MENTEE,), _("woman, man or nonbinary; empty: no preference."),
           "", "woman"),
    Column("mentor_gender_required", (MENTEE,), _("yes: only a mentor of that gender (default no)."),
           "", "no"),
    Column("referral_source", (MENTEE,),
           _("self, treatment, court, hospital, family, community or other."), "", "treatment"),
    Column("philosophies", (MENTOR,), _("Philosophies they support, separated by “;”."),
           "12-step (AA/NA);SMART Recovery", ""),
    Column("recovery_since", (MENTOR,), _("Start of continuous recovery, YYYY-MM-DD."),
           "2019-06-01", ""),
    Column("trainings", (MENTOR,),
           _("Completed trainings as name:YYYY-MM-DD, separated by “;”."),
           EXAMPLE_TRAININGS, ""),
    Column("is_certified_peer_specialist", (MENTOR,), _("yes or no (default no)."), "yes", ""),
    Column("certifications", (MENTOR,), _("Other certifications, free text."), "CPRS", ""),
    Column("capacity", (MENTOR,), _("Maximum active mentees, 0-25 (default 3)."), "3", ""),
    Column("accepting_new", (MENTOR,), _("yes or no (default yes)."), "yes", ""),
    Column("bio", (MENTOR,), _("Short bio shown to coordinators when matching."),
           "Ten years in recovery; likes hiking.", ""),
]  # fmt: skip
COLUMN_NAMES = [c.name for c in COLUMNS]
# The vocabularies a cell names, as a problem message calls them.
KIND_NAMES = {
    "philosophies": _("philosophies"),
    "focus_areas": _("focus areas"),
    "substances": _("substances"),
    "trainings": _("trainings"),
    "languages": _("languages"),
}
COLUMNS_BY_NAME = {c.name: c for c in COLUMNS}
REQUIRED_COLUMNS = [c.name for c in COLUMNS if c.required]
# Read with the one date rule of every import (mentorship.csvfiles.iso_date), not the browser
# form's formats, which would take 07/01/2026 as 1 July.
DATE_COLUMNS = ("enrolled_on", "recovery_since")
BOOLEAN_COLUMNS = {
    "philosophy_required",
    "mentor_gender_required",
    "is_certified_peer_specialist",
    "accepting_new",
}
# A cell left empty takes the same default a new profile gets in the browser.
DEFAULTS = {
    MENTEE: {"study_arm": "mentored", "recovery_stage": "early"},
    MENTOR: {"capacity": "3", "accepting_new": "yes"},
}
AVAILABILITY_BITS = {label.lower(): str(bit) for bit, label in AVAILABILITY_SLOTS}
FORM_FIELDS = {MENTEE: MENTEE_ROW_FIELDS, MENTOR: MENTOR_ROW_FIELDS}
PROFILE_FORMS = {MENTEE: MenteeRowForm, MENTOR: MentorRowForm}


@dataclass(frozen=True)
class Problem:
    row: int | None  # the spreadsheet row (the header is row 1); None: the whole file
    column: str
    message: str

    def __str__(self):
        where = gettext("Row %(row)d") % {"row": self.row} if self.row else gettext("File")
        return (
            f"{where}, {self.column}: {self.message}" if self.column else f"{where}: {self.message}"
        )


@dataclass
class ParsedRow:
    row: int
    role: str
    email: str
    person: dict
    profile: dict  # concrete field values
    m2m: dict = field(default_factory=dict)  # field name -> list of term ids
    focus_needs: dict = field(default_factory=dict)  # focus area id -> priority
    trainings: dict = field(default_factory=dict)  # training id -> completion date
    columns: list[str] = field(default_factory=list)  # names of the columns filled in
    status: str = NEW
    enrolled: object = None  # the profile on file (unchanged or changed rows)
    changes: list[tuple[str, str, str]] = field(default_factory=list)  # (column, old, new)


@dataclass
class ImportResult:
    problems: list[Problem] = field(default_factory=list)
    # Allowed, but worth knowing before importing: e.g. a mentor who will not be eligible.
    warnings: list[Problem] = field(default_factory=list)
    rows: list[ParsedRow] = field(default_factory=list)
    written: bool = False
    # After the write: (participant_id, email) of every mentee, the file's order.
    id_mapping: list[tuple[str, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def new_rows(self) -> list[ParsedRow]:
        return [r for r in self.rows if r.status == NEW]

    @property
    def mentor_count(self) -> int:
        """New mentors (a row already enrolled is counted as unchanged or changed)."""
        return sum(1 for r in self.rows if r.role == MENTOR and r.status == NEW)

    @property
    def mentee_count(self) -> int:
        return sum(1 for r in self.rows if r.role == MENTEE and r.status == NEW)

    @property
    def summary(self) -> ImportSummary:
        """The counts every import shows (mentorship.imports): new, unchanged, changed,
        conflicting, with each changed cell listed by participant and column."""
        counts = {NEW: 0, UNCHANGED: 0, CHANGED: 0, CONFLICTING: 0}
        for row in self.rows:
            counts[row.status] += 1
        changes = [
            Change(
                participant_id=getattr(row.enrolled, "participant_id", "") or row.email,
                day=None,
                what=column,
                old=old,
                new=new,
            )
            for row in self.rows
            for column, old, new in row.changes
        ]
        conflicting = {r.row for r in self.rows if r.status == CONFLICTING}
        conflicts = [
            Conflict(participant_id=str(p.row), day=None, answers=p.message, counted="")
            for p in self.problems
            if p.row in conflicting
        ]
        return ImportSummary(
            errors=[(p.row or 0, str(p)) for p in self.problems],
            written=len(self.rows) if self.written else 0,
            dry_run=not self.written,
            new=counts[NEW],
            unchanged=counts[UNCHANGED],
            changes=changes,
            conflicts=conflicts,
        )


def template_csv(program: Program | None = None) -> str:
    """The downloadable template: the header and one example row per role. With a program, the
    example mentor has completed that program's required trainings, so the example imports a
    mentor who is eligible to match there."""
    examples = {c.name: c.mentor_example for c in COLUMNS}
    if program is not None:
        required = program.required_trainings.order_by("name").values_list("name", flat=True)
        examples["trainings"] = ";".join(f"{name}:{EXAMPLE_TRAINING_DATE}" for name in required)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMN_NAMES)
    writer.writerow([examples[name] for name in COLUMN_NAMES])
    writer.writerow([c.mentee_example for c in COLUMNS])
    return out.getvalue()


# --- Reading the file


def read_rows(content: bytes, problems: list[Problem]) -> tuple[list[str], list[tuple[int, dict]]]:
    """The header and the non-empty rows as (spreadsheet row number, {column: cell})."""
    try:
        text = csv_text(content)
    except UnreadableFile as exc:
        problems.append(Problem(None, "", str(exc)))
        return [], []
    # Excel's dialect: comma-separated, "" for a quote inside a quoted cell, line breaks allowed
    # inside quotes.
    reader = csv.reader(io.StringIO(text, newline=""), dialect="excel", strict=True)
    del text  # the reader's buffer holds it; records are read one at a time below
    rows, start = [], len(problems)
    try:
        first = next(reader, [])
        if not any(cell.strip() for cell in first):
            problems.append(
                Problem(None, "", gettext("The file is empty; start from the template."))
            )
            return [], []
        header = [header_key(cell) for cell in first]
        header_refused = [
            Problem(1, "", message)
            for message in header_problems(header, expected=COLUMN_NAMES, required=REQUIRED_COLUMNS)
        ]
        # Every record is read even under a refused header: a file that is not CSV gets that
        # one answer, whatever else its rows say.
        for number, record in enumerate(reader, start=2):
            if not header_refused:
                _read_record(number, record, header, rows, problems)
    except csv.Error as exc:
        del problems[start:]
        problems.append(
            Problem(
                reader.line_num,
                "",
                gettext("The file cannot be read as CSV (%(error)s).") % {"error": exc},
            )
        )
        return [], []
    if header_refused:
        problems.extend(header_refused)
        return header, []
    if len(rows) > MAX_ROWS:
        problems.append(
            Problem(
                None,
                "",
                gettext("More than %(count)s rows; split the file.") % {"count": f"{MAX_ROWS:,}"},
            )
        )
        return header, []
    return header, rows


def _read_record(number: int, record: list[str], header: list[str], rows: list, problems: list):
    if not any(cell.strip() for cell in record):
        return
    # Excel keeps cells typed beyond the header, and under a header cell left empty.
    unnamed = [cell for name, cell in zip(header, record, strict=False) if not name]
    if any(cell.strip() for cell in unnamed + record[len(header) :]):
        problems.append(
            Problem(
                number, "", gettext("This row has a value in a column without a name in row 1.")
            )
        )
        return
    cells = {name: cell.strip() for name, cell in zip(header, record, strict=False) if name}
    rows.append((number, cells))


# --- Checking rows


class _Vocabulary:
    """The program's terms by lower-cased name, loaded once per import."""

    def __init__(self, program: Program):
        def terms(model):
            return {t.name.lower(): t for t in model.objects.filter(program=program)}

        self.philosophies = terms(Philosophy)
        self.focus_areas = terms(FocusArea)
        self.substances = terms(Substance)
        self.trainings = terms(Training)
        self.languages = {}
        for language in Language.objects.all():
            self.languages[language.name.lower()] = language
            self.languages[language.code.lower()] = language

    @staticmethod
    def lookup(terms: dict, name: str, kind: str):
        """(term, None) or (None, message)."""
        term = terms.get(name.lower())
        if term is None:
            return None, gettext("“%(name)s” is not one of this program's %(kind)s.") % {
                "name": name,
                "kind": KIND_NAMES[kind],
            }
        if not getattr(term, "is_active", True):
            return None, gettext(
                "“%(name)s” is no longer in use among this program's %(kind)s."
            ) % {"name": name, "kind": KIND_NAMES[kind]}
        return term, None


def _split(cell: str) -> list[str]:
    return [part.strip() for part in cell.split(SEPARATOR) if part.strip()]


def _choice_values(form_field) -> dict[str, str]:
    values = {}
    for value, label in getattr(form_field, "choices", []):
        values[str(value).lower()] = str(value)
        values[str(label).lower()] = str(value)
    return values


_CHOICES = {
    role: {
        name: _choice_values(form.base_fields[name])
        for name in FORM_FIELDS[role]
        if hasattr(form.base_fields[name], "choices") and name != "availability"
    }
    for role, form in PROFILE_FORMS.items()
}


def _profile_data(role: str, cells: dict, add) -> dict:
    """The cells as the browser form would post them: defaults for empty cells, choices by value
    or label, yes/no as booleans, availability slots as the grid's checkbox values."""
    data = {}
    for name in FORM_FIELDS[role]:
        value = cells.get(name, "") or DEFAULTS[role].get(name, "")
        if name in BOOLEAN_COLUMNS:
            lowered = value.lower()
            if lowered not in YES | NO:
                add(name, gettext("Write yes or no."))
                continue
            data[name] = "on" if lowered in YES else ""
        elif name == "availability":
            bits = []
            for label in _split(value):
                bit = AVAILABILITY_BITS.get(" ".join(label.lower().split()))
                if bit is None:
                    add(
                        name,
                        gettext("“%(label)s” is not a slot; write e.g. “Mon evening”.")
                        % {"label": label},
                    )
                else:
                    bits.append(bit)
            data[name] = bits
        elif name in _CHOICES[role]:
            data[name] = _CHOICES[role][name].get(value.lower(), value)
        else:
            data[name] = value
    return data


class _ProfileChecks:
    """The profile form's outcome for each distinct set of profile cells, checked once.

    A profile form reads nothing but its cells and the program (whose "today" holds for the
    import), and a file repeats the same few combinations (arm, stage, enrollment date, ...) on
    thousands of rows, so the one form check per combination gives every row the same
    messages at a fraction of the cost of a form per row. The key is every field of the form
    (tests/accounts/test_import.py fails when the form gains one the key lacks)."""

    def __init__(self, program: Program):
        self.program = program
        self.outcomes: dict[tuple, tuple[dict, list]] = {}

    def __call__(self, role: str, data: dict) -> tuple[dict, list]:
        key = (role, *((n, tuple(v) if isinstance(v, list) else v) for n, v in data.items()))
        outcome = self.outcomes.get(key)
        if outcome is None:
            form = PROFILE_FORMS[role](data, program=self.program)
            errors = [(name, list(messages)) for name, messages in form.errors.items()]
            outcome = self.outcomes[key] = (form.cleaned_data, errors)
        return outcome


def _check_row(
    number: int,
    cells: dict,
    *,
    program: Program,
    vocabulary: _Vocabulary,
    checked_profile: _ProfileChecks,
    problems: list,
) -> ParsedRow | None:
    start = len(problems)

    def add(column: str, message: str) -> None:
        problems.append(Problem(number, column, message))

    role = cells.get("role", "").lower()
    if role not in BOTH:
        add("role", gettext("Write mentor or mentee."))
        return None
    for name, value in cells.items():
        if value and role not in COLUMNS_BY_NAME[name].roles:
            if role == MENTEE:
                add(name, gettext("Applies to mentors only; leave it empty for a mentee."))
            else:
                add(name, gettext("Applies to mentees only; leave it empty for a mentor."))

    bad_dates = set()
    for name in DATE_COLUMNS:
        if cells.get(name) and role in COLUMNS_BY_NAME[name].roles:
            try:
                iso_date(cells[name])
            except ValueError as exc:
                add(name, str(exc))
                bad_dates.add(name)
    if role == MENTEE and cells.get("participant_id"):
        problem = participant_id_problem(cells["participant_id"], program)
        if problem:
            add("participant_id", problem)
    person = PersonRowForm(
        {n: cells.get(n, "") for n in PersonRowForm.base_fields}, program=program
    )
    profile_cleaned, profile_errors = checked_profile(role, _profile_data(role, cells, add))
    for name, messages in [*person.errors.items(), *profile_errors]:
        if name in bad_dates:
            continue  # already explained with the expected form
        for message in messages:
            add("" if name == "__all__" else name, message)
    enrolled = profile_cleaned.get("enrolled_on") if role == MENTEE else None
    if enrolled and enrolled > program.today():
        # The import records people already enrolled: day 1 of their outcome windows has passed.
        add("enrolled_on", gettext(
            "%(date)s is in the future; an imported enrollment date must be today or earlier "
            "(%(form)s).") % {"date": f"{enrolled:%Y-%m-%d}", "form": DATE_FORM})  # fmt: skip

    parsed = ParsedRow(
        row=number,
        role=role,
        # E-mail addresses are stored lower-case: one person, however the sheet spells it.
        email=person.cleaned_data.get("email", "").strip().lower(),
        person={},
        profile={},
        columns=[name for name, value in cells.items() if value],
    )

    def terms(column: str, kind: str, names: list[str]) -> list:
        found = []
        for name in names:
            term, error = vocabulary.lookup(getattr(vocabulary, kind), name, kind)
            if error:
                add(column, error)
            else:
                found.append(term)
        return found

    languages = terms("languages", "languages", _split(cells.get("languages", "")))
    substances = terms("substances", "substances", _split(cells.get("substances", "")))
    if role == MENTEE:
        parsed.m2m = {"languages": languages, "substances": substances}
        for item in _split(cells.get("focus_areas", "")):
            name, _, priority = item.rpartition(":") if ":" in item else (item, "", "medium")
            level = PRIORITIES.get(priority.strip().lower())
            if level is None:
                add(
                    "focus_areas",
                    gettext("“%(priority)s” is not a priority; use high, medium or low.")
                    % {"priority": priority.strip()},
                )
                continue
            for area in terms("focus_areas", "focus_areas", [name.strip()]):
                parsed.focus_needs[area] = level
        philosophy = None
        if cells.get("preferred_philosophy"):
            found = terms("preferred_philosophy", "philosophies", [cells["preferred_philosophy"]])
            philosophy = found[0] if found else None
        elif profile_cleaned.get("philosophy_required"):
            add("philosophy_required", gettext("Choose the philosophy that is required."))
        parsed.profile["preferred_philosophy"] = philosophy
    else:
        areas = _split(cells.get("focus_areas", ""))
        if any(":" in name for name in areas):
            add(
                "focus_areas",
                gettext("A priority applies to mentees only; list the names alone."),
            )
        parsed.m2m = {
            "languages": languages,
            "lived_substances": substances,
            "philosophies": terms(
                "philosophies", "philosophies", _split(cells.get("philosophies", ""))
            ),
            "focus_areas": terms("focus_areas", "focus_areas", [a for a in areas if ":" not in a]),
        }
        for item in _split(cells.get("trainings", "")):
            name, _, done = item.rpartition(":")
            found = terms("trainings", "trainings", [name.strip() or item])
            if not found:
                continue
            try:
                completed = iso_date(done)
            except ValueError:
                add(
                    "trainings",
                    gettext("Give the completion date of “%(training)s” as name:YYYY-MM-DD.")
                    % {"training": found[0].name},
                )
                continue
            if completed > program.today():
                add("trainings", gettext("A completion date cannot be in the future."))
            parsed.trainings[found[0]] = completed

    if len(problems) > start:
        return None
    parsed.person = {n: person.cleaned_data[n] for n in PersonRowForm.base_fields}
    parsed.person["email"] = parsed.email
    parsed.profile.update(profile_cleaned)
    if role == MENTEE and cells.get("participant_id"):
        parsed.profile["participant_id"] = cells["participant_id"]
    return parsed


def _check_duplicates(rows: list[ParsedRow], program: Program, problems: list) -> None:
    first_row: dict[str, int] = {}
    for row in rows:
        if row.email in first_row:
            problems.append(
                Problem(
                    row.row,
                    "email",
                    gettext("Also on row %(row)s; list each person once.")
                    % {"row": first_row[row.email]},
                )
            )
        else:
            first_row[row.email] = row.row
    # Study IDs: one person each in the file and in the program, whatever the case (the use-day
    # import matches them case-insensitively).
    first_id: dict[str, int] = {}
    for row in rows:
        study_id = row.profile.get("participant_id", "").upper()
        if not study_id:
            continue
        if study_id in first_id:
            problems.append(
                Problem(row.row, "participant_id", gettext(
                    "Also on row %(row)s; each participant needs their own ID."
                ) % {"row": first_id[study_id]})
            )  # fmt: skip
        else:
            first_id[study_id] = row.row
    _match_enrolled(rows, program, problems)


def _match_enrolled(rows: list[ParsedRow], program: Program, problems: list) -> None:
    """Sort each row into new, unchanged, changed or conflicting against the people already
    enrolled in this program (by e-mail, and for a mentee by participant ID). Loaded in one query
    per profile table, whatever the file's size, so a file of new people costs two queries.
    Conflicting rows are refused by row; the rest stay on the row for the write."""
    emails = [row.email for row in rows]
    ids = [
        row.profile["participant_id"].upper() for row in rows if row.profile.get("participant_id")
    ]
    mentees = (
        MenteeProfile.objects.filter(program=program)
        .annotate(upper_id=Upper("participant_id"))
        .filter(Q(user__email__in=emails) | Q(upper_id__in=ids))
        .select_related("user", "preferred_philosophy")
        .prefetch_related("languages", "substances", "focus_needs__focus_area")
    )
    mentors = (
        MentorProfile.objects.filter(program=program, user__email__in=emails)
        .select_related("user")
        .prefetch_related(
            "languages", "lived_substances", "philosophies", "focus_areas", "trainings__training"
        )
    )
    by_email = {MENTEE: {}, MENTOR: {}}
    by_id = {}
    for mentee in mentees:
        by_email[MENTEE][mentee.user.email] = mentee
        by_id[mentee.upper_id] = mentee
    for mentor in mentors:
        by_email[MENTOR][mentor.user.email] = mentor
    for row in rows:
        enrolled = by_email[row.role].get(row.email)
        other_role = by_email[MENTEE if row.role == MENTOR else MENTOR].get(row.email)
        study_id = row.profile.get("participant_id", "")
        named = by_id.get(study_id.upper()) if study_id else None
        if named is not None and named != enrolled:
            row.status = CONFLICTING
            if enrolled is not None or other_role is not None:
                message = gettext(
                    "This e-mail and the participant ID “%(id)s” belong to two different people "
                    "in %(program)s; correct one of them."
                )
            else:
                # The import never changes an e-mail (#16: a person changes their own).
                message = gettext(
                    "“%(id)s” is already a participant in %(program)s, with another e-mail; an "
                    "import never changes an e-mail."
                )
            column = "participant_id"
        elif enrolled is None and other_role is not None:
            row.status = CONFLICTING
            column = "role"
            message = (
                gettext("This person is already a mentee in %(program)s, not a mentor.")
                if row.role == MENTOR
                else gettext("This person is already a mentor in %(program)s, not a mentee.")
            )
        elif enrolled is None:
            continue  # new
        else:
            row.enrolled = enrolled
            row.changes = _differences(row, enrolled)
            row.status = CHANGED if row.changes else UNCHANGED
            continue
        problems.append(
            Problem(row.row, column, message % {"id": study_id, "program": program.name})
        )


def _shown(value) -> str:
    """A value as a cell would write it, for the changes listed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, list | tuple | set):
        return SEPARATOR.join(sorted(_shown(v) for v in value))
    return str(getattr(value, "name", value))


def _differences(row: ParsedRow, profile) -> list[tuple[str, str, str]]:
    """(column, on file, in the row) for every cell the row answers differently. The e-mail and
    the participant ID are what matched the row, so they never differ here."""
    found = []
    wanted = {"first_name": row.person["first_name"], "last_name": row.person["last_name"]}
    wanted.update({n: v for n, v in row.profile.items() if n != "participant_id"})
    for name, value in wanted.items():
        old = getattr(profile, name)
        if old != value:
            found.append((name, _shown(old), _shown(value)))
    for name, terms in row.m2m.items():
        old = list(getattr(profile, name).all())
        if {t.pk for t in old} != {t.pk for t in terms}:
            column = "substances" if name == "lived_substances" else name
            found.append((column, _shown(old), _shown(terms)))
    if row.role == MENTEE:
        old = {n.focus_area: n.priority for n in profile.focus_needs.all()}
        cells = ("focus_areas", old, row.focus_needs, PRIORITY_WORDS)
    else:
        old = {t.training: t.completed_on for t in profile.trainings.all()}
        cells = ("trainings", old, row.trainings, None)
    column, old, new, words = cells
    if {k.pk: v for k, v in old.items()} != {k.pk: v for k, v in new.items()}:
        found.append((column, _pairs(old, words), _pairs(new, words)))
    return found


def _pairs(values: dict, words: dict | None) -> str:
    """name:priority or name:date cells, as the file writes them."""
    return SEPARATOR.join(
        sorted(f"{k.name}:{words[v] if words else _shown(v)}" for k, v in values.items())
    )


def participants_check(*, program: Program, content: bytes) -> ImportResult:
    """Read and check the whole file. Writes nothing."""
    result = ImportResult()
    _header, rows = read_rows(content, result.problems)
    if result.problems:
        return result
    if not rows:
        result.problems.append(
            Problem(None, "", gettext("The file has a header but no participants."))
        )
        return result
    vocabulary = _Vocabulary(program)
    checked_profile = _ProfileChecks(program)
    rows.reverse()
    while rows:  # each row's cells are let go once checked: one copy of the file at a time
        number, cells = rows.pop()
        row = _check_row(
            number,
            cells,
            program=program,
            vocabulary=vocabulary,
            checked_profile=checked_profile,
            problems=result.problems,
        )
        if row is not None:
            result.rows.append(row)
    _check_duplicates(result.rows, program, result.problems)
    result.warnings = _eligibility_warnings(result.rows, program)
    result.problems.sort(
        key=lambda p: (
            p.row or 0,
            COLUMN_NAMES.index(p.column) if p.column in COLUMNS_BY_NAME else -1,
        )
    )
    return result


def _eligibility_warnings(rows: list[ParsedRow], program: Program) -> list[Problem]:
    """A mentor row the program's rules will call "Not eligible" (too little recovery, a
    required training missing): importable, but matching will leave them out, so the check step
    says so on that row, with the reasons the mentor page gives (the one rule,
    `eligibility.ineligibility_reasons`)."""
    required = list(program.required_trainings.all())
    today = program.today()
    warnings = []
    for row in rows:
        if row.role != MENTOR:
            continue
        mentor = MentorProfile(
            recovery_since=row.profile.get("recovery_since"),
            is_active=row.profile.get("is_active", True),
        )
        reasons = ineligibility_reasons(
            mentor,
            program=program,
            required=required,
            completed_ids={training.pk for training in row.trainings},
            today=today,
        )
        if reasons:
            warnings.append(
                Problem(
                    row.row,
                    "",
                    gettext("mentor will not be eligible to match: %(reasons)s.")
                    % {"reasons": "; ".join(reasons)},
                )
            )
    return warnings


def id_mapping_csv(mapping: list[tuple[str, str]]) -> str:
    """The study IDs of an import with their e-mails (participant_id, email)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["participant_id", "email"])
    writer.writerows(mapping)
    return out.getvalue()


def id_mapping_disclosed(*, program: Program, count: int, actor=None, request=None) -> None:
    """Audit handing out an ID mapping: it is the key linking research records to people."""
    audit_record(
        actor=actor,
        action=Action.DISCLOSE,
        object_type="accounts.participant_id_mapping",
        object_id=str(count),
        program=program,
        fields=["participant_id", "email"],
        request=request,
    )


# --- Writing


def _through_rows(model, field_name: str, profiles: list, values: Iterable[list]) -> list:
    m2m = model._meta.get_field(field_name)
    through = m2m.remote_field.through
    source, target = m2m.m2m_field_name() + "_id", m2m.m2m_reverse_field_name() + "_id"
    return [
        through(**{source: profile.pk, target: term.pk})
        for profile, terms in zip(profiles, values, strict=True)
        for term in {t.pk: t for t in terms}.values()
    ]


def _write(result: ImportResult, *, program: Program, actor, request) -> None:
    # An existing account is neither read nor changed (nor counted, which would tell the
    # coordinator that someone is a participant elsewhere); as in the browser's enrollment, each
    # profile keeps the name typed here and the person joins by accepting the invitation.
    new_rows = result.new_rows
    existing = dict(
        User.objects.filter(email__in=[row.email for row in new_rows]).values_list("email", "pk")
    )
    actor_id = actor.pk if actor is not None and actor.is_authenticated else None
    ip = client_ip(request)
    mentee_ids: list[int] = []
    # Written BATCH rows at a time, every table of a batch before the next: only one batch's
    # model objects are alive at once, whatever the file's size.
    for start in range(0, len(new_rows), BATCH):
        rows = new_rows[start : start + BATCH]
        mentees = _write_batch(rows, existing=existing, program=program, actor_id=actor_id, ip=ip)
        result.id_mapping += [
            (mentee.participant_id, row.email)
            for mentee, row in zip(mentees, [r for r in rows if r.role == MENTEE], strict=True)
        ]
        mentee_ids += [mentee.pk for mentee in mentees]
    mentees_enrolled(mentee_ids=mentee_ids)
    _update_changed(result, actor=actor, request=request)


def _update_changed(result: ImportResult, *, actor, request) -> None:
    """Changed rows go through the profile services a coordinator's edit uses (same rules, same
    audit entry naming the fields changed). The e-mail is never changed: it matched the row."""
    for row in result.rows:
        if row.status != CHANGED:
            continue
        names = {n: row.person[n] for n in ("first_name", "last_name")}
        profile = {n: v for n, v in row.profile.items() if n != "participant_id"}
        profile.update(row.m2m)
        try:
            if row.role == MENTOR:
                mentor_update(actor=actor, mentor=row.enrolled, profile=profile,
                              trainings=row.trainings, request=request, **names)  # fmt: skip
            else:
                mentee_update(actor=actor, mentee=row.enrolled, profile=profile,
                              focus_needs=row.focus_needs, request=request, **names)  # fmt: skip
        except ValidationError as exc:
            for message in exc.messages:
                result.problems.append(Problem(row.row, "", message))
    if not result.ok:
        raise _Refused


def _write_batch(
    rows: list[ParsedRow], *, existing: dict, program: Program, actor_id, ip
) -> list[MenteeProfile]:
    # New people get no usable password: the invitation lets them choose one.
    new_users = [
        User(password=make_password(None), **row.person)
        for row in rows
        if row.email not in existing
    ]
    User.objects.bulk_create(new_users, batch_size=BATCH)
    user_ids = {**existing, **{u.email: u.pk for u in new_users}}
    del new_users
    Membership.objects.bulk_create(
        [
            Membership(user_id=user_ids[row.email], program=program, role=row.role, joined_at=None)
            for row in rows
        ],
        batch_size=BATCH,
    )
    profiles: dict[str, list] = {MENTOR: [], MENTEE: []}
    for row in rows:
        model = MentorProfile if row.role == MENTOR else MenteeProfile
        names = {n: row.person[n] for n in ("first_name", "last_name")}
        profiles[row.role].append(
            model(program=program, user_id=user_ids[row.email], **names, **row.profile)
        )
    MentorProfile.objects.bulk_create(profiles[MENTOR], batch_size=BATCH)
    MenteeProfile.objects.bulk_create(profiles[MENTEE], batch_size=BATCH)
    by_role = {role: [row for row in rows if row.role == role] for role in BOTH}
    for role, model in ((MENTOR, MentorProfile), (MENTEE, MenteeProfile)):
        m2m_names = by_role[role][0].m2m if by_role[role] else {}
        for name in m2m_names:
            links = _through_rows(
                model, name, profiles[role], [row.m2m[name] for row in by_role[role]]
            )
            if links:
                type(links[0]).objects.bulk_create(links, batch_size=BATCH)
    MenteeFocusArea.objects.bulk_create(
        [
            MenteeFocusArea(mentee=mentee, focus_area=area, priority=priority)
            for mentee, row in zip(profiles[MENTEE], by_role[MENTEE], strict=True)
            for area, priority in row.focus_needs.items()
        ],
        batch_size=BATCH,
    )
    MentorTraining.objects.bulk_create(
        [
            MentorTraining(mentor=mentor, training=training, completed_on=done)
            for mentor, row in zip(profiles[MENTOR], by_role[MENTOR], strict=True)
            for training, done in row.trainings.items()
        ],
        batch_size=BATCH,
    )
    StatusChange.objects.bulk_create(
        [
            StatusChange(
                mentee=mentee,
                to_status=MenteeProfile.Status.ENROLLED,
                reason=StatusChange.Reason.ENROLLED_IMPORT,
                changed_by_id=actor_id,
            )
            for mentee in profiles[MENTEE]
        ],
        batch_size=BATCH,
    )
    # One entry per participant created, as the browser's enrollment writes: who, when, which
    # columns were filled in, never the values.
    AuditEntry.objects.bulk_create(
        [
            AuditEntry(
                actor_id=actor_id,
                action=Action.CREATE,
                object_type=profile._meta.label_lower,
                object_id=str(profile.pk),
                program_id=program.pk,
                person_id=profile.user_id,
                fields=sorted(set(row.columns) - {"role"}),
                ip=ip,
            )
            for role in BOTH
            for profile, row in zip(profiles[role], by_role[role], strict=True)
        ],
        batch_size=BATCH,
    )
    return profiles[MENTEE]


class _Refused(Exception):
    """A changed row the profile service refused: the whole import is rolled back."""


@transaction.atomic
def participants_import(
    *, program: Program, content: bytes, actor=None, dry_run: bool = False, request=None
) -> ImportResult:
    """Check the file; unless it is a dry run or has problems, create every participant in it.
    All or nothing: any problem means nothing is written."""
    if not dry_run:
        # Imports into one program run one at a time: the duplicate check below must still hold
        # when the rows are written.
        Program.objects.select_for_update().filter(pk=program.pk).first()
    result = participants_check(program=program, content=content)
    if dry_run or not result.ok:
        return result
    try:
        with transaction.atomic():
            _write(result, program=program, actor=actor, request=request)
    except _Refused:
        return result
    except IntegrityError:
        # Someone enrolled one of these people (in any program) while the file was checked.
        result.problems.append(
            Problem(
                None, "", gettext("Someone was enrolled at the same time; check the file again.")
            )
        )
        return result
    result.written = True
    return result


def people_count(count: int, role: str) -> str:
    """ "1 mentor", "3 mentees": the count with its noun in the right number."""
    if role == "mentor":
        return ngettext("%(count)d mentor", "%(count)d mentors", count) % {"count": count}
    return ngettext("%(count)d mentee", "%(count)d mentees", count) % {"count": count}

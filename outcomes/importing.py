"""CSV import of use days, shared by the upload page and `manage.py import_use_days`.

Every row is validated first; a file with any bad row writes nothing (all-or-nothing), and the
report names each bad row and what is wrong with it.
"""

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime

from accounts.models import MenteeProfile, Program, User
from mentorship.csvfiles import UnreadableFile, csv_text
from outcomes.models import Source
from outcomes.selectors import substance_names
from outcomes.services import use_reports_import

MAX_ROWS = 200_000
REQUIRED = ("participant_id", "date", "used")
OPTIONAL = ("substances", "source")
YES = {"yes", "y", "1", "true", "used", "positive"}
NO = {"no", "n", "0", "false", "abstinent", "negative", "none"}
SOURCES = {
    "": Source.IMPORT,
    "import": Source.IMPORT,
    "imported": Source.IMPORT,
    "self": Source.SELF,
    "self-report": Source.SELF,
    "self report": Source.SELF,
    "mentor": Source.MENTOR,
    "mentor report": Source.MENTOR,
    "collateral": Source.COLLATERAL,
    "collateral report": Source.COLLATERAL,
    "lab": Source.LAB,
    "lab test": Source.LAB,
    "biological test": Source.LAB,
}


@dataclass
class ImportResult:
    rows: list[dict] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line number, message)
    written: int = 0
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


def _header_key(name: str) -> str:
    return name.strip().lower().replace(" ", "_").replace("-", "_")


def _parse_date(text: str) -> date:
    for fmt in ("%Y-%m-%d", "%m/%d/%Y"):
        try:
            return datetime.strptime(text.strip(), fmt).date()  # noqa: DTZ007 — a calendar day
        except ValueError:
            continue
    raise ValueError(f"“{text}” is not a date; use YYYY-MM-DD, e.g. 2026-03-14.")


def use_days_validate(*, program: Program, text: str) -> ImportResult:
    result = ImportResult()
    reader = csv.DictReader(io.StringIO(text))
    headers = {_header_key(h): h for h in (reader.fieldnames or []) if h}
    missing = [h for h in REQUIRED if h not in headers]
    if missing:
        result.errors.append(
            (1, f"Missing column(s): {', '.join(missing)}. Expected: {', '.join(REQUIRED)}.")
        )
        return result
    mentees = {
        pid.upper(): (pk, enrolled_on)
        for pid, pk, enrolled_on in MenteeProfile.objects.filter(program=program).values_list(
            "participant_id", "pk", "enrolled_on"
        )
    }
    vocabulary = {name.lower(): name for name in substance_names(program=program)}
    today = program.today()
    seen: dict[tuple, int] = {}
    for number, raw in enumerate(reader, start=2):
        if number - 1 > MAX_ROWS:
            result.errors.append((number, f"The file has more than {MAX_ROWS} rows; split it."))
            break
        row = {key: (raw.get(original) or "").strip() for key, original in headers.items()}
        if not any(row.values()):
            continue  # blank lines at the end of spreadsheets
        problems = []
        mentee = mentees.get(row["participant_id"].upper())
        if mentee is None:
            problems.append(f"participant ID “{row['participant_id']}” is not in this program")
        try:
            day = _parse_date(row["date"])
            if day > today:
                problems.append(f"{day:%Y-%m-%d} has not happened yet")
        except ValueError as exc:
            day = None
            problems.append(str(exc))
        used_text = row["used"].lower()
        used = True if used_text in YES else False if used_text in NO else None
        if used is None:
            problems.append(f"used must be yes or no, not “{row['used']}”")
        substances = []
        for name in filter(None, (s.strip() for s in row.get("substances", "").split(";"))):
            if name.lower() in vocabulary:
                substances.append(vocabulary[name.lower()])
            else:
                problems.append(f"unknown substance “{name}”")
        if substances and used is False:
            problems.append("substances are listed on a day marked not used")
        source = SOURCES.get(row.get("source", "").lower())
        if source is None:
            problems.append(
                f"unknown source “{row['source']}” (use self-report, mentor report, "
                "collateral, lab test or import)"
            )
        if mentee and day:
            key = (mentee[0], day, source)
            if key in seen:
                problems.append(f"same participant, date and source as row {seen[key]}")
            seen.setdefault(key, number)
        if problems:
            message = "; ".join(p.rstrip(".") for p in problems)
            result.errors.append((number, message[0].upper() + message[1:] + "."))
            continue
        result.rows.append(
            {
                "mentee_id": mentee[0],
                "day": day,
                "used": used,
                "substances": sorted(substances),
                "source": source,
            }
        )
    if not result.rows and not result.errors:
        result.errors.append((1, "The file has no data rows."))
    return result


def use_days_import(
    *, program: Program, data: bytes, actor: User | None, dry_run: bool = False
) -> ImportResult:
    """Validate every row; write all of them only if none is bad and this is not a dry run."""
    try:
        text = csv_text(data)
    except UnreadableFile as exc:
        return ImportResult(errors=[(1, str(exc))])
    try:
        result = use_days_validate(program=program, text=text)
    except csv.Error as exc:
        return ImportResult(errors=[(1, f"The file is not valid CSV: {exc}.")])
    result.dry_run = dry_run
    if result.ok and not dry_run:
        result.written = use_reports_import(actor=actor, program=program, rows=result.rows)
    return result

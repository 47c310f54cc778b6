"""CSV import of use days, shared by the upload page and `manage.py import_use_days`.

Every row is validated first; a file with any bad row writes nothing (all-or-nothing), and the
report names each bad row and what is wrong with it.
"""

import csv
import io
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils.timezone import now
from django.utils.translation import gettext as _

from accounts.models import MenteeProfile, Program, User
from mentorship.csvfiles import header_key, header_problems, iso_date
from mentorship.imports import Change, Conflict, ImportSummary, csv_import
from outcomes.models import Source, UseReport
from outcomes.resolution import counting_report
from outcomes.selectors import outcome_settings_get, substance_names
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
class ImportResult(ImportSummary):
    rows: list[dict] = field(default_factory=list)  # the rows to write (new and changed)
    baseline: int = 0  # rows (new or changed) for days before enrollment

    def summary(self) -> str:
        return _("%(summary)s (%(n)s in the baseline window)") % {
            "summary": super().summary(),
            "n": self.baseline,
        }


def _answer(used: bool, substances) -> str:
    text = _("yes") if used else _("no")
    return f"{text} ({', '.join(substances)})" if substances else text


def _compare(program: Program, result: ImportResult, pids: dict[int, str]) -> None:
    """Sort the valid rows into new, unchanged and changed against the reports on record, and
    list the days on which sources will disagree with the report the program's rule counts.

    A row says what one source reports about one day; the same answer again is not a new report
    (a re-imported file changes nothing), a different answer is a correction that joins the
    history (reports are append-only), so the previous answer stays on record.
    """
    if not result.rows:
        return
    mentee_ids = {row["mentee_id"] for row in result.rows}
    days = [row["day"] for row in result.rows]
    on_record: dict[tuple[int, date], list[UseReport]] = {}
    for report in UseReport.objects.filter(
        mentee_id__in=mentee_ids, day__gte=min(days), day__lte=max(days)
    ).order_by("recorded_at", "id"):
        on_record.setdefault((report.mentee_id, report.day), []).append(report)
    stamp = now()
    incoming: dict[tuple[int, date], list[UseReport]] = {}
    kept = []
    for row in result.rows:
        key = (row["mentee_id"], row["day"])
        latest = None
        for report in on_record.get(key, ()):
            if report.source == row["source"]:
                latest = report  # ordered by time: the last one is the answer now
        if latest is None:
            result.new += 1
        elif latest.used == row["used"] and sorted(latest.substances) == row["substances"]:
            result.unchanged += 1
            continue
        else:
            result.changes.append(
                Change(
                    pids[row["mentee_id"]],
                    row["day"],
                    Source(row["source"]).label,
                    _answer(latest.used, latest.substances),
                    _answer(row["used"], row["substances"]),
                )
            )
        result.baseline += row["baseline"]
        kept.append(row)
        incoming.setdefault(key, []).append(
            UseReport(used=row["used"], source=row["source"], recorded_at=stamp, id=None)
        )
    result.rows = kept
    rule = outcome_settings_get(program=program).conflict_rule
    for key in sorted(incoming):
        # Each source's latest answer once the file is in: those are what disagree.
        by_source = {r.source: r for r in on_record.get(key, ())}
        by_source.update({r.source: r for r in incoming[key]})
        if len({r.used for r in by_source.values()}) < 2:
            continue
        chosen = counting_report(list(by_source.values()), rule)
        result.conflicts.append(
            Conflict(
                pids[key[0]],
                key[1],
                "; ".join(
                    f"{Source(s).label}: {_('yes') if r.used else _('no')}"
                    for s, r in sorted(by_source.items())
                ),
                f"{_('yes') if chosen.used else _('no')} ({Source(chosen.source).label})",
            )
        )


@dataclass
class ProgramRows:
    """The front both outcome imports share: the header rule, the program's mentees by
    participant ID (pk, enrolled_on), and each non-blank row with the mentee it names."""

    reader: csv.DictReader
    headers: dict[str, str]
    mentees: dict[str, tuple[int, date]]
    pids: dict[int, str]

    def rows(self, result: ImportSummary, max_rows: int):
        """(number, cells, mentee or None, problems so far) per non-blank row."""
        for number, raw in enumerate(self.reader, start=2):
            if number - 1 > max_rows:
                result.errors.append(
                    (number, _("The file has more than %(n)s rows; split it.") % {"n": max_rows})
                )
                return
            row = {key: (raw.get(original) or "").strip() for key, original in self.headers.items()}
            if not any(row.values()):
                continue  # blank lines at the end of spreadsheets
            problems = []
            mentee = self.mentees.get(row["participant_id"].upper())
            if mentee is None:
                problems.append(
                    _("participant ID “%(pid)s” is not in this program")
                    % {"pid": row["participant_id"]}
                )
            yield number, row, mentee, problems


def program_rows(
    *, program: Program, text: str, expected: list[str], required: list[str], result: ImportSummary
) -> ProgramRows | None:
    """None (with the header's problems in `result`) when the columns are refused."""
    reader = csv.DictReader(io.StringIO(text))
    problems = header_problems(
        [header_key(h) for h in (reader.fieldnames or [])], expected=expected, required=required
    )
    if problems:
        result.errors.extend((1, message) for message in problems)
        return None
    mentees = {
        pid.upper(): (pk, enrolled_on)
        for pid, pk, enrolled_on in MenteeProfile.objects.filter(program=program).values_list(
            "participant_id", "pk", "enrolled_on"
        )
    }
    return ProgramRows(
        reader=reader,
        headers={header_key(h): h for h in (reader.fieldnames or []) if h},
        mentees=mentees,
        pids={pk: pid for pid, (pk, _e) in mentees.items()},
    )


def use_days_validate(*, program: Program, text: str) -> ImportResult:
    result = ImportResult()
    front = program_rows(
        program=program,
        text=text,
        expected=[*REQUIRED, *OPTIONAL],
        required=list(REQUIRED),
        result=result,
    )
    if front is None:
        return result
    pids = front.pids
    baseline_days = outcome_settings_get(program=program).baseline_days
    vocabulary = {name.lower(): name for name in substance_names(program=program)}
    today = program.today()
    seen: dict[tuple, int] = {}
    for number, row, mentee, problems in front.rows(result, MAX_ROWS):
        try:
            day = iso_date(row["date"])
        except ValueError as exc:
            day = None
            problems.append(str(exc))
        baseline = False
        if day and day > today:
            problems.append(_("%(day)s has not happened yet") % {"day": f"{day:%Y-%m-%d}"})
        elif day and mentee and day < mentee[1]:
            # Days before enrollment are the Timeline Followback baseline: accepted back to the
            # program's window, no further (a typo in the year would otherwise go in).
            baseline = True
            earliest = mentee[1] - timedelta(days=baseline_days)
            if day < earliest:
                problems.append(
                    _(
                        "%(day)s is before enrollment (%(enrolled)s) and outside the "
                        "%(n)s-day baseline window (earliest %(earliest)s)"
                    )
                    % {
                        "day": f"{day:%Y-%m-%d}",
                        "enrolled": f"{mentee[1]:%Y-%m-%d}",
                        "n": baseline_days,
                        "earliest": f"{earliest:%Y-%m-%d}",
                    }
                )
        used_text = row["used"].lower()
        used = True if used_text in YES else False if used_text in NO else None
        if used is None:
            problems.append(_("used must be yes or no, not “%(text)s”") % {"text": row["used"]})
        substances = []
        for name in filter(None, (s.strip() for s in row.get("substances", "").split(";"))):
            if name.lower() in vocabulary:
                substances.append(vocabulary[name.lower()])
            else:
                problems.append(_("unknown substance “%(name)s”") % {"name": name})
        if substances and used is False:
            problems.append(_("substances are listed on a day marked not used"))
        source = SOURCES.get(row.get("source", "").lower())
        if source is None:
            problems.append(
                _(
                    "unknown source “%(text)s” (use self-report, mentor report, "
                    "collateral, lab test or import)"
                )
                % {"text": row["source"]}
            )
        if mentee and day:
            key = (mentee[0], day, source)
            if key in seen:
                problems.append(
                    _("same participant, date and source as row %(row)s") % {"row": seen[key]}
                )
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
                "baseline": baseline,
            }
        )
    if not result.rows and not result.errors:
        result.errors.append((1, _("The file has no data rows.")))
    if result.ok:
        _compare(program, result, pids)
    return result


def use_days_import(
    *, program: Program, data: bytes, actor: User | None, dry_run: bool = False
) -> ImportResult:
    """Validate every row; write all of them only if none is bad and this is not a dry run."""
    return csv_import(
        data=data,
        dry_run=dry_run,
        result_type=ImportResult,
        validate=lambda text: use_days_validate(program=program, text=text),
        write=lambda result: use_reports_import(actor=actor, program=program, rows=result.rows),
    )

"""CSV import of assessments (BARC-10, BAM, ...): the upload page and `manage.py
import_assessments`, through the one import pipeline (mentorship.imports).

One row is one administration, as evaluators keep them: participant_id, instrument, timepoint,
date, then one column per item named `item_<key>` with the item keys of
outcomes.instruments.INSTRUMENTS (item_1 ... item_10 for BARC-10; item_1 ... item_17 with
item_7a ... item_7g for BAM). A file may mix instruments; a row leaves blank the items its
instrument does not have.

An assessment is stored once per participant, instrument and time point (the form's rule):
the same answers and date again are "unchanged" and not written; different ones replace the
record on file, as a correction through the form does (the audit trail keeps that it changed),
and are listed with the old and the new score before confirming. A row whose administration
(same participant, instrument and date) is already on file under another time point is
"conflicting": listed, and written at the time point the file names.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.utils.translation import gettext as _

from accounts.models import Program, User
from mentorship.csvfiles import iso_date
from mentorship.imports import Change, Conflict, ImportSummary, csv_import
from outcomes.importing import program_rows
from outcomes.instruments import INSTRUMENTS, Instrument, timepoint_label
from outcomes.models import Assessment
from outcomes.selectors import outcome_settings_get
from outcomes.services import assessments_import

MAX_ROWS = 100_000
REQUIRED = ("participant_id", "instrument", "timepoint", "date")


def item_column(key: str) -> str:
    return f"item_{key}"


def item_columns() -> list[str]:
    """Every item column of every instrument, each once, in the instruments' order."""
    columns: list[str] = []
    for instrument in INSTRUMENTS.values():
        columns += [
            c for c in map(item_column, (i.key for i in instrument.items)) if c not in columns
        ]
    return columns


def expected_columns() -> list[str]:
    return [*REQUIRED, *item_columns()]


def template_csv() -> str:
    """The header and one example row per instrument (a blank cell: not that instrument's item)."""
    columns = item_columns()
    lines = [",".join(expected_columns())]
    for instrument in INSTRUMENTS.values():
        answers = {item_column(i.key): str(instrument.scale_of(i)[0][0]) for i in instrument.items}
        cells = ["P-EXAMPLE", instrument.code, "intake", "2026-01-15"]
        lines.append(",".join(cells + [answers.get(c, "") for c in columns]))
    return "\n".join(lines) + "\n"


def _allowed(scale) -> str:
    values = [value for value, _label in scale]
    if values == list(range(values[0], values[-1] + 1)):
        return f"{values[0]}-{values[-1]}"
    return _(" or ").join(map(str, values))


def _instrument_of(text: str) -> Instrument | None:
    key = text.strip().lower().replace("-", "").replace(" ", "")
    return INSTRUMENTS.get(key) or next(
        (i for i in INSTRUMENTS.values() if i.name.lower().split(" (")[0].replace("-", "") == key),
        None,
    )


def _timepoint_of(text: str) -> int | None:
    """'intake', '0', '12', 'week 12' -> the week; None when it is none of those."""
    value = text.strip().lower()
    if value in {"intake", "baseline"}:
        return 0
    value = value.removeprefix("week").strip()
    return int(value) if value.isdigit() and len(value) <= 3 else None


def _scores_text(instrument: Instrument, scores: dict) -> str:
    return ", ".join(
        f"{score.label} {scores[score.code]}" for score in instrument.scores if score.code in scores
    )


@dataclass
class ImportResult(ImportSummary):
    rows: list[dict] = field(default_factory=list)  # the rows to write (new and changed)


def _compare(result: ImportResult, pids: dict[int, str]) -> None:
    """Sort the valid rows into new, unchanged and changed against the assessments on file."""
    mentee_ids = {row["mentee_id"] for row in result.rows}
    on_file = {
        (a.mentee_id, a.instrument, a.week): a
        for a in Assessment.objects.filter(mentee_id__in=mentee_ids)
    }
    by_date = {(m, i, a.completed_on): w for (m, i, w), a in on_file.items()}
    kept = []
    for row in result.rows:
        instrument = INSTRUMENTS[row["instrument"]]
        what = f"{instrument.name.split(' (')[0]} · {timepoint_label(row['week'])}"
        stored = on_file.get((row["mentee_id"], row["instrument"], row["week"]))
        if stored is None:
            result.new += 1
            other = by_date.get((row["mentee_id"], row["instrument"], row["completed_on"]))
            if other is not None:
                result.conflicts.append(
                    Conflict(
                        pids[row["mentee_id"]],
                        row["completed_on"],
                        _("%(what)s: already on file as %(other)s")
                        % {"what": what, "other": timepoint_label(other)},
                        _("both time points"),
                    )
                )
        elif stored.answers == row["answers"] and stored.completed_on == row["completed_on"]:
            result.unchanged += 1
            continue
        else:
            result.changes.append(
                Change(
                    pids[row["mentee_id"]],
                    row["completed_on"],
                    what,
                    f"{_scores_text(instrument, stored.scores)} ({stored.completed_on:%Y-%m-%d})",
                    f"{_scores_text(instrument, row['scores'])} ({row['completed_on']:%Y-%m-%d})",
                )
            )
        kept.append(row)
    result.rows = kept


def assessments_validate(*, program: Program, text: str) -> ImportResult:
    result = ImportResult()
    front = program_rows(
        program=program,
        text=text,
        expected=expected_columns(),
        required=list(REQUIRED),
        result=result,
    )
    if front is None:
        return result
    settings = outcome_settings_get(program=program)
    pids = front.pids
    today = program.today()
    chosen = settings.instrument_codes
    timepoints = settings.timepoints
    seen: dict[tuple, int] = {}
    for number, row, mentee, problems in front.rows(result, MAX_ROWS):
        instrument = _instrument_of(row["instrument"])
        if instrument is None:
            problems.append(
                _("unknown instrument “%(text)s” (use %(codes)s)")
                % {"text": row["instrument"], "codes": ", ".join(INSTRUMENTS)}
            )
        elif instrument.code not in chosen:
            problems.append(
                _("%(name)s is not one of this program's questionnaires")
                % {"name": instrument.name}
            )
        week = _timepoint_of(row["timepoint"])
        if week is None or week not in timepoints:
            problems.append(
                _("timepoint “%(text)s” is not one of this program's (%(allowed)s)")
                % {
                    "text": row["timepoint"],
                    "allowed": ", ".join("intake" if w == 0 else str(w) for w in timepoints),
                }
            )
        try:
            day = iso_date(row["date"])
        except ValueError as exc:
            day = None
            problems.append(str(exc))
        if day and day > today:
            problems.append(_("%(day)s has not happened yet") % {"day": f"{day:%Y-%m-%d}"})
        elif day and mentee:
            # The same window as the use log's baseline: an intake questionnaire taken before
            # enrollment is fine, a typo in the year is not.
            earliest = mentee[1] - timedelta(days=settings.baseline_days)
            if day < earliest:
                problems.append(
                    _(
                        "%(day)s is before enrollment (%(enrolled)s) and outside the "
                        "%(n)s-day baseline window (earliest %(earliest)s)"
                    )
                    % {
                        "day": f"{day:%Y-%m-%d}",
                        "enrolled": f"{mentee[1]:%Y-%m-%d}",
                        "n": settings.baseline_days,
                        "earliest": f"{earliest:%Y-%m-%d}",
                    }
                )
        answers: list[int] = []
        if instrument is not None:
            keys = {item_column(i.key) for i in instrument.items}
            for column in sorted(
                c for c in front.headers if c.startswith("item_") and c not in keys
            ):
                if row[column]:
                    problems.append(
                        _("column %(column)s: %(name)s has no such item; leave it blank")
                        % {"column": column, "name": instrument.name}
                    )
            for item in instrument.items:
                column = item_column(item.key)
                scale = instrument.scale_of(item)
                cell = row.get(column, "")
                allowed = _allowed(scale)
                if not cell:
                    problems.append(
                        _("column %(column)s: an answer is needed (%(allowed)s)")
                        % {"column": column, "allowed": allowed}
                    )
                elif not cell.isdigit() or int(cell) not in {v for v, _label in scale}:
                    problems.append(
                        _("column %(column)s: “%(value)s” is not on the item's scale (%(allowed)s)")
                        % {"column": column, "value": cell, "allowed": allowed}
                    )
                else:
                    answers.append(int(cell))
        if mentee and instrument and week is not None:
            key = (mentee[0], instrument.code, week)
            if key in seen:
                problems.append(
                    _("same participant, instrument and timepoint as row %(row)s")
                    % {"row": seen[key]}
                )
            seen.setdefault(key, number)
        if problems:
            message = "; ".join(p.rstrip(".") for p in problems)
            result.errors.append((number, message[0].upper() + message[1:] + "."))
            continue
        result.rows.append(
            {
                "mentee_id": mentee[0],
                "instrument": instrument.code,
                "week": week,
                "completed_on": day,
                "answers": answers,
                # The instrument's one scoring path, as assessment_record scores the form's.
                "scores": instrument.score(answers),
            }
        )
    if not result.rows and not result.errors:
        result.errors.append((1, _("The file has no data rows.")))
    if result.ok:
        _compare(result, pids)
    return result


def assessments_file_import(
    *, program: Program, data: bytes, actor: User | None, dry_run: bool = False, request=None
) -> ImportResult:
    """Validate every row; write all of them only if none is bad and this is not a dry run."""
    return csv_import(
        data=data,
        dry_run=dry_run,
        result_type=ImportResult,
        validate=lambda text: assessments_validate(program=program, text=text),
        write=lambda result: assessments_import(
            actor=actor, program=program, rows=result.rows, request=request
        ),
    )

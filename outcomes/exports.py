"""De-identified exports (HIPAA Safe Harbor). One writer, `export_chunks`, serves the download
links, the background export jobs, the identified export and `manage.py export_outcomes`.

Only the random participant ID identifies a row. Dates become day numbers relative to
enrollment (day 1 = enrollment); where a date cannot be avoided only its year is given. No
names, contacts or free text. Every text cell is neutralised against spreadsheet formula
injection by one rule (DANGEROUS_START): the writer applies it to every row it writes, and the
per-day rows that PostgreSQL writes as CSV itself carry the same rule in SQL. Rows are
generated lazily so a million-row export runs in constant memory.

Each kind of export is defined once: the participant rows from the cohort report's columns
(outcomes.reports.Columns, so each figure has one implementation), the check-in rows in Python,
the per-day rows (the large one) as SQL that PostgreSQL also writes as CSV itself (COPY), at
close to the speed of a raw COPY. The same SQL gives typed rows for XLSX and for the identified
export.
"""

import csv
import io
import math
import struct
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date

import numpy as np
from django.db import connection
from django.db.models.functions import ExtractYear
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from accounts.models import MenteeProfile, Program
from checkins.models import CheckIn
from outcomes import metrics, reports
from outcomes.instruments import SCORES
from outcomes.models import Interview, UseDay

ROW_KINDS = ("participants", "days", "checkins", "interviews")  # a row per person, day, ...
# "summary" is the aggregate one: the report's tables with small cells suppressed.
KINDS = (*ROW_KINDS, "summary")
FORMATS = ("csv", "xlsx")
DANGEROUS_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """A text cell that a spreadsheet could run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(DANGEROUS_START):
        return "'" + value
    return value


def neutralised(row: Iterable) -> list:
    """neutralise() over a row. Only non-empty text can start a formula, so numbers and blank
    cells (most of a figures export) are passed without a call."""
    return [neutralise(v) if v and isinstance(v, str) else v for v in row]


def neutraliser(text_columns: tuple[int, ...] | None) -> Callable[[list], list]:
    """neutralised(), or, for an export that says which of its columns can hold text, the same
    rule on those cells only (a 10,000 x 70 figures export spent more time checking its
    numbers than writing them)."""
    if text_columns is None:
        return neutralised

    def only_text(row: list) -> list:
        row = list(row)
        for i in text_columns:
            row[i] = neutralise(row[i])
        return row

    return only_text


def _rounded(value: float) -> float | str:
    return "" if math.isnan(value) else round(value, 1)


SCORE_PARTS = ("intake", "latest", "change")


# Cell rules for a whole column at once (the participants export formats 10,000 x 70 cells:
# one Python call per cell cost more than the rest of the export).
def _numbers(values: np.ndarray) -> list:
    missing = np.isnan(values)
    # int(): towards zero; Python ints in an object array, "" in the gaps, all in C.
    cells = np.where(missing, 0, values).astype(np.int64).astype(object)
    cells[missing] = ""
    return cells.tolist()


def _roundeds(values: np.ndarray) -> list:
    return [_rounded(value) for value in values.tolist()]


def _yes_nos(values: np.ndarray) -> list:
    words = np.where(values != 0, "yes", "no").astype(object)
    words[np.isnan(values)] = ""
    return words.tolist()


# The per-window columns of the participant export: (name suffix, key in the cohort's
# Columns.values, how its cells show: a whole column at a time).
WINDOW_COLUMNS = [
    ("window_days", "window_days", _numbers),
    ("recorded_days", "recorded_days", _numbers),
    ("coverage_pct", "coverage", _roundeds),
    ("use_days", "use_days", _numbers),
    ("pda", "pda", _roundeds),
    ("longest_abstinent_run", "longest_abstinent_run", _numbers),
    ("days_to_first_use", "days_to_first_use", _numbers),
    ("checkins_scheduled", "checkins_scheduled", _numbers),
    ("checkins_completed", "checkins_completed", _numbers),
    ("contact_hours_per_week", "contact_hours_per_week", _roundeds),
    ("goals_due", "goals_due", _numbers),
    ("goals_achieved", "goals_achieved", _numbers),
]


def research_ids(program: Program, mentee_ids: Iterable[int]) -> dict[int, str]:
    """The de-identified exports' participant key: an HMAC of the mentee's id under a key
    derived from SECRET_KEY and the program, so it is the same in every export of the program,
    appears on no screen, and cannot be worked out from the screen participant ID."""
    salt = f"outcomes.research_id.program-{program.pk}"
    # The keyed HMAC is set up once and copied per participant (the same digest as
    # salted_hmac(salt, str(pk)), without deriving the key again for each of 10,000 people).
    keyed = salted_hmac(salt, b"", algorithm="sha256")
    ids = {}
    for pk in mentee_ids:
        mac = keyed.copy()
        mac.update(str(pk).encode())
        ids[pk] = "R" + mac.hexdigest()[:12].upper()
    return ids


IN_PROGRESS = "in progress"


BLOCK_DAYS = 84  # the standard windows' length: weeks 1-12, 13-24, then 25-36 and on


def completed_through(enrolled_on: date, today: date) -> int | None:
    """The last day number of the person's last completed 12-week window (weeks 1-12, 13-24,
    the standard windows, and on in 12-week blocks); None: none complete yet. A de-identified
    export shows no later day: a count still running, with the export's date, would date the
    enrollment."""
    done = (today - enrolled_on).days // BLOCK_DAYS * BLOCK_DAYS
    return done or None


# The participant rows open with the key and these columns, read from the records by these
# names (header, query and row cells alike), so they are the cells that can hold text someone
# typed or chose: the writer neutralises those. Every column after them is a figure this module
# formats (numbers, blanks, "yes"/"no", IN_PROGRESS) and is written as it is.
PARTICIPANT_RECORD_COLUMNS = ("study_arm", "enrollment_year", "status")
PARTICIPANT_TEXT_COLUMNS = tuple(range(1 + len(PARTICIPANT_RECORD_COLUMNS)))  # with the key


def participant_rows(
    *, program: Program, today: date, identified: bool = True
) -> tuple[list[str], Iterable[list]]:
    """One row per participant (in participant ID order, or research ID order when
    de-identified): the figures the cohort report summarises, read from the same columns.
    De-identified, a window still running shows "in progress" and no figure."""
    windows = list(metrics.STANDARD_WINDOWS)
    key = "participant_id" if identified else "research_id"
    header = [key, *PARTICIPANT_RECORD_COLUMNS]
    header += [f"{window.key}_{suffix}" for window in windows for suffix, _, _ in WINDOW_COLUMNS]
    # Per score of each instrument: at intake, latest (the intake when no follow-up yet), change.
    header += [f"{score.column}_{part}" for _, score in SCORES for part in SCORE_PARTS]
    header += ["retained_week_12"]
    cohort = reports.participants_compute(program=program, today=today, windows=windows)
    # Per abstinence outcome: intent-to-treat and responders-only, "" where not counted.
    periods = metrics.abstinence_periods(cohort.abstinence_rules)
    header += [f"{p.key}_{analysis}" for p in periods for analysis, _ in reports.ANALYSES]
    people = (
        MenteeProfile.objects.filter(program=program)
        .annotate(enrollment_year=ExtractYear("enrolled_on"))
        .order_by("participant_id")
        .values_list("pk", "enrolled_on", "participant_id", *PARTICIPANT_RECORD_COLUMNS)
    )

    def rows():
        cols = cohort.columns

        def column(window, key) -> np.ndarray:
            if key == "window_days":
                return cols.window_days[window.key]
            return cols.values[window.key][key]

        # Every cell formatted column by column, then gathered per participant: per window a
        # tuple of its cells, per score its three cells, and the yes/no outcomes.
        figures = [
            list(
                zip(
                    *(cells(column(w, key)) for _, key, cells in WINDOW_COLUMNS),
                    strict=True,
                )
            )
            for w in windows
        ]
        begun = [(cols.window_days[w.key] > 0).tolist() for w in windows]
        blank = ("",) * len(WINDOW_COLUMNS)
        in_progress = (IN_PROGRESS, *blank[1:])
        score_cells = []
        for _instrument, score in SCORES:
            part = cols.scores[score.column]
            latest = np.where(np.isnan(part["latest"]), part["intake"], part["latest"])
            score_cells += [_numbers(part["intake"]), _numbers(latest), _numbers(part["change"])]
        outcomes = [_yes_nos(cols.retained)]
        outcomes += [
            _yes_nos(cols.abstinence[p.key][index])
            for p in periods
            for _, index in reports.ANALYSES
        ]
        tail = list(zip(*score_cells, *outcomes, strict=True))
        found = list(people.iterator())
        if not identified:
            ids = research_ids(program, (person[0] for person in found))
            found = sorted(
                ((pk, enrolled_on, ids[pk], *records) for pk, enrolled_on, _, *records in found),
                key=lambda person: person[2],
            )
        # Every participant's place in the columns in one search (None: enrolled after the
        # figures were read), not a search per row.
        places = cols.positions([person[0] for person in found])
        for (_pk, enrolled_on, *row), at in zip(found, places, strict=True):
            if at is None:
                continue
            # `row` is the key and the record columns, as the header opens; figures follow.
            today_number = (today - enrolled_on).days + 1
            for w, window, started in zip(windows, figures, begun, strict=True):
                if not started[at]:
                    # A window not begun has no figure, as in the report, not zeros.
                    row += blank
                elif not identified and w.last_day >= today_number:
                    row += in_progress
                else:
                    row += window[at]
            row += tail[at]
            yield row

    return header, rows()


def _neutralised_sql(expression: str) -> str:
    """neutralise() in SQL, for the rows PostgreSQL writes itself (COPY), which the writer's
    neutralise() never sees: the same rule, built from the same DANGEROUS_START."""
    starts = ", ".join(f"chr({ord(c)})" for c in DANGEROUS_START)
    return (
        f"CASE WHEN left({expression}, 1) IN ({starts}) "
        f"THEN '''' || {expression} ELSE {expression} END"
    )


DAYS_HEADER = [
    "participant_id",  # "research_id" when de-identified
    "study_arm",
    # Day 1 is enrollment; a Timeline Followback baseline day (before enrollment, inside the
    # program's baseline window) is day 0 (the day before) or below, and its period says so:
    # "baseline" (days before enrollment = 1 - day_number) or "enrolled".
    "day_number",
    "period",
    "week",
    "used",
    "substances",
    "heavy",
    "amount",
    "source",
    "reports",
]
# The per-day rows. Built from constant column names only; the program id is bound.
SUBSTANCES_SQL = "array_to_string(ARRAY(SELECT jsonb_array_elements_text(d.substances)), '; ')"
DAYS_SQL = f"""
  SELECT {_neutralised_sql("m.participant_id")} AS key,
         m.study_arm::text,
         d.day - m.enrolled_on + 1,
         CASE WHEN d.day < m.enrolled_on THEN 'baseline' ELSE 'enrolled' END,
         floor((d.day - m.enrolled_on + 7) / 7.0::float8)::int,
         CASE WHEN d.used THEN 'yes' ELSE 'no' END,
         CASE WHEN d.substances = '[]'::jsonb THEN NULL
              ELSE {_neutralised_sql(SUBSTANCES_SQL)} END,
         CASE WHEN d.heavy THEN 'yes' ELSE 'no' END,
         d.amount::float8,
         d.source::text,
         d.report_count
  FROM outcomes_useday d
  JOIN accounts_menteeprofile m ON m.id = d.mentee_id
  WHERE m.program_id = %s
  ORDER BY m.participant_id, d.day
"""  # noqa: S608
# De-identified: the research ID (computed in Python, bound as arrays) for the participant ID,
# and only days up to the person's last completed 12-week window (completed_through() in SQL).
DEIDENTIFIED_DAYS_SQL = f"""
  SELECT r.research_id,
         m.study_arm::text,
         d.day - m.enrolled_on + 1,
         CASE WHEN d.day < m.enrolled_on THEN 'baseline' ELSE 'enrolled' END,
         floor((d.day - m.enrolled_on + 7) / 7.0::float8)::int,
         CASE WHEN d.used THEN 'yes' ELSE 'no' END,
         CASE WHEN d.substances = '[]'::jsonb THEN NULL
              ELSE {_neutralised_sql(SUBSTANCES_SQL)} END,
         CASE WHEN d.heavy THEN 'yes' ELSE 'no' END,
         d.amount::float8,
         d.source::text,
         d.report_count
  FROM outcomes_useday d
  JOIN accounts_menteeprofile m ON m.id = d.mentee_id
  JOIN unnest(%s::bigint[], %s::text[]) WITH ORDINALITY AS r(mentee_id, research_id, position)
    ON r.mentee_id = m.id
  WHERE m.program_id = %s
    AND d.day - m.enrolled_on + 1 <= (%s::date - m.enrolled_on) / %s * %s
  ORDER BY r.position, d.day
"""  # noqa: S608 -- the arrays come in research ID order: an integer sort, not a text one
DAYS_TYPES = [
    "text",
    "text",
    "int4",
    "text",
    "int4",
    "text",
    "text",
    "text",
    "float8",
    "text",
    "int4",
]


def _days_query(program: Program, today: date | None) -> tuple[str, list]:
    """The per-day SQL and its parameters: identified (today None) or de-identified."""
    if today is None:
        return DAYS_SQL, [program.pk]
    ids = research_ids(
        program, MenteeProfile.objects.filter(program=program).values_list("pk", flat=True)
    )
    ordered = sorted(ids.items(), key=lambda item: item[1])
    return DEIDENTIFIED_DAYS_SQL, [
        [pk for pk, _key in ordered],
        [key for _pk, key in ordered],
        program.pk,
        today,
        BLOCK_DAYS,
        BLOCK_DAYS,
    ]


def _days_csv(program: Program, today: date | None = None) -> Iterator[bytes]:
    """The per-day rows as CSV lines written by PostgreSQL (one line per iteration)."""
    sql, params = _days_query(program, today)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)", params) as copy,
    ):
        yield from copy


def _days_rows(program: Program, today: date | None = None) -> Iterator[list]:
    """The same rows as typed values (XLSX cells, the identified export)."""
    sql, params = _days_query(program, today)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY ({sql}) TO STDOUT", params) as copy,
    ):
        copy.set_types(DAYS_TYPES)
        for row in copy.rows():
            yield ["" if value is None else value for value in row]


def _deidentify(program: Program, today: date, rows: Iterable[list]) -> list[list]:
    """Rows keyed [mentee pk, enrolled_on, day number, ...]: the research ID for the key, only
    rows up to the person's last completed window, in research ID order."""
    found = list(rows)
    ids = research_ids(program, {row[0] for row in found})
    kept = []
    for mentee_id, enrolled_on, number, *rest in found:
        through = completed_through(enrolled_on, today)
        if through is not None and number != "" and number <= through:
            kept.append([ids[mentee_id], *rest])
    kept.sort(key=lambda row: row[0])  # stable: each person's rows keep their order
    return kept


def checkin_rows(
    *, program: Program, today: date | None = None
) -> tuple[list[str], Iterable[list]]:
    """Engagement per individual check-in: when (as a day number), how long, whether held and
    whether use was discussed. Never the notes, topics or next steps (free text). With `today`,
    de-identified (research ID, nothing after the last completed window)."""
    header = [
        "participant_id" if today is None else "research_id",
        "study_arm",
        "day_number",
        "week",
        "status",
        "mode",
        "minutes",
        "use_reported",
    ]
    tz = program.tzinfo
    query = (
        _checkins(program)
        .order_by("mentee__participant_id", "scheduled_at")
        .values_list(
            "mentee_id",
            "mentee__participant_id",
            "mentee__study_arm",
            "mentee__enrolled_on",
            "scheduled_at",
            "status",
            "mode",
            "actual_minutes",
            "use_reported",
        )
    )

    def rows():
        for mentee_id, pid, arm, enrolled, at, status, mode, minutes, use in query.iterator(
            chunk_size=5000
        ):
            number = (at.astimezone(tz).date() - enrolled).days + 1
            yield [
                *((pid,) if today is None else (mentee_id, enrolled, number)),
                arm,
                number,
                metrics.week_of_day(number),
                status,
                mode,
                "" if minutes is None else minutes,
                use or "not discussed",
            ]

    if today is not None:
        return header, _deidentify(program, today, rows())
    return header, rows()


INTERVIEW_HEADER = [
    "participant_id",
    "study_arm",
    "interview",
    "due_day_number",
    "window_opens_day_number",
    "window_closes_day_number",
    "day_number",
    "outcome",
    "in_window",
    "use_days_past_30",
    "recorded_days_past_30",
    "coverage_past_30_pct",
]
PAST_DAYS = 30  # the interview's look-back, as in the GPRA and ASI "past 30 days" questions


def interview_rows(
    *, program: Program, today: date | None = None
) -> tuple[list[str], Iterable[list]]:
    """One row per interview (every attempt, in or out of its window), dates as day numbers
    from intake, with the use log's figures for the 30 days before the interview day, so the
    interviewer can check the person's answer against the log. Counted by metrics.use_metrics,
    the same code as every other use figure."""
    from outcomes import interviews  # interviews reads models that exports need not load

    found = list(
        Interview.objects.filter(mentee__program=program)
        .select_related("mentee")
        .order_by("mentee__participant_id", "held_on", "pk")
    )
    mentees = list({i.mentee_id: i.mentee for i in found}.values())
    discharged = interviews.discharge_dates(program=program, mentees=mentees)
    days: dict[int, dict[date, bool]] = {m.pk: {} for m in mentees}
    for mentee_id, day, used in UseDay.objects.filter(mentee__in=mentees).values_list(
        "mentee_id", "day", "used"
    ):
        days[mentee_id][day] = used

    def rows():
        for interview in found:
            mentee = interview.mentee
            intake = mentee.enrolled_on
            window = interviews.window(
                interview.point, intake=intake, discharged_on=discharged.get(mentee.pk)
            )
            held = metrics.day_number(intake, interview.held_on)
            past = metrics.use_metrics(
                days[mentee.pk],
                enrolled_on=intake,
                window=metrics.Days(held - PAST_DAYS, held - 1),
                today=interview.held_on,
            )
            yield [
                *(
                    (mentee.participant_id,)
                    if today is None
                    else (mentee.pk, intake, max(held, _number_or(window, intake)))
                ),
                mentee.study_arm,
                interview.point,
                *(
                    ("", "", "")
                    if window is None
                    else (
                        metrics.day_number(intake, window.due),
                        metrics.day_number(intake, window.opens),
                        metrics.day_number(intake, window.closes),
                    )
                ),
                held,
                interview.outcome,
                "yes" if window is not None and window.holds(interview.held_on) else "no",
                past.use_days,
                past.recorded_days,
                _rounded(past.coverage if past.coverage is not None else math.nan),
            ]

    if today is not None:
        header = ["research_id", *INTERVIEW_HEADER[1:]]
        return header, _deidentify(program, today, rows())
    return INTERVIEW_HEADER, rows()


def _number_or(window, intake: date) -> int:
    """The latest day number an interview row gives (its window's close), so a de-identified
    export keeps the row only once that day lies in a completed window."""
    return 0 if window is None else metrics.day_number(intake, window.closes)


SUMMARY_HEADER = ["table", "figure", "study_arm", "n", "mean", "sd", "median", "count", "percent"]
SUMMARY_HEADER += ["note"]


def summary_rows(*, program: Program, today: date) -> tuple[list[str], Iterable[list]]:
    """The cohort report's figures per arm, for publication: a cell of fewer people than the
    program's minimum cell size (or a count, or its complement, that small) is suppressed, and
    the row says so."""
    from outcomes.selectors import outcome_settings_get

    minimum = outcome_settings_get(program=program).min_cell_size
    windows = list(metrics.STANDARD_WINDOWS)
    summary = reports.cohort_summary(
        reports.participants_compute(program=program, today=today, windows=windows),
        min_cell_size=minimum,
    )
    note = _("suppressed: fewer than %(n)s people") % {"n": minimum}
    blank = ["", "", "", "", "", ""]

    def small(*counts: int) -> bool:
        return reports.small_cell(*counts, minimum=minimum)

    def proportion(table, figure, arm, count, n):
        if n == 0 or small(n, count, n - count):
            return [table, figure, arm, *blank, note if n else ""]
        return [table, figure, arm, n, "", "", "", count, round(count / n * 100, 1), ""]

    def rows():
        for arm in reports.ARMS:
            n = summary["n"][arm]
            yield [
                "participants",
                "n",
                arm,
                *(["", *blank[1:], note] if small(n) else [n, *blank[1:], ""]),
            ]
        for table in summary["tables"]:
            for row in table["rows"]:
                for arm, found in row.by_arm.items():
                    if small(found.n):
                        yield [table["window"].label, row.label, arm, *blank, note]
                        continue
                    figures = (found.mean, found.sd, found.median)
                    yield [
                        table["window"].label,
                        row.label,
                        arm,
                        found.n,
                        *("" if v is None else round(v, 2) for v in figures),
                        "",
                        "",
                        "",
                    ]
        for row in summary["abstinence"]:
            for arm, found in row.by_arm.items():
                yield proportion(row.label, row.analysis_label, arm, found.count, found.n)
        for arm, found in summary["retention"].items():
            yield proportion("retention", "week 12", arm, found["retained"], found["eligible"])
        said = _("Cells of fewer than %(n)s people are suppressed.") % {"n": minimum}
        yield [said] + [""] * (len(SUMMARY_HEADER) - 1)

    return SUMMARY_HEADER, rows()


def _days(program: Program):
    return UseDay.objects.filter(mentee__program=program)


def _checkins(program: Program):
    return CheckIn.objects.filter(
        program=program, kind=CheckIn.Kind.INDIVIDUAL, mentee__isnull=False
    )


def export_row_count(*, program: Program, kind: str) -> int:
    """How many rows export_rows() will give (a progress bar's 100%)."""
    if kind == "days":
        return _days(program).count()
    if kind == "checkins":
        return _checkins(program).count()
    if kind == "interviews":
        return Interview.objects.filter(mentee__program=program).count()
    if kind == "summary":
        return 1  # an estimate: the job counts what it wrote
    return MenteeProfile.objects.filter(program=program).count()


@dataclass
class Export:
    """One export's header and rows. `csv_body`, when set, is the same rows already written as
    CSV lines (by the database), which the CSV writer streams instead of formatting rows.
    `text_columns`, when set, are the only columns whose cells can be text from the records
    (the rest are numbers and words of the export's own): the writer neutralises those."""

    header: list[str]
    rows: Iterable[list]
    text_columns: tuple[int, ...] | None = None
    csv_body: Callable[[], Iterator[bytes]] | None = None


def export_rows(*, program: Program, kind: str, today: date, identified: bool = False) -> Export:
    """The rows of one kind of export: de-identified (research ID, whole years, completed
    windows only) unless `identified` (the disclosure, which adds names and dates)."""
    if kind == "participants":
        header, rows = participant_rows(program=program, today=today, identified=identified)
        return Export(header, rows, text_columns=PARTICIPANT_TEXT_COLUMNS)
    cutoff = None if identified else today  # de-identified: nothing after completed windows
    if kind == "days":
        header = DAYS_HEADER if identified else ["research_id", *DAYS_HEADER[1:]]
        # Generators: neither COPY starts until the writer reads it.
        return Export(
            header, _days_rows(program, cutoff), csv_body=lambda: _days_csv(program, cutoff)
        )
    if kind == "checkins":
        return Export(*checkin_rows(program=program, today=cutoff))
    if kind == "interviews":
        return Export(*interview_rows(program=program, today=cutoff))
    if kind == "summary":
        return Export(*summary_rows(program=program, today=today))
    raise ValueError(f"Unknown export kind {kind!r}.")


CHUNK = 65536  # bytes gathered per write: not a generator step and a socket write per row
PROGRESS_EVERY = 5000  # rows between progress reports


def export_chunks(
    export: Export,
    *,
    fmt: str,
    notice: str = "",
    progress: Callable[[int], None] | None = None,
) -> Iterator[bytes]:
    """The export file as byte chunks, in constant memory: the one writer behind every
    download, job and command. `progress(rows written)` is called every PROGRESS_EVERY rows
    and once at the end. An identified export opens on its `notice`."""
    if fmt == "xlsx":
        yield from _xlsx_chunks(export, notice=notice, progress=progress)
        return
    if fmt != "csv":
        raise ValueError(f"Unknown export format {fmt!r}.")
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    if notice:
        writer.writerow([notice])
    writer.writerow(export.header)
    head = buffer.getvalue().encode()
    if export.csv_body is not None:
        blocks: Iterable[tuple[bytes, int]] = ((line, 1) for line in export.csv_body())
    else:
        blocks = _csv_blocks(export.rows, neutraliser(export.text_columns))
    out = bytearray(head)
    count = 0
    for block, rows in blocks:
        out += block
        count += rows
        if len(out) >= CHUNK:
            yield bytes(out)
            out.clear()
        if progress and count % PROGRESS_EVERY == 0:
            progress(count)
    if out:
        yield bytes(out)
    if progress:
        progress(count)


CSV_BATCH = 500  # rows written per csv writerows() call; divides PROGRESS_EVERY


def _csv_blocks(rows: Iterable[list], neutralised: Callable) -> Iterator[tuple[bytes, int]]:
    """(CSV text of up to CSV_BATCH rows, rows in it): one writerows() and one encode per batch
    rather than per row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    batch: list[list] = []
    for row in rows:
        batch.append(neutralised(row))
        if len(batch) == CSV_BATCH:
            writer.writerows(batch)
            yield buffer.getvalue().encode(), len(batch)
            buffer.seek(0)
            buffer.truncate()
            batch.clear()
    if batch:
        writer.writerows(batch)
        yield buffer.getvalue().encode(), len(batch)


def _xlsx_chunks(export: Export, *, notice: str, progress) -> Iterator[bytes]:
    """Write-only workbook: openpyxl streams rows to disk instead of holding them."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    if notice:  # an identified export opens on its 42 CFR 2.32 notice
        workbook.create_sheet("notice").append([notice])
    sheet = workbook.create_sheet("outcomes")
    sheet.append(export.header)
    count = 0
    neutralised = neutraliser(export.text_columns)
    for count, row in enumerate(export.rows, start=1):
        sheet.append(neutralised(row))
        if progress and count % PROGRESS_EVERY == 0:
            progress(count)
    with tempfile.TemporaryFile() as spool:
        _save_without_dates(workbook, spool)
        spool.seek(0)
        while chunk := spool.read(CHUNK):
            yield chunk
    if progress:
        progress(count)


# The archive's entries need a date: the earliest a zip can hold, not the moment of export
# (which, with a day count, would date the people in it).
DOS_1980_01_01 = (0, 0x21)  # (time, date) of a zip entry: midnight, 1 January 1980


def _undated_properties():
    """Document properties whose XML has no dcterms:created or dcterms:modified (openpyxl
    always writes both, so they are taken out of its tree)."""
    from openpyxl.packaging.core import DocumentProperties

    class Undated(DocumentProperties):
        def to_tree(self, tagname=None, idx=None, namespace=None):
            tree = super().to_tree(tagname, idx, namespace)
            for element in list(tree):
                if element.tag.endswith(("}created", "}modified")):
                    tree.remove(element)
            return tree

    return Undated()


def _save_without_dates(workbook, spool) -> None:
    """workbook.save(), whose docProps/core.xml and zip entries carry no date of the export."""
    from openpyxl.writer.excel import ExcelWriter

    # No dcterms:created/modified in docProps/core.xml (save() would set modified to now).
    workbook.properties = _undated_properties()
    with zipfile.ZipFile(spool, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        ExcelWriter(workbook, archive).save()
    # Each entry's local header (time/date at offset 10) and central directory record (at 12)
    # carry its write time: overwrite them in place rather than recompress the archive.
    spool.seek(0)
    with zipfile.ZipFile(spool) as archive:
        entries = archive.infolist()
        central = archive.start_dir
    stamp = struct.pack("<HH", *DOS_1980_01_01)
    for entry in entries:
        spool.seek(entry.header_offset + 10)
        spool.write(stamp)
    position = central
    for _entry in entries:
        spool.seek(position)
        record = spool.read(46)
        name, extra, comment = struct.unpack("<HHH", record[28:34])
        spool.seek(position + 12)
        spool.write(stamp)
        position += 46 + name + extra + comment
    spool.flush()

"""De-identified exports (HIPAA Safe Harbor), shared by the download links and
`manage.py export_outcomes`.

Only the random participant ID identifies a row. Dates become day numbers relative to
enrollment (day 1 = enrollment); where a date cannot be avoided only its year is given. No
names, contacts or free text. Every text cell is neutralised against spreadsheet formula
injection. Rows are generated lazily so a million-row export runs in constant memory.
"""

import csv
from collections.abc import Iterable, Iterator
from datetime import date

from accounts.models import MenteeProfile, Program
from checkins.models import CheckIn
from outcomes import metrics, reports
from outcomes.models import UseDay

KINDS = ("participants", "days", "checkins")
FORMATS = ("csv", "xlsx")
DANGEROUS_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """A text cell that a spreadsheet could run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(DANGEROUS_START):
        return "'" + value
    return value


def _fmt(value: float | None) -> float | str:
    return "" if value is None else round(value, 1)


def participant_rows(*, program: Program, today: date) -> tuple[list[str], Iterable[list]]:
    windows = list(metrics.STANDARD_WINDOWS)
    header = ["participant_id", "study_arm", "enrollment_year", "status"]
    for window in windows:
        prefix = window.key
        header += [
            f"{prefix}_window_days",
            f"{prefix}_recorded_days",
            f"{prefix}_coverage_pct",
            f"{prefix}_use_days",
            f"{prefix}_pda",
            f"{prefix}_longest_abstinent_run",
            f"{prefix}_days_to_first_use",
            f"{prefix}_checkins_scheduled",
            f"{prefix}_checkins_completed",
            f"{prefix}_contact_hours_per_week",
            f"{prefix}_goals_due",
            f"{prefix}_goals_achieved",
        ]
    header += ["barc10_intake", "barc10_latest", "barc10_change", "retained_week_12"]
    people = reports.participants_compute(program=program, today=today, windows=windows)

    def rows():
        for p in people:
            row = [p.participant_id, p.arm, p.enrolled_on.year, p.status]
            for window in windows:
                m, e = p.windows[window.key], p.engagement[window.key]
                row += [
                    m.window_days,
                    m.recorded_days,
                    _fmt(m.coverage),
                    m.use_days,
                    _fmt(m.pda),
                    m.longest_abstinent_run,
                    "" if m.days_to_first_use is None else m.days_to_first_use,
                    e.checkins_scheduled,
                    e.checkins_completed,
                    _fmt(e.contact_hours_per_week),
                    e.goals_due,
                    e.goals_achieved,
                ]
            latest = p.barc[max(p.barc)] if p.barc else ""
            retained = p.retained_at_week_12(today)
            row += [
                p.barc.get(0, ""),
                latest,
                "" if p.barc_change is None else p.barc_change,
                "" if retained is None else ("yes" if retained else "no"),
            ]
            yield row

    return header, rows()


def day_rows(*, program: Program) -> tuple[list[str], Iterable[list]]:
    header = [
        "participant_id",
        "study_arm",
        "day_number",
        "week",
        "used",
        "substances",
        "heavy",
        "amount",
        "source",
        "reports",
    ]
    query = (
        _days(program)
        .order_by("mentee__participant_id", "day")
        .values_list(
            "mentee__participant_id",
            "mentee__study_arm",
            "mentee__enrolled_on",
            "day",
            "used",
            "substances",
            "heavy",
            "amount",
            "source",
            "report_count",
        )
    )

    def rows():
        # A server-side cursor on PostgreSQL: rows arrive in chunks, never all at once.
        for pid, arm, enrolled, day, used, subs, heavy, amount, source, count in query.iterator(
            chunk_size=5000
        ):
            number = (day - enrolled).days + 1
            yield [
                pid,
                arm,
                number,
                metrics.week_of_day(number),
                "yes" if used else "no",
                "; ".join(subs),
                "yes" if heavy else "no",
                "" if amount is None else float(amount),
                source,
                count,
            ]

    return header, rows()


def _neutralised_sql(expression: str) -> str:
    """The SQL twin of neutralise(): a leading apostrophe before a formula-like first character."""
    return (
        f"CASE WHEN left({expression}, 1) IN ('=', '+', '-', '@', E'\\t', E'\\r') "
        f"THEN '''' || {expression} ELSE {expression} END"
    )


# The per-day export computed and written by PostgreSQL itself (COPY ... TO STDOUT): the same
# rows and the same neutralisation as day_rows(), at close to the speed of a raw COPY. The
# column list must stay in step with day_rows(); a test compares the two.
# Built from constant column names only; the program id is a bound parameter.
SUBSTANCES_SQL = "array_to_string(ARRAY(SELECT jsonb_array_elements_text(d.substances)), '; ')"
DAYS_COPY_SQL = f"""
COPY (
  SELECT {_neutralised_sql("m.participant_id")},
         m.study_arm,
         d.day - m.enrolled_on + 1,
         floor((d.day - m.enrolled_on + 7) / 7.0::float8)::int,
         CASE WHEN d.used THEN 'yes' ELSE 'no' END,
         CASE WHEN d.substances = '[]'::jsonb THEN NULL
              ELSE {_neutralised_sql(SUBSTANCES_SQL)} END,
         CASE WHEN d.heavy THEN 'yes' ELSE 'no' END,
         d.amount,
         d.source,
         d.report_count
  FROM outcomes_useday d
  JOIN accounts_menteeprofile m ON m.id = d.mentee_id
  WHERE m.program_id = %s
  ORDER BY m.participant_id, d.day
) TO STDOUT WITH (FORMAT csv)
"""  # noqa: S608


def days_csv_chunks(*, program: Program) -> Iterator[bytes]:
    """The per-day CSV as byte chunks. On PostgreSQL the database writes it (COPY), in
    constant memory; elsewhere (the SQLite of `make run`) the Python rows are used."""
    from django.db import connection

    header, rows = day_rows(program=program)
    if connection.vendor != "postgresql":
        for line in csv_lines(header, rows):
            yield line.encode()
        return
    yield next(csv_lines(header, [])).encode()
    # psycopg hands over COPY data a row at a time; gathering ~64 KB per chunk keeps the
    # response from paying a generator step and a socket write per row.
    buffer = bytearray()
    with connection.cursor() as cursor, cursor.cursor.copy(DAYS_COPY_SQL, [program.pk]) as copy:
        for row in copy:
            buffer += row
            if len(buffer) >= 65536:
                yield bytes(buffer)
                buffer.clear()
    if buffer:
        yield bytes(buffer)


def checkin_rows(*, program: Program) -> tuple[list[str], Iterable[list]]:
    """Engagement per individual check-in: when (as a day number), how long, whether held and
    whether use was discussed. Never the notes, topics or next steps (free text)."""
    header = [
        "participant_id",
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
        for pid, arm, enrolled, at, status, mode, minutes, use in query.iterator(chunk_size=5000):
            number = (at.astimezone(tz).date() - enrolled).days + 1
            yield [
                pid,
                arm,
                number,
                metrics.week_of_day(number),
                status,
                mode,
                "" if minutes is None else minutes,
                use or "not discussed",
            ]

    return header, rows()


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
    return MenteeProfile.objects.filter(program=program).count()


def export_rows(*, program: Program, kind: str, today: date):
    if kind == "participants":
        return participant_rows(program=program, today=today)
    if kind == "days":
        return day_rows(program=program)
    if kind == "checkins":
        return checkin_rows(program=program)
    raise ValueError(f"Unknown export kind {kind!r}.")


class _Echo:
    def write(self, value):
        return value


def csv_lines(header: list[str], rows: Iterable[list]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(header)
    for row in rows:
        yield writer.writerow([neutralise(v) for v in row])


def write_csv(target, header, rows) -> int:
    count = -1
    for count, line in enumerate(csv_lines(header, rows)):  # noqa: B007
        target.write(line)
    return count


def write_xlsx(target, header, rows, *, notice: str = "") -> int:
    """Write-only workbook: openpyxl streams rows to disk instead of holding them."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    if notice:  # an identified export opens on its 42 CFR 2.32 notice
        workbook.create_sheet("notice").append([notice])
    sheet = workbook.create_sheet("outcomes")
    sheet.append(header)
    count = 0
    for row in rows:
        sheet.append([neutralise(v) for v in row])
        count += 1
    workbook.save(target)
    return count

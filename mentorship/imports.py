"""The one import pipeline every CSV import runs through (participants, use days, assessments).

An app owns its rows' rules (which columns, what a row means, how it is written); this module
owns what every import does the same way:

- the result: bad rows by line, and for imports of records that may already be on file the
  counts new / unchanged / changed / conflicting with the changes and conflicts listed;
- upload -> preview -> confirm on a page: the checked file is kept encrypted for
  `csvfiles.PENDING_KEEP_SECONDS` (30 minutes) and what is confirmed is what was previewed,
  checked again (`import_upload`, `import_confirm`; the preview partial
  `_partials/import_preview.html`);
- the management command: FILE --program SLUG --dry-run (`ImportCommand`);
- the run itself for the outcome imports: decode, check every row, write only a clean file and
  never on a dry run (`csv_import`).

Reading the file itself (decoding, header rule, date rule) is `mentorship.csvfiles`.
"""

import csv
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TypeVar

from django.contrib import messages
from django.core.management.base import BaseCommand, CommandError
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from mentorship.csvfiles import (
    UnreadableFile,
    csv_text,
    pending_drop,
    pending_keep,
    pending_take,
)

PREVIEW_LISTED = 500  # changes and conflicts listed on a preview page


@dataclass(frozen=True)
class Change:
    """A record on file that a row answers differently: what it was and what it becomes."""

    participant_id: str
    day: date | None  # None: a record that is not dated (a participant's profile)
    what: str  # which record of that participant and day (a source, a questionnaire)
    old: str
    new: str


@dataclass(frozen=True)
class Conflict:
    """A row whose record disagrees with another one once the file is in, and what counts."""

    participant_id: str
    day: date | None
    answers: str  # what the records say, e.g. "self-report: no; lab test: yes"
    counted: str  # what the program then counts


@dataclass
class ImportSummary:
    """What an import found (and, unless a dry run, wrote)."""

    errors: list[tuple[int, str]] = field(default_factory=list)  # (line number, message)
    written: int = 0
    dry_run: bool = False
    new: int = 0
    unchanged: int = 0
    changes: list[Change] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def changed(self) -> int:
        return len(self.changes)

    @property
    def conflicting(self) -> int:
        return len(self.conflicts)

    @property
    def to_write(self) -> int:
        return self.new + self.changed

    def summary(self) -> str:
        return (
            f"{self.new} new, {self.unchanged} unchanged, {self.changed} changed, "
            f"{self.conflicting} conflicting"
        )


def bad_rows_message(count: int) -> str:
    return ngettext(
        "%(n)s bad row: nothing was imported.", "%(n)s bad rows: nothing was imported.", count
    ) % {"n": count}


def expired_message() -> str:
    return _("That checked file is no longer kept (after 30 minutes). Upload it again.")


# --- The run: decode -> check every row -> write all of them or none


Result = TypeVar("Result", bound=ImportSummary)  # an import's own result (its rows to write)


def csv_import(
    *,
    data: bytes,
    dry_run: bool,
    result_type: type[Result],
    validate: Callable[[str], Result],
    write: Callable[[Result], int],
) -> Result:
    """Check every row (`validate(text)`); `write(result)` returns how many were written and is
    called only when no row is bad, something is new or changed (`to_write`: the rows an import
    keeps to write are exactly those) and this is not a dry run.
    A file that cannot be decoded or parsed is one bad row 1, in a `result_type`."""
    try:
        text = csv_text(data)
    except UnreadableFile as exc:
        return result_type(errors=[(1, str(exc))])
    try:
        result = validate(text)
    except csv.Error as exc:
        return result_type(errors=[(1, _("The file is not valid CSV: %(e)s.") % {"e": exc})])
    result.dry_run = dry_run
    if result.ok and not dry_run and result.to_write:
        result.written = write(result)
    return result


# --- The page: upload -> preview -> confirm

Run = Callable[..., ImportSummary]  # run(data=bytes, dry_run=bool) -> result
Page = Callable[..., object]  # page(context: dict, status: int) -> HttpResponse


def import_upload(request, *, kind: str, program, form, confirm_form_class, run: Run, page: Page):
    """The upload step: check the file (a dry run), keep a clean one for the confirm step.

    `form` is the bound upload form with a `file` field; the preview context carries `result`
    and, when there is something to write, `confirm_form` holding the kept file's token.
    """
    if request.method != "POST" or not form.is_valid():
        return page({"form": form}, status=200)
    content = form.cleaned_data["file"].read()
    result = run(data=content, dry_run=True)
    context = {"form": form, "result": result}
    if not result.ok:
        messages.error(request, bad_rows_message(len(result.errors)))
        return page(context, status=400)
    if result.to_write:
        token = pending_keep(request, kind=kind, program_id=program.pk, content=content)
        context["confirm_form"] = confirm_form_class(initial={"token": token})
    return page(context, status=200)


def import_confirm(
    request, *, kind: str, program, form, run: Run, page: Page, back: str, done: Callable
):
    """The confirm step: write the file previewed, all or nothing, checked again (the records
    may have moved since the preview). An expired or foreign token goes back to the upload."""
    token = form.cleaned_data["token"] if form.is_valid() else ""
    pending = pending_take(request, kind=kind, token=token)
    if pending is None or pending[0] != program.pk:
        messages.error(request, expired_message())
        return redirect(back)
    result = run(data=pending[1], dry_run=False)
    if not result.ok:
        messages.error(request, bad_rows_message(len(result.errors)))
        return page({"result": result}, status=400)
    pending_drop(request, kind=kind, token=token)
    messages.success(request, done(result))
    return redirect(back)


# --- The command: FILE --program SLUG [--dry-run]


class ImportCommand(BaseCommand):
    """`manage.py import_*`: the same function as the page, `--dry-run` for its preview.

    A subclass sets `help` and `programs` (the Program queryset: the kernel imports no app),
    implements `run(program, data, dry_run)` and, if its result is an
    ImportSummary, gets the report (bad rows on stderr with exit status 1, changes and
    conflicts listed, the summary line) from `report`.
    """

    programs = None

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--program", required=True, help="The program's slug.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check the file and write nothing."
        )

    def load(self, *, file: Path, program: str):
        """(program, file content); a missing program or unreadable file is a usage error."""
        found = self.programs.filter(slug=program).first()
        if found is None:
            raise CommandError(f"No program with the slug “{program}”.", returncode=2)
        try:
            return found, file.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}.", returncode=2) from exc

    def run(self, *, program, data: bytes, dry_run: bool) -> ImportSummary:
        raise NotImplementedError

    def handle(self, *args, file: Path, program: str, dry_run: bool, **options):
        found, data = self.load(file=file, program=program)
        self.report(self.run(program=found, data=data, dry_run=dry_run))

    def report(self, result: ImportSummary) -> None:
        for line, message in result.errors:
            self.stderr.write(f"line {line}: {message}")
        if not result.ok:
            raise CommandError(f"{len(result.errors)} bad row(s); nothing was imported.")
        self.report_changes(result)
        if result.dry_run:
            self.stdout.write(f"{result.summary()}; dry run, nothing written.")
        else:
            self.stdout.write(
                self.style.SUCCESS(f"Imported {result.written} row(s): {result.summary()}.")
            )

    def report_changes(self, result: ImportSummary) -> None:
        """The changed records and the conflicts, one a line (stdout)."""
        for change in result.changes:
            day = f" {change.day:%Y-%m-%d}" if change.day else ""
            self.stdout.write(
                f"changed: {change.participant_id}{day} {change.what}: {change.old} -> {change.new}"
            )
        for conflict in result.conflicts:
            day = f" {conflict.day:%Y-%m-%d}" if conflict.day else ""
            self.stdout.write(
                f"conflict: {conflict.participant_id}{day}: "
                f"{conflict.answers}; counted: {conflict.counted}"
            )

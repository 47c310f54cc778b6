"""Import use days from a CSV file (same validation and writes as the upload page)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Program
from outcomes.importing import use_days_import


class Command(BaseCommand):
    help = "Import use days: participant_id, date, used, substances, source. All or nothing."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--program", required=True, help="program slug")
        parser.add_argument("--dry-run", action="store_true", help="validate only, write nothing")

    def handle(self, *args, file: Path, program: str, dry_run: bool, **options):
        found = Program.objects.filter(slug=program).first()
        if found is None:
            raise CommandError(f"No program with slug “{program}”.")
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}.") from exc
        result = use_days_import(program=found, data=data, actor=None, dry_run=dry_run)
        for line, message in result.errors:
            self.stderr.write(f"line {line}: {message}")
        if not result.ok:
            raise CommandError(f"{len(result.errors)} bad row(s); nothing was imported.")
        for change in result.changes:
            self.stdout.write(
                f"changed: {change.participant_id} {change.day:%Y-%m-%d} {change.source}: "
                f"{change.old} -> {change.new}"
            )
        for conflict in result.conflicts:
            self.stdout.write(
                f"conflict: {conflict.participant_id} {conflict.day:%Y-%m-%d}: "
                f"{conflict.answers}; counted: {conflict.counted}"
            )
        if dry_run:
            self.stdout.write(f"{result.summary()}; dry run, nothing written.")
        else:
            self.stdout.write(
                self.style.SUCCESS(f"Imported {result.written} row(s): {result.summary()}.")
            )

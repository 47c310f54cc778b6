"""Write a de-identified export to a file (same rows as the download links)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Program
from mentorship.audit import Action, audit_record
from outcomes import exports


class Command(BaseCommand):
    help = "De-identified outcome export: --kind participants|days --format csv|xlsx."

    def add_arguments(self, parser):
        parser.add_argument("--program", required=True, help="program slug")
        parser.add_argument("--kind", choices=exports.KINDS, required=True)
        parser.add_argument("--format", choices=exports.FORMATS, default="csv", dest="fmt")
        parser.add_argument("--output", type=Path, required=True)

    def handle(self, *args, program: str, kind: str, fmt: str, output: Path, **options):
        found = Program.objects.filter(slug=program).first()
        if found is None:
            raise CommandError(f"No program with slug “{program}”.")
        export = exports.export_rows(program=found, kind=kind, today=found.today())
        audit_record(
            actor=None,
            action=Action.EXPORT,
            object_type=f"outcomes.export.{kind}",
            object_id=fmt,
            program=found,
            fields=export.header,
        )
        written = []
        try:
            with output.open("wb") as target:
                for chunk in exports.export_chunks(export, fmt=fmt, progress=written.append):
                    target.write(chunk)
        except OSError as exc:
            raise CommandError(f"Cannot write {output}: {exc.strerror}.") from exc
        self.stdout.write(self.style.SUCCESS(f"Wrote {written[-1]} rows to {output}."))

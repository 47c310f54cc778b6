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
        header, rows = exports.export_rows(program=found, kind=kind, today=found.today())
        audit_record(
            actor=None,
            action=Action.EXPORT,
            object_type=f"outcomes.export.{kind}",
            object_id=fmt,
            program=found,
            fields=header,
        )
        try:
            if fmt == "csv" and kind == "days":
                with output.open("wb") as target:
                    for chunk in exports.days_csv_chunks(program=found):
                        target.write(chunk)
                count = "all"
            elif fmt == "csv":
                with output.open("w", newline="", encoding="utf-8") as target:
                    count = exports.write_csv(target, header, rows)
            else:
                with output.open("wb") as target:
                    count = exports.write_xlsx(target, header, rows)
        except OSError as exc:
            raise CommandError(f"Cannot write {output}: {exc.strerror}.") from exc
        self.stdout.write(self.style.SUCCESS(f"Wrote {count} rows to {output}."))

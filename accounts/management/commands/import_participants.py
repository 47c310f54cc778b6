"""Import mentors and mentees from a CSV file: the same checks and writes as the upload page."""

from pathlib import Path

from django.core.management.base import CommandError

from accounts.imports import (
    id_mapping_csv,
    id_mapping_disclosed,
    participants_import,
    people_count,
)
from accounts.models import Program
from mentorship.imports import ImportCommand


class Command(ImportCommand):
    help = (
        "Import participants from a CSV file (the upload page's template). Every row is checked "
        "first; any problem imports nothing and exits with status 1 after listing the problems."
    )

    programs = Program.objects.all()

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--id-mapping",
            type=Path,
            help="Where to write the participant_id,email mapping of the mentees imported "
            "(default: FILE-participant-ids.csv beside the file).",
        )

    def handle(self, *args, file: Path, program: str, dry_run: bool, id_mapping, **options):
        target, content = self.load(file=file, program=program)
        result = participants_import(program=target, content=content, dry_run=dry_run)
        if not result.ok:
            for problem in result.problems:
                self.stderr.write(str(problem))
            raise CommandError(
                f"{len(result.problems)} problem(s) in {file.name}; nothing was imported."
            )
        # Importable, but worth knowing first (a mentor who will not be eligible to match).
        for warning in result.warnings:
            self.stdout.write(self.style.WARNING(str(warning)))
        counts = (
            f"{people_count(result.mentor_count, 'mentor')} and "
            f"{people_count(result.mentee_count, 'mentee')}"
        )
        if dry_run:
            self.stdout.write(f"{file.name}: {counts}, no problems. Dry run: nothing was written.")
            return
        self.stdout.write(self.style.SUCCESS(f"Imported {counts} into {target.name}."))
        if result.id_mapping:
            path = id_mapping or file.with_name(f"{file.stem}-participant-ids.csv")
            path.write_text(id_mapping_csv(result.id_mapping), encoding="utf-8")
            id_mapping_disclosed(program=target, count=len(result.id_mapping))
            self.stdout.write(f"Participant IDs and e-mails written to {path}.")

"""Import mentors and mentees from a CSV file: the same checks and writes as the upload page."""

from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

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
        summary = result.summary
        if not result.ok:
            for problem in result.problems:
                self.stderr.write(str(problem))
            self.stderr.write(summary.summary())
            raise CommandError(
                ngettext(
                    "%(count)s problem in %(file)s; nothing was imported.",
                    "%(count)s problems in %(file)s; nothing was imported.",
                    len(result.problems),
                )
                % {"count": len(result.problems), "file": file.name}
            )
        # Importable, but worth knowing first (a mentor who will not be eligible to match).
        for warning in result.warnings:
            self.stdout.write(self.style.WARNING(str(warning)))
        counts = {
            "mentors": people_count(result.mentor_count, "mentor"),
            "mentees": people_count(result.mentee_count, "mentee"),
        }
        self.report_changes(summary)
        self.stdout.write(summary.summary())
        if dry_run:
            self.stdout.write(
                _(
                    "%(file)s: %(mentors)s and %(mentees)s, no problems. Dry run: nothing was written."
                )
                % {"file": file.name, **counts}
            )
            return
        self.stdout.write(
            self.style.SUCCESS(
                _("Imported %(mentors)s and %(mentees)s into %(program)s.")
                % {"program": target.name, **counts}
            )
        )
        if result.id_mapping:
            path = id_mapping or file.with_name(f"{file.stem}-participant-ids.csv")
            path.write_text(id_mapping_csv(result.id_mapping), encoding="utf-8")
            id_mapping_disclosed(program=target, count=len(result.id_mapping))
            self.stdout.write(
                _("Participant IDs and e-mails written to %(path)s.") % {"path": path}
            )

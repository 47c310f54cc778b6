"""Import use days from a CSV file (same validation and writes as the upload page)."""

from accounts.models import Program
from mentorship.imports import ImportCommand
from outcomes.importing import use_days_import


class Command(ImportCommand):
    help = "Import use days: participant_id, date, used, substances, source. All or nothing."
    programs = Program.objects.all()

    def run(self, *, program, data, dry_run):
        return use_days_import(program=program, data=data, actor=None, dry_run=dry_run)

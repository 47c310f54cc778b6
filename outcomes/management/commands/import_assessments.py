"""Import assessments from a CSV file (same checks and writes as the upload page)."""

from accounts.models import Program
from mentorship.imports import ImportCommand
from outcomes.assessment_imports import assessments_file_import


class Command(ImportCommand):
    help = (
        "Import assessments: participant_id, instrument, timepoint, date, item_1, item_2, ... "
        "(one row per questionnaire taken). All or nothing."
    )
    programs = Program.objects.all()

    def run(self, *, program, data, dry_run):
        return assessments_file_import(program=program, data=data, actor=None, dry_run=dry_run)

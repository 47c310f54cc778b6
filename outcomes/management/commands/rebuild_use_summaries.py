"""Recompute the cohort-report summaries from the use log (after loading data by SQL)."""

from django.core.management.base import BaseCommand

from accounts.models import MenteeProfile
from outcomes.services import use_summaries_refresh


class Command(BaseCommand):
    help = "Recompute every participant's use summary (optionally for one program)."

    def add_arguments(self, parser):
        parser.add_argument("--program", help="program slug")

    def handle(self, *args, program=None, **options):
        mentees = MenteeProfile.objects.all()
        if program:
            mentees = mentees.filter(program__slug=program)
        ids = list(mentees.values_list("pk", flat=True))
        for start in range(0, len(ids), 1000):
            use_summaries_refresh(mentee_ids=ids[start : start + 1000])
        self.stdout.write(self.style.SUCCESS(f"Recomputed {len(ids)} summaries."))

"""Match a program's waiting mentees in one run: the same solver (cohort_assign) and commit
(matches_create) as the cohort page's background run, every pair explained."""

import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.models import MenteeProfile, Program
from matching.cohort import cohort_plan
from matching.services import matches_create


class Command(BaseCommand):
    help = (
        "Plan the optimal matching of a program's waiting mentees (as many as possible, then the "
        "highest total score); --commit writes the matches in one transaction."
    )

    def add_arguments(self, parser):
        parser.add_argument("--program", required=True, help="The program's slug.")
        parser.add_argument("--commit", action="store_true", help="Write the matches.")
        parser.add_argument("--json", action="store_true", help="Print the plan as JSON.")
        parser.add_argument(
            "--mentees",
            default="",
            help="Only these waiting mentees: participant IDs separated by commas.",
        )

    def handle(self, *args, program, commit, json: bool, mentees: str, **options):
        found = Program.objects.filter(slug=program).first()
        if found is None:
            raise CommandError(f"No program with the slug “{program}”.")
        mentee_ids = None
        if mentees:
            wanted = {p.strip().upper() for p in mentees.split(",") if p.strip()}
            rows = dict(
                MenteeProfile.objects.filter(program=found, participant_id__in=wanted).values_list(
                    "participant_id", "pk"
                )
            )
            missing = sorted(wanted - set(rows))
            if missing:
                raise CommandError(f"Not in this program: {', '.join(missing)}.")
            mentee_ids = list(rows.values())
        plan = cohort_plan(found, mentee_ids=mentee_ids)
        committed = 0
        if commit and plan.pairs:
            try:
                committed = len(
                    matches_create(
                        program=found,
                        pairs=[(p.mentee_id, p.mentor_id) for p in plan.pairs],
                        actor=None,
                    )
                )
            except ValidationError as error:
                raise CommandError("; ".join(error.messages)) from error
        if json:
            self.stdout.write(_dumps({**plan.as_dict(), "committed": committed}))
            return
        for pair in plan.pairs:
            self.stdout.write(f"{pair.score:>3}  {pair.mentee_name}  ←  {pair.mentor_name}")
            for part in pair.parts:
                self.stdout.write(f"       +{part.points:<3} {part.text}")
        for unmatched in plan.unmatched:
            self.stdout.write(f"  —  {unmatched.mentee_name}: {unmatched.reason}")
        summary = (
            f"{len(plan.pairs)} matched, {len(plan.unmatched)} not matched, "
            f"total score {plan.total_score}{'' if plan.exact else ' (pruned candidates)'}."
        )
        self.stdout.write(self.style.SUCCESS(summary))
        if commit:
            self.stdout.write(self.style.SUCCESS(f"{committed} matches written."))
        elif plan.pairs:
            self.stdout.write("Nothing written: add --commit to write these matches.")


def _dumps(data) -> str:
    return json.dumps(data, indent=2)

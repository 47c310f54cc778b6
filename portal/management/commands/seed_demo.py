import time

from django.core.management.base import BaseCommand

from accounts.demo import DEMO_PASSWORD, LARGE_MATCHED, demo_seed_large, demo_seed_small
from checkins.demo import demo_seed_checkins, demo_seed_checkins_large
from goals.demo import demo_seed_goals, demo_seed_goals_large
from matching.demo import demo_seed_matches
from outcomes.demo import demo_seed_outcomes, demo_seed_outcomes_large


def seed_large(*, mentees: int = 10_000, mentors: int = 3_000, matched: int = LARGE_MATCHED):
    """The large program and its year of activity (also used by bench/pages.py)."""
    program, logins = demo_seed_large(mentees=mentees, mentors=mentors, matched=matched)
    demo_seed_checkins_large(program=program, matched=matched)
    demo_seed_goals_large(program=program)
    demo_seed_outcomes_large(program=program)
    return program, logins


class Command(BaseCommand):
    help = (
        "Create demo data (idempotent): one program with every role; --size large adds a "
        "10,000-mentee program with a year of activity, for benchmarks."
    )

    def add_arguments(self, parser):
        parser.add_argument("--size", choices=["small", "large"], default="small")

    def handle(self, *args, size, **options):
        program, logins = demo_seed_small()
        demo_seed_matches(program=program)
        demo_seed_checkins(program=program)
        demo_seed_goals(program=program)
        demo_seed_outcomes(program=program)
        if size == "large":
            started = time.monotonic()
            large, large_logins = seed_large()
            self.stdout.write(
                f"Large program “{large.name}” ready (slug {large.slug}) "
                f"in {time.monotonic() - started:.0f} s. Its logins:"
            )
            for role, email in large_logins.items():
                self.stdout.write(f"  {role:<12} {email:<36} password: {DEMO_PASSWORD}")
        self.stdout.write(self.style.SUCCESS(f"Demo program “{program.name}” ready. Demo logins:"))
        for role, email in logins.items():
            self.stdout.write(f"  {role:<12} {email:<28} password: {DEMO_PASSWORD}")
        self.stdout.write("  Superuser:   python manage.py createsuperuser (for /admin/)")

from django.core.management.base import BaseCommand

from accounts.demo import DEMO_PASSWORD, demo_seed_large, demo_seed_small
from checkins.demo import demo_seed_checkins
from goals.demo import demo_seed_goals
from matching.demo import demo_seed_matches
from outcomes.demo import demo_seed_outcomes


class Command(BaseCommand):
    help = (
        "Create demo data (idempotent): one program with every role; --size large for benchmarks."
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
            large = demo_seed_large()
            self.stdout.write(f"Large program “{large.name}” ready (slug {large.slug}).")
        self.stdout.write(self.style.SUCCESS(f"Demo program “{program.name}” ready. Demo logins:"))
        for role, email in logins.items():
            self.stdout.write(f"  {role:<12} {email:<28} password: {DEMO_PASSWORD}")
        self.stdout.write("  Superuser:   python manage.py createsuperuser (for /admin/)")

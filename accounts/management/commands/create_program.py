"""manage.py create_program SLUG --name NAME --timezone ZONE [--language es]: a program with
its defaults."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from accounts.programs import program_create


class Command(BaseCommand):
    help = "Create a program with its default vocabularies, goal templates and settings."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--name", required=True)
        parser.add_argument("--timezone", required=True, help="e.g. America/New_York")
        parser.add_argument("--organization", default="")
        parser.add_argument(
            "--language",
            default="en",
            choices=[code for code, _name in settings.LANGUAGES],
            help="Default language for people who chose none (en, es).",
        )

    def handle(self, *args, slug, name, timezone, organization, language, **options):
        try:
            program = program_create(
                actor=None,
                name=name,
                slug=slug,
                timezone=timezone,
                organization=organization,
                default_language=language,
            )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        self.stdout.write(
            _("Created program %(slug)s (%(name)s).") % {"slug": program.slug, "name": program.name}
        )

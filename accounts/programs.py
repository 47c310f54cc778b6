"""Creating a program: one service behind `manage.py create_program`, the superuser's page and
the admin, so a program made any of these ways has its default vocabularies (accounts) and,
through the `program_created` hook, the higher apps' defaults (goal templates, outcome
settings): it works for an import at once."""

from django.db import transaction

from accounts.hooks import program_created
from accounts.models import Program
from accounts.vocabularies import vocabulary_seed_defaults
from mentorship.audit import Action, audit_record


@transaction.atomic
def program_create(
    *,
    actor,
    name: str,
    slug: str,
    timezone: str,
    organization: str = "",
    default_language: str = "en",
    request=None,
) -> Program:
    """Validate and create a program with every default (full_clean: the same rules as a form)."""
    program = Program(
        name=name,
        slug=slug,
        timezone=timezone,
        organization=organization,
        default_language=default_language,
    )
    program.full_clean()
    program.save()
    audit_record(
        actor=actor,
        action=Action.CREATE,
        obj=program,
        program=program,
        fields=["name", "slug", "timezone", "organization", "default_language"],
        request=request,
    )
    program_set_up(program=program)
    return program


@transaction.atomic
def program_set_up(*, program: Program) -> None:
    """Idempotent: the program's default vocabularies, then every higher app's defaults. The
    admin calls it after saving a new program."""
    vocabulary_seed_defaults(program=program)
    program_created(program_id=program.pk)

"""`manage.py migrate` as the schema's owner (MIGRATE_DATABASE_URL), whatever role the rest of
the app uses: the application role may not create, alter or own anything, so the one command
that does is the one that switches. The single path for every caller: the compose `migrate`
service, `make serve`, the bench harness and the test database setup all come through here."""

from contextlib import contextmanager

from django.conf import settings
from django.core.management.commands.migrate import Command as DjangoMigrate
from django.db import DEFAULT_DB_ALIAS, connections


@contextmanager
def owner_role(alias: str = DEFAULT_DB_ALIAS):
    """Reconnect `alias` as the owner role for the block, then as the role it had (a no-op
    without MIGRATE_DATABASE_URL, or when it already is the owner)."""
    owner = settings.DATABASE_OWNER_CREDENTIALS
    connection = connections[alias]
    before = {key: connection.settings_dict[key] for key in ("USER", "PASSWORD")}
    if not owner or before["USER"] == owner["USER"]:
        yield
        return
    connection.close()
    connection.settings_dict.update(owner)
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.update(before)


class Command(DjangoMigrate):
    help = DjangoMigrate.help + " Runs as the owner role of MIGRATE_DATABASE_URL when it is set."

    def handle(self, *args, **options):
        if options["database"] != DEFAULT_DB_ALIAS:
            return super().handle(*args, **options)
        with owner_role():
            return super().handle(*args, **options)

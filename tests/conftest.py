"""Suite-wide fixtures. The suite runs on real PostgreSQL and Redis only (see `make test`)."""

import os
from dataclasses import dataclass

import pytest

from accounts.models import Membership, User
from tests import factories


def pytest_configure(config):
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        pytest.exit(
            "The suite needs real PostgreSQL and Redis: run `make test` (it finds or starts them), "
            "or set DATABASE_URL=postgres://... and REDIS_URL=redis://...",
            returncode=2,
        )
    if not os.environ.get("REDIS_URL", "").startswith("redis://"):
        pytest.exit("REDIS_URL=redis://... is required: run `make test`.", returncode=2)


# --- Two database roles, as in production ---------------------------------------------------
# The test database is created and migrated as the owner role (MIGRATE_DATABASE_URL, which
# `make test` sets up); every test then runs as the application role (DATABASE_URL), so the
# whole suite proves the app needs nothing beyond its grants. Without MIGRATE_DATABASE_URL one
# role does both and tests/mentorship/test_db_roles.py fails, saying so.


LOGIN = ("USER", "PASSWORD")


def _log_in_as(credentials: dict, django_db_blocker) -> None:
    from django.db import connection

    with django_db_blocker.unblock():
        connection.close()
    connection.settings_dict.update(credentials)


@pytest.fixture(scope="session")
def _as_owner_for_setup(django_test_environment, django_db_blocker):
    from django.conf import settings
    from django.db import connection

    app = {key: connection.settings_dict[key] for key in LOGIN}
    owner = settings.DATABASE_OWNER_CREDENTIALS or app
    _log_in_as(owner, django_db_blocker)
    yield app, owner
    _log_in_as(app, django_db_blocker)


@pytest.fixture(scope="session")
def django_db_setup(_as_owner_for_setup, django_db_setup, django_db_blocker):
    """pytest-django's, run as the owner (the fixture above is entered first and left last, so
    creating, migrating and dropping the test database are the owner's); the tests in between
    run as the application role."""
    app, owner = _as_owner_for_setup
    _log_in_as(app, django_db_blocker)
    yield
    _log_in_as(owner, django_db_blocker)


@pytest.fixture(scope="session", autouse=True)
def _flush_as_owner():
    """A transactional test's flush TRUNCATEs every table, the audit table included, which the
    application role may not do and the audit table's trigger refuses: the owner does it, with
    that table's triggers off for just the flush. Wrapped around the flush itself, so the
    test's other fixtures (live server, Celery workers) are torn down first."""
    from django.db import connection
    from django.test import TransactionTestCase

    from mentorship.management.commands.migrate import owner_role

    flush = TransactionTestCase._fixture_teardown

    def _audit_triggers(enable: bool) -> None:
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '30s'")
            cursor.execute(
                f"ALTER TABLE mentorship_auditentry {'ENABLE' if enable else 'DISABLE'} TRIGGER USER"
            )

    def flush_as_owner(self):
        with owner_role():
            _audit_triggers(enable=False)
            try:
                flush(self)
            finally:
                _audit_triggers(enable=True)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(TransactionTestCase, "_fixture_teardown", flush_as_owner)
        yield


def clear_abuse_limits() -> None:
    """Forget every abuse-limit count (only those keys: the Redis database also holds the
    Celery broker's queues, which a FLUSHDB would take from running worker tests)."""
    from django.conf import settings
    from django.core.cache import cache

    client = cache._cache.get_client(write=True)
    pattern = f"*{settings.RATELIMIT_CACHE_PREFIX}*"
    keys = list(client.scan_iter(match=pattern, count=1000))
    if keys:
        client.delete(*keys)


@pytest.fixture(autouse=True)
def _abuse_limits_start_empty():
    """Each test signs in, resets and fetches as if it were the first: counts live in Redis,
    outside the test's rolled-back transaction, and would otherwise add up across the suite."""
    clear_abuse_limits()
    yield


@dataclass
class World:
    """Two programs and one person per role, plus outsiders, for access tests.

    mentor is in an active match with mentee; other_mentor (same program) is not;
    other_mentee is in the same program, unmatched; other_coordinator runs program B.
    """

    program: object
    other_program: object
    coordinator: User
    staff: User
    mentor: User
    mentee: User
    other_mentor: User
    other_mentee: User
    other_coordinator: User
    match: object
    mentee_profile: object
    mentor_profile: object
    other_mentee_profile: object

    def user(self, who: str) -> User | None:
        return None if who == "anonymous" else getattr(self, who)


WHO = [
    "anonymous",
    "coordinator",
    "staff",
    "mentor",
    "mentee",
    "other_mentor",
    "other_mentee",
    "other_coordinator",
]


@pytest.fixture
def world(db) -> World:
    program = factories.ProgramFactory(name="Program A", slug="program-a")
    other = factories.ProgramFactory(name="Program B", slug="program-b")
    match = factories.MatchFactory(program=program)
    factories.ConsentFactory(mentee=match.mentee)
    other_mentee = factories.MenteeProfileFactory(program=program)
    return World(
        program=program,
        other_program=other,
        coordinator=factories.make_user_with_role(Membership.Role.COORDINATOR, program),
        staff=factories.make_user_with_role(Membership.Role.STAFF, program),
        mentor=match.mentor.user,
        mentee=match.mentee.user,
        other_mentor=factories.MentorProfileFactory(program=program).user,
        other_mentee=other_mentee.user,
        other_coordinator=factories.make_user_with_role(Membership.Role.COORDINATOR, other),
        match=match,
        mentee_profile=match.mentee,
        mentor_profile=match.mentor,
        other_mentee_profile=other_mentee,
    )


def count_queries(fn) -> int:
    """How many SQL queries `fn()` runs: list pages compare 1 row with 50 rows."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        fn()
    # Savepoints are transaction bookkeeping, not reads that grow with rows.
    return sum(1 for q in captured.captured_queries if "SAVEPOINT" not in q["sql"])


def page_queries(client, url) -> int:
    """Queries to render one page (which must answer 200)."""

    def get():
        assert client.get(url).status_code == 200

    return count_queries(get)

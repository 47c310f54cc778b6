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

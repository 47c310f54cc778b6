"""Cost of writing audit entries through `audit_record` against a raw SQL INSERT of the same rows.

Every change to participant data writes one entry, so the service must stay close to the
database's own cost. Runs on the database in DATABASE_URL (PostgreSQL under `make bench`).
"""

from _harness import setup

setup()

import time  # noqa: E402

from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.demo import demo_seed_small  # noqa: E402
from accounts.models import MenteeProfile  # noqa: E402
from mentorship.audit import audit_record  # noqa: E402
from mentorship.models import AuditEntry  # noqa: E402

N = 2000


def main() -> None:
    program, _ = demo_seed_small()
    coordinator = program.memberships.get(role="coordinator").user
    mentee = MenteeProfile.objects.filter(program=program).first()

    start = time.perf_counter()
    with transaction.atomic():
        for _ in range(N):
            audit_record(actor=coordinator, action="update", obj=mentee, fields=["status"])
    ours = time.perf_counter() - start

    start = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        sql = (
            f"INSERT INTO {AuditEntry._meta.db_table} (at, actor_id, program_id, person_id, action,"
            " object_type, object_id, fields, ip) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)"
        )
        for _ in range(N):
            cursor.execute(
                sql,
                [
                    timezone.now(),
                    coordinator.pk,
                    program.pk,
                    mentee.user_id,
                    "update",
                    "accounts.menteeprofile",
                    str(mentee.pk),
                    '["status"]',
                    None,
                ],
            )
    raw = time.perf_counter() - start
    print(f"audit_record: {N} entries in {ours:.3f}s; raw INSERT: {raw:.3f}s")
    print(f"audit_write ratio={ours / raw:.2f} target=<=4")


if __name__ == "__main__":
    main()

from tests.urlcases import Case, everyone, expect

CASES = [
    Case("home", everyone(200)),
    Case(
        "audit_trail",
        expect(
            coordinator=200,
            other_coordinator=200,
            staff=403,
            mentor=403,
            mentee=403,
            other_mentor=403,
            other_mentee=403,
        ),
    ),
    Case(
        "work_queues",
        expect(
            coordinator=200,
            other_coordinator=404,
            staff=403,
            mentor=403,
            mentee=403,
            other_mentor=403,
            other_mentee=403,
        ),
        kwargs=lambda w: {"slug": w.program.slug},
    ),
    Case(
        "work_queue_assessments",
        expect(
            coordinator=200,
            other_coordinator=404,
            staff=403,
            mentor=403,
            mentee=403,
            other_mentor=403,
            other_mentee=403,
        ),
        kwargs=lambda w: {"slug": w.program.slug},
    ),
    Case("password_change", everyone(200)),
    Case("password_change_done", everyone(200)),
]

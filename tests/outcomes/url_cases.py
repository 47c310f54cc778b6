from tests.urlcases import Case, everyone, expect

# The use log and assessments: the mentee, their matched mentor (the world's consent covers both)
# and their coordinator. Staff (evaluators) never see a participant's record: 404.
PERSONAL = expect(
    coordinator=200,
    staff=404,
    mentor=200,
    mentee=200,
    other_mentor=404,
    other_mentee=404,
    other_coordinator=404,
)
PERSONAL_SAVED = {**PERSONAL, "coordinator": 302, "mentor": 302, "mentee": 302}
# Program-level reports: evaluators and coordinators of the program; other members 403.
REPORT = expect(
    coordinator=200,
    staff=200,
    mentor=403,
    mentee=403,
    other_mentor=403,
    other_mentee=403,
    other_coordinator=404,
)

COORDINATOR_ONLY = expect(
    coordinator=200,
    staff=403,
    mentor=403,
    mentee=403,
    other_mentor=403,
    other_mentee=403,
    other_coordinator=404,
)


def mentee(w):
    return {"mentee_pk": w.mentee_profile.pk}


def day(w):
    return {**mentee(w), "day": w.mentee_profile.enrolled_on.isoformat()}


def program(w):
    return {"slug": w.program.slug}


def staff_job(w):
    from outcomes.models import ExportJob

    job = ExportJob.objects.create(program=w.program, requested_by=w.staff, kind="days", fmt="csv")
    return {**program(w), "job_pk": job.pk}


# A background export belongs to whoever asked for it (the world's evaluator): others 404.
STAFF_JOB = {**REPORT, "coordinator": 404, "staff": 200}

CASES = [
    Case(
        "outcomes:my_calendar",
        expect(
            coordinator=404,
            staff=404,
            mentor=404,
            mentee=302,
            other_mentor=404,
            other_mentee=302,
            other_coordinator=404,
        ),
    ),
    Case("outcomes:calendar", PERSONAL, kwargs=mentee),
    Case("outcomes:calendar", PERSONAL_SAVED, kwargs=mentee, method="post"),
    Case("outcomes:day", PERSONAL, kwargs=day),
    Case("outcomes:day", PERSONAL, kwargs=day, method="post"),  # empty: errors shown, 200
    Case("outcomes:assessments", PERSONAL, kwargs=mentee),
    Case(
        "outcomes:assessment_fill",
        PERSONAL,
        kwargs=lambda w: {**mentee(w), "instrument": "barc10", "week": 0},
    ),
    Case(
        "outcomes:assessment_fill",
        PERSONAL,
        kwargs=lambda w: {**mentee(w), "instrument": "barc10", "week": 0},
        method="post",
    ),
    Case("outcomes:programs", everyone(200)),
    Case("outcomes:report", REPORT, kwargs=program),
    Case(
        "outcomes:export",
        REPORT,
        kwargs=lambda w: {**program(w), "kind": "participants", "fmt": "csv"},
    ),
    Case(
        "outcomes:export_job_start",
        {**REPORT, "coordinator": 302, "staff": 302},
        kwargs=lambda w: {**program(w), "kind": "days", "fmt": "xlsx"},
        method="post",
    ),
    Case("outcomes:export_job", STAFF_JOB, kwargs=staff_job),
    Case("outcomes:export_job_progress", STAFF_JOB, kwargs=staff_job),
    # Not ready yet: 404 for its owner too (the download test covers a finished job).
    Case("outcomes:export_job_download", {**STAFF_JOB, "staff": 404}, kwargs=staff_job),
    Case("outcomes:import", COORDINATOR_ONLY, kwargs=program),
    # No file kept under an empty token: back to the upload page.
    Case(
        "outcomes:import_confirm",
        {**COORDINATOR_ONLY, "coordinator": 302},
        kwargs=program,
        method="post",
    ),
    Case("outcomes:assessment_import", COORDINATOR_ONLY, kwargs=program),
    Case("outcomes:assessment_import_template", COORDINATOR_ONLY, kwargs=program),
    Case(
        "outcomes:assessment_import_confirm",
        {**COORDINATOR_ONLY, "coordinator": 302},
        kwargs=program,
        method="post",
    ),
    Case("outcomes:settings", COORDINATOR_ONLY, kwargs=program),
    Case("outcomes:identified_export", COORDINATOR_ONLY, kwargs=program),
    # An empty form: errors at the fields (400), and nothing disclosed.
    Case(
        "outcomes:identified_export",
        {**COORDINATOR_ONLY, "coordinator": 400},
        kwargs=program,
        method="post",
    ),
]

# Follow-up interviews and locator data: the program's coordinators only. A person's pages are
# reached through a proxy with no mentee path, so the mentee, their mentor and evaluators get
# 404 (nothing confirms the record exists).
FOLLOW_UP_PERSON = expect(
    coordinator=200,
    staff=404,
    mentor=404,
    mentee=404,
    other_mentor=404,
    other_mentee=404,
    other_coordinator=404,
)
CASES += [
    Case(
        "outcomes:followup_programs",
        expect(
            coordinator=200,
            staff=403,
            mentor=403,
            mentee=403,
            other_mentor=403,
            other_mentee=403,
            other_coordinator=200,
        ),
    ),
    Case("outcomes:followup", COORDINATOR_ONLY, kwargs=program),
    Case("outcomes:followup_schedule", COORDINATOR_ONLY, kwargs=program),
    # An empty form: the target is required (400), nothing saved.
    Case(
        "outcomes:followup_schedule",
        {**COORDINATOR_ONLY, "coordinator": 400},
        kwargs=program,
        method="post",
    ),
    Case("outcomes:interviews", FOLLOW_UP_PERSON, kwargs=mentee),
    Case(
        "outcomes:interviews",
        {**FOLLOW_UP_PERSON, "coordinator": 400},
        kwargs=mentee,
        method="post",
    ),
    Case("outcomes:locator", FOLLOW_UP_PERSON, kwargs=mentee),
    Case(
        "outcomes:locator", {**FOLLOW_UP_PERSON, "coordinator": 400}, kwargs=mentee, method="post"
    ),
    Case(
        "outcomes:export",
        REPORT,
        kwargs=lambda w: {**program(w), "kind": "interviews", "fmt": "csv"},
    ),
]

"""Every mentee has a use summary from enrollment on (accounts.hooks.mentees_enrolled, received
by outcomes), kept current by the use-log writes: the cohort report and the participants export
read summaries and never count anyone's days on a read."""

from datetime import date

from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts import services as accounts
from accounts.imports import participants_import
from accounts.models import Language, MenteeProfile
from outcomes import metrics
from outcomes.exports import participant_rows
from outcomes.models import Source, UseSummary
from outcomes.reports import participants_compute
from outcomes.services import use_report_record
from tests import factories


def _enrol(program, n: int) -> MenteeProfile:
    return accounts.mentee_create(
        actor=None,
        program=program,
        email=f"mentee{n}@example.org",
        first_name="Ana",
        last_name=f"Ruiz {n}",
        profile={
            "enrolled_on": date(2026, 3, 2),
            "study_arm": MenteeProfile.Arm.MENTORED if n % 2 else MenteeProfile.Arm.COMPARISON,
            "recovery_stage": MenteeProfile.Stage.EARLY,
            "substances": [],
            "preferred_philosophy": None,
            "philosophy_required": False,
            "languages": [Language.objects.get(code="en")],
            "gender": "",
            "preferred_mentor_gender": "",
            "mentor_gender_required": False,
            "availability": 0b101,
            "referral_source": "self",
        },
    )


def test_a_mentee_enrolled_in_the_browser_has_a_summary_before_any_record(db):
    program = factories.ProgramFactory()
    mentee = _enrol(program, 1)
    summary = UseSummary.objects.get(mentee=mentee)
    assert summary.enrolled_on == mentee.enrolled_on
    assert summary.windows[metrics.ACTIVE.key][0] == 0  # nothing recorded yet


def test_a_csv_import_gives_every_imported_mentee_a_summary(db):
    program = factories.ProgramFactory()
    content = (
        b"role,email,first_name,last_name,enrolled_on\n"
        b"mentee,alex@example.org,Alex,Kim,2026-03-02\n"
        b"mentee,bo@example.org,Bo,Lee,2026-03-03\n"
    )
    result = participants_import(program=program, content=content)
    assert not result.problems
    mentees = MenteeProfile.objects.filter(program=program)
    assert mentees.count() == 2
    assert UseSummary.objects.filter(mentee__in=mentees).count() == 2


def test_the_report_and_the_export_count_no_days_on_a_read(db):
    program = factories.ProgramFactory()
    mentees = [_enrol(program, n) for n in range(4)]
    use_report_record(
        actor=None, mentee=mentees[1], day=date(2026, 3, 3), used=True, source=Source.SELF
    )
    today = program.today()
    with CaptureQueriesContext(connection) as captured:
        columns = participants_compute(
            program=program, today=today, windows=list(metrics.STANDARD_WINDOWS)
        ).columns
        header, rows = participant_rows(program=program, today=today)
        rows = list(rows)
    assert len(rows) == 4
    assert columns.values[metrics.ACTIVE.key]["use_days"][columns.position(mentees[1].pk)] == 1
    # Without a summary a participant's days would be read one by one (outcomes_useday).
    assert not [q["sql"] for q in captured.captured_queries if "outcomes_useday" in q["sql"]]

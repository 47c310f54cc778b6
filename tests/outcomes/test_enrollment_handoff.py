"""A moved enrollment date reaches the use summaries in the same transaction
(accounts.hooks.enrollment_changed, received by outcomes)."""

from datetime import timedelta

from accounts import services as accounts
from outcomes import metrics
from outcomes.models import Source, UseSummary
from outcomes.reports import participants_compute
from outcomes.services import use_report_record


def test_moving_the_enrollment_date_recounts_the_report_figures_at_once(world):
    mentee = world.mentee_profile
    first_use = mentee.program.today() - timedelta(days=1)
    use_report_record(
        actor=mentee.user, mentee=mentee, day=first_use, used=True, source=Source.SELF
    )
    new_start = first_use - timedelta(days=9)
    accounts.mentee_update(
        actor=world.coordinator,
        mentee=mentee,
        first_name=mentee.first_name,
        last_name=mentee.last_name,
        profile={"enrolled_on": new_start},
    )
    # The stored summary already counts from the new day 1, so the report reads it as is.
    assert UseSummary.objects.get(mentee=mentee).enrolled_on == new_start
    report = participants_compute(
        program=mentee.program,
        today=mentee.program.today(),
        windows=list(metrics.STANDARD_WINDOWS),
    )
    columns = report.columns
    assert (
        columns.values[metrics.ACTIVE.key]["days_to_first_use"][columns.position(mentee.pk)] == 10
    )

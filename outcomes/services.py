"""Writes for outcomes. Every change is audited (field names only, never the content)."""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils.timezone import now
from django.utils.translation import gettext as _

from accounts.models import MenteeProfile, Program, User
from checkins.models import CheckIn
from mentorship.audit import Action, audit_record, audit_records_bulk
from outcomes import reports
from outcomes.assessments import assessment_reminders_withdraw
from outcomes.instruments import INSTRUMENTS
from outcomes.models import (
    Assessment,
    OutcomeSettings,
    Source,
    UseDay,
    UseLogRepair,
    UseReport,
    UseSummary,
)
from outcomes.reports import summary_compute
from outcomes.resolution import counting_report
from outcomes.selectors import outcome_settings_get

REPORT_FIELDS = ["day", "used", "substances", "amount", "heavy", "source"]


def _lock_mentees(mentee_ids) -> None:
    # Serialises every write to a mentee's use log: two reports for the same day arriving at
    # once would otherwise each recompute the day without seeing the other. Ordered by pk so
    # two imports touching the same mentees cannot deadlock.
    list(
        MenteeProfile.objects.select_for_update()
        .filter(pk__in=sorted(set(mentee_ids)))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _use_days_refresh(*, program: Program, keys: set[tuple[int, date]]) -> None:
    """Recompute the counting record of each (mentee, day) from all of that day's reports."""
    if not keys:
        return
    rule = outcome_settings_get(program=program).conflict_rule
    by_key: dict[tuple[int, date], list[UseReport]] = defaultdict(list)
    reports = UseReport.objects.filter(
        mentee_id__in={m for m, _ in keys}, day__in={d for _, d in keys}
    )
    for report in reports:
        key = (report.mentee_id, report.day)
        if key in keys:
            by_key[key].append(report)
    stamp = now()
    rows = []
    for (mentee_id, day), day_reports in by_key.items():
        chosen = counting_report(day_reports, rule)
        rows.append(
            UseDay(
                mentee_id=mentee_id,
                day=day,
                used=chosen.used,
                substances=chosen.substances,
                amount=chosen.amount,
                heavy=chosen.heavy,
                source=chosen.source,
                report=chosen,
                report_count=len(day_reports),
                conflicting=len({r.used for r in day_reports}) > 1,
                updated_at=stamp,
            )
        )
    UseDay.objects.bulk_create(
        rows,
        batch_size=2000,
        update_conflicts=True,
        unique_fields=["mentee", "day"],
        update_fields=[
            "used",
            "substances",
            "amount",
            "heavy",
            "source",
            "report",
            "report_count",
            "conflicting",
            "updated_at",
        ],
    )
    use_summaries_refresh(mentee_ids={m for m, _ in keys})


def use_summaries_refresh(*, mentee_ids) -> None:
    """Recompute the report summaries of these mentees from their counting days."""
    mentees = dict(
        MenteeProfile.objects.filter(pk__in=list(mentee_ids)).values_list("pk", "enrolled_on")
    )
    days: dict[int, dict[date, bool]] = defaultdict(dict)
    for mentee_id, day, used in UseDay.objects.filter(mentee_id__in=list(mentees)).values_list(
        "mentee_id", "day", "used"
    ):
        days[mentee_id][day] = used
    stamp = now()
    # A mentee with nothing recorded (every one a participants import creates) has the same
    # summary as any other with that enrollment date: computed once per date, not per person.
    empty: dict[date, dict] = {}

    def summary(mentee_id: int, enrolled_on: date) -> dict:
        if mentee_id in days:
            return summary_compute(days=days[mentee_id], enrolled_on=enrolled_on)
        if enrolled_on not in empty:
            empty[enrolled_on] = summary_compute(days={}, enrolled_on=enrolled_on)
        return empty[enrolled_on]

    UseSummary.objects.bulk_create(
        [
            UseSummary(
                mentee_id=mentee_id,
                enrolled_on=enrolled_on,
                updated_at=stamp,
                **summary(mentee_id, enrolled_on),
            )
            for mentee_id, enrolled_on in mentees.items()
        ],
        batch_size=2000,
        update_conflicts=True,
        unique_fields=["mentee"],
        update_fields=["enrolled_on", "windows", "weekly", "packed", "days", "updated_at"],
    )
    by_program: defaultdict[int, list[int]] = defaultdict(list)
    for mentee_id, program_id in MenteeProfile.objects.filter(pk__in=list(mentees)).values_list(
        "pk", "program_id"
    ):
        by_program[program_id].append(mentee_id)
    for program in Program.objects.filter(pk__in=list(by_program)):
        activity_figures_refresh(program=program, mentee_ids=by_program[program.pk])


# The moment the pass's figures are counted as of: no later than the start of any transaction
# still open in this database (its changes are invisible to the pass; every web and worker
# process runs as the same role, so it sees them all), less a minute, because a change's
# updated_at is taken in Python a moment before its statement reaches the database. A check-in
# changed after that moment is counted afresh on read until the next pass.
_COUNTED_AS_OF_SQL = """
    SELECT least(clock_timestamp(), min(xact_start)) - interval '1 minute'
    FROM pg_stat_activity
    WHERE datname = current_database() AND pid <> pg_backend_pid() AND xact_start IS NOT NULL
"""


def activity_figures_refresh(*, program: Program, mentee_ids: Sequence[int] | None = None) -> int:
    """Count the activity figures so far (check-ins, goals, scores: they change as planned
    check-ins' days come and goals fall due) into the summaries of the program's mentees, all
    or these; the cohort report reads them and counts afresh only those changed since.
    Returns the summaries written."""
    with connection.cursor() as cursor:
        cursor.execute(_COUNTED_AS_OF_SQL)
        params = reports.query_params(
            program,
            today=program.today(),
            at=cursor.fetchone()[0],
            recount_all=mentee_ids is None,
            recount=list(mentee_ids or []),
        )
        cursor.execute(reports.activity_figures_update_sql(), params)
        return cursor.rowcount


def activity_figures_after_not_held(*, checkin_id: int, actor_id: int | None) -> int:
    """Receiver of checkins.hooks.not_held (connected in OutcomesConfig.ready()), in the
    check-in service's transaction: a cancelled, missed or moved check-in's mentee (each one
    expected at a group session) gets their activity figures counted again."""
    checkin = CheckIn.objects.select_related("program").get(pk=checkin_id)
    mentee_ids = [checkin.mentee_id] if checkin.mentee_id else []
    mentee_ids += checkin.attendances.values_list("mentee_id", flat=True)
    return activity_figures_refresh(program=checkin.program, mentee_ids=mentee_ids)


def activity_figures_after_timezone_change(*, program_id: int) -> int:
    """Receiver of accounts.hooks.program_timezone_changed: the program's stored activity
    figures counted check-ins' days in the old zone, so none is current any more. Marked, not
    recounted here (thousands of participants would hold up the settings page): the report
    counts them afresh until the hourly pass stores them again."""
    return UseSummary.objects.filter(mentee__program_id=program_id).update(activity_on=None)


def activity_figures_refresh_stale() -> int:
    """The hourly pass: in every program, the summaries whose activity figures are of an
    earlier day (a new day has begun in the program's timezone) or whose check-ins, goals or
    assessments changed since."""
    written = 0
    for program in Program.objects.order_by("pk"):
        params = reports.query_params(program, today=program.today(), stored=True)
        with connection.cursor() as cursor:
            cursor.execute(reports.activity_figures_stale_sql(), params)
            stale = [row[0] for row in cursor.fetchall()]
        if stale:
            with transaction.atomic():
                written += activity_figures_refresh(program=program, mentee_ids=stale)
    return written


def use_summary_after_enrollment_change(*, mentee_id: int, enrolled_on: date) -> None:
    """Receiver of accounts.hooks.enrollment_changed (connected in OutcomesConfig.ready()).

    Every summary figure is counted from day 1, so a moved enrollment date recounts the
    mentee's summary in the same transaction instead of leaving the report to find it stale.
    """
    use_summaries_refresh(mentee_ids=[mentee_id])


def use_summaries_after_enrollment(*, mentee_ids: list[int]) -> None:
    """Receiver of accounts.hooks.mentees_enrolled: every mentee has a summary from enrollment
    on (nothing recorded yet), so the cohort report and the exports only ever read summaries,
    and the use-log writes (`_use_days_refresh`) keep them current."""
    use_summaries_refresh(mentee_ids=mentee_ids)


def _validate_report(
    *, mentee: MenteeProfile, day: date, used: bool, substances, heavy, today: date
) -> None:
    errors = {}
    if day > today:
        errors["day"] = _("This day has not happened yet.")
    if not used and (substances or heavy):
        errors["used"] = _("Substances and heavy use apply only to a day with use.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def use_report_record(
    *,
    actor: User,
    mentee: MenteeProfile,
    day: date,
    used: bool,
    source: str,
    substances: Sequence[str] = (),
    amount: Decimal | None = None,
    heavy: bool = False,
    request=None,
) -> UseReport:
    """Add a report for one day; the program rule then decides which report counts."""
    _validate_report(
        mentee=mentee,
        day=day,
        used=used,
        substances=substances,
        heavy=heavy,
        today=mentee.program.today(),
    )
    _lock_mentees([mentee.pk])
    report = UseReport.objects.create(
        mentee=mentee,
        day=day,
        used=used,
        substances=sorted(substances),
        amount=amount,
        heavy=heavy,
        source=source,
        recorded_by=actor,
    )
    _use_days_refresh(program=mentee.program, keys={(mentee.pk, day)})
    audit_record(
        actor=actor, action=Action.CREATE, obj=report, fields=REPORT_FIELDS, request=request
    )
    return report


@transaction.atomic
def use_month_record(
    *, actor: User, mentee: MenteeProfile, answers: dict[date, bool], source: str, request=None
) -> int:
    """The calendar: add a report for each day whose answer differs from what counts now.

    Unchanged days add nothing, so saving a month twice does not inflate the history.
    """
    today = mentee.program.today()
    _lock_mentees([mentee.pk])
    current = dict(
        UseDay.objects.filter(mentee=mentee, day__in=list(answers)).values_list("day", "used")
    )
    changed = {
        day: used for day, used in answers.items() if day <= today and current.get(day) != used
    }
    if not changed:
        return 0
    reports = UseReport.objects.bulk_create(
        UseReport(mentee=mentee, day=day, used=used, source=source, recorded_by=actor)
        for day, used in sorted(changed.items())
    )
    _use_days_refresh(program=mentee.program, keys={(mentee.pk, day) for day in changed})
    audit_records_bulk(
        {
            "actor": actor,
            "action": Action.CREATE,
            "obj": report,
            "fields": ["day", "used", "source"],
            "request": request,
        }
        for report in reports
    )
    return len(reports)


@transaction.atomic
def use_reports_import(
    *, actor: User | None, program: Program, rows: list[dict], origin: str = "import"
) -> int:
    """Write already-validated rows (see outcomes.importing) in one transaction."""
    mentee_ids = {row["mentee_id"] for row in rows}
    _lock_mentees(mentee_ids)
    reports = UseReport.objects.bulk_create(
        (
            UseReport(
                mentee_id=row["mentee_id"],
                day=row["day"],
                used=row["used"],
                substances=row["substances"],
                source=row["source"],
                recorded_by_id=row.get("recorded_by_id", actor.pk if actor else None),
                checkin_id=row.get("checkin_id"),
            )
            for row in rows
        ),
        batch_size=2000,
    )
    _use_days_refresh(program=program, keys={(r.mentee_id, r.day) for r in reports})
    people = dict(MenteeProfile.objects.filter(pk__in=mentee_ids).values_list("pk", "user_id"))
    # One entry per participant per import: who imported what kind of record, never the rows.
    audit_records_bulk(
        {
            "actor": actor,
            "action": Action.CREATE,
            "object_type": "outcomes.usereport",
            "object_id": origin,
            "program": program,
            "person": User(pk=people[mentee_id]),
            "fields": REPORT_FIELDS,
        }
        for mentee_id in sorted(mentee_ids)
    )
    return len(reports)


@dataclass(frozen=True)
class CheckinUse:
    """What one check-in says about use now: every day on which it reports use."""

    checkin_id: int
    mentee_id: int
    reported_by_id: int | None
    use_days: frozenset[date]


def _checkin_use_apply(*, program: Program, said: list[CheckinUse], actor: User | None) -> int:
    """Bring the use log in line with what these check-ins say now; returns reports added.

    The callers hold the mentees' locks. Idempotent: a day a check-in reports for the first
    time gets a mentor report of use; a day it reported before and no longer does gets a
    correcting "no use" report, whenever that happens; the earlier reports stay as history.
    """
    latest: dict[tuple[int, date], bool] = {}
    for checkin_id, day, used in (
        UseReport.objects.filter(checkin_id__in=[c.checkin_id for c in said])
        .order_by("recorded_at", "id")
        .values_list("checkin_id", "day", "used")
    ):
        latest[(checkin_id, day)] = used
    # Indexed by check-in so each check-in below looks up its days instead of scanning all.
    reported_by_checkin: defaultdict[int, set[date]] = defaultdict(set)
    for (checkin_id, day), used in latest.items():
        if used:
            reported_by_checkin[checkin_id].add(day)
    today = program.today()
    rows = []
    for checkin in said:
        wanted = {day for day in checkin.use_days if day <= today}
        reported = reported_by_checkin[checkin.checkin_id]
        changes = [(d, True) for d in wanted - reported]
        changes += [(d, False) for d in reported - wanted]
        rows += [
            {
                "mentee_id": checkin.mentee_id,
                "day": day,
                "used": used,
                "substances": [],
                "source": Source.MENTOR,
                "checkin_id": checkin.checkin_id,
                "recorded_by_id": checkin.reported_by_id,
            }
            for day, used in sorted(changes)
        ]
    if not rows:
        return 0
    return use_reports_import(actor=actor, program=program, rows=rows, origin="checkin")


@transaction.atomic
def use_report_from_checkin(
    *,
    checkin_id: int,
    program_id: int,
    mentee_id: int,
    reported_by_id: int | None,
    use_days: Sequence[date],
) -> int:
    """Receiver of checkins.hooks.use_reported (connected in OutcomesConfig.ready()).

    Runs in the check-in service's transaction: the use log changes with the check-in or not
    at all. The arguments are the check-in's state inside that transaction, which no other
    transaction can see yet, so they are used as given rather than read back.
    """
    _lock_mentees([mentee_id])
    actor = User(pk=reported_by_id) if reported_by_id is not None else None
    said = CheckinUse(checkin_id, mentee_id, reported_by_id, frozenset(use_days))
    program = Program.objects.get(pk=program_id)
    added = _checkin_use_apply(program=program, said=[said], actor=actor)
    # Logged or cancelled, the check-in moves the summary's activity figures too.
    activity_figures_refresh(program=program, mentee_ids=[mentee_id])
    return added


def _parse_use_days(values) -> frozenset[date]:
    days = set()
    for text in values or []:
        try:
            days.add(date.fromisoformat(text))
        except (TypeError, ValueError):
            continue  # a malformed day written by hand must not stop the repair of the others
    return frozenset(days)


# A check-in's updated_at is stamped when it is saved, before its transaction commits; a
# transaction that commits after a run has read past its stamp is read again by the next run.
# Applying a check-in twice changes nothing, so the overlap costs only the re-reading.
REPAIR_OVERLAP = timedelta(minutes=10)


@transaction.atomic
def use_log_repair() -> int:
    """The repair pass: check-ins changed since the last run, applied to the use log.

    Every check-in service already hands its use report over in its own transaction; this
    catches rows changed some other way (a data migration, a script) so they cannot leave the
    use log behind. Keyed on CheckIn.updated_at, never on when the check-in was first logged:
    a change of any age is seen. Returns the reports added.
    """
    # The lock makes runs take turns: two would read the same mark and repair the same rows.
    mark, _created = UseLogRepair.objects.select_for_update().get_or_create(name="checkin-use")
    started = now()
    changed = CheckIn.objects.filter(kind=CheckIn.Kind.INDIVIDUAL, mentee__isnull=False)
    if mark.checked_until is not None:
        changed = changed.filter(updated_at__gte=mark.checked_until - REPAIR_OVERLAP)
    # Lock first, then read what the check-ins say: a check-in service committing meanwhile
    # holds the same mentee lock, so the state read below and the reports agree.
    mentee_ids = list(changed.order_by().values_list("mentee_id", flat=True).distinct())
    _lock_mentees(mentee_ids)
    by_program: defaultdict[int, list[CheckinUse]] = defaultdict(list)
    for program_id, checkin_id, mentee_id, use_days, logged_by_id in (
        changed.filter(mentee_id__in=mentee_ids)
        .values_list("program_id", "pk", "mentee_id", "use_days", "logged_by_id")
        .order_by("program_id", "pk")
    ):
        by_program[program_id].append(
            CheckinUse(checkin_id, mentee_id, logged_by_id, _parse_use_days(use_days))
        )
    programs = Program.objects.in_bulk(list(by_program))
    added = sum(
        _checkin_use_apply(program=programs[program_id], said=said, actor=None)
        for program_id, said in by_program.items()
    )
    mark.checked_until = started
    mark.save(update_fields=["checked_until"])
    return added


@transaction.atomic
def outcome_settings_update(
    *,
    actor: User,
    program: Program,
    conflict_rule: str,
    assessment_weeks: str,
    abstinence: dict | None = None,
    instruments: list[str] | None = None,
) -> OutcomeSettings:
    """`abstinence`: any of abstinence_timepoints, abstinence_windows, grace_days, lapse_rule
    (validated by OutcomeSettingsForm); `instruments`: codes from outcomes.instruments. What
    is not given keeps its value."""
    settings, _created = OutcomeSettings.objects.get_or_create(program=program)
    old_rule = settings.conflict_rule
    settings.conflict_rule = conflict_rule
    settings.assessment_weeks = assessment_weeks
    changed = ["conflict_rule", "assessment_weeks"]
    for name, value in (abstinence or {}).items():
        if name not in ABSTINENCE_FIELDS:
            raise ValueError(f"Not an abstinence setting: {name}")
        setattr(settings, name, value)
        changed.append(name)
    if instruments is not None:
        unknown = set(instruments) - set(INSTRUMENTS)
        if unknown or not instruments:
            raise ValidationError({"instruments": _("Choose at least one known questionnaire.")})
        settings.instruments = ",".join(code for code in INSTRUMENTS if code in instruments)
        changed.append("instruments")
    settings.full_clean(exclude=["program"])
    settings.save(update_fields=changed)
    if old_rule != conflict_rule:
        # Every day with more than one report may now count a different one.
        keys = set(
            UseDay.objects.filter(mentee__program=program, report_count__gt=1).values_list(
                "mentee_id", "day"
            )
        )
        _use_days_refresh(program=program, keys=keys)
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=settings,
        program=program,
        fields=changed,
    )
    return settings


ABSTINENCE_FIELDS = ("abstinence_timepoints", "abstinence_windows", "grace_days", "lapse_rule")


ASSESSMENT_FIELDS = ["answers", "total", "completed_on"]


def _assessments_write(
    *, actor: User | None, mentees: dict[int, MenteeProfile], rows: list[dict], request=None
) -> list[Assessment]:
    """Record (or correct) assessments already scored: the one write of the form and the
    import. Each row: mentee_id, instrument, week, answers, scores, completed_on. A time point
    on file is corrected in place (one record per participant, instrument and time point);
    each record gets its audit entry and its unsent reminder is withdrawn, in one statement
    each however many rows there are."""
    # Row locks on the records on file: two saves of the same time point take turns, and the
    # second sees the first's record (a time point new to both: assessment_once_per_timepoint).
    on_file = {
        (a.mentee_id, a.instrument, a.week): a
        for a in Assessment.objects.select_for_update().filter(
            mentee_id__in={row["mentee_id"] for row in rows},
            instrument__in={row["instrument"] for row in rows},
            week__in={row["week"] for row in rows},
        )
    }
    stamp = now()
    created, updated = [], []
    for row in rows:
        values = {
            "answers": row["answers"],
            "scores": row["scores"],
            "total": row["scores"].get("total"),
            "completed_on": row["completed_on"],
            "recorded_by": actor,
            "recorded_at": stamp,
        }
        assessment = on_file.get((row["mentee_id"], row["instrument"], row["week"]))
        if assessment is None:
            assessment = Assessment(
                mentee=mentees[row["mentee_id"]],
                instrument=row["instrument"],
                week=row["week"],
                **values,
            )
            created.append(assessment)
        else:
            for name, value in values.items():
                setattr(assessment, name, value)
            assessment.mentee = mentees[row["mentee_id"]]
            updated.append(assessment)
    Assessment.objects.bulk_create(created, batch_size=2000)
    Assessment.objects.bulk_update(
        updated, [*ASSESSMENT_FIELDS, "scores", "recorded_by", "recorded_at"], batch_size=2000
    )
    audit_records_bulk(
        [
            *(
                {
                    "actor": actor,
                    "action": Action.CREATE,
                    "obj": a,
                    "fields": ASSESSMENT_FIELDS,
                    "request": request,
                }
                for a in created
            ),
            *(
                {
                    "actor": actor,
                    "action": Action.UPDATE,
                    "obj": a,
                    "fields": ASSESSMENT_FIELDS,
                    "request": request,
                }
                for a in updated
            ),
        ]
    )
    # Done: their reminders, if not sent yet, are withdrawn (in this transaction).
    assessment_reminders_withdraw(
        keys=[(a.mentee_id, a.instrument, a.week) for a in [*created, *updated]]
    )
    # And the scores the cohort report reads move with them.
    by_program: defaultdict[int, list[int]] = defaultdict(list)
    for mentee in {row["mentee_id"]: mentees[row["mentee_id"]] for row in rows}.values():
        by_program[mentee.program_id].append(mentee.pk)
    for program in Program.objects.filter(pk__in=list(by_program)):
        activity_figures_refresh(program=program, mentee_ids=by_program[program.pk])
    return [*created, *updated]


@transaction.atomic
def assessment_record(
    *,
    actor: User | None,
    mentee: MenteeProfile,
    instrument: str,
    week: int,
    answers: list[int],
    completed_on: date,
    request=None,
) -> Assessment:
    """Record (or correct) one instrument at one time point; its scores are scored here."""
    definition = INSTRUMENTS[instrument]
    try:
        scores = definition.score(answers)
    except ValueError as exc:
        raise ValidationError(str(exc)) from exc
    if completed_on > mentee.program.today():
        raise ValidationError({"completed_on": _("This date has not happened yet.")})
    [assessment] = _assessments_write(
        actor=actor,
        mentees={mentee.pk: mentee},
        rows=[
            {
                "mentee_id": mentee.pk,
                "instrument": instrument,
                "week": week,
                "answers": answers,
                "scores": scores,
                "completed_on": completed_on,
            }
        ],
        request=request,
    )
    return assessment


@transaction.atomic
def assessments_import(
    *, actor: User | None, program: Program, rows: list[dict], request=None
) -> int:
    """Write already-validated and scored rows (see outcomes.assessment_imports) in one
    transaction, through the form's own write."""
    mentees = MenteeProfile.objects.filter(program=program).in_bulk(
        {row["mentee_id"] for row in rows}
    )
    return len(_assessments_write(actor=actor, mentees=mentees, rows=rows, request=request))


def outcome_settings_for_new_program(*, program_id: int) -> None:
    """The program_created hook's receiver: the settings row with its defaults (idempotent)."""
    OutcomeSettings.objects.get_or_create(program_id=program_id)

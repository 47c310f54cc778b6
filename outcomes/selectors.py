"""Reads for the outcome pages and reports."""

from datetime import date

from django.db.models import Exists, OuterRef, Q, QuerySet, Value

from accounts.models import MenteeProfile, Program, Substance
from outcomes.instruments import INSTRUMENTS, due_date, enrolled_by
from outcomes.models import Assessment, OutcomeSettings, UseDay, UseReport


def outcome_settings_get(*, program: Program) -> OutcomeSettings:
    """The program's settings, or the defaults (unsaved) when it never changed them."""
    found = OutcomeSettings.objects.filter(program=program).first()
    return found or OutcomeSettings(program=program)


def outcome_settings_for(*, programs) -> dict[int, OutcomeSettings]:
    """outcome_settings_get() of several programs in one query, by program id."""
    programs = {p.pk: p for p in programs}
    found = {s.program_id: s for s in OutcomeSettings.objects.filter(program__in=list(programs))}
    for stored in found.values():
        # The program is in hand: reading settings.program must not cost a query per program.
        stored.program = programs[stored.program_id]
    return {pk: found.get(pk) or OutcomeSettings(program=p) for pk, p in programs.items()}


# Mentees who are still in the program: the ones asked for questionnaires.
CURRENT = [
    MenteeProfile.Status.ENROLLED,
    MenteeProfile.Status.MATCHED,
    MenteeProfile.Status.ACTIVE,
    MenteeProfile.Status.PAUSED,
]


def _asked(settings: OutcomeSettings) -> Q:
    return Q(program_id=settings.program_id, status__in=CURRENT)


def _due_points(settings: OutcomeSettings, due_by: date) -> list[tuple[str, int, Q]]:
    """The one rule of what is due, behind the coordinator's queue, its dashboard count, the
    mentee's own panel and the reminders: each time point of each of the program's
    questionnaires, with who owes it by `due_by` (enrolled long enough ago for its `due_date`
    to have come by then, and not recorded), as (instrument code, week, condition on
    MenteeProfile), in the schedule's order. Pages ask by the program's today; the reminders
    by the day after, as they are planned a day ahead."""
    points = []
    for week in settings.timepoints:
        for code in settings.instrument_codes:
            recorded = Assessment.objects.filter(mentee=OuterRef("pk"), instrument=code, week=week)
            owed = Q(enrolled_on__lte=enrolled_by(due_by, week)) & ~Exists(recorded)
            points.append((code, week, owed))
    return points


def _due_q(settings: OutcomeSettings, today: date) -> Q:
    """A mentee of this program, still in it, with a questionnaire due by today and not
    recorded: one EXISTS per time point and instrument, which a schedule keeps to a handful."""
    due = Q(pk__in=[])
    for _code, _week, owed in _due_points(settings, today):
        due |= owed
    return _asked(settings) & due


def _owed_select(settings: OutcomeSettings, code: str, week: int, owed: Q, among: Q):
    """(mentee id, instrument, week) of the mentees still in the program who owe this time
    point (`owed`, from `_due_points`), among those `among` selects."""
    return (
        MenteeProfile.objects.filter(_asked(settings) & owed & among)
        .annotate(due_instrument=Value(code), due_week=Value(week))
        .values_list("pk", "due_instrument", "due_week")
    )


def _union_all(selects: list) -> list[tuple[int, str, int]]:
    return list(selects[0].union(*selects[1:], all=True)) if selects else []


def assessment_due_mentees(*, programs) -> QuerySet[MenteeProfile]:
    """Current mentees with a questionnaire due or overdue and not recorded, each program by its
    own schedule and its own today: the coordinator's "assessments due" queue and the
    dashboard count that links to it (the same query, so the count is the queue's length).
    One query for the settings, then one for the rows, however many programs."""
    programs = list(programs)
    settings = outcome_settings_for(programs=programs)
    due = Q(pk__in=[])
    for program in programs:
        due |= _due_q(settings[program.pk], program.today())
    return MenteeProfile.objects.filter(due)


def assessments_owed(
    *, settings: OutcomeSettings, due_from: date, due_by: date
) -> list[tuple[int, str, int]]:
    """(mentee id, instrument, week) of each time point of the program's questionnaires that
    falls due from `due_from` to `due_by` (both included) and is owed by a mentee still in
    the program: `_due_points` by `due_by`, cut at `due_from`. What the reminders remind of.
    One query (a UNION ALL of a select per time point and instrument), however many mentees."""
    return _union_all(
        [
            # due_date(enrolled_on, week) >= due_from, read backwards like `enrolled_by`.
            _owed_select(
                settings, code, week, owed, Q(enrolled_on__gte=enrolled_by(due_from, week))
            )
            for code, week, owed in _due_points(settings, due_by)
        ]
    )


def assessments_due_for(*, mentees: list[MenteeProfile]) -> dict[int, list[dict]]:
    """Each mentee's questionnaires due by their program's today and not recorded, by mentee id,
    as {"instrument", "week", "due_on"} in the schedule's order: what the coordinator's queue
    lists them for, time point by time point (`_due_points`), for the mentee's own panel.
    Two queries however many mentees and programs (mentees come with their program): the
    settings, then one UNION ALL of a select per program, time point and instrument."""
    settings = outcome_settings_for(programs=[mentee.program for mentee in mentees])
    ids = [mentee.pk for mentee in mentees]
    selects, order = [], {}
    for program_id, mine in settings.items():
        for code, week, owed in _due_points(mine, mine.program.today()):
            order[program_id, code, week] = len(order)
            selects.append(_owed_select(mine, code, week, owed, Q(pk__in=ids)))
    by_id = {mentee.pk: mentee for mentee in mentees}
    due: dict[int, list[dict]] = {pk: [] for pk in ids}
    for pk, code, week in sorted(
        _union_all(selects), key=lambda row: order[by_id[row[0]].program_id, row[1], row[2]]
    ):
        due[pk].append(
            {
                "week": week,
                "due_on": due_date(by_id[pk].enrolled_on, week),
                "instrument": INSTRUMENTS[code],
            }
        )
    return due


def substance_names(*, program: Program) -> list[str]:
    return list(
        Substance.objects.filter(program=program, is_active=True).values_list("name", flat=True)
    )


def use_days_for_month(*, mentee: MenteeProfile, first: date, last: date) -> dict[date, UseDay]:
    days = UseDay.objects.filter(mentee=mentee, day__gte=first, day__lte=last)
    return {d.day: d for d in days}


def use_reports_for_day(*, mentee: MenteeProfile, day: date):
    return UseReport.objects.filter(mentee=mentee, day=day).select_related("recorded_by")


def assessments_due(*, mentee: MenteeProfile, settings: OutcomeSettings, instrument: str):
    """Every time point of the schedule with its due date and the assessment, if done."""
    done = {a.week: a for a in Assessment.objects.filter(mentee=mentee, instrument=instrument)}
    return [
        {
            "week": week,
            "due_on": due_date(mentee.enrolled_on, week),
            "assessment": done.get(week),
            "instrument": INSTRUMENTS[instrument],
        }
        for week in settings.timepoints
    ]

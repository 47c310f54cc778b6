"""Reads for the outcome pages and reports."""

from datetime import date

from django.db.models import Exists, OuterRef, Q, QuerySet

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


def _due_q(settings: OutcomeSettings, today: date) -> Q:
    """A mentee of this program with a questionnaire due by today (`due_date`) and not
    recorded: one EXISTS per time point and instrument, which a schedule keeps to a handful."""
    due = Q(pk__in=[])
    for week in settings.timepoints:
        for code in settings.instrument_codes:
            recorded = Assessment.objects.filter(mentee=OuterRef("pk"), instrument=code, week=week)
            due |= Q(enrolled_on__lte=enrolled_by(today, week)) & ~Exists(recorded)
    return Q(program_id=settings.program_id) & due


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
    return MenteeProfile.objects.filter(status__in=CURRENT).filter(due)


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

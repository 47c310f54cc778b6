"""Reads for the outcome pages and reports."""

from datetime import date

from accounts.models import MenteeProfile, Program, Substance
from outcomes.instruments import INSTRUMENTS, due_date
from outcomes.models import Assessment, OutcomeSettings, UseDay, UseReport


def outcome_settings_get(*, program: Program) -> OutcomeSettings:
    """The program's settings, or the defaults (unsaved) when it never changed them."""
    found = OutcomeSettings.objects.filter(program=program).first()
    return found or OutcomeSettings(program=program)


def outcome_settings_for(*, programs) -> dict[int, OutcomeSettings]:
    """outcome_settings_get() of several programs in one query, by program id."""
    programs = {p.pk: p for p in programs}
    found = {s.program_id: s for s in OutcomeSettings.objects.filter(program__in=list(programs))}
    return {pk: found.get(pk) or OutcomeSettings(program=p) for pk, p in programs.items()}


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

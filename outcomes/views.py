"""Outcome pages. Thin: access through mentorship.access, writes through outcomes.services."""

import calendar
from datetime import date, datetime, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from accounts.models import MenteeProfile
from checkins.models import CheckIn
from mentorship import access
from mentorship.audit import audit_view
from mentorship.forms import add_service_errors
from outcomes import metrics, reports, selectors, services
from outcomes.forms import AssessmentForm, MonthForm, UseReportForm, day_field_name
from outcomes.instruments import INSTRUMENTS, timepoint_label
from outcomes.models import AssessmentSubject, Source, UseLogSubject


def _source_for(user, mentee: MenteeProfile, is_coordinator: bool | None = None) -> str:
    """What kind of report a calendar entry is: the mentee's own word, or their mentor's.

    is_coordinator, when the caller already knows it, saves asking the database again.
    """
    if mentee.user_id == user.pk:
        return Source.SELF
    if is_coordinator is None:
        is_coordinator = access.has_role(user, access.COORDINATOR, program=mentee.program_id)
    if is_coordinator:
        return Source.SELF  # transcribed from the participant's own account (e.g. paper TLFB)
    return Source.MENTOR


def _month_from(text: str | None, default: date) -> date:
    try:
        return datetime.strptime(text or "", "%Y-%m").date().replace(day=1)  # noqa: DTZ007
    except ValueError:
        return default.replace(day=1)


def _checkin_days(mentee, first: date, last: date) -> set[date]:
    """Days with an individual check-in (held or planned), shown as markers on the calendar."""
    tz = mentee.program.tzinfo
    moments = CheckIn.objects.filter(
        mentee=mentee,
        kind=CheckIn.Kind.INDIVIDUAL,
        status__in=reports.COUNTED,
        # a day's margin either side: the program's local day spans two UTC dates
        scheduled_at__date__gte=first - timedelta(days=1),
        scheduled_at__date__lte=last + timedelta(days=1),
    ).values_list("scheduled_at", flat=True)
    return {moment.astimezone(tz).date() for moment in moments}


def use_day_label(enrolled_on: date, day: date) -> str:
    """How a use-log page names a day: "Day 5" from enrollment (day 1), or, for a day before
    it, the Timeline Followback baseline counted back from enrollment, never "day -11"."""
    number = metrics.day_number(enrolled_on, day)
    if number >= 1:
        return _("Day %(number)d") % {"number": number}
    before = 1 - number
    return ngettext(
        "Baseline (%(count)d day before enrollment)",
        "Baseline (%(count)d days before enrollment)",
        before,
    ) % {"count": before}


@login_required
def my_calendar(request):
    """The mentee's own calendar (their newest enrollment), for the navigation and dashboard."""
    profile = (
        access.scope(request.user, MenteeProfile.objects.filter(user=request.user))
        .order_by("-enrolled_on")
        .first()
    )
    if profile is None:
        raise Http404("You have no use calendar.")
    return redirect("outcomes:calendar", mentee_pk=profile.pk)


@login_required
@require_http_methods(["GET", "POST"])
def use_calendar(request, mentee_pk: int):
    """Timeline-Followback-style month: one answer per day, a few taps per week."""
    mentee = access.get_for_user(
        request.user,
        UseLogSubject.objects.select_related("program", "user"),
        change=request.method == "POST",
        pk=mentee_pk,
    )
    today = mentee.program.today()
    month = _month_from(request.GET.get("month"), today)
    last = month.replace(day=calendar.monthrange(month.year, month.month)[1])
    days = [month + timedelta(days=i) for i in range((last - month).days + 1)]
    records = selectors.use_days_for_month(mentee=mentee, first=month, last=last)
    current = {day: record.used for day, record in records.items()}
    form = MonthForm(
        request.POST if request.method == "POST" else None, days=days, current=current, today=today
    )
    if request.method == "POST" and form.is_valid():
        saved = services.use_month_record(
            actor=request.user,
            mentee=mentee,
            answers=form.answers(),
            source=_source_for(request.user, mentee),
            request=request,
        )
        messages.success(
            request, f"Saved {saved} day{'s' if saved != 1 else ''}." if saved else "No changes."
        )
        return redirect(
            reverse("outcomes:calendar", kwargs={"mentee_pk": mentee.pk}) + f"?month={month:%Y-%m}"
        )
    if request.method == "GET":
        audit_view(request, mentee)
    checkins = _checkin_days(mentee, month, last)
    weeks = []
    for week in calendar.Calendar(firstweekday=0).monthdatescalendar(month.year, month.month):
        cells = []
        for day in week:
            if day.month != month.month:
                cells.append(None)
                continue
            cells.append(
                {
                    "day": day,
                    "field": form[day_field_name(day)],
                    "record": records.get(day),
                    "future": day > today,
                    "today": day == today,
                    "checkin": day in checkins,
                    "baseline": day < mentee.enrolled_on,
                    "label": use_day_label(mentee.enrolled_on, day),
                }
            )
        weeks.append({"cells": cells})
    previous = (month - timedelta(days=1)).replace(day=1)
    following = last + timedelta(days=1)
    return render(
        request,
        "outcomes/calendar.html",
        {
            "mentee": mentee,
            "is_self": mentee.user_id == request.user.pk,
            "form": form,
            "weeks": weeks,
            "month": month,
            "previous": previous,
            "following": following if following <= today else None,
            "weekday_names": list(calendar.day_abbr),
            "has_baseline": month < mentee.enrolled_on,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def use_day(request, mentee_pk: int, day: str):
    """One day: every report ever made about it, which one counts, and a detailed new report."""
    mentee = access.get_for_user(
        request.user,
        UseLogSubject.objects.select_related("program", "user"),
        change=request.method == "POST",
        pk=mentee_pk,
    )
    try:
        the_day = datetime.strptime(day, "%Y-%m-%d").date()  # noqa: DTZ007
    except ValueError as exc:
        raise Http404("No such day.") from exc
    is_coordinator = access.has_role(request.user, access.COORDINATOR, program=mentee.program_id)
    own_source = _source_for(request.user, mentee, is_coordinator)
    sources = (
        [Source.SELF, Source.COLLATERAL, Source.LAB, Source.MENTOR]
        if is_coordinator
        else [own_source]
    )
    form = UseReportForm(
        request.POST if request.method == "POST" else None,
        substances=selectors.substance_names(program=mentee.program),
        sources=sources,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.use_report_record(
                actor=request.user,
                mentee=mentee,
                day=the_day,
                used=data["used"],
                source=data["source"],
                substances=data["substances"],
                amount=data["amount"] if data["used"] else None,
                heavy=data["heavy"],
                request=request,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Report added. Earlier reports are kept in the history.")
            return redirect("outcomes:day", mentee_pk=mentee.pk, day=day)
    if request.method == "GET":
        audit_view(request, mentee)
    reports = selectors.use_reports_for_day(mentee=mentee, day=the_day)
    counting = selectors.use_days_for_month(mentee=mentee, first=the_day, last=the_day).get(the_day)
    return render(
        request,
        "outcomes/day.html",
        {
            "mentee": mentee,
            "day": the_day,
            "day_label": use_day_label(mentee.enrolled_on, the_day),
            "reports": reports,
            "counting": counting,
            "form": form,
            "rule": selectors.outcome_settings_get(
                program=mentee.program
            ).get_conflict_rule_display(),
        },
    )


@login_required
@require_GET
def assessments(request, mentee_pk: int):
    mentee = access.get_for_user(
        request.user, AssessmentSubject.objects.select_related("program", "user"), pk=mentee_pk
    )
    settings = selectors.outcome_settings_get(program=mentee.program)
    audit_view(request, mentee)
    schedules = [
        (
            INSTRUMENTS[code],
            selectors.assessments_due(mentee=mentee, settings=settings, instrument=code),
        )
        for code in settings.instrument_codes
    ]
    return render(
        request,
        "outcomes/assessments.html",
        {
            "mentee": mentee,
            "schedules": schedules,
            "today": mentee.program.today(),
            "can_import": access.has_role(
                request.user, access.COORDINATOR, program=mentee.program_id
            ),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def assessment_fill(request, mentee_pk: int, instrument: str, week: int):
    mentee = access.get_for_user(
        request.user,
        AssessmentSubject.objects.select_related("program", "user"),
        change=request.method == "POST",
        pk=mentee_pk,
    )
    definition = INSTRUMENTS.get(instrument)
    settings = selectors.outcome_settings_get(program=mentee.program)
    if (
        definition is None
        or instrument not in settings.instrument_codes
        or week not in settings.timepoints
    ):
        raise Http404("No such assessment.")
    existing = mentee.assessments.filter(instrument=instrument, week=week).first()
    initial = {"completed_on": mentee.program.today()}
    if existing:
        initial = {"completed_on": existing.completed_on} | {
            f"item_{n}": str(v) for n, v in enumerate(existing.answers, start=1)
        }
    form = AssessmentForm(
        request.POST if request.method == "POST" else None, instrument=definition, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            result = services.assessment_record(
                actor=request.user,
                mentee=mentee,
                instrument=instrument,
                week=week,
                answers=form.answers(),
                completed_on=form.cleaned_data["completed_on"],
                request=request,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Saved. %(scores)s.")
                % {
                    "scores": ", ".join(
                        f"{score.label} {result.scores[score.code]}" for score in definition.scores
                    )
                },
            )
            return redirect("outcomes:assessments", mentee_pk=mentee.pk)
    if request.method == "GET":
        audit_view(request, mentee)
    return render(
        request,
        "outcomes/assessment_form.html",
        {
            "mentee": mentee,
            "form": form,
            "instrument": definition,
            "label": timepoint_label(week),
            # Our own wording in a language the instrument was not validated in: said so.
            "not_validated": not definition.validated_in(translation.get_language()),
        },
    )

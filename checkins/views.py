"""Check-in pages. Thin: fetch through the access policy, validate a form, call a service."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import consents
from accounts.languages import language_resolve, program_languages_of
from accounts.models import MenteeProfile, MentorProfile, Program
from checkins import calendar, selectors, services
from checkins.forms import (
    CheckInCreateForm,
    CheckinSettingsForm,
    ContactForm,
    GroupSessionForm,
    LogForm,
    PreferenceForm,
    ScheduleForm,
)
from checkins.models import (
    Alert,
    Attendance,
    CheckIn,
    CheckInNote,
    ReminderPreference,
    Schedule,
)
from matching.models import Match
from mentorship import access, ratelimits
from mentorship.audit import audit_view
from mentorship.forms import add_service_errors
from notifications.selectors import failed_notifications

PAGE_SIZE = 50


@login_required
@require_GET
def checkin_list(request):
    """Mentor: what to log, today and this week. Mentee: upcoming. Coordinator: everything in
    their programs. One page, constant query count."""
    user = request.user
    view = request.GET.get("view", "upcoming")
    queryset = selectors.past(user) if view == "past" else selectors.upcoming(user)
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "view": view,
        "page": page,
        "sections": _by_day(page) if view != "past" else [("", list(page))],
        "to_log": list(selectors.to_log(user)[:PAGE_SIZE]) if view != "past" else [],
        "groups": list(selectors.group_sessions_for_mentee(user)[:PAGE_SIZE]),
        "matches": list(
            access.scope(user, Match.objects.filter(status=Match.Status.ACTIVE))
            .filter(mentor__user=user)
            .select_related("mentee__user")[:PAGE_SIZE]
        ),
    }
    return render(request, "checkins/list.html", context)


def _by_day(checkins) -> list[tuple[str, list[CheckIn]]]:
    """Today / this week / later, each check-in judged in its own program's time zone."""
    sections = {"today": [], "week": [], "later": []}
    titles = {"today": _("Today"), "week": _("This week"), "later": _("Later")}
    now = timezone.now()
    for checkin in checkins:
        today = now.astimezone(checkin.program.tzinfo).date()
        day = checkin.scheduled_at.astimezone(checkin.program.tzinfo).date()
        key = "today" if day <= today else "week" if day < today + timedelta(7) else "later"
        sections[key].append(checkin)
    return [(titles[key], rows) for key, rows in sections.items() if rows]


def _shown(user, checkin: CheckIn) -> frozenset[str]:
    """The consent-gated fields of this check-in the user may see. A group session is about no
    one mentee: who reaches it (the access policy) sees its shared topics and next steps."""
    if checkin.kind == CheckIn.Kind.GROUP:
        return consents.FIELD_GROUPS
    return consents.shown_to(user, checkin.mentee)


@login_required
@require_GET
def checkin_detail(request, pk):
    checkin = access.get_for_user(request.user, CheckIn.objects.select_related("program"), pk=pk)
    audit_view(request, checkin)
    note = selectors.note_for(request.user, checkin)
    shown = _shown(request.user, checkin)
    context = {
        "checkin": checkin,
        "note": note,
        "shown": shown,
        "can_log": access.can_change(request.user, checkin),
        "is_mentee": checkin.mentee is not None and checkin.mentee.user_id == request.user.pk,
        "alerts": checkin.alerts.select_related("acknowledged_by", "resolved_by"),
        "attendances": checkin.attendances.select_related("mentee__user"),
        "topics": checkin.topics.all(),
        "use_days": checkin.use_days if "checkin.use" in shown else [],
    }
    return render(request, "checkins/detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def checkin_log(request, pk):
    checkin = access.get_for_user(
        request.user, CheckIn.objects.select_related("program"), change=True, pk=pk
    )
    note = selectors.note_for(request.user, checkin)
    form_kwargs = {
        "checkin": checkin,
        "last_contact": selectors.last_contact(checkin),
        "note": note,
        "note_hidden": note is None and CheckInNote.objects.filter(checkin=checkin).exists(),
        "shown": _shown(request.user, checkin),
        "viewer": request.user,
    }
    if request.method == "POST":
        form = LogForm(request.POST, **form_kwargs)
        if form.is_valid():
            try:
                services.checkin_log(actor=request.user, checkin=checkin, data=form.log_data())
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                risk = form.cleaned_data.get("risk")
                if risk == CheckIn.Risk.CRISIS:
                    messages.error(request, concern_next_steps(checkin.program, risk))
                else:
                    messages.success(request, _("Check-in saved."))
                    if risk:
                        messages.warning(request, concern_next_steps(checkin.program, risk))
                return redirect("checkins:detail", pk=checkin.pk)
    else:
        form = LogForm(**form_kwargs)
    return render(request, "checkins/log.html", {"checkin": checkin, "form": form})


@login_required
@require_POST
def checkin_confirm(request, pk):
    """The mentee confirms attendance (individual check-in or their place in a group)."""
    user = request.user
    checkin = access.scope(user, CheckIn.objects.filter(pk=pk)).first()
    if checkin is None:
        attendance = (
            access.scope(user, Attendance.objects.filter(checkin_id=pk))
            .select_related("checkin")
            .first()
        )
        if attendance is None:
            raise Http404("No such record.")
        checkin = attendance.checkin
    services.checkin_confirm_attendance(actor=user, checkin=checkin)
    messages.success(request, _("Thanks — your attendance is confirmed."))
    return redirect("checkins:list")


@login_required
@require_POST
def checkin_cancel(request, pk):
    checkin = access.get_for_user(request.user, CheckIn.objects.all(), change=True, pk=pk)
    if checkin.status != CheckIn.Status.SCHEDULED:
        messages.error(request, _("Only a planned check-in can be cancelled."))
    else:
        services.checkin_cancel(actor=request.user, checkin=checkin)
        messages.success(request, _("Check-in cancelled; reminders withdrawn."))
    return redirect("checkins:detail", pk=checkin.pk)


@login_required
@require_GET
def checkin_ics(request, pk):
    checkin = access.get_for_user(request.user, CheckIn.objects.select_related("program"), pk=pk)
    response = HttpResponse(calendar.ics_for([checkin]), content_type="text/calendar")
    response["Content-Disposition"] = f'attachment; filename="checkin-{checkin.pk}.ics"'
    return response


def _match_for_planning(user, match_pk) -> Match:
    """Coordinators of the program and the match's mentor plan check-ins; others 403/404."""
    match = access.get_for_user(user, Match.objects.select_related("program"), pk=match_pk)
    if not (
        user.is_superuser
        or access.has_role(user, access.COORDINATOR, program=match.program)
        or match.mentor.user_id == user.pk
    ):
        raise PermissionDenied(_("Only the mentor and coordinators plan check-ins."))
    return match


@login_required
@require_http_methods(["GET", "POST"])
def schedule_edit(request, match_pk):
    match = _match_for_planning(request.user, match_pk)
    schedule = Schedule.objects.filter(match=match).order_by("-created_at").first()
    if request.method == "POST":
        form = ScheduleForm(request.POST, instance=schedule)
        if form.is_valid():
            try:
                if schedule is None:
                    services.schedule_create(
                        actor=request.user, match=match, **form.schedule_fields()
                    )
                else:
                    services.schedule_update(
                        actor=request.user, schedule=schedule, **form.schedule_fields()
                    )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Schedule saved; upcoming check-ins updated."))
                return redirect("checkins:schedule", match_pk=match.pk)
    else:
        form = ScheduleForm(
            instance=schedule,
            initial=None
            if schedule
            else {"starts_on": match.program.today(), "mode": "phone", "cadence": "weekly"},
        )
    upcoming = CheckIn.objects.filter(
        match=match, status=CheckIn.Status.SCHEDULED, scheduled_at__gt=timezone.now()
    )[:10]
    return render(
        request,
        "checkins/schedule.html",
        {"match": match, "form": form, "schedule": schedule, "upcoming": upcoming},
    )


@login_required
@require_http_methods(["GET", "POST"])
def checkin_create(request, match_pk):
    match = _match_for_planning(request.user, match_pk)
    form = CheckInCreateForm(request.POST or None, tz=match.program.tzinfo)
    if request.method == "POST" and form.is_valid():
        try:
            checkin = services.checkin_create(actor=request.user, match=match, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Check-in planned."))
            return redirect("checkins:detail", pk=checkin.pk)
    return render(request, "checkins/create.html", {"match": match, "form": form})


def concern_next_steps(program, risk: str) -> str:
    """After a concern or crisis is flagged, who was told and what happens next, in words."""
    if risk == CheckIn.Risk.CRISIS:
        return (
            _(
                "Crisis flagged: every coordinator of the program has been e-mailed now, and one "
                "will contact you. If anyone is in danger, call 911."
            )
            + " "
            + program.crisis_resources
        )
    return _(
        "Concern flagged: the program's coordinators have been told (by e-mail, after quiet "
        "hours if it is night). A coordinator will review it and may contact you; you need "
        "do nothing more now."
    )


@login_required
@require_http_methods(["GET", "POST"])
def contact_log(request, match_pk):
    """Log an unplanned contact that already happened, from a phone, in one step."""
    match = _match_for_planning(request.user, match_pk)
    form = ContactForm(request.POST or None, tz=match.program.tzinfo)
    if request.method == "POST" and form.is_valid():
        try:
            checkin = services.contact_record(actor=request.user, match=match, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Contact logged."))
            if risk := form.cleaned_data["risk"]:
                messages.warning(request, concern_next_steps(match.program, risk))
            return redirect("checkins:detail", pk=checkin.pk)
    return render(request, "checkins/contact.html", {"match": match, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def group_create(request, program_pk):
    """A mentor plans a group session with some of their mentees."""
    program = access.get_program_for_user(
        request.user, Program.objects.all(), roles=(access.MENTOR,), pk=program_pk
    )
    facilitator = MentorProfile.objects.filter(program=program, user=request.user).first()
    if facilitator is None:
        raise PermissionDenied(_("Only mentors of this program run group sessions."))
    mentees = access.scope(
        request.user,
        MenteeProfile.objects.filter(program=program),
        roles=(access.MENTOR,),
    ).select_related("user")
    form = GroupSessionForm(
        request.POST or None, tz=program.tzinfo, mentees=mentees, viewer=request.user
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        checkin = services.group_session_create(
            actor=request.user,
            facilitator=facilitator,
            mentees=list(data["mentees"]),
            scheduled_at=data["scheduled_at"],
            title=data["title"],
            duration_minutes=data["duration_minutes"],
            mode=data["mode"],
        )
        messages.success(request, _("Group session planned."))
        return redirect("checkins:detail", pk=checkin.pk)
    return render(request, "checkins/group_create.html", {"program": program, "form": form})


@login_required
@require_GET
def engagement(request, program_pk):
    program = access.get_program_for_user(
        request.user, Program.objects.all(), roles=(access.COORDINATOR,), pk=program_pk
    )
    rows = Paginator(selectors.engagement_matches(program), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows.object_list = list(
        selectors.engagement_rows(program, rows.object_list.values_list("pk", flat=True))
    )
    context = {
        "program": program,
        "page": rows,
        "alerts": list(selectors.open_alerts(request.user, program)[:PAGE_SIZE]),
        "failed": list(failed_notifications(request.user, program)[:PAGE_SIZE]),
    }
    return render(request, "checkins/engagement.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def program_settings(request, program_pk):
    """A coordinator sets the program's alert thresholds and reminder quiet hours."""
    program = access.get_program_for_user(
        request.user, Program.objects.all(), roles=(access.COORDINATOR,), pk=program_pk
    )
    instance = services.checkin_settings_get(program=program)
    form = CheckinSettingsForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        services.checkin_settings_update(actor=request.user, program=program, **form.cleaned_data)
        messages.success(request, _("Check-in settings saved."))
        return redirect("checkins:engagement", program_pk=program.pk)
    return render(request, "checkins/settings.html", {"program": program, "form": form})


@login_required
@require_GET
def alert_detail(request, pk):
    alert = access.get_for_user(
        request.user,
        Alert.objects.select_related("program", "checkin", "mentee__user"),
        change=True,
        pk=pk,
    )
    audit_view(request, alert)
    return render(request, "checkins/alert.html", {"alert": alert})


@login_required
@require_POST
def alert_update(request, pk, state):
    if state not in ("acknowledge", "resolve"):
        raise Http404("No such action.")
    alert = access.get_for_user(request.user, Alert.objects.all(), change=True, pk=pk)
    if state == "acknowledge":
        services.alert_acknowledge(actor=request.user, alert=alert)
        messages.success(request, _("Alert acknowledged."))
    else:
        services.alert_resolve(actor=request.user, alert=alert)
        messages.success(request, _("Alert resolved."))
    return redirect("checkins:alert", pk=alert.pk)


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request):
    """Reminder timing and the private calendar feed."""
    user = request.user
    pref = ReminderPreference.objects.filter(user=user).first()
    current = pref.before if pref else ReminderPreference.Before.DAY
    form = PreferenceForm(initial={"before": current})
    feed_url = None
    if request.method == "POST":
        action = request.POST.get("action", "reminders")
        if action == "reminders":
            form = PreferenceForm(request.POST)
            if form.is_valid():
                services.reminder_preference_set(user=user, before=form.cleaned_data["before"])
                messages.success(request, _("Reminder settings saved."))
                return redirect("checkins:preferences")
        elif action == "feed_reset":
            token = services.calendar_feed_reset(user=user)
            feed_url = request.build_absolute_uri(
                reverse("checkins:calendar_feed", kwargs={"token": token})
            )
        elif action == "feed_revoke":
            services.calendar_feed_revoke(user=user)
            messages.success(request, _("Your calendar link no longer works."))
            return redirect("checkins:preferences")
    has_feed = hasattr(user, "calendar_feed") and user.calendar_feed is not None
    return render(
        request,
        "checkins/preferences.html",
        {
            "form": form,
            "feed_url": feed_url,
            # One tap subscribes on a phone: calendar apps open webcal: links themselves.
            "webcal_url": "webcal:" + feed_url.split(":", 1)[1] if feed_url else None,
            "has_feed": has_feed,
        },
    )


@require_GET
@ratelimits.limited(ratelimits.CALENDAR_FEED_PER_TOKEN, ratelimits.CALENDAR_FEED_MISSES_PER_ADDRESS)
def calendar_feed(request, token):
    """Public by design: the secret token is the credential; revoking it ends access."""
    user = services.calendar_feed_user(token=token)
    if user is None:
        raise Http404("No such calendar.")
    checkins = calendar.upcoming_for_feed(user)
    # No browser asks: the event titles are in the person's language, as their e-mails are.
    language = language_resolve(
        preference=user.preferred_language, program_languages=program_languages_of(user)
    )
    with translation.override(language):
        body = calendar.ics_for(checkins)
    response = HttpResponse(body, content_type="text/calendar")
    response["Cache-Control"] = "private, no-store"
    return response

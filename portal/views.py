"""The shell's pages: the role dashboards, the audit trail and the health check."""

from django.apps import apps as django_apps
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Count, Q
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.models import Membership, MenteeProfile, MentorProfile, Program
from accounts.selectors import per_program_count
from matching.models import Match
from matching.selectors import waiting_mentees
from mentorship import access
from mentorship.celery import app as celery_app
from mentorship.models import AuditEntry
from mentorship.site import dashboard_panels, render_panels
from outcomes.selectors import assessment_due_mentees
from portal.forms import AuditFilterForm
from portal.work_queues import assessments_due
from portal.work_queues import queues as work_queues_for

Role = Membership.Role
ASSESSMENTS_PAGE_SIZE = 50


def primary_role(user) -> str:
    """The role whose dashboard a user sees first; the most responsibility wins."""
    if user.is_superuser:
        return Role.COORDINATOR
    roles = access.user_roles(user)
    for role in (Role.COORDINATOR, Role.STAFF, Role.MENTOR, Role.MENTEE):
        if role in roles:
            return role
    return ""


@login_required
def home(request):
    role = primary_role(request.user)
    builders = {
        Role.COORDINATOR: _coordinator_dashboard,
        Role.STAFF: _staff_dashboard,
        Role.MENTOR: _mentor_dashboard,
        Role.MENTEE: _mentee_dashboard,
    }
    if not role:
        return render(request, "portal/dashboard/no_role.html")
    context = builders[role](request.user)
    panels = render_panels(dashboard_panels, request, role)
    return render(
        request, f"portal/dashboard/{role}.html", {"role": role, "panels": panels, **context}
    )


def _coordinator_dashboard(user) -> dict:
    programs = access.coordinated_programs(user, Program.objects.all()).annotate(
        mentor_count=per_program_count(MentorProfile.objects.filter(is_active=True)),
        mentee_count=per_program_count(MenteeProfile.objects.all()),
        unmatched_count=per_program_count(waiting_mentees()),
        active_match_count=per_program_count(Match.objects.filter(status=Match.Status.ACTIVE)),
    )
    programs = list(programs)
    # The queue's own query, grouped: each program's schedule is its own, so this is not a
    # per-row subquery like the counts above, and it stays one query however many programs.
    due = dict(
        assessment_due_mentees(programs=programs)
        .order_by()
        .values_list("program")
        .annotate(n=Count("pk"))
    )
    for program in programs:
        program.assessment_due_count = due.get(program.pk, 0)
    return {"programs": programs}


def _staff_dashboard(user) -> dict:
    programs = Program.objects.filter(pk__in=access.program_ids(user, access.STAFF)).annotate(
        mentored_n=Count("mentees", filter=Q(mentees__study_arm=MenteeProfile.Arm.MENTORED)),
        comparison_n=Count("mentees", filter=Q(mentees__study_arm=MenteeProfile.Arm.COMPARISON)),
    )
    return {"programs": programs}


def _mentor_dashboard(user) -> dict:
    matches = (
        access.scope(user, Match.objects.filter(status=Match.Status.ACTIVE, mentor__user=user))
        .select_related("mentee__user", "program")
        .order_by("mentee__first_name")
    )
    return {"matches": matches}


def _mentee_dashboard(user) -> dict:
    profiles = access.scope(user, MenteeProfile.objects.filter(user=user)).select_related("program")
    current = {
        m.mentee_id: m
        for m in Match.objects.filter(
            mentee__in=profiles, status=Match.Status.ACTIVE
        ).select_related("mentor__user")
    }
    return {"profiles": [(p, current.get(p.pk)) for p in profiles]}


@login_required
@require_GET
def audit_trail(request):
    """A coordinator's view of their programs' audit trail. Read-only by construction."""
    if not access.has_role(request.user, access.COORDINATOR):
        raise PermissionDenied("Only coordinators can read the audit trail.")
    programs = access.coordinated_programs(request.user, Program.objects.all())
    form = AuditFilterForm(request.GET or None, programs=programs)
    entries = AuditEntry.objects.filter(program__in=programs).select_related(
        "actor", "person", "program"
    )
    if form.is_valid():
        data = form.cleaned_data
        if data["program"]:
            entries = entries.filter(program=data["program"])
        if data["person"]:
            term = data["person"].strip()
            people = MenteeProfile.objects.filter(
                Q(participant_id__iexact=term) | Q(user__email__iexact=term)
            ).values("user_id")
            entries = entries.filter(
                Q(person__in=people) | Q(person__email__iexact=term) | Q(actor__email__iexact=term)
            )
        if data["object_type"]:
            entries = entries.filter(object_type__icontains=data["object_type"].strip())
        if data["action"]:
            entries = entries.filter(action=data["action"])
        if data["date_from"]:
            entries = entries.filter(at__date__gte=data["date_from"])
        if data["date_to"]:
            entries = entries.filter(at__date__lte=data["date_to"])
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    _describe(page.object_list, programs)
    return render(request, "portal/audit_trail.html", {"form": form, "page": page})


@login_required
@require_GET
def work_queues(request, slug):
    """One program's work queues for its coordinators: who waits for a mentor (oldest first,
    with the best suggestion's score), proposals not yet accepted, open alerts, check-ins past
    their time and not logged, consents missing or ending, e-mails that could not be sent."""
    program = access.get_program_for_user(
        request.user, Program.objects.all(), roles=(access.COORDINATOR,), slug=slug
    )
    context = work_queues_for(request.user, program, request.GET.get("page"))
    failed = context.pop("failed")
    context |= {"failed": failed["rows"], "failed_total": failed["total"]}
    return render(
        request,
        "portal/work_queues.html",
        {"program": program, "tzname": program.timezone, **context},
    )


@login_required
@require_GET
def assessments_due_queue(request, slug):
    """The whole "assessments due" queue, paginated: the list behind the dashboard's count."""
    program = access.get_program_for_user(
        request.user, Program.objects.all(), roles=(access.COORDINATOR,), slug=slug
    )
    page = Paginator(assessments_due(program), ASSESSMENTS_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "portal/assessments_due.html", {"program": program, "page": page})


def _initials(profile) -> str:
    letters = [name[0].upper() + "." for name in (profile.first_name, profile.last_name) if name]
    return " ".join(letters)


def _describe(entries, programs) -> None:
    """Put each entry in people's words: `record` ("Mentee profile", "Check-in") and `about`
    ("Mentee P-RKYA344Q (J. A.)") with `about_url`, the participant page. The participants of
    the whole page come in two queries, whatever its length; names are the program's own
    (initials only: the trail is read over shoulders)."""
    entries = list(entries)
    user_ids = {entry.person_id for entry in entries if entry.person_id}
    mentees = {
        (m.user_id, m.program_id): m
        for m in MenteeProfile.objects.filter(user_id__in=user_ids, program__in=programs)
    }
    mentors = {
        (m.user_id, m.program_id): m
        for m in MentorProfile.objects.filter(user_id__in=user_ids, program__in=programs)
    }
    for entry in entries:
        entry.record = _record_name(entry.object_type)
        entry.about, entry.about_url, entry.about_id = "", "", ""
        key = (entry.person_id, entry.program_id)
        if mentee := mentees.get(key):
            entry.about = _("Mentee %(id)s (%(initials)s)") % {
                "id": mentee.participant_id,
                "initials": _initials(mentee),
            }
            entry.about_url = reverse("accounts:mentee_detail", kwargs={"pk": mentee.pk})
            entry.about_id = mentee.participant_id
        elif mentor := mentors.get(key):
            entry.about = _("Mentor (%(initials)s)") % {"initials": _initials(mentor)}
            entry.about_url = reverse("accounts:mentor_detail", kwargs={"pk": mentor.pk})
        elif entry.person_id:
            entry.about = entry.person.email if entry.person else ""


def _record_name(object_type: str) -> str:
    """ "accounts.menteeprofile" -> "Mentee profile": the model's own verbose name."""
    if not object_type:
        return ""
    try:
        model = django_apps.get_model(object_type)
    except (LookupError, ValueError):
        return object_type
    return capfirst(str(model._meta.verbose_name))


@never_cache
@require_GET
def healthz(request):
    """Liveness for load balancers and compose: is the database and the broker reachable?"""
    status = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        status["database"] = "ok"
    except Exception as exc:  # noqa: BLE001 — report any failure, never raise from a probe
        status["database"] = f"error: {type(exc).__name__}"
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        status["broker"] = "ok"
    except Exception as exc:  # noqa: BLE001
        status["broker"] = f"error: {type(exc).__name__}"
    healthy = all(v == "ok" for v in status.values())
    return JsonResponse(
        {"status": "ok" if healthy else "degraded", **status}, status=200 if healthy else 503
    )

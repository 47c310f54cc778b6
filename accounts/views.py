"""Participant pages: lists, profiles, enrollment forms, status, program settings, vocabularies.

Thin: objects come through mentorship.access, writes go through accounts.services.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import selectors, services
from accounts.forms import (
    MenteeForm,
    MenteeStatusForm,
    MentorForm,
    ParticipantFilterForm,
    ProgramSettingsForm,
    VocabularyTermForm,
)
from accounts.models import MenteeProfile, MentorProfile, Program, availability_labels
from mentorship import access
from mentorship.audit import audit_view
from mentorship.forms import add_service_errors
from mentorship.site import participant_panels, render_panels
from mentorship.site import timeline as participant_timeline_entries

PAGE_SIZE = 25
VOCABULARY_LABELS = {
    "philosophies": (gettext_lazy("Recovery philosophies"), gettext_lazy("philosophy")),
    "focus-areas": (gettext_lazy("Focus areas"), gettext_lazy("focus area")),
    "substances": (gettext_lazy("Substances"), gettext_lazy("substance")),
    "trainings": (gettext_lazy("Mentor trainings"), gettext_lazy("training")),
}


def _coordinated_program(request, slug: str) -> Program:
    return access.get_program_for_user(
        request.user, Program.objects.all(), roles=(access.COORDINATOR,), slug=slug
    )


# --- Program chooser, settings and vocabularies


@login_required
@require_GET
def program_list(request):
    if not access.has_role(request.user, access.COORDINATOR):
        raise PermissionDenied(_("Only coordinators manage programs."))
    programs = access.coordinated_programs(request.user, Program.objects.all())
    return render(request, "accounts/program_list.html", {"programs": programs})


@login_required
@require_http_methods(["GET", "POST"])
def program_create(request):
    """A superuser creates a program with every default (the same service as the command)."""
    if not request.user.is_superuser:
        raise PermissionDenied(_("Only a superuser creates programs."))
    from accounts.forms import ProgramCreateForm
    from accounts.programs import program_create as create

    form = ProgramCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            program = create(actor=request.user, request=request, **data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Program %(name)s created.") % {"name": program.name})
            return redirect("accounts:program_create")  # ready for the next, with the message
    return render(request, "accounts/program_create.html", {"form": form})


def _list_chooser(request, target: str):
    """The nav's Mentees/Mentors entry: straight to the list when one program is coordinated."""
    if not access.has_role(request.user, access.COORDINATOR):
        raise PermissionDenied(_("Only coordinators see participant lists."))
    programs = list(access.coordinated_programs(request.user, Program.objects.all()))
    if len(programs) == 1:
        return redirect(target, program=programs[0].slug)
    return render(request, "accounts/program_list.html", {"programs": programs})


@login_required
@require_GET
def mentee_list(request):
    return _list_chooser(request, "accounts:program_mentees")


@login_required
@require_GET
def mentor_list(request):
    return _list_chooser(request, "accounts:program_mentors")


@login_required
@require_http_methods(["GET", "POST"])
def program_settings(request, program):
    program = _coordinated_program(request, program)
    form = ProgramSettingsForm(request.POST or None, instance=program)
    if request.method == "POST" and form.is_valid():
        try:
            services.program_settings_update(
                actor=request.user, program=program, data=dict(form.cleaned_data), request=request
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Program settings saved."))
            return redirect("accounts:program_settings", program=program.slug)
    mentors = selectors.mentor_list(program=program, filters={"eligibility": "ineligible"})
    return render(
        request,
        "accounts/program_settings.html",
        {"program": program, "form": form, "ineligible_count": mentors.count()},
    )


@login_required
@require_GET
def vocabulary_list(request, program):
    program = _coordinated_program(request, program)
    lists = [
        {"kind": kind, "label": VOCABULARY_LABELS[kind][0], "terms": terms}
        for kind, terms in selectors.vocabularies_for(program).items()
    ]
    return render(request, "accounts/vocabulary_list.html", {"program": program, "lists": lists})


def _kind(kind: str) -> str:
    if kind not in services.VOCABULARIES:
        raise Http404("No such list.")
    return kind


@login_required
@require_http_methods(["GET", "POST"])
def vocabulary_create(request, program, kind):
    program = _coordinated_program(request, program)
    kind = _kind(kind)
    form = VocabularyTermForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.vocabulary_term_create(
                actor=request.user, program=program, kind=kind, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Added “%(name)s”.") % {"name": form.cleaned_data["name"]})
            return redirect("accounts:vocabulary_list", program=program.slug)
    return render(
        request,
        "accounts/vocabulary_form.html",
        {"program": program, "form": form, "kind_label": VOCABULARY_LABELS[kind][1]},
    )


def _term(program, kind, pk):
    term = services.VOCABULARIES[_kind(kind)].objects.filter(program=program, pk=pk).first()
    if term is None:
        raise Http404("No such term.")
    return term


@login_required
@require_http_methods(["GET", "POST"])
def vocabulary_edit(request, program, kind, pk):
    program = _coordinated_program(request, program)
    term = _term(program, kind, pk)
    initial = {
        "name": term.name,
        "description": term.description,
        "name_es": term.name_es,
        "description_es": term.description_es,
        "position": term.position,
    }
    form = VocabularyTermForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.vocabulary_term_update(
                actor=request.user,
                term=term,
                name=data["name"],
                description=data["description"],
                name_es=data["name_es"],
                description_es=data["description_es"],
                position=term.position if data["position"] is None else data["position"],
                request=request,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("accounts:vocabulary_list", program=program.slug)
    return render(
        request,
        "accounts/vocabulary_form.html",
        {
            "program": program,
            "form": form,
            "term": term,
            "kind": kind,
            "kind_label": VOCABULARY_LABELS[kind][1],
        },
    )


@login_required
@require_POST
def vocabulary_toggle(request, program, kind, pk):
    program = _coordinated_program(request, program)
    term = _term(program, kind, pk)
    services.vocabulary_term_set_active(
        actor=request.user, term=term, is_active=not term.is_active, request=request
    )
    if term.is_active:
        message = _("“%(name)s” reactivated.")
    else:
        message = _("“%(name)s” deactivated; profiles that use it keep it.")
    messages.success(request, message % {"name": term.name})
    return redirect("accounts:vocabulary_list", program=program.slug)


# --- Lists


def _page(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


@login_required
@require_GET
def program_mentees(request, program):
    program = _coordinated_program(request, program)
    form = ParticipantFilterForm(request.GET or None, program=program, role="mentee")
    filters = {k: v for k, v in form.filters().items() if v} if request.GET else {}
    page = _page(request, selectors.mentee_list(program=program, filters=filters))
    return render(
        request,
        "accounts/mentee_list.html",
        {"program": program, "form": form, "page": page, "filtered": bool(filters)},
    )


@login_required
@require_GET
def program_mentors(request, program):
    program = _coordinated_program(request, program)
    form = ParticipantFilterForm(request.GET or None, program=program, role="mentor")
    filters = {k: v for k, v in form.filters().items() if v} if request.GET else {}
    page = _page(request, selectors.mentor_list(program=program, filters=filters))
    rows = selectors.mentor_rows(list(page), program=program)
    return render(
        request,
        "accounts/mentor_list.html",
        {"program": program, "form": form, "page": page, "rows": rows, "filtered": bool(filters)},
    )


# --- Mentees


def _profile_form_page(request, form, **context):
    return render(request, "accounts/profile_form.html", {"form": form, **context})


@login_required
@require_http_methods(["GET", "POST"])
def mentee_create(request, program):
    program = _coordinated_program(request, program)
    form = MenteeForm(request.POST or None, program=program)
    if request.method == "POST" and form.is_valid():
        try:
            mentee = services.mentee_create(
                actor=request.user,
                program=program,
                profile=form.profile_data(),
                focus_needs=form.focus_needs(),
                request=request,
                **form.person(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Enrolled %(mentee)s as %(participant)s.")
                % {"mentee": mentee, "participant": mentee.participant_id},
            )
            return redirect("accounts:mentee_detail", pk=mentee.pk)
    return _profile_form_page(
        request,
        form,
        program=program,
        title=_("Enroll a mentee"),
        cancel_url=reverse("accounts:program_mentees", kwargs={"program": program.slug}),
    )


def _mentees():
    return MenteeProfile.objects.select_related("user", "program", "preferred_philosophy")


@login_required
@require_http_methods(["GET", "POST"])
def mentee_edit(request, pk):
    mentee = access.get_for_user(request.user, _mentees(), change=True, pk=pk)
    form = MenteeForm(request.POST or None, instance=mentee, program=mentee.program)
    if request.method == "POST" and form.is_valid():
        try:
            services.mentee_update(
                actor=request.user,
                mentee=mentee,
                profile=form.profile_data(),
                focus_needs=form.focus_needs(),
                request=request,
                **form.person(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Profile saved."))
            return redirect("accounts:mentee_detail", pk=mentee.pk)
    return _profile_form_page(
        request,
        form,
        program=mentee.program,
        title=_("Edit %(name)s") % {"name": mentee},
        cancel_url=reverse("accounts:mentee_detail", kwargs={"pk": mentee.pk}),
    )


@login_required
@require_GET
def mentee_detail(request, pk):
    mentee = access.get_for_user(request.user, _mentees(), pk=pk)
    audit_view(request, mentee)
    can_change = access.can_change(request.user, mentee)
    context = {
        "mentee": mentee,
        "program": mentee.program,
        "can_change": can_change,
        "availability": availability_labels(mentee.availability),
        "panels": _participant_panels(request, mentee, can_change=can_change),
        "timeline": participant_timeline_entries(request, mentee),
        **selectors.mentee_page(mentee),
    }
    if can_change:
        context["status_form"] = MenteeStatusForm(mentee=mentee)
        context["status_form"].helper.form_action = reverse(
            "accounts:mentee_status", kwargs={"pk": mentee.pk}
        )
    return render(request, "accounts/mentee_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def mentee_status(request, pk):
    mentee = access.get_for_user(request.user, _mentees(), change=True, pk=pk)
    form = MenteeStatusForm(request.POST or None, mentee=mentee)
    if request.method == "POST" and form.is_valid():
        try:
            services.mentee_status_change(
                actor=request.user,
                mentee=mentee,
                to_status=form.cleaned_data["to_status"],
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Status changed to %(status)s.") % {"status": mentee.get_status_display()},
            )
            return redirect("accounts:mentee_detail", pk=mentee.pk)
    return render(request, "accounts/mentee_status.html", {"mentee": mentee, "form": form})


# --- Mentors


@login_required
@require_http_methods(["GET", "POST"])
def mentor_create(request, program):
    program = _coordinated_program(request, program)
    form = MentorForm(request.POST or None, program=program)
    if request.method == "POST" and form.is_valid():
        try:
            mentor = services.mentor_create(
                actor=request.user,
                program=program,
                profile=form.profile_data(),
                trainings=form.trainings(),
                request=request,
                **form.person(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Added %(mentor)s as a mentor.") % {"mentor": mentor})
            return redirect("accounts:mentor_detail", pk=mentor.pk)
    return _profile_form_page(
        request,
        form,
        program=program,
        title=_("Add a mentor"),
        cancel_url=reverse("accounts:program_mentors", kwargs={"program": program.slug}),
    )


def _mentors():
    return MentorProfile.objects.select_related("user", "program")


@login_required
@require_http_methods(["GET", "POST"])
def mentor_edit(request, pk):
    mentor = access.get_for_user(request.user, _mentors(), change=True, pk=pk)
    form = MentorForm(request.POST or None, instance=mentor, program=mentor.program)
    if request.method == "POST" and form.is_valid():
        try:
            services.mentor_update(
                actor=request.user,
                mentor=mentor,
                profile=form.profile_data(),
                trainings=form.trainings(),
                request=request,
                **form.person(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Profile saved."))
            return redirect("accounts:mentor_detail", pk=mentor.pk)
    return _profile_form_page(
        request,
        form,
        program=mentor.program,
        title=_("Edit %(name)s") % {"name": mentor},
        cancel_url=reverse("accounts:mentor_detail", kwargs={"pk": mentor.pk}),
    )


@login_required
@require_GET
def mentor_detail(request, pk):
    mentor = access.get_for_user(request.user, _mentors(), pk=pk)
    audit_view(request, mentor)
    can_change = access.can_change(request.user, mentor)
    return render(
        request,
        "accounts/mentor_detail.html",
        {
            "mentor": mentor,
            "program": mentor.program,
            "can_change": can_change,
            "availability": availability_labels(mentor.availability),
            "panels": _participant_panels(request, mentor, can_change=can_change),
            "timeline": participant_timeline_entries(request, mentor),
            **selectors.mentor_page(mentor),
        },
    )


def _participant_panels(request, person, *, can_change: bool) -> str:
    """The panels the apps registered for the participant page (consent, current match, ...),
    with dates in the program's timezone like the rest of the page."""
    with timezone.override(person.program.timezone):
        return render_panels(participant_panels, request, person, can_change=can_change)

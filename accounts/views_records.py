"""Pages for consent, invitations and the CSV import. Thin: objects come through the access
policy, changes go through the services in consents.py, invitations.py and imports.py."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from accounts import consents, imports, invitations
from accounts.forms_records import (
    ConsentForm,
    ConsentRevokeForm,
    ImportConfirmForm,
    ImportUploadForm,
    InvitationAcceptForm,
    InvitationJoinForm,
)
from accounts.imports import people_count
from accounts.models import Consent, MenteeProfile, MentorProfile, Program
from mentorship import access, ratelimits
from mentorship.audit import audit_view
from mentorship.csvfiles import pending_drop, pending_keep, pending_take
from mentorship.imports import PREVIEW_LISTED, expired_message

IMPORT_KIND = "participant"
IMPORT_CACHE_KEY = IMPORT_KIND + "-import:{}"  # where pending_keep keeps the checked file
PREVIEW_ROWS = 20
PROBLEMS_SHOWN = 500  # the page stays usable; the command prints them all

CONSENT_COPY_FIELDS = [
    "covers_checkin_notes",
    "covers_use_log",
    "covers_goals",
    "covers_assessments",
    "to_mentor",
    "to_program_staff",
    "to_evaluation",
    "purpose",
    "expires_on",
    "expiry_event",
]


def participant_url(mentee: MenteeProfile) -> str:
    return reverse("accounts:mentee_detail", kwargs={"pk": mentee.pk})


# --- Consent


@login_required
@require_http_methods(["GET", "POST"])
def consent_create(request, pk):
    mentee = access.get_for_user(
        request.user, MenteeProfile.objects.select_related("user", "program"), change=True, pk=pk
    )
    latest = mentee.consents.first()
    if request.method == "POST":
        form = ConsentForm(request.POST, request.FILES)
        if form.is_valid():
            consent = consents.consent_record(
                mentee=mentee,
                recorded_by=request.user,
                data=form.cleaned_data,
                signed_form=form.cleaned_data.get("signed_form"),
                request=request,
            )
            messages.success(
                request, _("Consent version %(version)s recorded.") % {"version": consent.version}
            )
            return redirect("accounts:consent_detail", pk=consent.pk)
    else:
        # A new version usually changes one thing: start from what is on file, never from the
        # old signature, which must be given again.
        initial = {name: getattr(latest, name) for name in CONSENT_COPY_FIELDS} if latest else {}
        form = ConsentForm(initial=initial)
    return render(
        request,
        "accounts/consent/form.html",
        {"form": form, "mentee": mentee, "latest": latest, "back_url": participant_url(mentee)},
    )


def _consents():
    return Consent.objects.select_related(
        "mentee__user", "mentee__program", "recorded_by", "revoked_by"
    )


@login_required
@require_http_methods(["GET"])
def consent_detail(request, pk):
    consent = access.get_for_user(request.user, _consents(), pk=pk)
    audit_view(request, consent)
    versions = list(consent.mentee.consents.all())
    later = next((c for c in reversed(versions) if c.version == consent.version + 1), None)
    return render(
        request,
        "accounts/consent/detail.html",
        {
            "consent": consent,
            "mentee": consent.mentee,
            "versions": versions,
            "replaced": consents.consent_replaced(consent, later),
            "can_change": access.can_change(request.user, consent),
            "back_url": participant_url(consent.mentee),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def consent_revoke(request, pk):
    consent = access.get_for_user(request.user, _consents(), change=True, pk=pk)
    if consent.revoked_at is not None:
        messages.info(request, _("This consent is no longer in force; nothing to revoke."))
        return redirect("accounts:consent_detail", pk=consent.pk)
    form = ConsentRevokeForm(request.POST or None, consent=consent)
    if request.method == "POST" and form.is_valid():
        consents.consent_revoke(
            consent=consent,
            revoked_by=request.user,
            revoked_at=form.cleaned_data["revoked_at"],
            request=request,
        )
        messages.success(
            request,
            _(
                "Consent version %(version)s revoked. The matched mentor no longer sees "
                "what it covered."
            )
            % {"version": consent.version},
        )
        return redirect("accounts:consent_detail", pk=consent.pk)
    return render(
        request,
        "accounts/consent/revoke.html",
        {"form": form, "consent": consent, "mentee": consent.mentee},
    )


@login_required
@require_http_methods(["GET"])
def consent_signed_form(request, pk):
    """The uploaded signed form, served only through the policy (never from a public URL).
    A matched mentor may read what a consent covers, but not the participant's signature."""
    consent = access.get_for_user(
        request.user,
        access.scope(request.user, _consents(), roles=(access.COORDINATOR, access.MENTEE)),
        pk=pk,
    )
    if not consent.signed_form:
        raise Http404(_("This consent has no uploaded form."))
    audit_view(request, consent)
    name = f"consent-{consent.mentee.participant_id}-v{consent.version}"
    suffix = consent.signed_form.name.rsplit(".", 1)[-1].lower()
    return FileResponse(
        consent.signed_form.open("rb"), as_attachment=True, filename=f"{name}.{suffix}"
    )


# --- CSV import


def _coordinated(request):
    if not access.has_role(request.user, access.COORDINATOR):
        raise PermissionDenied(_("Only coordinators can import participants."))
    return access.coordinated_programs(request.user, Program.objects.all())


def _import_page(request, context: dict, status: int = 200):
    context.setdefault("columns", imports.COLUMNS)
    context.setdefault("problem_limit", PROBLEMS_SHOWN)
    context.setdefault("listed", f":{PREVIEW_LISTED}")
    return render(request, "accounts/import/upload.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def participant_import(request):
    """Upload and check (a dry run); a clean file is kept briefly for the confirm step."""
    programs = _coordinated(request)
    if request.method != "POST":
        chosen = programs.filter(slug=request.GET.get("program", "")).first()
        form = ImportUploadForm(programs=programs, initial={"program": chosen})
        ids = request.GET.get("ids", "")[:64]
        return _import_page(request, {"form": form, "ids_token": ids})
    form = ImportUploadForm(request.POST, request.FILES, programs=programs)
    if not form.is_valid():
        return _import_page(request, {"form": form})
    program = form.cleaned_data["program"]
    content = form.cleaned_data["file"].read()
    result = imports.participants_import(program=program, content=content, dry_run=True)
    context = {"form": form, "program": program, "result": result}
    if result.ok and result.summary.to_write:
        # The one kept-upload step of every import (mentorship.csvfiles.pending_keep): the
        # browser cannot re-send the file it chose, and the preview must be what gets imported.
        token = pending_keep(request, kind=IMPORT_KIND, program_id=program.pk, content=content)
        context["confirm_form"] = ImportConfirmForm(initial={"token": token})
        context["preview"] = result.new_rows[:PREVIEW_ROWS]
    return _import_page(request, context)


@login_required
@require_http_methods(["POST"])
def participant_import_confirm(request):
    programs = _coordinated(request)
    form = ImportConfirmForm(request.POST)
    token = form.cleaned_data["token"] if form.is_valid() else ""
    pending = pending_take(request, kind=IMPORT_KIND, token=token)
    if pending is None:
        messages.error(request, expired_message())
        return redirect("accounts:participant_import")
    program = programs.filter(pk=pending[0]).first()
    if program is None:
        raise PermissionDenied(_("You no longer coordinate this program."))
    content = pending[1]
    result = imports.participants_import(
        program=program, content=content, actor=request.user, request=request
    )
    if not result.written:
        # The program changed since the check (e.g. someone enrolled one of these people).
        form = ImportUploadForm(programs=programs, initial={"program": program})
        return _import_page(request, {"form": form, "program": program, "result": result})
    pending_drop(request, kind=IMPORT_KIND, token=token)
    summary = result.summary
    messages.success(
        request,
        _("Imported %(mentors)s and %(mentees)s into %(program)s. They can sign in once invited.")
        % {
            "mentors": people_count(result.mentor_count, "mentor"),
            "mentees": people_count(result.mentee_count, "mentee"),
            "program": program.name,
        }
        + " "
        + ngettext("%(count)d profile updated.", "%(count)d profiles updated.", summary.changed)
        % {"count": summary.changed},
    )
    after = f"{reverse('accounts:participant_import')}?program={program.slug}"
    if result.id_mapping:
        # The IDs are what the use-day import is keyed by: kept (encrypted, for this person) so
        # the page can offer them as a download instead of sending them to the shell.
        ids = pending_keep(
            request,
            kind="participant-ids",
            program_id=program.pk,
            content=imports.id_mapping_csv(result.id_mapping).encode(),
        )
        after += f"&ids={ids}"
    return redirect(after)


@login_required
@require_http_methods(["GET"])
def participant_import_ids(request):
    """The participant_id,email mapping of the last import, for the coordinator who ran it."""
    programs = _coordinated(request)
    token = request.GET.get("token", "")[:64]
    pending = pending_take(request, kind="participant-ids", token=token)
    program = programs.filter(pk=pending[0]).first() if pending else None
    if program is None:
        raise Http404(_("That list of IDs is no longer kept (after 30 minutes)."))
    imports.id_mapping_disclosed(
        program=program,
        count=pending[1].count(b"\n") - 1,
        actor=request.user,
        request=request,
    )
    response = HttpResponse(pending[1], content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{program.slug}-participant-ids.csv"'
    return response


@login_required
@require_http_methods(["GET"])
def participant_import_template(request):
    programs = _coordinated(request)
    # The program chosen on the upload page (else the first): its required trainings make the
    # example mentor eligible.
    program = programs.filter(slug=request.GET.get("program", "")).first() or programs.first()
    response = HttpResponse(imports.template_csv(program), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="participants-template.csv"'
    return response


# --- Invitations


@login_required
@require_http_methods(["GET"])
def invitation_list(request):
    """Who in a program can sign in, who was invited and when their link expires."""
    programs = _coordinated(request)
    program = programs.filter(slug=request.GET.get("program", "")).first() or programs.first()
    role = "mentor" if request.GET.get("role") == "mentor" else "mentee"
    model = MentorProfile if role == "mentor" else MenteeProfile
    people = (
        access.scope(request.user, model.objects.filter(program=program))
        .select_related("user")
        .annotate(
            invited_at=invitations.latest_invitation(program, "created_at"),
            invitation_expires_at=invitations.latest_invitation(program, "expires_at"),
            invitation_used_at=invitations.latest_invitation(program, "used_at"),
            joined=Exists(invitations.joined_user_ids(program).filter(user_id=OuterRef("user_id"))),
        )
        .order_by("last_name", "first_name", "pk")
    )
    page = Paginator(people, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/invitation/list.html",
        {
            "programs": programs,
            "program": program,
            "role": role,
            "page": page,
            "now": timezone.now(),
            "uninvited": invitations.uninvited_users(program).count() if program else 0,
        },
    )


def _invite(request, profile):
    invitations.invitation_send(
        user=profile.user, program=profile.program, sent_by=request.user, request=request
    )
    messages.success(
        request,
        ngettext(
            "Invitation sent to %(email)s. The link works once, for %(days)s day; any earlier "
            "link to %(program)s no longer works.",
            "Invitation sent to %(email)s. The link works once, for %(days)s days; any earlier "
            "link to %(program)s no longer works.",
            invitations.VALID_DAYS,
        )
        % {
            "email": profile.user.email,
            "days": invitations.VALID_DAYS,
            "program": profile.program.name,
        },
    )
    role = "mentor" if isinstance(profile, MentorProfile) else "mentee"
    query = f"?program={profile.program.slug}&role={role}"
    return redirect(reverse("accounts:invitation_list") + query)


@login_required
@require_http_methods(["POST"])
def mentee_invite(request, pk):
    mentee = access.get_for_user(
        request.user, MenteeProfile.objects.select_related("user", "program"), change=True, pk=pk
    )
    return _invite(request, mentee)


@login_required
@require_http_methods(["POST"])
def mentor_invite(request, pk):
    mentor = access.get_for_user(
        request.user, MentorProfile.objects.select_related("user", "program"), change=True, pk=pk
    )
    return _invite(request, mentor)


@login_required
@require_http_methods(["POST"])
def invitation_send_all(request, slug):
    program = access.get_program_for_user(
        request.user, Program.objects.all(), roles=(access.COORDINATOR,), slug=slug
    )
    count = invitations.invitations_send_uninvited(
        program=program, sent_by=request.user, request=request
    )
    if count:
        messages.success(
            request,
            ngettext(
                "Invited %(count)s person who had not been invited yet.",
                "Invited %(count)s people who had not been invited yet.",
                count,
            )
            % {"count": count},
        )
    else:
        messages.info(request, _("Everyone in this program has been invited already."))
    return redirect(f"{reverse('accounts:invitation_list')}?program={program.slug}")


@require_http_methods(["GET", "POST"])
@ratelimits.limited(ratelimits.INVITATION_PER_ADDRESS, ratelimits.INVITATION_PER_TOKEN)
def invitation_accept(request, token):
    """Public: the token is the credential. Every way a link can fail explains itself.

    An account that already has a password joins only while signed in as itself: the link
    proves the mailbox, the password proves the account."""
    invitation = invitations.invitation_for_token(token)
    if invitation is None:
        return render(
            request, "accounts/invitation/unusable.html", {"state": "unknown"}, status=404
        )
    state = invitations.invitation_state(invitation)
    if state != invitations.State.VALID:
        return _unusable(request, invitation, state)
    if not invitations.needs_password(invitation):
        return _invitation_join(request, invitation)
    form = InvitationAcceptForm(invitation.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = invitations.invitation_accept(
                invitation=invitation, password=form.cleaned_data["new_password1"], request=request
            )
        except invitations.InvitationUnusable as exc:
            return _unusable(request, invitation, exc.state)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Your password is set and you are signed in. Welcome."))
        return redirect("home")
    return render(
        request, "accounts/invitation/accept.html", {"form": form, "invitation": invitation}
    )


def _invitation_join(request, invitation):
    if request.user.pk != invitation.user_id:
        # Signed out, or signed in as someone else: the same page, which names no account.
        return render(
            request,
            "accounts/invitation/sign_in.html",
            {"invitation": invitation, "signed_in": request.user.is_authenticated},
        )
    form = InvitationJoinForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            invitations.invitation_accept(
                invitation=invitation, signed_in=request.user, request=request
            )
        except invitations.InvitationUnusable as exc:
            return _unusable(request, invitation, exc.state)
        messages.success(
            request, _("You joined %(program)s.") % {"program": invitation.program.name}
        )
        return redirect("home")
    return render(
        request, "accounts/invitation/join.html", {"form": form, "invitation": invitation}
    )


def _unusable(request, invitation, state: str):
    return render(
        request,
        "accounts/invitation/unusable.html",
        {"state": state, "invitation": invitation},
        status=410,
    )

"""Pages for consent, invitations and the CSV import. Thin: objects come through the access
policy, changes go through the services in consents.py, invitations.py and imports.py."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_http_methods

from accounts import consents
from accounts.forms_records import ConsentForm, ConsentRevokeForm
from accounts.models import Consent, MenteeProfile
from mentorship import access
from mentorship.audit import audit_view

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
    """The participant page when the profiles pages are installed, else the consent history."""
    try:
        return reverse("accounts:mentee_detail", kwargs={"pk": mentee.pk})
    except NoReverseMatch:
        latest = mentee.consents.first()
        if latest is not None:
            return reverse("accounts:consent_detail", kwargs={"pk": latest.pk})
        return reverse("home")


def _can_change(user, obj) -> bool:
    model = type(obj)
    roles = model.access_paths.change_roles
    return access.scope(user, model.objects.filter(pk=obj.pk), roles=roles).exists()


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
            messages.success(request, f"Consent version {consent.version} recorded.")
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
            "can_change": _can_change(request.user, consent),
            "back_url": participant_url(consent.mentee),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def consent_revoke(request, pk):
    consent = access.get_for_user(request.user, _consents(), change=True, pk=pk)
    if consent.revoked_at is not None:
        messages.info(request, "This consent is no longer in force; nothing to revoke.")
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
            f"Consent version {consent.version} revoked. The matched mentor no longer sees "
            "what it covered.",
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
        raise Http404("This consent has no uploaded form.")
    audit_view(request, consent)
    name = f"consent-{consent.mentee.participant_id}-v{consent.version}"
    suffix = consent.signed_form.name.rsplit(".", 1)[-1].lower()
    return FileResponse(
        consent.signed_form.open("rb"), as_attachment=True, filename=f"{name}.{suffix}"
    )

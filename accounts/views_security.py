"""The security page (second factor) and the second step of sign-in.

Thin: reads and writes through accounts.second_factor. Passkeys are registered and checked by
django-otp-webauthn's JSON views (accounts/passkeys.py) driven by static/js/passkeys.js.
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts import second_factor as sf
from accounts.forms import SecondStepForm, TotpConfirmForm
from mentorship import ratelimits
from mentorship.forms import add_service_errors


def verified_if_enrolled(view):
    """Changing second factors needs this session to have passed the second step, if the
    person has one (a session begun before they set one up elsewhere has not)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_verified() and sf.has_second_factor(request.user):
            return redirect(f"{reverse('security:verify')}?next={reverse('security:index')}")
        return view(request, *args, **kwargs)

    return wrapper


def _show_codes(request, codes: list[str]):
    # Shown once, in this response only: they are never stored in clear or in the session.
    request.session[sf.SESSION_STATE] = sf.OK
    return render(request, "accounts/security/recovery_codes.html", {"codes": codes})


@login_required
def index(request):
    return render(
        request,
        "accounts/security/index.html",
        {**sf.security_overview(request.user), "verified": request.user.is_verified()},
    )


@login_required
@require_http_methods(["GET", "POST"])
@verified_if_enrolled
def totp_setup(request):
    device = sf.totp_pending(request.user)
    form = TotpConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = sf.totp_confirm(
                user=request.user, token=form.cleaned_data["code"], request=request
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if codes:
                return _show_codes(request, codes)
            request.session[sf.SESSION_STATE] = sf.OK
            messages.success(request, _("Your authenticator app is set up."))
            return redirect("security:index")
    if device is None or request.method == "GET":
        device = sf.totp_begin(user=request.user)
    return render(
        request,
        "accounts/security/totp_setup.html",
        {"form": form, "qr": sf.totp_qr_data_uri(device), "secret": sf.totp_secret(device)},
    )


@login_required
@require_POST
@verified_if_enrolled
def totp_remove(request):
    sf.totp_remove(user=request.user, request=request)
    messages.success(request, _("The authenticator app was removed."))
    return redirect("security:index")


@login_required
@require_POST
@verified_if_enrolled
def passkey_remove(request, pk: int):
    sf.passkey_remove(user=request.user, pk=pk, request=request)
    messages.success(request, _("The passkey was removed."))
    return redirect("security:index")


@login_required
@require_POST
@verified_if_enrolled
def passkey_added(request):
    if not sf.has_second_factor(request.user):
        return redirect("security:index")
    codes = sf.passkey_added(user=request.user, request=request)
    if codes:
        return _show_codes(request, codes)
    messages.success(request, _("Your passkey is saved."))
    return redirect("security:index")


@login_required
@require_POST
@verified_if_enrolled
def recovery_codes(request):
    try:
        codes = sf.recovery_codes_generate(user=request.user, request=request)
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect("security:index")
    return _show_codes(request, codes)


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


@login_required
@ratelimits.limited(ratelimits.SECOND_FACTOR_PER_ACCOUNT)
@require_http_methods(["GET", "POST"])
def verify(request):
    """The second step of sign-in: a code, a recovery code or a passkey."""
    if request.user.is_verified() or not sf.has_second_factor(request.user):
        # Judged again: the factor may have been reset by a superuser meanwhile (without this
        # the middleware would send the person straight back here).
        request.session[sf.SESSION_STATE] = (
            sf.OK if request.user.is_verified() else sf.sign_in_state(request.user)
        )
        return redirect(_next_url(request) or "home")
    form = SecondStepForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if sf.second_factor_verify(
            user=request.user, token=form.cleaned_data["code"], request=request
        ):
            request.session[sf.SESSION_STATE] = sf.OK
            return redirect(_next_url(request) or "home")
        if getattr(request, "axes_locked_out", False):
            # Five failed steps lock the account like five wrong passwords: the same 429
            # locked-out page as the password step.
            logout(request)
            return ratelimits.locked_out(request)
        form.add_error(
            "code",
            _("That code did not work. Wait a moment, then try the newest code from your app."),
        )
    overview = sf.security_overview(request.user)
    return render(
        request,
        "accounts/security/verify.html",
        {"form": form, "has_passkeys": bool(overview["passkeys"]), "next": _next_url(request)},
    )

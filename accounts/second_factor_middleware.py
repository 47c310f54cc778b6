"""Send a signed-in person to the second step of sign-in, or to set up a second factor, before
any other page.

Runs after OTPMiddleware (which knows whether this session passed a second step). What the
session still needs is worked out once per sign-in (`second_factor.sign_in_state`) and kept in
the session: a person with a device must use it; a coordinator or evaluator past the grace
period must set one up (then only the security pages, sign-out and the health check open).
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts import second_factor as sf

ALWAYS_OPEN = {"logout", "healthz"}
# The second step itself: its page and the passkey check behind its button.
VERIFY_OPEN = ALWAYS_OPEN | {
    "security:verify",
    "security:passkey_verify_begin",
    "security:passkey_verify_complete",
}
# Setting a factor up: the security page and what it posts to.
SETUP_OPEN = ALWAYS_OPEN | {
    "security:index",
    "security:totp_setup",
    "security:recovery_codes",
    "security:passkey_register_begin",
    "security:passkey_register_complete",
    "security:passkey_added",
}


def judge_sign_in(sender, request, user, **kwargs):
    """user_logged_in receiver: each sign-in is judged afresh, once, so pages add no queries."""
    if request is not None and hasattr(request, "session"):
        request.session[sf.SESSION_STATE] = sf.sign_in_state(user)


class SecondFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated:
            return None
        state = request.session.get(sf.SESSION_STATE)
        if state is None:  # a session from before this rule
            state = sf.sign_in_state(user)
        if state != sf.OK and user.is_verified():
            # Passed the second step (or set a factor up) on a view that is not ours: the
            # passkey views of django-otp-webauthn.
            state = sf.OK
        if request.session.get(sf.SESSION_STATE) != state:
            request.session[sf.SESSION_STATE] = state
        if state == sf.OK:
            return None
        name = request.resolver_match.view_name if request.resolver_match else ""
        if state == sf.VERIFY and name not in VERIFY_OPEN:
            target = reverse("security:verify")
            if request.method == "GET":
                target += "?" + urlencode({"next": request.get_full_path()})
            return redirect(target)
        if state == sf.SETUP and name not in SETUP_OPEN:
            messages.warning(
                request,
                _(
                    "Your role needs a second sign-in step. Set up an authenticator app or a "
                    "passkey to continue."
                ),
            )
            return redirect("security:index")
        return None

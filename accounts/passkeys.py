"""Passkeys (WebAuthn): django-otp-webauthn's JSON ceremony views, behind sign-in.

The library's views answer an anonymous caller with a JSON 401; ours are wrapped in
`login_required` like every other page (a passkey is only ever a second step after the
password, see OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN)."""

from django.contrib.auth.decorators import login_required
from django_otp_webauthn import views

register_begin = login_required(views.BeginCredentialRegistrationView.as_view())
register_complete = login_required(views.CompleteCredentialRegistrationView.as_view())
verify_begin = login_required(views.BeginCredentialAuthenticationView.as_view())
verify_complete = login_required(views.CompleteCredentialAuthenticationView.as_view())

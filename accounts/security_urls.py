"""The security page and the second step of sign-in, under /accounts/security/."""

from django.urls import path

from accounts import passkeys, views_security

app_name = "security"

urlpatterns = [
    path("", views_security.index, name="index"),
    path("verify/", views_security.verify, name="verify"),
    path("app/", views_security.totp_setup, name="totp_setup"),
    path("app/remove/", views_security.totp_remove, name="totp_remove"),
    path("recovery-codes/", views_security.recovery_codes, name="recovery_codes"),
    path("passkeys/added/", views_security.passkey_added, name="passkey_added"),
    path("passkeys/<int:pk>/remove/", views_security.passkey_remove, name="passkey_remove"),
    # django-otp-webauthn's JSON ceremony views, behind sign-in.
    path("passkeys/register/begin/", passkeys.register_begin, name="passkey_register_begin"),
    path(
        "passkeys/register/complete/", passkeys.register_complete, name="passkey_register_complete"
    ),
    path("passkeys/verify/begin/", passkeys.verify_begin, name="passkey_verify_begin"),
    path("passkeys/verify/complete/", passkeys.verify_complete, name="passkey_verify_complete"),
]

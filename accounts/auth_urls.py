"""Sign-in, sign-out, password reset and change: Django's views with our forms and pages."""

from django.contrib.auth import views as auth
from django.urls import path

from accounts import forms, services
from mentorship import ratelimits


class AuditedPasswordChangeView(auth.PasswordChangeView):
    """A person's new password is a change to the person: in every program's trail."""

    def form_valid(self, form):
        response = super().form_valid(form)
        services.person_password_changed(user=form.user, request=self.request)
        return response


class AuditedPasswordResetConfirmView(auth.PasswordResetConfirmView):
    def form_valid(self, form):
        response = super().form_valid(form)
        services.person_password_changed(user=form.user, request=self.request)
        return response


urlpatterns = [
    path(
        "login/",
        ratelimits.sign_in_limited(
            auth.LoginView.as_view(
                authentication_form=forms.EmailAuthenticationForm, redirect_authenticated_user=True
            )
        ),
        name="login",
    ),
    path("logout/", auth.LogoutView.as_view(), name="logout"),
    path(
        "password-reset/",
        ratelimits.limited(
            ratelimits.PASSWORD_RESET_PER_ADDRESS, ratelimits.PASSWORD_RESET_PER_EMAIL
        )(
            # The form queues the e-mail in the outbox (notifications.password_reset).
            auth.PasswordResetView.as_view(form_class=forms.CrispyPasswordResetForm)
        ),
        name="password_reset",
    ),
    path("password-reset/sent/", auth.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "reset/<uidb64>/<token>/",
        AuditedPasswordResetConfirmView.as_view(form_class=forms.CrispySetPasswordForm),
        name="password_reset_confirm",
    ),
    path("reset/done/", auth.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path(
        "password-change/",
        AuditedPasswordChangeView.as_view(form_class=forms.CrispyPasswordChangeForm),
        name="password_change",
    ),
    path(
        "password-change/done/", auth.PasswordChangeDoneView.as_view(), name="password_change_done"
    ),
]

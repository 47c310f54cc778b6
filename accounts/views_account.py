"""The person's own account: their name and sign-in e-mail. Only they change these here (a
superuser in the admin); coordinators edit only their program's profile of a person."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST
from django.views.i18n import set_language

from accounts import services
from accounts.forms import submit_helper
from accounts.languages import language_choices, language_for_request
from mentorship.forms import BoundedForm, add_service_errors


class AccountNameForm(forms.Form):
    first_name = forms.CharField(max_length=80, label=gettext_lazy("First name"))
    last_name = forms.CharField(max_length=80, label=gettext_lazy("Last name"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper(gettext_lazy("Save my name"))
        self.helper.form_action = "?form=name"


class EmailChangeForm(forms.Form):
    email = forms.EmailField(
        max_length=254,
        label=gettext_lazy("New sign-in e-mail"),
        help_text=gettext_lazy(
            "We send a link to the new address; the change applies once you open it."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper(gettext_lazy("Send confirmation link"))
        self.helper.form_action = "?form=email"


class LanguageForm(BoundedForm):
    preferred_language = forms.ChoiceField(label=gettext_lazy("Language"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["preferred_language"].choices = [
            ("", gettext_lazy("The one my browser asks for")),
            *language_choices(),
        ]
        self.helper = submit_helper(gettext_lazy("Save my language"))
        self.helper.form_action = "?form=language"


class EmailChangeConfirmForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper(gettext_lazy("Use this address"))


@login_required
@require_http_methods(["GET", "POST"])
def account(request):
    user = request.user
    posted = request.GET.get("form") if request.method == "POST" else None
    name_form = AccountNameForm(
        request.POST if posted == "name" else None,
        initial={"first_name": user.first_name, "last_name": user.last_name},
    )
    email_form = EmailChangeForm(request.POST if posted == "email" else None)
    language_form = LanguageForm(
        request.POST if posted == "language" else None,
        initial={"preferred_language": user.preferred_language},
    )
    if posted == "language" and language_form.is_valid():
        language = language_form.cleaned_data["preferred_language"]
        services.person_language_set(user=user, language=language, request=request)
        response = redirect("accounts:account")
        _remember_language(response, language)
        # Said in the language just chosen (the next page is in it too).
        with translation.override(language or language_for_request(request)):
            messages.success(request, _("Your language is saved."))
        return response
    if posted == "name" and name_form.is_valid():
        try:
            changed = services.person_name_update(
                user=user, request=request, **name_form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(name_form, exc)
        else:
            if changed:
                messages.success(request, _("Your name is saved."))
            return redirect("accounts:account")
    if posted == "email" and email_form.is_valid():
        try:
            services.email_change_request(
                user=user, new_email=email_form.cleaned_data["email"], request=request
            )
        except ValidationError as exc:
            add_service_errors(email_form, exc)
        else:
            # The same words whether or not the address has an account: this page must not
            # tell which addresses do.
            messages.success(
                request,
                _("We sent a link to the new address. Until you open it, you sign in as before."),
            )
            return redirect("accounts:account")
    return render(
        request,
        "accounts/account.html",
        {"name_form": name_form, "email_form": email_form, "language_form": language_form},
    )


def _remember_language(response, language: str) -> None:
    """The cookie the switch sets too: kept after signing out, on this device only."""
    if language:
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
    else:
        response.delete_cookie(settings.LANGUAGE_COOKIE_NAME, path=settings.LANGUAGE_COOKIE_PATH)


@require_POST
def language_switch(request):
    """The footer's switch: Django's set_language (cookie, then back to the page), and for a
    signed-in person their saved language too, so e-mails follow the choice."""
    response = set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        services.person_language_set(user=request.user, language=language, request=request)
    return response


@login_required
@require_http_methods(["GET", "POST"])
def email_change_confirm(request, token):
    """From the link sent to the new address; a button, so that a mail scanner opening the
    link changes nothing."""
    change = services.email_change_for_token(token)
    usable = (
        change is not None
        and change.user_id == request.user.pk
        and change.used_at is None
        and change.superseded_at is None
        and change.expires_at > timezone.now()
    )
    form = EmailChangeConfirmForm(request.POST if request.method == "POST" else None)
    if usable and request.method == "POST" and form.is_valid():
        try:
            services.email_change_confirm(user=request.user, token=token, request=request)
        except services.EmailChangeUnusable:
            usable = False
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("accounts:account")
        else:
            messages.success(request, _("Your sign-in e-mail is changed."))
            return redirect("accounts:account")
    return render(
        request,
        "accounts/email_change_confirm.html",
        {"form": form, "change": change if usable else None},
        status=200 if usable else 410,
    )

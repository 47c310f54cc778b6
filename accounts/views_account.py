"""The person's own account: their name and sign-in e-mail. Only they change these here (a
superuser in the admin); coordinators edit only their program's profile of a person."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from accounts import services
from accounts.forms import submit_helper
from mentorship.forms import add_service_errors


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
        request, "accounts/account.html", {"name_form": name_form, "email_form": email_form}
    )


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

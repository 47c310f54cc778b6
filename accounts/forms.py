import zoneinfo
from datetime import timedelta

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Field, Fieldset, Layout, Submit
from django import forms
from django.contrib.auth.forms import (
    AuthenticationForm,
    PasswordChangeForm,
    PasswordResetForm,
    SetPasswordForm,
)
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from accounts.languages import language_choices
from accounts.models import (
    AVAILABILITY_CHOICES,
    DAYPARTS,
    WEEKDAYS,
    FocusArea,
    Language,
    MenteeFocusArea,
    MenteeProfile,
    MentorProfile,
    Philosophy,
    Program,
    Substance,
    Training,
)
from accounts.selectors import vocabulary
from accounts.services import allowed_transitions, password_reset_request
from mentorship.forms import BoundedForm, BoundedModelForm


def submit_helper(label: str) -> FormHelper:
    helper = FormHelper()
    helper.add_input(Submit("submit", label, css_class="btn-primary"))
    return helper


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("Email"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    error_messages = {
        "invalid_login": _(
            "That e-mail and password do not match an account. Check both and try again."
        ),
        "inactive": _("This account is inactive. Ask your program coordinator."),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password"].label = _("Password")
        self.helper = submit_helper(_("Sign in"))

    def clean_username(self):
        return self.cleaned_data["username"].lower()


class CrispyPasswordResetForm(PasswordResetForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper(_("Send reset link"))

    def save(self, **options):
        """Queue the e-mail in the one outbox instead of Django's `send_mail` (rendered there in
        the person's language, retried, and with its link built when sent). The view's e-mail
        options (templates, domain, token generator) belong to that direct send and are unused."""
        for user in self.get_users(self.cleaned_data["email"]):
            password_reset_request(user=user)


class CrispySetPasswordForm(SetPasswordForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper(_("Set password"))


class CrispyPasswordChangeForm(PasswordChangeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper(_("Change password"))


# --- Participant profiles, vocabularies and program settings


class AvailabilityField(forms.TypedMultipleChoiceField):
    """21 checkboxes (7 weekdays x morning/afternoon/evening) stored as one bitmask."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Weekly availability"))
        kwargs.setdefault("required", False)
        super().__init__(
            choices=[(str(bit), label) for bit, label in AVAILABILITY_CHOICES],
            coerce=int,
            **kwargs,
        )

    def prepare_value(self, value):
        if isinstance(value, int):
            return [str(bit) for bit, _label in AVAILABILITY_CHOICES if value & (1 << bit)]
        return value

    def clean(self, value):
        bits = super().clean(value)
        mask = 0
        for bit in bits:
            mask |= 1 << bit
        return mask

    def has_changed(self, initial, data):
        return self.prepare_value(initial or 0) != [str(b) for b in sorted(map(int, data or []))]


def availability_grid(field: forms.BoundField) -> list[dict]:
    """Rows of the availability grid for the template: one weekday with its three slots."""
    # BoundField.value() runs prepare_value, so bound or not this is a list of bit strings.
    checked = set(map(str, field.value() or []))
    return [
        {
            "day": day,
            "slots": [
                {
                    "value": str(d * 3 + p),
                    "label": f"{day} {part}",  # lazy words: in the language of the request
                    "checked": str(d * 3 + p) in checked,
                    "id": f"id_{field.html_name}_{d * 3 + p}",
                }
                for p, part in enumerate(DAYPARTS)
            ],
        }
        for d, day in enumerate(WEEKDAYS)
    ]


PERSON_FIELDS = ["first_name", "last_name", "email"]


class _ProfileForm(BoundedModelForm):
    """Shared by the mentor and mentee forms: the person's name and e-mail, vocabularies limited
    to the program's terms, and the availability grid."""

    first_name = forms.CharField(max_length=80, label=_("First name"))
    last_name = forms.CharField(max_length=80, label=_("Last name"), required=False)
    email = forms.EmailField(
        max_length=254,
        label=_("E-mail"),
        help_text=_("Their sign-in; an invitation to set a password goes here."),
    )
    # Only for a new enrollment: the invitation is written in it, and it becomes the person's
    # language if they have not chosen one (never changes a choice they made).
    preferred_language = forms.ChoiceField(
        label=_("Language for the invitation"),
        required=False,
        help_text=_("Leave as the program's default if you do not know."),
    )
    availability = AvailabilityField()

    vocabulary_fields: dict[str, type] = {}

    def __init__(self, *args, program: Program, **kwargs):
        super().__init__(*args, **kwargs)
        self.program = program
        profile = self.instance
        if profile.pk:
            # The name is this program's (on the profile); the e-mail is the person's sign-in,
            # which only they (or an administrator) change: a coordinator who could change it
            # could send the account's next link to any mailbox.
            self.fields["first_name"].initial = profile.first_name
            self.fields["last_name"].initial = profile.last_name
            self.fields["email"].initial = profile.user.email
            self.fields["email"].disabled = True
            self.fields["email"].help_text = _(
                "Their sign-in; only they can change it, from their account page."
            )
            self.fields["availability"].initial = profile.availability
            del self.fields["preferred_language"]
        else:
            self.fields["preferred_language"].choices = [
                ("", _("Program's default")),
                *language_choices(),
            ]
        for name, model in self.vocabulary_fields.items():
            field = self.fields[name]
            in_use = []
            if profile.pk:
                current = getattr(profile, name)
                in_use = list(current.all()) if hasattr(current, "all") else [current]
            field.queryset = vocabulary(model, program, include=[t for t in in_use if t])
        if "languages" in self.fields:
            self.fields["languages"].queryset = Language.objects.all()
        for name in ("gender", "referral_source"):
            if name in self.fields:
                choices = [c for c in self.fields[name].choices if c[0] != ""]
                self.fields[name].choices = [("", _("Not recorded")), *choices]
        self.helper = FormHelper()
        self.helper.form_tag = False

    def invitation_fields(self) -> list[str]:
        return [name for name in ("preferred_language",) if name in self.fields]

    @property
    def availability_rows(self) -> list[dict]:
        return availability_grid(self["availability"])

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()

    def person(self) -> dict:
        """The name (the program's own), and the e-mail for a new enrollment only."""
        names = [n for n in PERSON_FIELDS if n != "email" or not self.instance.pk]
        if "preferred_language" in self.fields:
            names.append("preferred_language")
        return {name: self.cleaned_data[name] for name in names}

    def profile_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self._meta.fields}


class MentorForm(_ProfileForm):
    vocabulary_fields = {
        "philosophies": Philosophy,
        "focus_areas": FocusArea,
        "lived_substances": Substance,
    }

    class Meta:
        model = MentorProfile
        fields = [
            "gender",
            "philosophies",
            "focus_areas",
            "languages",
            "lived_substances",
            "recovery_since",
            "is_certified_peer_specialist",
            "certifications",
            "capacity",
            "accepting_new",
            "availability",
            "bio",
            "is_active",
        ]
        labels = {
            "philosophies": _("Recovery philosophies they support"),
            "focus_areas": _("Focus areas they offer"),
            "lived_substances": _("Lived experience with"),
            "recovery_since": _("In continuous recovery since"),
            "capacity": _("Capacity (maximum active mentees)"),
            "is_active": _("Mentor profile is active"),
            "bio": _("Short bio"),
        }
        help_texts = {"bio": _("Shown to coordinators when matching. Up to 1,500 characters.")}
        widgets = {
            "philosophies": forms.CheckboxSelectMultiple,
            "focus_areas": forms.CheckboxSelectMultiple,
            "languages": forms.CheckboxSelectMultiple,
            "lived_substances": forms.CheckboxSelectMultiple,
            "recovery_since": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "bio": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, program: Program, **kwargs):
        super().__init__(*args, program=program, **kwargs)
        done = {}
        if self.instance.pk:
            done = {t.training_id: t.completed_on for t in self.instance.trainings.all()}
        self.training_fields = []
        trainings = Training.objects.filter(program=program).filter(
            Q(is_active=True) | Q(pk__in=list(done))
        )
        for training in trainings:
            name = f"training_{training.pk}"
            self.fields[name] = forms.DateField(
                label=gettext("%(training)s: completed on") % {"training": training.name},
                required=False,
                initial=done.get(training.pk),
                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                help_text=_("Leave empty if not completed."),
            )
            self.training_fields.append((name, training))
        self.helper.layout = Layout(
            Fieldset(_("Person"), *PERSON_FIELDS, *self.invitation_fields(), "gender"),
            Fieldset(
                _("Recovery and experience"),
                "recovery_since",
                "lived_substances",
                "philosophies",
                "is_certified_peer_specialist",
                "certifications",
            ),
            Fieldset(_("Trainings"), *[name for name, _ in self.training_fields]),
            Fieldset(
                _("Mentoring"),
                "focus_areas",
                "languages",
                "capacity",
                "accepting_new",
                Field("availability", template="accounts/_availability_field.html"),
                "bio",
                "is_active",
            ),
        )

    def clean_recovery_since(self):
        since = self.cleaned_data.get("recovery_since")
        if since and since > self.program.today():
            raise ValidationError(_("This date is in the future."))
        return since

    def clean(self):
        data = super().clean()
        today = self.program.today()
        for name, _field in self.training_fields:
            done = data.get(name)
            if done and done > today:
                self.add_error(name, _("A completion date cannot be in the future."))
        return data

    def trainings(self) -> dict:
        return {
            training: self.cleaned_data[name]
            for name, training in self.training_fields
            if self.cleaned_data.get(name)
        }


class MenteeForm(_ProfileForm):
    vocabulary_fields = {"substances": Substance, "preferred_philosophy": Philosophy}
    PRIORITY_CHOICES = [("", _("Not needed")), *MenteeFocusArea.Priority.choices]

    class Meta:
        model = MenteeProfile
        fields = [
            "enrolled_on",
            "study_arm",
            "recovery_stage",
            "substances",
            "preferred_philosophy",
            "philosophy_required",
            "languages",
            "gender",
            "preferred_mentor_gender",
            "mentor_gender_required",
            "availability",
            "referral_source",
        ]
        labels = {
            "enrolled_on": _("Enrollment date"),
            "substances": _("Substances of concern"),
            "philosophy_required": _("Only match with mentors who support this philosophy"),
            "mentor_gender_required": _("Only match with a mentor of this gender"),
        }
        help_texts = {
            "enrolled_on": _("Day 1 of every outcome window."),
            "study_arm": _("The comparison arm is followed for outcomes and never matched."),
            "philosophy_required": "",
        }
        widgets = {
            "enrolled_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "substances": forms.CheckboxSelectMultiple,
            "languages": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, program: Program, **kwargs):
        super().__init__(*args, program=program, **kwargs)
        self.fields["preferred_philosophy"].empty_label = _("No preference")
        if not self.instance.pk:
            self.fields["enrolled_on"].initial = program.today()
        needs = {}
        if self.instance.pk:
            needs = {n.focus_area_id: n.priority for n in self.instance.focus_needs.all()}
        self.focus_fields = []
        areas = FocusArea.objects.filter(program=program).filter(
            Q(is_active=True) | Q(pk__in=list(needs))
        )
        for area in areas:
            name = f"focus_{area.pk}"
            self.fields[name] = forms.TypedChoiceField(
                label=area.name,
                choices=self.PRIORITY_CHOICES,
                coerce=int,
                empty_value=None,
                required=False,
                initial=needs.get(area.pk, ""),
            )
            self.focus_fields.append((name, area))
        self.helper.layout = Layout(
            Fieldset(_("Person"), *PERSON_FIELDS, *self.invitation_fields(), "gender"),
            Fieldset(_("Enrollment"), "enrolled_on", "study_arm", "referral_source"),
            Fieldset(_("Recovery"), "recovery_stage", "substances"),
            Fieldset(
                _("Focus areas needed (priority)"),
                Div(
                    *[Div(name, css_class="col-sm-6 col-lg-4") for name, _ in self.focus_fields],
                    css_class="row",
                ),
            ),
            Fieldset(
                _("Matching preferences"),
                "preferred_philosophy",
                "philosophy_required",
                "preferred_mentor_gender",
                "mentor_gender_required",
                "languages",
                Field("availability", template="accounts/_availability_field.html"),
            ),
        )

    def clean_enrolled_on(self):
        enrolled = self.cleaned_data.get("enrolled_on")
        if enrolled and enrolled > self.program.today() + timedelta(days=366):
            raise ValidationError(_("Enrollment is more than a year away; check the year."))
        if enrolled and enrolled.year < 2000:
            raise ValidationError(_("Check the year: enrollment before 2000 is unlikely."))
        return enrolled

    def clean(self):
        data = super().clean()
        if data.get("philosophy_required") and not data.get("preferred_philosophy"):
            self.add_error("philosophy_required", _("Choose the philosophy that is required."))
        if data.get("mentor_gender_required") and not data.get("preferred_mentor_gender"):
            self.add_error(
                "mentor_gender_required", _("Choose the mentor gender that is required.")
            )
        return data

    def focus_needs(self) -> dict:
        return {
            area: self.cleaned_data[name]
            for name, area in self.focus_fields
            if self.cleaned_data.get(name)
        }


class MenteeStatusForm(BoundedForm):
    to_status = forms.ChoiceField(label=_("New status"))
    reason = forms.CharField(
        max_length=240,
        required=False,
        label=_("Reason"),
        help_text=_("Required when pausing, withdrawing or discharging. No clinical details."),
    )

    def __init__(self, *args, mentee: MenteeProfile, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [
            (value, MenteeProfile.Status(value).label) for value in allowed_transitions(mentee)
        ]
        # No preselected status: a status change is a decision, not a default.
        self.fields["to_status"].choices = [("", _("Choose…")), *choices] if choices else []
        self.helper = submit_helper(_("Change status"))


class ProgramSettingsForm(BoundedModelForm):
    timezone = forms.ChoiceField(
        label=_("Time zone"), help_text=_("Check-ins are scheduled and shown in this time zone.")
    )

    class Meta:
        model = Program
        fields = [
            "timezone",
            "default_language",
            "default_checkin_cadence",
            "min_recovery_months",
            "required_trainings",
            "crisis_resources",
        ]
        labels = {
            "default_language": _("Default language"),
            "default_checkin_cadence": _("Default check-in cadence"),
            "min_recovery_months": _("Minimum months of continuous recovery for mentors"),
            "required_trainings": _("Trainings every mentor must complete"),
            "crisis_resources": _("Crisis resources"),
        }
        help_texts = {
            "min_recovery_months": _("MAP used 6 months. 0 turns the rule off."),
            "required_trainings": _("Mentors without them are shown as ineligible."),
            "default_language": _(
                "For pages and e-mails to people who chose no language and whose browser asks "
                "for none we offer."
            ),
        }
        widgets = {
            "required_trainings": forms.CheckboxSelectMultiple,
            "crisis_resources": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["timezone"].choices = [
            (tz, tz) for tz in sorted(zoneinfo.available_timezones())
        ]
        self.fields["required_trainings"].queryset = vocabulary(
            Training, self.instance, include=self.instance.required_trainings.all()
        )
        self.helper = submit_helper(_("Save settings"))


class VocabularyTermForm(BoundedForm):
    name = forms.CharField(max_length=80, label=_("Name"))
    description = forms.CharField(max_length=240, required=False, label=_("Description"))
    # Blank shows the English words to people reading Spanish.
    name_es = forms.CharField(max_length=80, required=False, label=_("Name in Spanish"))
    description_es = forms.CharField(
        max_length=240, required=False, label=_("Description in Spanish")
    )
    position = forms.IntegerField(
        min_value=0,
        max_value=999,
        required=False,
        label=_("Position"),
        help_text=_("Lower numbers come first. Leave empty to add at the end."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper(_("Save"))

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise ValidationError(_("Give the term a name."))
        return name


class ParticipantFilterForm(BoundedForm):
    """Search and filters of the participant lists; unknown values are ignored, never a 500."""

    q = forms.CharField(required=False, label=_("Search"), max_length=120)
    status = forms.ChoiceField(required=False, label=_("Status"))
    focus_area = forms.ModelChoiceField(
        queryset=FocusArea.objects.none(),
        required=False,
        empty_label=_("Any focus area"),
        label=_("Focus area"),
    )
    philosophy = forms.ModelChoiceField(
        queryset=Philosophy.objects.none(),
        required=False,
        empty_label=_("Any philosophy"),
        label=_("Philosophy"),
    )
    unmatched = forms.BooleanField(required=False)

    def __init__(self, *args, program: Program, role: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["focus_area"].queryset = FocusArea.objects.filter(program=program)
        self.fields["philosophy"].queryset = Philosophy.objects.filter(program=program)
        if role == "mentee":
            self.fields["q"].help_text = _("Name, e-mail or participant ID")
            self.fields["status"].choices = [("", _("Any status")), *MenteeProfile.Status.choices]
            self.fields["arm"] = forms.ChoiceField(
                required=False,
                label=_("Study arm"),
                choices=[("", _("Any arm")), *MenteeProfile.Arm.choices],
            )
            self.fields["unmatched"].label = _("Waiting for a mentor")
        else:
            self.fields["q"].help_text = _("Name or e-mail")
            self.fields["status"].choices = [
                ("", _("Any status")),
                ("active", pgettext_lazy("mentor status", "Active")),
                ("accepting", _("Accepting new mentees")),
                ("inactive", _("Inactive")),
            ]
            self.fields["eligibility"] = forms.ChoiceField(
                required=False,
                label=_("Eligibility"),
                choices=[
                    ("", _("Any")),
                    ("eligible", _("Eligible")),
                    ("ineligible", _("Not eligible")),
                ],
            )
            self.fields["unmatched"].label = _("No current mentees")

    def filters(self) -> dict:
        if not self.is_valid():
            # Keep whatever parts are valid: a stale bookmark still shows a list.
            return {k: v for k, v in self.cleaned_data.items() if k not in self.errors}
        return self.cleaned_data


# --- Second factor


class TotpConfirmForm(forms.Form):
    code = forms.CharField(
        label=_("Code from the app"),
        max_length=10,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper(_("Turn on"))


class SecondStepForm(forms.Form):
    code = forms.CharField(
        label=_("Code from your authenticator app, or a recovery code"),
        max_length=24,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper(_("Continue"))


class ProgramCreateForm(BoundedModelForm):
    """A superuser's new program (accounts.programs.program_create gives it its defaults)."""

    class Meta:
        model = Program
        fields = ["name", "slug", "timezone", "default_language", "organization"]
        labels = {
            "name": _("Name"),
            "slug": _("Short name in addresses"),
            "organization": _("Organization"),
            "timezone": _("Time zone"),
            "default_language": _("Default language"),
        }
        help_texts = {"timezone": _("An IANA time zone, e.g. America/New_York.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper(_("Create program"))

"""Forms for consent, invitations and the CSV import. Thin: rules that the import and the
browser share live in the model fields these forms are built from."""

import copy
from datetime import timedelta

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout, Submit
from django import forms
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import FieldDoesNotExist
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.forms import PERSON_FIELDS, MenteeForm, MentorForm
from accounts.models import Consent, Program
from mentorship.forms import BoundedForm, BoundedModelForm

SIGNED_FORM_MAX_BYTES = 5 * 1024 * 1024
# About 30,000 rows of the template: a program's whole enrollment, not a data dump.
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
# File signatures, checked on the bytes: a renamed executable must not pass as a PDF.
SIGNED_FORM_TYPES = {
    ".pdf": (b"%PDF-",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
}
WHAT_FIELDS = ["covers_checkin_notes", "covers_use_log", "covers_goals", "covers_assessments"]
TO_WHOM_FIELDS = ["to_mentor", "to_program_staff", "to_evaluation"]


def _helper(label: str, *, multipart: bool = False) -> FormHelper:
    helper = FormHelper()
    helper.add_input(Submit("submit", label, css_class="btn-primary"))
    if multipart:
        helper.attrs = {"enctype": "multipart/form-data"}
    return helper


class ConsentForm(BoundedModelForm):
    """Every element 42 CFR 2.31 requires is a field here; the page names the participant and
    the program (who may disclose)."""

    class Meta:
        model = Consent
        fields = [
            *WHAT_FIELDS,
            *TO_WHOM_FIELDS,
            "purpose",
            "expires_on",
            "expiry_event",
            "revocation_explained",
            "signature_kind",
            "signature_name",
            "signed_form",
            "signed_at",
        ]
        widgets = {
            "expires_on": forms.DateInput(attrs={"type": "date"}),
            "signature_kind": forms.RadioSelect,
        }
        help_texts = {
            "expires_on": _("A date, or an event below, or both (whichever comes first)."),
            "signed_form": _("A scan or photo of the signed form: PDF, PNG or JPEG, up to 5 MB."),
            "signature_name": _("The participant types their full name."),
        }

    signed_at = forms.DateTimeField(
        label=_("Signed at"),
        initial=lambda: timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["revocation_explained"].required = True
        self.fields["revocation_explained"].label = _(
            "The participant was told they may revoke this consent at any time, in writing or "
            "orally, except for what was already disclosed"
        )
        self.fields["purpose"].label = _("Purpose of the disclosure")
        self.fields["signed_form"].widget.attrs["accept"] = ".pdf,.png,.jpg,.jpeg"
        self.helper = _helper(_("Record consent"), multipart=True)
        self.helper.layout = Layout(
            Fieldset(_("What information may be disclosed"), *WHAT_FIELDS),
            Fieldset(_("To whom"), *TO_WHOM_FIELDS),
            Fieldset(_("Why and until when"), "purpose", "expires_on", "expiry_event"),
            Fieldset(
                _("Right to revoke and signature"),
                "revocation_explained",
                "signature_kind",
                "signature_name",
                "signed_form",
                "signed_at",
            ),
        )

    def clean_expires_on(self):
        expires_on = self.cleaned_data.get("expires_on")
        if expires_on and expires_on < timezone.localdate():
            raise forms.ValidationError(_("The expiry date is in the past."))
        return expires_on

    def clean_signed_at(self):
        signed_at = self.cleaned_data.get("signed_at")
        if signed_at and signed_at > timezone.now() + timedelta(minutes=5):
            raise forms.ValidationError(_("The signature time is in the future."))
        return signed_at

    def clean_signed_form(self):
        upload = self.cleaned_data.get("signed_form")
        if not upload:
            return upload
        name = upload.name.lower()
        suffix = name[name.rfind(".") :] if "." in name else ""
        if suffix not in SIGNED_FORM_TYPES:
            raise forms.ValidationError(_("Upload a PDF, PNG or JPEG file."))
        if upload.size > SIGNED_FORM_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than 5 MB; scan it at a lower resolution.")
            )
        head = upload.read(16)
        upload.seek(0)
        if not head.startswith(SIGNED_FORM_TYPES[suffix]):
            raise forms.ValidationError(
                gettext("This file is not a real %(kind)s file; upload the scan itself.")
                % {"kind": suffix[1:].upper()}
            )
        return upload

    def clean(self):
        data = super().clean()
        if not any(data.get(name) for name in WHAT_FIELDS):
            self.add_error(None, _("Choose at least one kind of information the consent covers."))
        if not any(data.get(name) for name in TO_WHOM_FIELDS):
            self.add_error(None, _("Choose at least one recipient."))
        if not data.get("expires_on") and not (data.get("expiry_event") or "").strip():
            self.add_error("expires_on", _("Give an expiry date or an expiry event."))
        kind = data.get("signature_kind")
        if kind == Consent.SignatureKind.TYPED and not (data.get("signature_name") or "").strip():
            self.add_error(
                "signature_name", _("Type the participant's full name as the signature.")
            )
        if kind == Consent.SignatureKind.UPLOADED and not data.get("signed_form"):
            self.add_error("signed_form", _("Upload the signed form."))
        return data

    def _post_clean(self):
        # The model's check constraint would repeat the expiry rule with a vaguer message.
        if "expires_on" in self.errors:
            return
        super()._post_clean()


class ConsentRevokeForm(BoundedForm):
    revoked_at = forms.DateTimeField(
        label=_("Revoked at"),
        help_text=_("When the participant revoked (in writing or orally)."),
        initial=lambda: timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
    )

    def __init__(self, *args, consent: Consent, **kwargs):
        super().__init__(*args, **kwargs)
        self.consent = consent
        self.helper = _helper(_("Revoke consent"))
        self.helper.inputs[0].field_classes = "btn btn-danger"

    def clean_revoked_at(self):
        revoked_at = self.cleaned_data["revoked_at"]
        if revoked_at > timezone.now() + timedelta(minutes=5):
            raise forms.ValidationError(_("A revocation cannot be dated in the future."))
        # The form's times have minute precision; the signature time may carry seconds.
        if revoked_at < self.consent.signed_at.replace(second=0, microsecond=0):
            raise forms.ValidationError(_("This is before the consent was signed."))
        return revoked_at


class InvitationAcceptForm(SetPasswordForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Set password and sign in"))


class InvitationJoinForm(forms.Form):
    """Joining with an account that already signs in: nothing to type, one button."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Join the program"))


# --- CSV import: one form per row, made of the very fields of the browser's mentor and mentee
# forms (same labels, parsing and messages) and their field rules. Plain forms, not ModelForms:
# a ModelForm would query the database for every constraint on every row, and the import checks
# uniqueness and vocabularies for the whole file at once.


class _SharedFields(dict):
    """A row form is validated once and never rendered, and nothing in validation changes a
    field, so every row can share the field objects. Django deep-copies them for each form
    otherwise, which was most of the import's time on a 10,000-row file."""

    def __deepcopy__(self, memo):
        return self


class _RowForm(BoundedForm):
    def __init__(self, data, *, program: Program):
        super().__init__(data)
        self.program = program


def _row_form(form_name: str, source: type[forms.BaseForm], fields: list[str], **methods):
    model = source._meta.model
    attrs = {}
    for name in fields:
        if name in source.base_fields:
            attrs[name] = copy.deepcopy(source.base_fields[name])
        else:  # the browser form dropped it: the model field still says what is valid
            attrs[name] = model._meta.get_field(name).formfield()
    for name, field in attrs.items():
        field.widget.attrs = {}  # widgets are never rendered here
        if not type(field).__module__.startswith("django."):
            continue  # our own fields (availability) validate their whole value themselves
        # The browser's ModelForm runs the model field's validators (e.g. capacity <= 25) in
        # full_clean, which the row forms skip; run them on the field instead.
        try:
            model_validators = model._meta.get_field(name).validators
        except FieldDoesNotExist:
            continue
        have = {type(v) for v in field.validators}
        field.validators = [
            *field.validators,
            *(v for v in model_validators if type(v) not in have),
        ]
    methods = {name: method for name, method in methods.items() if method is not None}
    form = type(form_name, (_RowForm,), {**attrs, **methods})
    form.base_fields = _SharedFields(form.base_fields)
    return form


PersonRowForm = _row_form(
    "PersonRowForm", MenteeForm, PERSON_FIELDS, clean_email=getattr(MenteeForm, "clean_email", None)
)


def _mentor_gender_rule(form):
    data = form.cleaned_data
    if data.get("mentor_gender_required") and not data.get("preferred_mentor_gender"):
        form.add_error("mentor_gender_required", _("Choose the mentor gender that is required."))
    return data


MENTEE_ROW_FIELDS = [
    "enrolled_on",
    "study_arm",
    "recovery_stage",
    "philosophy_required",
    "gender",
    "preferred_mentor_gender",
    "mentor_gender_required",
    "availability",
    "referral_source",
]
MenteeRowForm = _row_form(
    "MenteeRowForm",
    MenteeForm,
    MENTEE_ROW_FIELDS,
    clean_enrolled_on=getattr(MenteeForm, "clean_enrolled_on", None),
    clean=_mentor_gender_rule,
)
MENTOR_ROW_FIELDS = [
    "gender",
    "recovery_since",
    "is_certified_peer_specialist",
    "certifications",
    "capacity",
    "accepting_new",
    "availability",
    "bio",
]
MentorRowForm = _row_form(
    "MentorRowForm",
    MentorForm,
    MENTOR_ROW_FIELDS,
    clean_recovery_since=getattr(MentorForm, "clean_recovery_since", None),
)


class ImportUploadForm(BoundedForm):
    program = forms.ModelChoiceField(
        queryset=Program.objects.none(), empty_label=None, label=_("Program")
    )
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("UTF-8 (Excel: “CSV UTF-8”), comma-separated, with the template's header row."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def __init__(self, *args, programs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["program"].queryset = programs
        self.helper = _helper(_("Check the file"), multipart=True)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                gettext("The file is larger than %(size)s MB; split it.")
                % {"size": MAX_UPLOAD_BYTES // (1024 * 1024)}
            )
        return upload


class ImportConfirmForm(BoundedForm):
    token = forms.CharField(widget=forms.HiddenInput, max_length=64)

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Program
from mentorship.forms import BoundedForm
from mentorship.models import AuditEntry


class AuditFilterForm(BoundedForm):
    program = forms.ModelChoiceField(
        queryset=Program.objects.none(), required=False, empty_label=_("All my programs")
    )
    person = forms.CharField(
        required=False, label=_("Person (e-mail or participant ID)"), max_length=120
    )
    object_type = forms.CharField(required=False, label=_("Record type"), max_length=60)
    action = forms.ChoiceField(
        required=False, choices=[("", _("Any action")), *AuditEntry.Action.choices]
    )
    date_from = forms.DateField(
        required=False, label=_("From"), widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        required=False, label=_("To"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, programs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["program"].queryset = programs

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("The end date is before the start date."))
        return data

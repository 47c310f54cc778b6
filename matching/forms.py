from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms

from matching.models import Match, MatchingSettings, NeverPair
from mentorship.forms import BoundedForm, BoundedModelForm


class MatchEndForm(BoundedForm):
    reason = forms.ChoiceField(label="Why does the match end?", choices=Match.EndReason.choices)
    do_not_rematch = forms.BooleanField(
        label="Do not rematch these two",
        required=False,
        help_text="They will never be suggested or matched together again.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", "End match", css_class="btn-danger"))


class NeverPairForm(BoundedForm):
    mentor = forms.ModelChoiceField(queryset=None, label="Mentor")
    reason = forms.ChoiceField(choices=NeverPair.Reason.choices)

    def __init__(self, *args, mentors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mentor"].queryset = mentors
        self.helper = FormHelper()
        self.helper.form_tag = False


class MatchingSettingsForm(BoundedModelForm):
    class Meta:
        model = MatchingSettings
        fields = [
            "weight_philosophy",
            "weight_focus",
            "weight_language",
            "weight_gender",
            "weight_substance",
            "weight_availability",
            "mentor_must_accept",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", "Save"))

    def clean(self):
        data = super().clean()
        weights = [data.get(name) for name in self.Meta.fields[:-1]]
        if all(w is not None for w in weights) and sum(weights) != 100:
            raise forms.ValidationError(
                f"The weights must add up to 100 (they add up to {sum(weights)})."
            )
        return data

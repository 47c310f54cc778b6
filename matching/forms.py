from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from matching.models import Match, MatchingSettings, NeverPair
from mentorship.forms import BoundedForm, BoundedModelForm


class MatchEndForm(BoundedForm):
    reason = forms.ChoiceField(label=_("Why does the match end?"), choices=Match.EndReason.choices)
    do_not_rematch = forms.BooleanField(
        label=_("Do not rematch these two"),
        required=False,
        help_text=_("They will never be suggested or matched together again."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("End match"), css_class="btn-danger"))


class NeverPairForm(BoundedForm):
    """One found mentor's "never pair" form: the mentor is chosen by the search, so the field
    is hidden (a select of every mentor of a large program was thousands of options)."""

    mentor = forms.ModelChoiceField(queryset=None, widget=forms.HiddenInput)
    reason = forms.ChoiceField(label=_("Reason"), choices=NeverPair.Reason.choices)

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
        self.helper.add_input(Submit("submit", _("Save")))

    def clean(self):
        data = super().clean()
        weights = [data.get(name) for name in self.Meta.fields[:-1]]
        if all(w is not None for w in weights) and sum(weights) != 100:
            raise forms.ValidationError(
                _("The weights must add up to 100 (they add up to %(total)s).")
                % {"total": sum(weights)}
            )
        return data


class CohortStartForm(BoundedForm):
    """Start a cohort run: every waiting mentee, or only the participant IDs given."""

    participant_ids = forms.CharField(
        label=_("Only these mentees (optional)"),
        required=False,
        max_length=20_000,
        help_text=_("Participant IDs separated by commas; empty for every waiting mentee."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Run cohort matching")))

    def clean_participant_ids(self) -> list[str]:
        value = self.cleaned_data["participant_ids"].replace("\x00", "")
        return sorted({x.strip().upper() for x in value.replace("\n", ",").split(",") if x.strip()})


SCORE_BANDS = {
    "80": (80, 100),
    "60": (60, 79),
    "40": (40, 59),
    "0": (0, 39),
}


class CohortFilterForm(BoundedForm):
    """Filters of a stored cohort plan (GET): they narrow the shown page, never the plan."""

    SHOW = [
        ("", _("Every mentee")),
        ("planned", _("Planned pairs")),
        ("pinned", _("Pinned pairs")),
        ("removed", _("Removed pairs")),
        ("unmatched", _("Not matched")),
    ]
    show = forms.ChoiceField(label=_("Show"), choices=SHOW, required=False)
    band = forms.ChoiceField(
        label=_("Score"),
        required=False,
        choices=[
            ("", _("Any score")),
            ("80", _("80 to 100")),
            ("60", _("60 to 79")),
            ("40", _("40 to 59")),
            ("0", _("Below 40")),
        ],
    )
    focus = forms.ModelChoiceField(label=_("Mentee's focus area"), queryset=None, required=False)
    mentor = forms.CharField(label=_("Mentor name"), required=False, max_length=100)

    def __init__(self, *args, focus_areas, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["focus"].queryset = focus_areas
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.form_class = "row row-cols-1 row-cols-md-5 g-2 align-items-end"
        self.helper.add_input(Submit("filter", _("Filter"), css_class="btn-outline-primary"))

    def clean_mentor(self) -> str:
        return self.cleaned_data["mentor"].replace("\x00", "").strip()


class MentorSearchForm(BoundedForm):
    """The never-pair picker: a search of the program's mentors by name (GET)."""

    q = forms.CharField(label=_("Find a mentor by name"), required=False, max_length=100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.add_input(Submit("search", _("Search"), css_class="btn-outline-primary"))

    def clean_q(self) -> str:
        return self.cleaned_data["q"].replace("\x00", "").strip()

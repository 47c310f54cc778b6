from datetime import date

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils import formats
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from mentorship.forms import BoundedForm, BoundedModelForm
from outcomes.instruments import INSTRUMENTS, Instrument
from outcomes.models import OutcomeSettings, Source

ANSWER_CHOICES = [("", _("Not filled")), ("no", _("No use")), ("yes", _("Used"))]


def submit_helper(label: str) -> FormHelper:
    # crispy adds enctype="multipart/form-data" by itself when the form has a file field.
    helper = FormHelper()
    helper.add_input(Submit("submit", label, css_class="btn-primary"))
    return helper


def day_field_name(day: date) -> str:
    return f"day_{day:%Y%m%d}"


class MonthForm(BoundedForm):
    """One answer per day of a month. Rendered as a calendar grid, not field by field."""

    def __init__(self, *args, days: list[date], current: dict[date, bool], today: date, **kw):
        super().__init__(*args, **kw)
        self.days = days
        for day in days:
            value = current.get(day)
            self.fields[day_field_name(day)] = forms.ChoiceField(
                # "Monday, November 30" / "lunes, 30 de noviembre", in the page's language.
                label=formats.date_format(day, pgettext("date format", "l, F j")),
                choices=ANSWER_CHOICES,
                required=False,
                widget=forms.RadioSelect,
                initial="" if value is None else ("yes" if value else "no"),
                disabled=day > today,
            )

    def answers(self) -> dict[date, bool]:
        """The days the person changed, as used yes/no. Clearing a recorded day is not a
        change: a record is corrected by a new report, never erased."""
        result = {}
        for day in self.days:
            name = day_field_name(day)
            value = self.cleaned_data.get(name)
            if name in self.changed_data and value:
                result[day] = value == "yes"
        return result


class UseReportForm(BoundedForm):
    """A detailed report of one day: substances, amount, heavy use and (for staff) the source."""

    used = forms.TypedChoiceField(
        label=_("Was there any substance use this day?"),
        choices=[("yes", _("Yes, used")), ("no", _("No use"))],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    substances = forms.MultipleChoiceField(
        label=_("Substances"), required=False, widget=forms.CheckboxSelectMultiple, choices=[]
    )
    amount = forms.DecimalField(
        label=_("Amount (standard units)"),
        required=False,
        min_value=0,
        max_digits=6,
        decimal_places=1,
    )
    heavy = forms.BooleanField(label=_("Heavy use"), required=False)
    source = forms.ChoiceField(label=_("Source"), choices=[])

    def __init__(self, *args, substances: list[str], sources: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["substances"].choices = [(s, s) for s in substances]
        labels = dict(Source.choices)
        self.fields["source"].choices = [(s, labels[s]) for s in sources]
        if len(sources) == 1:
            self.fields["source"].initial = sources[0]
            self.fields["source"].widget = forms.HiddenInput()
        self.helper = submit_helper(_("Add this report"))

    def clean(self):
        data = super().clean()
        if data.get("used") is False and (data.get("substances") or data.get("heavy")):
            self.add_error("used", _("Substances and heavy use apply only to a day with use."))
        if data.get("used") is False and data.get("amount"):
            self.add_error("amount", _("An amount applies only to a day with use."))
        return data


class ImportForm(BoundedForm):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "Columns: participant_id, date (YYYY-MM-DD), used (yes/no), "
            "substances (separated by ;), source. Up to 20 MB."
        ),
    )
    MAX_BYTES = 20 * 1024 * 1024

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper(_("Check the file"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 20 MB; split it."))
        return upload


class AssessmentImportForm(ImportForm):
    """The same upload as the use-day import, with the assessment file's columns."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "One row per questionnaire taken: participant_id, instrument (barc10, bam), "
            "timepoint (intake or the week), date (YYYY-MM-DD), then item_1, item_2, ... as in "
            "the template. Up to 20 MB."
        )


class AssessmentForm(BoundedForm):
    completed_on = forms.DateField(
        label=_("Completed on"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, instrument: Instrument, **kwargs):
        super().__init__(*args, **kwargs)
        self.instrument = instrument
        for number, item in enumerate(instrument.items, start=1):
            self.fields[f"item_{number}"] = forms.TypedChoiceField(
                label=f"{item.key}. {item.text}",
                choices=[(str(v), f"{v} — {label}") for v, label in instrument.scale_of(item)],
                coerce=int,
                widget=forms.RadioSelect,
            )
        self.helper = submit_helper(_("Save answers"))

    def answers(self) -> list[int]:
        return [self.cleaned_data[f"item_{n}"] for n in range(1, len(self.instrument.items) + 1)]


class ReportFilterForm(BoundedForm):
    enrolled_from = forms.DateField(
        required=False, label=_("Enrolled from"), widget=forms.DateInput(attrs={"type": "date"})
    )
    enrolled_to = forms.DateField(
        required=False, label=_("Enrolled to"), widget=forms.DateInput(attrs={"type": "date"})
    )
    first_week = forms.IntegerField(
        required=False, min_value=1, max_value=520, label=_("Custom window: from week")
    )
    last_week = forms.IntegerField(required=False, min_value=1, max_value=520, label=_("to week"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.add_input(Submit("submit", _("Update report"), css_class="btn-primary"))

    def clean(self):
        data = super().clean()
        start, end = data.get("enrolled_from"), data.get("enrolled_to")
        if start and end and start > end:
            self.add_error("enrolled_to", _("The end date is before the start date."))
        first, last = data.get("first_week"), data.get("last_week")
        if (first is None) != (last is None):
            self.add_error("last_week", _("Give both weeks of the custom window, or neither."))
        elif first is not None and first > last:
            self.add_error("last_week", _("The last week is before the first week."))
        return data


class IdentifiedExportForm(BoundedForm):
    kind = forms.ChoiceField(
        label=_("Records"),
        choices=[
            ("participants", _("Per-participant outcomes")),
            ("days", _("Per-day use log")),
            ("checkins", _("Check-in engagement")),
            ("interviews", _("Follow-up interviews")),
        ],
    )
    fmt = forms.ChoiceField(
        label=_("Format"), choices=[("csv", "CSV"), ("xlsx", _("Excel (XLSX)"))]
    )
    recipient = forms.CharField(
        label=_("Recipient"),
        max_length=160,
        help_text=_("The person or organization receiving the file."),
    )
    purpose = forms.CharField(
        label=_("Purpose"), max_length=240, help_text=_("Why they need identified records.")
    )
    only_consented = forms.BooleanField(
        required=False,
        label=_("Leave out participants without a covering consent"),
        help_text=_("Otherwise the export is refused while anyone lacks one."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper(_("Record the disclosure and download"))


class ImportConfirmForm(BoundedForm):
    """The confirm step of an import: the token of the file kept since its preview."""

    token = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper(_("Import these rows"))


class OutcomeSettingsForm(BoundedModelForm):
    instruments = forms.MultipleChoiceField(
        label=_("Questionnaires at each time point"),
        choices=[(code, i.name) for code, i in INSTRUMENTS.items()],
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = OutcomeSettings
        fields = [
            "conflict_rule",
            "instruments",
            "assessment_weeks",
            "abstinence_timepoints",
            "abstinence_windows",
            "grace_days",
            "lapse_rule",
            "baseline_days",
            "min_cell_size",
        ]
        labels = {
            "conflict_rule": _("When reports about a day disagree"),
            "assessment_weeks": _("Follow-up assessment weeks"),
            "abstinence_timepoints": _("Abstinence timepoints (day numbers)"),
            "abstinence_windows": _("Abstinence windows (weeks)"),
            "grace_days": _("Grace period of prolonged abstinence (days)"),
            "lapse_rule": _("Lapse rule of prolonged abstinence"),
            "min_cell_size": _("Smallest cell shown in aggregate exports (people)"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["instruments"] = self.instance.instrument_codes
        self.helper = submit_helper(_("Save settings"))

    def clean_assessment_weeks(self):
        text = self.cleaned_data["assessment_weeks"]
        parts = [p.strip() for p in text.split(",") if p.strip()]
        if not parts or not all(p.isdigit() and 1 <= int(p) <= 520 for p in parts):
            raise forms.ValidationError(
                _("List weeks from 1 to 520 separated by commas, e.g. 4,12,24.")
            )
        return ",".join(str(w) for w in sorted({int(p) for p in parts}))

    MAX_DAY = 3640  # 520 weeks, as far as a custom report window reaches
    MAX_ENTRIES = 6

    def clean_abstinence_timepoints(self):
        parts = [p.strip() for p in self.cleaned_data["abstinence_timepoints"].split(",")]
        parts = [p for p in parts if p]
        if (
            not parts
            or len(parts) > self.MAX_ENTRIES
            or not all(p.isascii() and p.isdigit() and 1 <= int(p) <= self.MAX_DAY for p in parts)
        ):
            raise forms.ValidationError(
                _("List up to 6 day numbers from 1 to 3640 separated by commas, e.g. 84,168.")
            )
        return ",".join(str(d) for d in sorted({int(p) for p in parts}))

    def clean_abstinence_windows(self):
        parts = [p.strip() for p in self.cleaned_data["abstinence_windows"].split(",")]
        parts = [p for p in parts if p]
        windows = []
        for part in parts:
            first, dash, last = (x.strip() for x in part.partition("-"))
            if not (
                dash
                and first.isascii()
                and first.isdigit()
                and last.isascii()
                and last.isdigit()
                and 1 <= int(first) <= int(last) <= 520
            ):
                windows = None
                break
            windows.append((int(first), int(last)))
        if not windows or len(windows) > self.MAX_ENTRIES:
            raise forms.ValidationError(
                _("List up to 6 ranges of weeks from 1 to 520, e.g. 1-12,13-24.")
            )
        return ",".join(f"{a}-{b}" for a, b in sorted(set(windows)))

    def clean(self):
        data = super().clean()
        grace, windows = data.get("grace_days"), data.get("abstinence_windows")
        if grace is not None and windows:
            shortest = min(
                7 * (int(b) - int(a) + 1) for a, b in (w.split("-") for w in windows.split(","))
            )
            if grace >= shortest:
                self.add_error(
                    "grace_days",
                    _("The grace period must be shorter than every window (%(days)s days).")
                    % {"days": shortest},
                )
        return data

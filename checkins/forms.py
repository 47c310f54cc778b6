"""Forms. The log form is built for a phone: big buttons, sensible defaults, one screen."""

from datetime import date, timedelta

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Field, Layout, Submit
from django import forms
from django.utils import dateformat, timezone
from django.utils.translation import gettext_lazy as _

from accounts.consents import mentee_name
from accounts.models import WEEKDAYS, FocusArea, MenteeProfile
from checkins.models import (
    Attendance,
    CheckIn,
    CheckinSettings,
    Mode,
    ReminderPreference,
    Schedule,
)
from checkins.services import LogData
from mentorship.forms import BoundedForm, BoundedModelForm

BUTTONS = "checkins/_choice_buttons.html"
# Consent-gated field groups (accounts.consents.MENTOR_DISCLOSURES) -> the log form's fields.
GATED_FIELDS = {
    "checkin.mood": ("mood",),
    "checkin.craving": ("craving",),
    "checkin.use": ("use_reported", "use_days"),
    "checkin.topics": ("topics",),
    "checkin.next_steps": ("next_steps",),
}
LOCAL_FORMAT = "%Y-%m-%dT%H:%M"


def _local_input(**attrs):
    return forms.DateTimeInput(attrs={"type": "datetime-local", **attrs}, format=LOCAL_FORMAT)


def _buttons(choices, **kwargs):
    return forms.ChoiceField(
        choices=choices, widget=forms.RadioSelect(attrs={"class": "btn-check"}), **kwargs
    )


class _LocalTimeForm(BoundedForm):
    """Reads and shows date-times in the program's time zone (a wall-clock input has none).
    A time that does not exist on a daylight-saving change day is refused at the field."""

    def __init__(self, *args, tz, **kwargs):
        self.tz = tz
        super().__init__(*args, **kwargs)

    def full_clean(self):
        with timezone.override(self.tz):
            super().full_clean()

    def local(self, moment):
        return moment.astimezone(self.tz).strftime(LOCAL_FORMAT) if moment else None


class LogForm(_LocalTimeForm):
    status = _buttons(
        [c for c in CheckIn.Status.choices if c[0] != CheckIn.Status.SCHEDULED],
        label=_("What happened?"),
    )
    mode = _buttons(Mode.choices, label=_("How did you meet?"))
    actual_at = forms.DateTimeField(
        label=_("Started at"), required=False, widget=_local_input(), input_formats=[LOCAL_FORMAT]
    )
    actual_minutes = forms.IntegerField(
        label=_("Minutes"), min_value=5, max_value=480, required=False
    )
    mood = forms.TypedChoiceField(
        label=_("Mentee's mood (1 low – 5 great)"),
        choices=[(str(i), str(i)) for i in range(1, 6)],
        coerce=int,
        required=False,
        empty_value=None,
        widget=forms.RadioSelect(attrs={"class": "btn-check"}),
    )
    craving = forms.TypedChoiceField(
        label=_("Craving (0 none – 10 strongest)"),
        choices=[("", _("Not discussed"))] + [(str(i), str(i)) for i in range(11)],
        coerce=int,
        required=False,
        empty_value=None,
    )
    use_reported = _buttons(
        [("", _("Not discussed")), ("no", _("No use")), ("yes", _("Used"))],
        label=_("Substance use since the last check-in"),
        required=False,
    )
    use_days = forms.MultipleChoiceField(
        label=_("On which days?"),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "btn-check"}),
    )
    topics = forms.ModelMultipleChoiceField(
        queryset=FocusArea.objects.none(),
        required=False,
        label=_("Topics"),
        widget=forms.CheckboxSelectMultiple(attrs={"class": "btn-check"}),
    )
    goals_reviewed = forms.BooleanField(label=_("We reviewed goals"), required=False)
    next_steps = forms.CharField(
        label=_("Next steps"), required=False, max_length=1000, widget=forms.Textarea({"rows": 2})
    )
    notes = forms.CharField(
        label=_("Confidential notes"),
        required=False,
        max_length=4000,
        widget=forms.Textarea({"rows": 3}),
        help_text=_(
            "Seen only by you and the program's coordinators (and others only with the "
            "mentee's consent)."
        ),
    )
    risk = _buttons(CheckIn.Risk.choices, label=_("Any risk?"), required=False)
    reschedule_to = forms.DateTimeField(
        label=_("New date and time"),
        required=False,
        widget=_local_input(),
        input_formats=[LOCAL_FORMAT],
    )

    def __init__(
        self,
        *args,
        checkin: CheckIn,
        last_contact=None,
        note=None,
        note_hidden=False,
        shown: frozenset[str] | None = None,
        viewer=None,
        **kwargs,
    ):
        super().__init__(*args, tz=checkin.program.tzinfo, **kwargs)
        self.checkin = checkin
        if note is not None:
            self.fields["notes"].initial = note.text
        # Notes this editor may not read are neither shown nor overwritten.
        self.note_hidden = note_hidden
        if note_hidden:
            del self.fields["notes"]
        group = checkin.kind == CheckIn.Kind.GROUP
        self.fields["topics"].queryset = FocusArea.objects.filter(
            program_id=checkin.program_id, is_active=True
        )
        today = timezone.now().astimezone(self.tz).date()
        start = (last_contact or checkin.scheduled_at - timedelta(days=7)).astimezone(self.tz)
        span = max(min((today - start.date()).days, 13), 0)
        days = [today - timedelta(days=i) for i in range(span + 1)]
        self.fields["use_days"].choices = [
            (d.isoformat(), dateformat.format(d, "D j")) for d in days
        ]
        initial = {
            "status": checkin.status if checkin.is_logged else CheckIn.Status.COMPLETED,
            "mode": checkin.mode,
            "actual_at": self.local(checkin.actual_at or checkin.scheduled_at),
            "actual_minutes": checkin.actual_minutes or checkin.duration_minutes,
            "mood": checkin.mood,
            "craving": checkin.craving,
            "use_reported": checkin.use_reported,
            "use_days": checkin.use_days,
            "goals_reviewed": checkin.goals_reviewed,
            "next_steps": checkin.next_steps,
            "risk": checkin.risk,
        }
        if checkin.pk and checkin.is_logged:
            initial["topics"] = list(checkin.topics.values_list("pk", flat=True))
        for key, value in initial.items():
            self.fields[key].initial = value
        self.attendances = list(checkin.attendances.select_related("mentee__user")) if group else []
        for attendance in self.attendances:
            self.fields[f"attendance_{attendance.pk}"] = _buttons(
                [c for c in Attendance.Status.choices if c[0] != Attendance.Status.EXPECTED],
                # A facilitating mentor sees a last name only under a consent naming them.
                label=mentee_name(viewer, attendance.mentee),
                initial=(
                    Attendance.Status.ATTENDED
                    if attendance.status == Attendance.Status.EXPECTED
                    else attendance.status
                ),
            )
        if group:
            for name in ("mood", "craving", "use_reported", "use_days"):
                del self.fields[name]
        elif checkin.is_logged and shown is not None:
            # What the consent does not cover is neither shown nor prefilled once logged; saving
            # keeps the recorded answer (log_data). A first log asks everything: nothing is
            # stored yet, so an empty question discloses nothing.
            for group_name, names in GATED_FIELDS.items():
                if group_name not in shown:
                    for name in names:
                        del self.fields[name]
        self.helper = FormHelper()
        self.helper.form_id = "checkin-log-form"
        self.helper.attrs = {"novalidate": ""}
        buttons = lambda name: Field(name, template=BUTTONS)  # noqa: E731
        individual = [
            *([buttons("mood")] if "mood" in self.fields else []),
            *([Field("craving", css_class="form-select-lg")] if "craving" in self.fields else []),
            *(
                [buttons("use_reported"), Div(buttons("use_days"), css_id="use-days-group")]
                if "use_reported" in self.fields
                else []
            ),
        ]
        self.helper.layout = Layout(
            buttons("status"),
            Div(Field("reschedule_to", css_class="form-control-lg"), css_id="reschedule-group"),
            Div(
                *(buttons(f"attendance_{a.pk}") for a in self.attendances),
                *([] if group else individual),
                *([buttons("topics")] if "topics" in self.fields else []),
                Field("goals_reviewed"),
                buttons("mode"),
                Div(
                    Div(Field("actual_at"), css_class="col-7"),
                    Div(Field("actual_minutes", inputmode="numeric"), css_class="col-5"),
                    css_class="row g-2",
                ),
                css_id="happened-group",
            ),
            *([Field("next_steps")] if "next_steps" in self.fields else []),
            *([] if note_hidden else [Field("notes")]),
            buttons("risk"),
            HTML(
                '<div id="crisis-resources" class="alert alert-danger d-none" role="note">'
                "{{ checkin.program.crisis_resources }}</div>"
            ),
            Submit("save", _("Save check-in"), css_class="btn-lg w-100"),
        )

    def clean_actual_at(self):
        value = self.cleaned_data.get("actual_at")
        if value and value > timezone.now() + timedelta(minutes=30):
            raise forms.ValidationError(_("That time is in the future."))
        return value

    def clean_use_days(self):
        return [date.fromisoformat(day) for day in self.cleaned_data.get("use_days", [])]

    def clean(self):
        data = super().clean()
        status = data.get("status")
        if status == CheckIn.Status.RESCHEDULED:
            new = data.get("reschedule_to")
            if not new and "reschedule_to" not in self.errors:
                self.add_error("reschedule_to", _("Give the new date and time."))
            elif new and new <= timezone.now():
                self.add_error("reschedule_to", _("The new time must be in the future."))
        if status == CheckIn.Status.COMPLETED and "use_days" in self.fields:
            if data.get("use_days") and data.get("use_reported") != "yes":
                self.add_error(
                    "use_days", _("Days of use go with “Used”; choose it or clear them.")
                )
            elif data.get("use_reported") == "yes" and not data.get("use_days"):
                self.add_error("use_days", _("Tick at least one day the mentee used."))
        return data

    def log_data(self) -> LogData:
        data = self.cleaned_data
        return LogData(
            status=data["status"],
            actual_at=data.get("actual_at"),
            actual_minutes=data.get("actual_minutes"),
            mode=data.get("mode") or "",
            # A field the consent hid keeps what was recorded.
            mood=data.get("mood") if "mood" in self.fields else self.checkin.mood,
            craving=data.get("craving") if "craving" in self.fields else self.checkin.craving,
            use_reported=(
                data.get("use_reported") or ""
                if "use_reported" in self.fields
                else self.checkin.use_reported
            ),
            use_days=(
                data.get("use_days") or []
                if "use_days" in self.fields
                else [date.fromisoformat(day) for day in self.checkin.use_days]
            ),
            topics=list(
                data.get("topics") or [] if "topics" in self.fields else self.checkin.topics.all()
            ),
            goals_reviewed=bool(data.get("goals_reviewed")),
            notes=None if self.note_hidden else data.get("notes") or "",
            next_steps=(
                data.get("next_steps") or ""
                if "next_steps" in self.fields
                else self.checkin.next_steps
            ),
            risk=data.get("risk") or "",
            reschedule_to=data.get("reschedule_to"),
            attendance={a.mentee_id: data.get(f"attendance_{a.pk}") for a in self.attendances},
        )


class ScheduleForm(BoundedModelForm):
    weekdays = forms.TypedMultipleChoiceField(
        choices=[(str(i), day) for i, day in enumerate(WEEKDAYS)],
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "btn-check"}),
        label=_("Weekdays (for “on chosen weekdays”)"),
    )
    duration_minutes = forms.IntegerField(
        label=_("Minutes"), min_value=5, max_value=480, initial=60
    )

    class Meta:
        model = Schedule
        fields = [
            "cadence",
            "weekdays",
            "starts_on",
            "ends_on",
            "time_of_day",
            "timezone",
            "mode",
            "duration_minutes",
            "is_active",
        ]
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}),
            "ends_on": forms.DateInput(attrs={"type": "date"}),
            "time_of_day": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "cadence": forms.RadioSelect(attrs={"class": "btn-check"}),
            "mode": forms.RadioSelect(attrs={"class": "btn-check"}),
        }
        labels = {
            "cadence": _("Cadence"),
            "starts_on": _("Starts on"),
            "ends_on": _("Ends on"),
            "time_of_day": _("Time"),
            "timezone": _("Time zone"),
            "mode": _("Mode"),
            "duration_minutes": _("Minutes"),
            "is_active": _("Is active"),
        }
        help_texts = {"timezone": _("Leave blank for the program's time zone.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Field("cadence", template=BUTTONS),
            Field("weekdays", template=BUTTONS),
            Div(
                Div(Field("starts_on"), css_class="col-6"),
                Div(Field("ends_on"), css_class="col-6"),
                css_class="row g-2",
            ),
            Div(
                Div(Field("time_of_day"), css_class="col-6"),
                Div(Field("duration_minutes"), css_class="col-6"),
                css_class="row g-2",
            ),
            Field("mode", template=BUTTONS),
            Field("timezone"),
            Field("is_active"),
            Submit("save", _("Save schedule"), css_class="btn-lg w-100"),
        )

    def clean_timezone(self):
        from accounts.models import validate_timezone

        value = self.cleaned_data.get("timezone", "").strip()
        if value:
            validate_timezone(value)
        return value

    def clean(self):
        data = super().clean()
        if data.get("cadence") == Schedule.Cadence.WEEKDAYS and not data.get("weekdays"):
            self.add_error("weekdays", _("Choose at least one weekday."))
        return data

    def schedule_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class CheckInCreateForm(_LocalTimeForm):
    scheduled_at = forms.DateTimeField(
        label=_("Date and time"), widget=_local_input(), input_formats=[LOCAL_FORMAT]
    )
    duration_minutes = forms.IntegerField(
        label=_("Minutes"), min_value=5, max_value=480, initial=60
    )
    mode = _buttons(Mode.choices, label=_("Mode"), initial=Mode.PHONE)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Field("scheduled_at"),
            Field("duration_minutes"),
            Field("mode", template=BUTTONS),
            Submit("save", _("Plan check-in"), css_class="btn-lg w-100"),
        )

    def clean_scheduled_at(self):
        value = self.cleaned_data["scheduled_at"]
        if value <= timezone.now():
            raise forms.ValidationError(_("Choose a time in the future."))
        return value


class ContactForm(_LocalTimeForm):
    """An unplanned contact that already happened: when (today, now by default), how, how long;
    a note and a concern only if there is one. Built for a thumb: big buttons, one screen."""

    happened_at = forms.DateTimeField(
        label=_("When"), widget=_local_input(), input_formats=[LOCAL_FORMAT]
    )
    mode = _buttons(Mode.choices, label=_("How"), initial=Mode.PHONE)
    minutes = forms.IntegerField(label=_("Minutes"), min_value=1, max_value=480, initial=15)
    notes = forms.CharField(
        label=_("Note (optional)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea({"rows": 2}),
    )
    risk = _buttons(CheckIn.Risk.choices, label=_("Any concern?"), required=False, initial="")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["happened_at"] = self.local(timezone.now())
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Field("happened_at"),
            Field("mode", template=BUTTONS),
            Field("minutes"),
            Field("notes"),
            Field("risk", template=BUTTONS),
            Submit("save", _("Save contact"), css_class="btn-lg w-100"),
        )

    def clean_happened_at(self):
        value = self.cleaned_data["happened_at"]
        if value > timezone.now():
            raise forms.ValidationError(
                _("A contact to log has already happened: pick a past time.")
            )
        return value


class GroupSessionForm(CheckInCreateForm):
    title = forms.CharField(label=_("Title"), max_length=80, initial=_("Group mentoring"))
    mentees = forms.ModelMultipleChoiceField(
        label=_("Mentees"),
        queryset=MenteeProfile.objects.none(),
        widget=forms.CheckboxSelectMultiple(attrs={"class": "btn-check"}),
    )

    def __init__(self, *args, mentees, viewer=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mentees"].queryset = mentees
        self.fields["mentees"].label_from_instance = lambda mentee: mentee_name(viewer, mentee)
        self.fields["mode"].initial = Mode.IN_PERSON
        self.helper.layout.insert(0, Field("title"))
        self.helper.layout.insert(-1, Field("mentees", template=BUTTONS))


class PreferenceForm(BoundedForm):
    before = _buttons(ReminderPreference.Before.choices, label=_("E-mail me before a check-in"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False  # the page wraps it, next to the calendar-link forms
        self.helper.layout = Layout(
            Field("before", template=BUTTONS), Submit("save", _("Save"), css_class="btn-lg")
        )


class CheckinSettingsForm(BoundedModelForm):
    class Meta:
        model = CheckinSettings
        fields = ["overdue_log_hours", "no_contact_days", "quiet_start", "quiet_end", "weeks_ahead"]
        widgets = {
            "quiet_start": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "quiet_end": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }
        labels = {
            "overdue_log_hours": _("Hours until an unlogged check-in is overdue"),
            "no_contact_days": _("Days without contact before an alert"),
            "quiet_start": _("Quiet hours start (no reminders)"),
            "quiet_end": _("Quiet hours end"),
            "weeks_ahead": _("Weeks of check-ins planned ahead"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limits = {
            "overdue_log_hours": (1, 720),
            "no_contact_days": (1, 365),
            "weeks_ahead": (1, 26),
        }
        for name, (low, high) in limits.items():
            self.fields[name] = forms.IntegerField(
                label=self.fields[name].label,
                min_value=low,
                max_value=high,
                help_text=self.fields[name].help_text,
            )
        self.helper = FormHelper()
        self.helper.add_input(Submit("save", _("Save settings"), css_class="btn-lg"))

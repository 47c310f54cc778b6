"""The guided SMART form and the small forms around a goal. Every refusal names the field and
says what to add, with an example."""

import re
from datetime import date, timedelta
from decimal import Decimal

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Fieldset, Layout, Submit
from django import forms
from django.utils import formats
from django.utils.html import format_html
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _

from accounts.models import FocusArea, Program
from goals.models import Direction, Goal, GoalTemplate, plain_number
from goals.services import GOAL_FIELDS, TRANSITIONS
from mentorship.forms import BoundedForm, BoundedModelForm

# A goal is time-bound: further out than this, it is a wish, not a plan.
MAX_GOAL_DAYS = 2 * 366
PLACEHOLDER = re.compile(r"\b(N|DATE)\b")
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

MESSAGES = {
    "title": "Say in a few words what you want to do, e.g. “Find a part-time job”.",
    "specific": "Describe the goal in your own words: what exactly will you do?",
    "metric": "Add what you will count or check, e.g. “job applications sent”.",
    "direction": "Choose whether more is better, less is better, or it is simply done or not.",
    "target": "Add a number to measure, e.g. 3 job applications a week.",
    "unit": "Add the unit you count in, e.g. “applications a week”.",
    "steps": "List the steps you will take, e.g. “update my CV, visit the job center on Mondays”.",
    "support": "Say who or what will help you, e.g. “my mentor, the job center”.",
    "focus_area": "Choose the focus area this goal belongs to.",
    "why_it_matters": "Say why this goal matters to your recovery.",
    "start_date": "Choose the day you start, e.g. today.",
    "due_date": "Choose the day this goal is due, e.g. in 8 weeks.",
    "baseline": "Add where you are starting from; use 0 if you are starting from nothing.",
}


def _number_field(label: str, help_text: str, required: bool) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        help_text=help_text,
        required=required,
        min_value=Decimal(0),
        max_digits=9,
        decimal_places=2,
        error_messages={
            "min_value": "Use zero or a positive number.",
            "invalid": "Enter a number, e.g. 3 or 2.5.",
            "max_digits": "Use a number below one million.",
            "max_whole_digits": "Use a number below ten million.",
            "max_decimal_places": "Use at most two decimal places.",
        },
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )


class GoalForm(BoundedModelForm):
    """Three questions first: what, how much, by when. The five SMART parts follow behind
    "More details", each optional: what is left blank the goals service fills in
    (`services.goal_defaults`), so the saved goal still has every part."""

    # Asked first, on every screen; the rest are folded away on a phone's first sight.
    SHORT = ("title", "target", "due_date")

    baseline = _number_field(
        _("Where you are starting from"),
        _("Your number today. Left blank, it is 0."),
        required=False,
    )
    target = _number_field(
        _("How much: your target"),
        _("The number you are aiming for, e.g. 10 (not needed for done/not done)."),
        required=False,
    )

    class Meta:
        model = Goal
        fields = list(GOAL_FIELDS)
        labels = {
            "title": _("What you want to do"),
            "specific": _("What exactly will you do?"),
            "kind": _("Kind of goal"),
            "metric": _("What will you count or check?"),
            "direction": _("Which way counts as progress?"),
            "unit": _("Unit"),
            "steps": _("The steps you will take"),
            "support": _("Who or what will help you"),
            "focus_area": _("Focus area"),
            "why_it_matters": _("Why it matters to your recovery"),
            "start_date": _("Start date"),
            "due_date": _("By when"),
            "review_cadence": _("Review it with your mentor"),
        }
        help_texts = {
            "title": _("In a few words, e.g. “Apply to 10 jobs”."),
            "specific": _("In your own words. Left blank, your goal's words are used."),
            "metric": _("e.g. meetings attended, job applications sent, days medication taken."),
            "unit": _("e.g. meetings a week, applications, days."),
            "steps": _("Small, concrete steps. Your mentor agrees to them with you."),
            "start_date": _("Left blank, today."),
        }
        widgets = {
            "specific": forms.Textarea(attrs={"rows": 3}),
            "steps": forms.Textarea(attrs={"rows": 3}),
            "support": forms.Textarea(attrs={"rows": 2}),
            "why_it_matters": forms.Textarea(attrs={"rows": 2}),
            "start_date": DATE_INPUT,
            "due_date": DATE_INPUT,
            "direction": forms.RadioSelect,
        }

    def __init__(self, *args, program: Program, submit_label: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.program = program
        self.submit_label = submit_label or _("Save goal")
        self.fields["focus_area"].queryset = FocusArea.objects.filter(
            program=program, is_active=True
        )
        self.fields["focus_area"].empty_label = _("Chosen for you")
        for name, field in self.fields.items():
            field.required = name in ("title", "due_date")
        for name, message in MESSAGES.items():
            self.fields[name].error_messages["required"] = message
        self.fields["direction"].choices = Direction.choices  # no blank radio
        self.fields["start_date"].error_messages["invalid"] = "Enter a date, e.g. 2026-03-01."
        self.fields["due_date"].error_messages["invalid"] = "Enter a date, e.g. 2026-05-01."
        self.fields["focus_area"].error_messages["invalid_choice"] = MESSAGES["focus_area"]

    @property
    def helper(self) -> FormHelper:
        # Built when rendered, after validation: "More details" opens by itself when an error
        # is in it, or when a goal is edited (every part is already written).
        more = [name for name in self.fields if name not in self.SHORT]
        opened = bool(self.instance.pk) or any(name in self.errors for name in more)
        helper = FormHelper()
        helper.form_id = "goal-form"
        helper.attrs = {"novalidate": ""}  # our messages at the field, not the browser's
        helper.layout = Layout(
            Fieldset(_("Your goal"), *self.SHORT),
            HTML(
                format_html(
                    '<details class="mb-3" id="goal-more"{}><summary class="mb-2">{}</summary>'
                    '<p class="small text-body-secondary">{}</p>',
                    " open" if opened else "",
                    _("More details"),
                    _("Optional: what you leave blank is filled in for you."),
                )
            ),
            Fieldset(_("1. Specific — what you will do"), "specific", "kind"),
            Fieldset(
                _("2. Measurable — how you will know"), "metric", "direction", "baseline", "unit"
            ),
            Fieldset(_("3. Achievable — your plan"), "steps", "support"),
            Fieldset(_("4. Relevant — why it matters"), "focus_area", "why_it_matters"),
            Fieldset(_("5. Time-bound — when"), "start_date", "review_cadence"),
            HTML("</details>"),
        )
        helper.add_input(Submit("submit", self.submit_label, css_class="btn-primary"))
        return helper

    def clean_title(self):
        title = self.cleaned_data["title"].strip()
        if PLACEHOLDER.search(title):
            raise forms.ValidationError(
                "Replace N and DATE with your own number and date, e.g. “Attend 3 meetings a week”."
            )
        if not title:
            raise forms.ValidationError(MESSAGES["title"])
        return title

    def clean(self):
        data = super().clean()
        # Progress counts up unless the mentee said otherwise under "More details".
        direction = data.get("direction") or Direction.AT_LEAST
        data["direction"] = direction
        baseline, target = data.get("baseline"), data.get("target")
        measured = direction in (Direction.AT_LEAST, Direction.AT_MOST)
        if measured and target is None and "target" not in self.errors:
            self.add_error("target", MESSAGES["target"])
        if direction == Direction.AT_MOST and baseline is None and "baseline" not in self.errors:
            self.add_error("baseline", MESSAGES["baseline"])
        if direction == Direction.AT_LEAST and target is not None and target <= (baseline or 0):
            self.add_error(
                "target",
                f"For an “at least” goal the target must be above where you start ({baseline or 0}).",
            )
        if direction == Direction.AT_MOST and None not in (baseline, target) and target >= baseline:
            self.add_error(
                "target",
                "For an “at most” goal the target must be below where you start, "
                "e.g. from 5 drinking days a week down to 2.",
            )
        start, due = data.get("start_date"), data.get("due_date")
        if start and abs((start - self.program.today()).days) > MAX_GOAL_DAYS:
            self.add_error("start_date", "Pick a start date within two years of today.")
        start = start or self.program.today()
        if due:
            if due <= start:
                self.add_error("due_date", "The due date must be after the start date.")
            elif (due - start).days > MAX_GOAL_DAYS:
                self.add_error(
                    "due_date", "Pick a due date within two years of the start, e.g. in 12 weeks."
                )
        return data

    def goal_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}

    # The service saves: keep ModelForm's validation, never its save().
    def save(self, commit=True):  # pragma: no cover - guard
        raise NotImplementedError("Use goals.services.goal_create / goal_update.")

    def _post_clean(self):
        # ModelForm would build and validate the model instance here; the instance needs its
        # mentee first, which the service sets, so the service runs full_clean() instead.
        pass


def initial_from_template(template: GoalTemplate | None, today: date) -> dict:
    due = today + timedelta(weeks=12)
    initial = {
        "start_date": today,
        "due_date": due,
        "baseline": 0,
        "direction": Direction.AT_LEAST,
    }
    if template is not None:
        target = template.suggested_target
        initial.update(
            title=template.sentence(due=due),
            kind=template.kind,
            metric=template.metric,
            unit=template.unit,
            direction=template.direction,
            target=Decimal(plain_number(target)) if target is not None else None,
            steps=template.suggested_steps,
            # The rest (the specific wording, support, why) the goals service fills in from
            # these on Save, as it does for a goal written without a template.
            focus_area=template.focus_area_id,
            review_cadence=template.review_cadence,
        )
    return initial


class ProgressForm(BoundedForm):
    recorded_on = forms.DateField(
        label="Date",
        widget=DATE_INPUT,
        error_messages={
            "required": "Choose the date this progress is for.",
            "invalid": "Enter a date, e.g. 2026-03-01.",
        },
    )
    value = _number_field("Where you stand now", "", required=False)
    done = forms.BooleanField(label="Done", required=False)
    note = forms.CharField(
        label="Note (optional)",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, goal: Goal, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.goal, self.today = goal, today
        self.initial.setdefault("recorded_on", today)
        if goal.direction == Direction.DONE:
            del self.fields["value"]
            self.fields["done"].label = "I have done it"
        else:
            del self.fields["done"]
            unit = f" ({goal.unit})" if goal.unit else ""
            self.fields["value"].label = f"{goal.metric[:1].upper()}{goal.metric[1:]}{unit}"
            self.fields[
                "value"
            ].help_text = (
                "Where you stand on that date, e.g. the total so far or this week's number."
            )
            self.fields["value"].required = True
            self.fields["value"].error_messages["required"] = (
                "Add a number for where you stand, e.g. 2."
            )
        self.helper = FormHelper()
        self.helper.form_id = "progress-form"
        self.helper.attrs = {"novalidate": ""}
        self.helper.add_input(Submit("submit", "Record progress", css_class="btn-primary"))

    def clean_recorded_on(self):
        day = self.cleaned_data["recorded_on"]
        if day > self.today:
            raise forms.ValidationError(_("Progress cannot be recorded for a future date."))
        if day < self.goal.start_date:
            raise forms.ValidationError(
                _("The goal starts on %(day)s; pick that day or later.")
                % {"day": formats.date_format(self.goal.start_date, "DATE_FORMAT")}
            )
        return day

    def entry_value(self) -> Decimal:
        if "done" in self.fields:
            return Decimal(1 if self.cleaned_data["done"] else 0)
        return self.cleaned_data["value"]


class StatusForm(BoundedForm):
    status = forms.ChoiceField(
        label="New status", error_messages={"required": "Choose the new status."}
    )
    reason = forms.CharField(
        label="Reason",
        required=False,
        max_length=240,
        help_text="Needed when a goal is abandoned.",
    )

    def __init__(self, *args, goal: Goal, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = TRANSITIONS.get(goal.status, set())
        self.fields["status"].choices = [
            (value, label) for value, label in Goal.Status.choices if value in allowed
        ]
        self.fields["status"].error_messages["invalid_choice"] = (
            "That status is not possible from here; choose one from the list."
        )
        self.helper = FormHelper()
        self.helper.form_id = "status-form"
        self.helper.attrs = {"novalidate": ""}
        self.helper.add_input(Submit("submit", "Change status", css_class="btn-outline-primary"))

    def clean(self):
        data = super().clean()
        if data.get("status") == Goal.Status.ABANDONED and not data.get("reason", "").strip():
            self.add_error("reason", "Say why the goal is abandoned, in a few words.")
        return data


class CommentForm(BoundedForm):
    body = forms.CharField(
        label="Comment",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Write a comment first."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_id = "comment-form"
        self.helper.attrs = {"novalidate": ""}
        self.helper.add_input(Submit("submit", "Add comment", css_class="btn-outline-primary"))

    def clean_body(self):
        body = self.cleaned_data["body"].strip()
        if not body:
            raise forms.ValidationError("Write a comment first.")
        return body


class GoalTemplateForm(BoundedModelForm):
    suggested_target = _number_field("Suggested target", "Optional.", required=False)

    class Meta:
        model = GoalTemplate
        fields = [
            "focus_area",
            "kind",
            "title",
            "title_es",
            "metric",
            "unit",
            "direction",
            "suggested_target",
            "suggested_steps",
            "review_cadence",
            "position",
            "is_active",
        ]
        labels = {
            "title": "Title (use N and DATE for what the mentee fills in)",
            "title_es": gettext_lazy(
                "Title in Spanish (N and DATE as in the title; blank shows the title)"
            ),
        }
        widgets = {"suggested_steps": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, program: Program, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.program = program
        self.fields["focus_area"].queryset = FocusArea.objects.filter(program=program)
        self.fields["title"].error_messages["required"] = "Give the template a title."
        self.fields["focus_area"].error_messages["required"] = MESSAGES["focus_area"]
        self.helper = FormHelper()
        self.helper.attrs = {"novalidate": ""}
        self.helper.add_input(Submit("submit", "Save template", css_class="btn-primary"))

    def clean_title(self):
        return self.cleaned_data["title"].strip()

    def clean(self):
        data = super().clean()
        # The program is not a form field, so ModelForm skips the unique constraint: check here
        # rather than let the database refuse it with an error page.
        duplicate = GoalTemplate.objects.filter(
            program=self.instance.program,
            focus_area=data.get("focus_area"),
            title=data.get("title", ""),
        ).exclude(pk=self.instance.pk)
        if data.get("focus_area") and duplicate.exists():
            self.add_error("title", "This focus area already has a template with that title.")
        return data


class ReviewForm(BoundedForm):
    goals = forms.ModelMultipleChoiceField(
        label="Goals you reviewed together",
        queryset=Goal.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose from this mentee's open goals."},
    )

    def __init__(self, *args, goals, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["goals"].queryset = goals
        self.helper = FormHelper()
        self.helper.form_id = "review-form"
        self.helper.add_input(Submit("submit", "Save", css_class="btn-primary"))

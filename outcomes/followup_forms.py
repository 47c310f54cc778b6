"""Forms of the follow-up interview pages (coordinators only)."""

from datetime import date

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership, MenteeProfile, User
from outcomes import interviews
from outcomes.forms import submit_helper
from outcomes.models import Interview, InterviewSchedule, Locator

EARLIEST = date(2000, 1, 1)  # no program in this product interviewed anyone before


class InterviewForm(forms.Form):
    point = forms.ChoiceField(label=_("Interview"))
    held_on = forms.DateField(
        label=_("Date held"),
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[MinValueValidator(EARLIEST)],
    )
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Interview.Outcome.choices)
    conducted_by = forms.ModelChoiceField(
        label=_("Conducted by"), queryset=User.objects.none(), required=False
    )

    def __init__(self, *args, mentee: MenteeProfile, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = mentee.program.today()
        schedule = interviews.schedule_get(program=mentee.program)
        self.fields["point"].choices = [
            (point, interviews.Point(point).label) for point in interviews.points_of(schedule)
        ]
        self.fields["held_on"].validators.append(MaxValueValidator(self.today))
        self.fields["held_on"].initial = self.today
        # Interviews are done by the program's staff: its coordinators and evaluators.
        self.fields["conducted_by"].queryset = User.objects.filter(
            memberships__program=mentee.program,
            memberships__role__in=[Membership.Role.COORDINATOR, Membership.Role.STAFF],
        ).distinct()
        self.fields["conducted_by"].initial = user.pk
        self.helper = submit_helper(_("Record interview"))


class InterviewScheduleForm(forms.ModelForm):
    class Meta:
        model = InterviewSchedule
        fields = ["three_month", "arm", "target_rate"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["three_month"].label = _("Add a 3-month follow-up")
        self.fields["arm"].label = _("Who must be interviewed")
        self.fields["arm"].choices = [("", _("Everyone enrolled")), *MenteeProfile.Arm.choices]
        self.fields["target_rate"].label = _("Follow-up rate target (%)")
        self.helper = submit_helper(_("Save schedule"))


class LocatorForm(forms.ModelForm):
    class Meta:
        model = Locator
        fields = ["phones", "addresses", "contacts", "participant_agreed"]
        widgets = {name: forms.Textarea(attrs={"rows": 3}) for name in ("phones", "addresses")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phones"].label = _("Phone numbers")
        self.fields["addresses"].label = _("Addresses")
        self.fields["contacts"].label = _("Other contacts who may know where the person is")
        self.fields["participant_agreed"].label = _(
            "The participant agreed that we may use these to find them for interviews"
        )
        self.fields["participant_agreed"].required = True
        self.helper = submit_helper(_("Save locator information"))

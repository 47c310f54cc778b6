"""What outcomes put on the participant page: assessments completed on the timeline (one
query, filtered by the access policy and the mentee's consent). Registered in
`OutcomesConfig.ready()`."""

from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import MenteeProfile
from mentorship import access
from mentorship.site import TimelineEntry
from outcomes.models import Assessment


def timeline(request, person):
    if not isinstance(person, MenteeProfile):
        return []
    assessments = access.scope(request.user, Assessment.objects.filter(mentee=person)).only(
        "pk", "instrument", "week", "completed_on", "total"
    )
    url = reverse("outcomes:assessments", kwargs={"mentee_pk": person.pk})
    entries = []
    for assessment in assessments:
        if assessment.week:
            label = _("%(instrument)s completed (week %(week)s)")
        else:
            label = _("%(instrument)s completed (intake)")
        label %= {"instrument": assessment.instrument.upper(), "week": assessment.week}
        entries.append(TimelineEntry(assessment.completed_on, label, url, "assessment"))
    return entries

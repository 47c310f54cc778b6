"""What outcomes put on the participant page: assessments completed on the timeline (one
query), and the metrics to date (two queries: the stored use summary and the latest
assessment), each filtered by the access policy and so by the mentee's consent. Registered in
`OutcomesConfig.ready()`."""

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import MenteeProfile
from mentorship import access
from mentorship.site import TimelineEntry
from outcomes import metrics
from outcomes.instruments import INSTRUMENTS
from outcomes.models import Assessment, UseSummary


def metrics_panel(request, person, *, can_change: bool) -> str:
    """Days recorded, days of use, percent days abstinent and the longest abstinent run since
    enrollment, from the stored use summary (never a recount of the log), and the latest
    assessment's score. Whatever the viewer may not see (a mentor without a consent covering
    the use log or assessments) is simply absent; nothing to show, no panel."""
    if not isinstance(person, MenteeProfile):
        return ""
    summary = (
        access.scope(request.user, UseSummary.objects.filter(mentee=person))
        .only("enrolled_on", "days")
        .first()
    )
    use = None
    if summary is not None and summary.enrolled_on == person.enrolled_on:
        use = metrics.use_to_date(bytes(summary.days or b""))
    latest = (
        access.scope(request.user, Assessment.objects.filter(mentee=person))
        .only("instrument", "week", "completed_on", "total", "scores")
        .order_by("-completed_on", "-pk")
        .first()
    )
    if use is None and latest is None:
        return ""
    instrument = INSTRUMENTS.get(latest.instrument) if latest else None
    return render_to_string(
        "outcomes/_participant_metrics.html",
        {
            "person": person,
            "use": use,
            "latest": latest,
            "instrument": instrument.name if instrument else (latest and latest.instrument),
        },
        request=request,
    )


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

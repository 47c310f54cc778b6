"""Every mentee gets a use summary from enrollment on (accounts.hooks.mentees_enrolled now
creates it): write the missing ones, so the cohort report and the exports never count a
participant's days on a read."""

from collections import defaultdict

from django.db import migrations
from django.utils.timezone import now


def summaries_for_every_mentee(apps, schema_editor):
    # summary_compute is a pure function of the days and the enrollment date: the figures are
    # the ones outcomes.services.use_summaries_refresh stores.
    from outcomes.reports import summary_compute

    MenteeProfile = apps.get_model("accounts", "MenteeProfile")
    UseDay = apps.get_model("outcomes", "UseDay")
    UseSummary = apps.get_model("outcomes", "UseSummary")
    missing = list(
        MenteeProfile.objects.filter(use_summary__isnull=True)
        .order_by("pk")
        .values_list("pk", "enrolled_on")
    )
    stamp = now()
    for start in range(0, len(missing), 1000):
        chunk = dict(missing[start : start + 1000])
        days = defaultdict(dict)
        for mentee_id, day, used in UseDay.objects.filter(mentee_id__in=list(chunk)).values_list(
            "mentee_id", "day", "used"
        ):
            days[mentee_id][day] = used
        UseSummary.objects.bulk_create(
            [
                UseSummary(
                    mentee_id=mentee_id,
                    enrolled_on=enrolled_on,
                    updated_at=stamp,
                    **_as_then(summary_compute(days=days[mentee_id], enrolled_on=enrolled_on)),
                )
                for mentee_id, enrolled_on in chunk.items()
            ]
        )


def _as_then(computed: dict) -> dict:
    """The summary as this migration's model stores it: the packed figures and the day states
    were hex strings inside `windows` until migration 0016 moved them to their own columns."""
    windows = dict(computed["windows"])
    windows["packed"] = computed["packed"].hex()
    windows["days"] = computed["days"].hex()
    return {"windows": windows, "weekly": computed["weekly"]}


class Migration(migrations.Migration):
    dependencies = [("outcomes", "0007_uselogrepair")]

    operations = [migrations.RunPython(summaries_for_every_mentee, migrations.RunPython.noop)]

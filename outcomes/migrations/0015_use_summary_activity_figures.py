from django.db import migrations, models


class Migration(migrations.Migration):
    """The stored check-in figures become activity figures (check-ins, goals and scores). The
    old bytes are shorter than the new record, so every summary reads as not current until
    the hourly pass (or the next change) counts it again; nothing to convert."""

    dependencies = [
        ("outcomes", "0014_use_summary_checkin_figures"),
    ]

    operations = [
        migrations.RenameField(model_name="usesummary", old_name="checkins", new_name="activity"),
        migrations.RenameField(
            model_name="usesummary", old_name="checkins_at", new_name="activity_at"
        ),
        migrations.RenameField(
            model_name="usesummary", old_name="checkins_on", new_name="activity_on"
        ),
        migrations.AddIndex(
            model_name="usesummary",
            index=models.Index(fields=["activity_at"], name="summary_counted"),
        ),
        migrations.AddIndex(
            model_name="assessment",
            index=models.Index(fields=["recorded_at"], name="assessment_recorded"),
        ),
    ]

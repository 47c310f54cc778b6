import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("checkins", "0003_reminder_indexes_for_its_queries_only"),
    ]

    operations = [
        migrations.AddField(
            model_name="checkin",
            name="updated_at",
            field=models.DateTimeField(auto_now=True, default=django.utils.timezone.now),
            preserve_default=False,
        ),
        migrations.AddIndex(
            model_name="checkin",
            index=models.Index(
                condition=models.Q(("kind", "individual")),
                fields=["updated_at"],
                name="checkin_changed",
            ),
        ),
    ]

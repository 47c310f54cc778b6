from django.db import migrations, models


class Migration(migrations.Migration):
    """The packed figures and the day states leave `windows` (hex strings in JSON) for columns
    of their own: the cohort report reads them for every participant, and bytes need no
    parsing."""

    dependencies = [
        ("outcomes", "0015_use_summary_activity_figures"),
    ]

    operations = [
        migrations.AddField(
            model_name="usesummary",
            name="packed",
            field=models.BinaryField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="usesummary",
            name="days",
            field=models.BinaryField(blank=True, null=True),
        ),
        migrations.RunSQL(
            """
            UPDATE outcomes_usesummary
            SET packed = decode(windows ->> 'packed', 'hex'),
                days = decode(windows ->> 'days', 'hex'),
                windows = windows - 'packed' - 'days'
            WHERE windows ? 'packed' OR windows ? 'days'
            """,
            """
            UPDATE outcomes_usesummary
            SET windows = windows
                || jsonb_strip_nulls(jsonb_build_object(
                    'packed', encode(packed, 'hex'), 'days', encode(days, 'hex')))
            """,
        ),
    ]

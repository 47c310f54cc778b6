from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("goals", "0004_languages"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="goal",
            index=models.Index(fields=["updated_at"], name="goal_changed"),
        ),
    ]

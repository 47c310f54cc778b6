from django.db import migrations

# Languages most often needed by US recovery programs; superusers add more in the admin.
LANGUAGES = [
    ("en", "English"),
    ("es", "Spanish"),
    ("zh", "Chinese"),
    ("vi", "Vietnamese"),
    ("tl", "Tagalog"),
    ("ar", "Arabic"),
    ("fr", "French"),
    ("ht", "Haitian Creole"),
    ("ko", "Korean"),
    ("ru", "Russian"),
    ("pt", "Portuguese"),
    ("ase", "American Sign Language"),
    ("nv", "Navajo"),
    ("so", "Somali"),
    ("pl", "Polish"),
    ("de", "German"),
]


def add_languages(apps, schema_editor):
    Language = apps.get_model("accounts", "Language")
    for code, name in LANGUAGES:
        Language.objects.get_or_create(code=code, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [migrations.RunPython(add_languages, migrations.RunPython.noop)]

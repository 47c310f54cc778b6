"""Default vocabularies every new program starts with; coordinators edit them afterwards."""

from django.db import transaction

from accounts.models import FocusArea, Philosophy, Program, Substance, Training

DEFAULTS = {
    Philosophy: [
        ("12-step (AA/NA)", "Twelve-step fellowship, sponsorship and meetings."),
        ("SMART Recovery", "Self-management and recovery training; CBT-based tools."),
        (
            "Medication-assisted (MOUD-affirming)",
            "Supports recovery with buprenorphine, methadone or naltrexone.",
        ),
        ("Faith-based", "Recovery grounded in a faith community."),
        ("Harm reduction", "Any positive change; safer use and fewer harms."),
        ("Secular / evidence-based", "Non-religious, research-informed recovery."),
    ],
    FocusArea: [
        ("Employment and job search", ""),
        ("Housing", ""),
        ("Emotional management and cravings", ""),
        ("Family and relationships", ""),
        ("Legal", ""),
        ("Education", ""),
        ("Physical health", ""),
        ("Medication adherence", ""),
        ("Community and peer connection", ""),
    ],
    Substance: [
        ("Alcohol", ""),
        ("Opioids", ""),
        ("Stimulants (cocaine)", ""),
        ("Stimulants (methamphetamine)", ""),
        ("Cannabis", ""),
        ("Benzodiazepines", ""),
        ("Tobacco / nicotine", ""),
        ("Other", ""),
    ],
    Training: [
        (
            "Crisis navigation",
            "Recognising a crisis and connecting to help (988, emergency services).",
        ),
        ("HIV and infectious-disease risk reduction", ""),
        ("Cultural sensitivity", ""),
        ("Confidentiality / 42 CFR Part 2", ""),
    ],
}


@transaction.atomic
def vocabulary_seed_defaults(*, program: Program) -> None:
    """Idempotent: adds missing default terms, never touches a coordinator's edits."""
    for model, terms in DEFAULTS.items():
        existing = set(model.objects.filter(program=program).values_list("name", flat=True))
        model.objects.bulk_create(
            model(program=program, name=name, description=description, position=position)
            for position, (name, description) in enumerate(terms)
            if name not in existing
        )

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


# The same defaults in Spanish (name_es, description_es), keyed by the English name. Plain,
# people-first words, as in locale/GLOSSARY.md.
SPANISH = {
    "12-step (AA/NA)": ("12 pasos (AA/NA)", "Comunidad de doce pasos, padrinazgo y reuniones."),
    "SMART Recovery": (
        "SMART Recovery",
        "Autogestión y entrenamiento para la recuperación; herramientas de la terapia "
        "cognitivo-conductual.",
    ),
    "Medication-assisted (MOUD-affirming)": (
        "Recuperación con medicamentos (MOUD)",
        "Apoya la recuperación con buprenorfina, metadona o naltrexona.",
    ),
    "Faith-based": ("Basada en la fe", "Recuperación apoyada en una comunidad de fe."),
    "Harm reduction": (
        "Reducción de daños",
        "Todo cambio positivo cuenta; uso más seguro y menos daños.",
    ),
    "Secular / evidence-based": (
        "Laica / basada en la evidencia",
        "Recuperación no religiosa, guiada por la investigación.",
    ),
    "Employment and job search": ("Empleo y búsqueda de trabajo", ""),
    "Housing": ("Vivienda", ""),
    "Emotional management and cravings": ("Manejo de emociones y ganas de consumir", ""),
    "Family and relationships": ("Familia y relaciones", ""),
    "Legal": ("Asuntos legales", ""),
    "Education": ("Educación", ""),
    "Physical health": ("Salud física", ""),
    "Medication adherence": ("Tomar los medicamentos como se indican", ""),
    "Community and peer connection": ("Comunidad y apoyo entre pares", ""),
    "Alcohol": ("Alcohol", ""),
    "Opioids": ("Opioides", ""),
    "Stimulants (cocaine)": ("Estimulantes (cocaína)", ""),
    "Stimulants (methamphetamine)": ("Estimulantes (metanfetamina)", ""),
    "Cannabis": ("Cannabis", ""),
    "Benzodiazepines": ("Benzodiacepinas", ""),
    "Tobacco / nicotine": ("Tabaco / nicotina", ""),
    "Other": ("Otra", ""),
    "Crisis navigation": (
        "Acompañamiento en crisis",
        "Reconocer una crisis y conectar con ayuda (988, servicios de emergencia).",
    ),
    "HIV and infectious-disease risk reduction": (
        "Reducción del riesgo de VIH y otras infecciones",
        "",
    ),
    "Cultural sensitivity": ("Sensibilidad cultural", ""),
    "Confidentiality / 42 CFR Part 2": ("Confidencialidad / 42 CFR Parte 2", ""),
}


@transaction.atomic
def vocabulary_seed_defaults(*, program: Program) -> None:
    """Idempotent: adds missing default terms, never touches a coordinator's edits."""
    for model, terms in DEFAULTS.items():
        existing = set(model.objects.filter(program=program).values_list("name", flat=True))
        model.objects.bulk_create(
            model(
                program=program,
                name=name,
                description=description,
                name_es=SPANISH.get(name, ("", ""))[0],
                description_es=SPANISH.get(name, ("", ""))[1],
                position=position,
            )
            for position, (name, description) in enumerate(terms)
            if name not in existing
        )

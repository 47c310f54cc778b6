"""Status words shared by several models read right in Spanish: the adjective agrees with what
it describes (a mentee, a check-in, a match: "Completado"; an interview: "Completada"; a goal:
"Activa"), so each use has its own catalogue entry (a context)."""

from django.urls import reverse
from django.utils import translation

from accounts.models import MenteeProfile
from checkins.models import CheckIn
from goals.models import Goal
from matching.models import Match
from outcomes.models import Interview

SPANISH = [
    (MenteeProfile.Status.COMPLETED, "Completado"),
    (MenteeProfile.Status.ACTIVE, "Activo"),
    (MenteeProfile.Status.MATCHED, "Emparejado"),
    (CheckIn.Status.COMPLETED, "Completado"),
    (CheckIn.Status.CANCELLED, "Cancelado"),
    (Match.Status.ACTIVE, "Activo"),
    (Match.Status.ENDED, "Terminado"),
    (Match.EndReason.COMPLETED, "Completado"),
    (Interview.Outcome.COMPLETED, "Completada"),
    (Goal.Status.ACTIVE, "Activa"),
    (Goal.Status.ACHIEVED, "Lograda"),
]


def test_each_models_status_reads_in_spanish_as_spanish_agrees_it():
    with translation.override("es"):
        shown = [(choice, str(choice.label)) for choice, _spanish in SPANISH]
    assert shown == SPANISH
    with translation.override("en"):
        assert {str(choice.label) for choice, _spanish in SPANISH} == {
            "Completed",
            "Active",
            "Matched",
            "Cancelled",
            "Ended",
            "Achieved",
        }


def test_the_goal_attainment_counts_read_as_counts_of_goals_in_spanish(client, world):
    type(world.coordinator).objects.filter(pk=world.coordinator.pk).update(preferred_language="es")
    client.force_login(world.coordinator)
    with translation.override("en"):  # the request activates Spanish; put English back after
        page = client.get(reverse("goals:program_attainment", kwargs={"slug": world.program.slug}))
    html = page.content.decode()
    for header in ("Fijadas", "Activas", "Logradas", "Vencidas"):
        assert f'<th scope="col">{header}</th>' in html, header
    assert "<dt>Activas</dt>" in html and "<dt>Activo</dt>" not in html

"""Which language a person reads (issue #15): their saved choice, then the browser's, then the
program's default, then English; the footer switch and the account page save the choice; an
invitation is written in the language the coordinator picked, which becomes the person's only
if they had none; vocabularies, dates and questionnaires follow the page's language."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import formats, translation

from accounts import invitations
from accounts.languages import language_resolve
from accounts.models import FocusArea, User
from tests import factories
from tests.accounts.test_profile_views import mentee_post
from tests.notifications.outbox import quiet_hours_off, send_due


@pytest.mark.parametrize(
    ("preference", "accept", "program", "expected"),
    [
        ("es", "en-US,en;q=0.9", ["en"], "es"),  # the person's choice first
        ("", "es-MX,es;q=0.9", ["en"], "es"),  # then the browser's, as our variant
        ("", "fr-FR,de;q=0.5", ["es"], "es"),  # none we offer: the program's
        ("", "", [], "en"),  # nothing at all: settings.LANGUAGE_CODE
        ("xx", "", ["zz"], "en"),  # unknown codes are skipped, never returned
    ],
)
def test_the_order_of_languages(preference, accept, program, expected):
    assert (
        language_resolve(
            preference=preference, accept_language=accept, program_languages=lambda: program
        )
        == expected
    )


def _lang(response) -> str:
    return response.content.decode().split('<html lang="', 1)[1].split('"', 1)[0]


def test_pages_follow_the_person_then_the_browser_then_the_program(client, world):
    login = reverse("login")
    assert _lang(client.get(login, HTTP_ACCEPT_LANGUAGE="es")) == "es"
    assert "Idioma" in client.get(login, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert _lang(client.get(login)) == "en"

    client.force_login(world.mentee)
    account = reverse("accounts:account")
    world.program.default_language = "es"
    world.program.save(update_fields=["default_language"])
    assert _lang(client.get(account)) == "es"  # no choice, no browser language: the program's
    assert _lang(client.get(account, HTTP_ACCEPT_LANGUAGE="en")) == "en"
    User.objects.filter(pk=world.mentee.pk).update(preferred_language="en")
    assert _lang(client.get(account, HTTP_ACCEPT_LANGUAGE="es")) == "en"


def test_the_footer_switch_sets_the_cookie_and_a_signed_in_persons_choice(client, world):
    switch = reverse("set_language")
    page = reverse("login")
    response = client.post(switch, {"language": "es", "next": page})
    assert response.status_code == 302 and response["Location"] == page
    assert _lang(client.get(page)) == "es"  # anonymous: the cookie

    client.force_login(world.mentor)
    client.post(switch, {"language": "es", "next": reverse("home")})
    world.mentor.refresh_from_db()
    assert world.mentor.preferred_language == "es"
    client.post(switch, {"language": "klingon", "next": reverse("home")})  # ignored, no 500
    world.mentor.refresh_from_db()
    assert world.mentor.preferred_language == "es"


def test_the_footer_switch_is_a_labelled_form_on_every_page(client, world):
    client.force_login(world.mentee)
    html = client.get(reverse("home")).content.decode()
    assert f'action="{reverse("set_language")}" method="post"' in html
    assert '<label class="mb-0" for="footer-language">Language</label>' in html
    assert '<option value="es" lang="es">Español</option>' in html


def test_the_account_page_saves_the_language(client, world):
    client.force_login(world.mentee)
    url = reverse("accounts:account")
    response = client.post(f"{url}?form=language", {"preferred_language": "es"}, follow=True)
    assert "Se guardó su idioma." in response.content.decode()
    world.mentee.refresh_from_db()
    assert world.mentee.preferred_language == "es"
    client.post(f"{url}?form=language", {"preferred_language": ""})
    world.mentee.refresh_from_db()
    assert world.mentee.preferred_language == ""  # back to following the browser


def test_an_invitation_is_in_the_language_chosen_at_enrollment(
    client, world, mailoutbox, django_capture_on_commit_callbacks
):
    quiet_hours_off(world.program)
    chosen = factories.UserFactory(email="chose@example.org", preferred_language="en")
    client.force_login(world.coordinator)
    url = reverse("accounts:mentee_create", kwargs={"program": world.program.slug})
    for email in ("nueva@example.org", chosen.email):
        data = mentee_post(world.program, email=email, preferred_language="es")
        with django_capture_on_commit_callbacks(execute=True):
            assert client.post(url, data).status_code == 302
    assert User.objects.get(email="nueva@example.org").preferred_language == "es"
    chosen.refresh_from_db()
    assert chosen.preferred_language == "en"  # a person's own choice is never overwritten
    new = User.objects.get(email="nueva@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        invitations.invitation_send(user=new, program=world.program, sent_by=world.coordinator)
    send_due()
    subjects = {m.to[0]: m.subject for m in mailoutbox}
    assert subjects["nueva@example.org"] == "Cree su acceso"


def test_vocabularies_show_their_spanish_label(client, world):
    area = FocusArea.objects.get(program=world.program, name="Housing")
    assert area.name_es == "Vivienda"  # program defaults come with Spanish labels
    with translation.override("es"):
        assert str(area) == "Vivienda"
    with translation.override("en"):
        assert str(area) == "Housing"
    area.name_es = ""
    with translation.override("es"):
        assert str(area) == "Housing"  # no Spanish label: the program's own words


def test_a_coordinator_gives_a_term_its_spanish_label(client, world):
    area = FocusArea.objects.get(program=world.program, name="Legal")
    client.force_login(world.coordinator)
    url = reverse(
        "accounts:vocabulary_edit",
        kwargs={"program": world.program.slug, "kind": "focus-areas", "pk": area.pk},
    )
    page = client.get(url)
    assert page.status_code == 200 and "Name in Spanish" in page.content.decode()
    data = {"name": "Legal", "description": "", "name_es": "Trámites legales", "position": "4"}
    assert client.post(url, data).status_code == 302
    area.refresh_from_db()
    assert area.name_es == "Trámites legales"


def test_dates_read_as_each_language_writes_them():
    day = date(2026, 11, 30)
    with translation.override("en"):
        assert formats.date_format(day, "DATE_FORMAT") == "Nov 30, 2026"
    with translation.override("es"):
        assert formats.date_format(day, "DATE_FORMAT") == "30 nov 2026"


def test_a_questionnaire_in_spanish_says_it_is_not_validated(client, world):
    User.objects.filter(pk=world.mentee.pk).update(preferred_language="es")
    client.force_login(world.mentee)
    url = reverse(
        "outcomes:assessment_fill",
        kwargs={"mentee_pk": world.mentee_profile.pk, "instrument": "barc10", "week": 0},
    )
    html = client.get(url).content.decode()
    assert "No validado en español" in html
    assert "En general, estoy contento con mi vida." in html
    User.objects.filter(pk=world.mentee.pk).update(preferred_language="en")
    assert "Not validated" not in client.get(url).content.decode()

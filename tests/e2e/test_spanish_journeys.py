"""Spanish-speaking participants see no English (issue #15).

A mentee and a mentor who chose Spanish go through their everyday journeys on a phone and a
desktop: the mentee sets a goal from a template and answers today on the use calendar; the
mentor logs a check-in. Every page they see is axe-clean and its visible text is scanned for
the English catalogue's strings: any product text that should have been translated but shows
in English fails the test, listed by msgid.

The browser itself asks for English (Chromium's default), so the Spanish comes from the
person's saved language, as it would for someone on a shared or borrowed phone.
"""

import re
from datetime import timedelta
from functools import cache
from pathlib import Path

import polib
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from checkins.models import CheckIn
from goals.models import Goal
from outcomes.instruments import INSTRUMENTS
from outcomes.models import UseDay
from tests import factories
from tests.e2e.conftest import assert_accessible, assert_fits_phone, login

CATALOGUE = Path(__file__).resolve().parents[2] / "locale" / "es" / "LC_MESSAGES" / "django.po"
# Product text a reader would recognise as English: words, spaces and sentence punctuation,
# at least one word of three letters. Format strings (placeholders, HTML, date formats) are
# left out: their fixed parts never show whole.
# The product's name stays as it is in every language (the glossary's rule for brand names).
BRAND = "Recovery Mentorship"
# The Timeline Followback is a published method (Sobell & Sobell), named on the use calendar.
PROPER_NAMES = (
    BRAND,
    "SMART Recovery",
    "Timeline Followback",
    *(i.name for i in INSTRUMENTS.values()),
)
WORDS = re.compile(r"[A-Za-z][A-Za-z'’ ,.;:!?()–—-]*")
# One-word msgids that are Spanish words too, so seeing them on a Spanish page proves nothing.
# Every other one-word msgid is checked: an untranslated button ("Save") must fail the scan.
SPANISH_TOO = {
    # The catalogue translates these to themselves (msgstr == msgid); listed so that another
    # entry with the same word and a different Spanish (a context, a plural) cannot flag them.
    "crisis",
    "individual",
    "mentor",
    # English "plan" (a check-in, "planificar") is the Spanish noun: "Su mentor acuerda el plan".
    "plan",
}


@cache
def english_strings() -> tuple[str, ...]:
    """The msgids whose Spanish differs from the English: if one shows, it was not translated."""
    found = set()
    catalogue = polib.pofile(str(CATALOGUE))
    for entry in catalogue:
        if entry.obsolete or not entry.msgid or (entry.msgctxt or "").endswith("format"):
            continue
        spanish = entry.msgstr_plural.get(0) if entry.msgid_plural else entry.msgstr
        for english in filter(None, (entry.msgid, entry.msgid_plural)):
            english = " ".join(english.split())
            if (
                english != spanish
                and len(english) > 3
                and WORDS.fullmatch(english)
                and re.search(r"[A-Za-z]{3}", english)
                and english.lower() not in SPANISH_TOO
            ):
                found.add(english)
    return tuple(sorted(found, key=len, reverse=True))


def test_the_scan_looks_for_one_word_text_but_not_for_spanish_words():
    """An untranslated one-word button or heading shows; a word that is Spanish too does not."""
    looked_for = set(english_strings())
    assert {"Save", "Status", "Mentees", "Name"} <= looked_for
    assert not {"plan", "Plan", "Mentor", "Crisis"} & looked_for


def assert_no_english(page):
    text = " ".join(page.evaluate("document.body.innerText").split())
    # Proper names stay as published (the glossary): the product, the instruments' titles.
    for name in PROPER_NAMES:
        text = text.replace(name, "")
    left = [
        english
        for english in english_strings()
        if re.search(rf"(?<![\w]){re.escape(english)}(?![\w])", text)
    ]
    where = [
        text[max(0, m.start() - 40) : m.end() + 40]
        for s in left
        for m in [re.search(rf"(?<![\w]){re.escape(s)}(?![\w])", text)]
    ]
    assert not left, f"English left on {page.url}:\n" + "\n".join(
        f"- {s!r} in ...{w}..." for s, w in zip(left, where, strict=True)
    )


def check(page, device):
    expect(page.locator("html")).to_have_attribute("lang", "es")
    assert_no_english(page)
    assert_accessible(page)
    if device == "phone":
        assert_fits_phone(page)


@pytest.fixture
def match(db):
    match = factories.MatchFactory()
    # Spanish names: English-looking data would be indistinguishable from untranslated text.
    for profile, first, last in (
        (match.mentee, "Lucía", "Ramírez"),
        (match.mentor, "Andrés", "Gómez"),
    ):
        user = profile.user
        user.first_name, user.last_name, user.preferred_language = first, last, "es"
        user.save(update_fields=["first_name", "last_name", "preferred_language"])
    program = match.mentee.program
    program.name, program.organization = "Programa Río", "Centro Río de Recuperación"
    program.save(update_fields=["name", "organization"])
    factories.ConsentFactory(mentee=match.mentee)
    return match


def test_a_spanish_speaking_mentee_sets_a_goal_and_answers_today(page, device, live_server, match):
    mentee = match.mentee
    template = factories.GoalTemplateFactory(
        program=mentee.program,
        title="Apply to N jobs by DATE",
        title_es="Enviar N solicitudes de empleo antes del DATE",
        metric="solicitudes enviadas",
        unit="solicitudes",
        suggested_target=10,
        suggested_steps="Actualizar mi currículum; enviar dos solicitudes por semana.",
    )
    base = live_server.url
    login(page, base, mentee.user.email, factories.PASSWORD)
    check(page, device)  # the page sign-in lands on

    page.goto(f"{base}/goals/")
    check(page, device)
    page.locator(f"a[href$='/goals/mentee/{mentee.pk}/new/']").first.click()
    check(page, device)
    page.locator("#template-choice").select_option(value=str(template.pk))
    page.locator("form:has(#template-choice) [type=submit]").click()
    expect(page.locator("#id_title")).to_have_value(re.compile(r"^Enviar 10 solicitudes"))
    check(page, device)
    page.locator("#goal-form [type=submit]").click()
    expect(page.get_by_role("status").first).to_be_visible()
    check(page, device)
    goal = Goal.objects.get(mentee=mentee)
    assert goal.title.startswith("Enviar 10 solicitudes de empleo antes del ") and goal.target == 10

    page.goto(f"{base}/outcomes/calendar/")
    check(page, device)
    today = mentee.program.today()
    page.locator(f"label[for='id_day_{today:%Y%m%d}_1']").click()  # no use
    page.locator(".cal-save [type=submit]").click()
    expect(page.get_by_role("status").first).to_be_visible()
    check(page, device)
    assert dict(UseDay.objects.filter(mentee=mentee).values_list("day", "used")) == {today: False}


def test_a_spanish_speaking_mentor_logs_a_check_in(page, device, live_server, match):
    checkin = factories.CheckInFactory(
        match=match, scheduled_at=timezone.now() - timedelta(hours=1)
    )
    base = live_server.url
    login(page, base, match.mentor.user.email, factories.PASSWORD)
    check(page, device)

    page.goto(f"{base}/checkins/")
    check(page, device)
    page.locator(f"#to-log a[href$='/checkins/{checkin.pk}/log/']").click()
    check(page, device)
    page.locator("label[for=id_mood_3]").click()  # mood 4
    page.locator("#id_craving").select_option("2")
    page.locator("label[for=id_use_reported_1]").click()  # no use
    page.locator("label[for=id_topics_0]").click()
    page.locator("#id_next_steps").fill("Ir al centro de empleo el lunes.")
    page.locator("#checkin-log-form [type=submit]").click()
    expect(page.locator("#checkin-status")).to_be_visible()
    check(page, device)
    checkin.refresh_from_db()
    assert (checkin.status, checkin.mood, checkin.craving) == (CheckIn.Status.COMPLETED, 4, 2)

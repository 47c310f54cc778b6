"""Counts read right in both languages (issue #15): 0, 1 and 2 of a few real plurals, from a
page template (blocktranslate count) and from code (ngettext). Spanish, like English, uses
the plural for 0 ("0 minutos"), which the catalogue's Plural-Forms must say."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import translation

from accounts.eligibility import _short_recovery

RETRY = {
    "en": {
        0: "Please try again in 0 minutes.",
        1: "Please try again in 1 minute.",
        2: "Please try again in 2 minutes.",
    },
    "es": {
        0: "Vuelva a intentarlo en 0 minutos.",
        1: "Vuelva a intentarlo en 1 minuto.",
        2: "Vuelva a intentarlo en 2 minutos.",
    },
}
RECOVERY = {
    "en": {
        0: "Needs 0 months of continuous recovery",
        1: "Needs 1 month of continuous recovery",
        2: "Needs 2 months of continuous recovery",
    },
    "es": {
        0: "Necesita 0 meses de recuperación continua",
        1: "Necesita 1 mes de recuperación continua",
        2: "Necesita 2 meses de recuperación continua",
    },
}
CASES = [(lang, n) for lang in ("en", "es") for n in (0, 1, 2)]


@pytest.mark.parametrize(("language", "n"), CASES)
def test_the_too_many_attempts_page_counts_minutes(db, language, n):
    request = RequestFactory().get("/accounts/login/")
    request.user = AnonymousUser()
    with translation.override(language):
        page = render_to_string("429.html", {"retry_minutes": n}, request=request)
    assert RETRY[language][n] in " ".join(page.split())


@pytest.mark.parametrize(("language", "n"), CASES)
def test_a_mentors_missing_recovery_time_is_counted(language, n):
    with translation.override(language):
        assert _short_recovery(n) == RECOVERY[language][n]

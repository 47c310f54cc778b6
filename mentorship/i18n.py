"""Text a program writes once per language (vocabulary labels, goal templates): the field
itself holds the default language's words, `<field>_<lang>` another language's, and
`in_language(obj, "name")` is the one accessor every page and form uses."""

from django.conf import settings
from django.utils import translation


def in_language(obj, field: str, language: str | None = None) -> str:
    """`obj.<field>` in the active language, falling back to the default language's words
    when that translation is missing (a blank label is never shown)."""
    language = (language or translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return getattr(obj, f"{field}_{language}", "") or getattr(obj, field)

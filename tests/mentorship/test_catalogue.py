"""The Spanish catalogue is complete (issue #15): no entry left untranslated or fuzzy. Whether
it matches the code (makemessages) and the committed .mo is `make lint`'s
scripts/check_messages.py; this test needs no gettext tools."""

from pathlib import Path

import polib
import pytest
from django.conf import settings

CATALOGUES = [
    Path(settings.BASE_DIR) / "locale" / code / "LC_MESSAGES" / "django.po"
    for code, _name in settings.LANGUAGES
    if code != settings.LANGUAGE_CODE
]


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: p.parts[-3])
def test_every_entry_is_translated(path):
    catalogue = polib.pofile(str(path))
    untranslated = [e.msgid for e in catalogue.untranslated_entries()]
    fuzzy = [e.msgid for e in catalogue.fuzzy_entries()]
    assert not untranslated and not fuzzy, (
        f"{len(untranslated)} untranslated, {len(fuzzy)} fuzzy in {path.name}: "
        f"{(untranslated + fuzzy)[:10]}"
    )


def test_the_emails_are_translated():
    """Phase 1: every e-mail a person can receive is complete in each language already."""
    for path in CATALOGUES:
        missing = [
            e.msgid
            for e in polib.pofile(str(path))
            if any(f.startswith("templates/emails/") for f, _line in e.occurrences)
            and (not e.translated() or "fuzzy" in e.flags)
        ]
        assert not missing, missing

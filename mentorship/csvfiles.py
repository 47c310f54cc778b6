"""Reading uploaded CSV files: every import (participants, use days) decodes its upload here."""

from django.utils.translation import gettext as _


class UnreadableFile(ValueError):
    """An upload that is not CSV text at all; the message is for the person who uploaded it."""


def csv_text(content: bytes) -> str:
    """The text of an uploaded CSV file."""
    try:
        # "utf-8-sig" drops the byte-order mark Excel writes with "CSV UTF-8", reads plain UTF-8.
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UnreadableFile(
            _("The file is not UTF-8 text. In Excel use Save As “CSV UTF-8”.")
        ) from None
    if "\x00" in text:
        raise UnreadableFile(_("This is not a CSV file (it contains binary data)."))
    return text

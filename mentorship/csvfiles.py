"""Reading uploaded CSV files: every import (participants, use days, assessments) decodes its
upload here; the steps around it (preview, confirm, command) are mentorship.imports."""

import re
import secrets
from datetime import date

from cryptography.fernet import Fernet
from django.core.cache import cache
from django.utils.translation import gettext as _

_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


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


def header_key(name: str) -> str:
    """A column name as the imports compare it: “Participant ID” and “participant_id” agree."""
    return name.strip().lower().replace(" ", "_").replace("-", "_")


def header_problems(header: list[str], *, expected: list[str], required: list[str]) -> list[str]:
    """What is wrong with a header row, one message per problem; empty when it is fine.

    Every import refuses a column it does not know (a misspelt `substance` would otherwise
    silently lose every value) and a required column that is missing; each message lists the
    columns expected, so the fix is on the screen.
    """
    expected_list = ", ".join(expected)
    problems = []
    seen = set()
    for name in header:
        if not name:
            continue
        if name not in expected:
            problems.append(
                _("Unknown column “%(name)s”. Expected columns: %(expected)s.")
                % {"name": name, "expected": expected_list}
            )
        elif name in seen:
            problems.append(_("The column “%(name)s” appears twice.") % {"name": name})
        seen.add(name)
    missing = [name for name in required if name not in seen]
    if missing:
        problems.append(
            _("Missing column(s): %(missing)s. Expected columns: %(expected)s.")
            % {"missing": ", ".join(missing), "expected": expected_list}
        )
    return problems


DATE_FORM = "YYYY-MM-DD"


def iso_date(text: str) -> date:
    """A calendar day written YYYY-MM-DD, the only form any import reads.

    03/06/2026 is 3 June in one country and 6 March in another: a file cannot say which, so
    any other form is refused rather than guessed. ValueError's message names the form.
    """
    value = text.strip()
    if _ISO_DAY.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise ValueError(
                _("“%(text)s” is not a real day; write dates as %(form)s, e.g. 2026-03-14.")
                % {"text": value, "form": DATE_FORM}
            ) from None
    raise ValueError(
        _("“%(text)s” is not a date in the form %(form)s (e.g. 2026-03-14); other forms such as "
          "03/06/2026 are ambiguous and refused.")
        % {"text": value, "form": DATE_FORM}
    )  # fmt: skip


# --- An uploaded file kept between its preview and the coordinator's confirmation

PENDING_KEEP_SECONDS = 30 * 60


def pending_keep(request, *, kind: str, program_id: int, content: bytes) -> str:
    """Keep a checked upload for the confirm step; returns the token the confirm form posts.

    The browser cannot re-send the file it chose, and what is confirmed must be what was
    previewed. The cache (Redis, which may write to disk) holds it encrypted; the key lives only
    in this person's session, so neither place alone can read the file.
    """
    token = secrets.token_urlsafe(24)
    key = Fernet.generate_key()
    request.session[f"{kind}-import-key:{token}"] = key.decode()
    cache.set(
        f"{kind}-import:{token}",
        {"user": request.user.pk, "program": program_id, "content": Fernet(key).encrypt(content)},
        PENDING_KEEP_SECONDS,
    )
    return token


def pending_take(request, *, kind: str, token: str) -> tuple[int, bytes] | None:
    """(program id, content) of a kept upload of this person, or None once it has expired."""
    pending = cache.get(f"{kind}-import:{token}") if token else None
    secret = request.session.get(f"{kind}-import-key:{token}")
    if pending is None or secret is None or pending["user"] != request.user.pk:
        return None
    return pending["program"], Fernet(secret.encode()).decrypt(pending["content"])


def pending_drop(request, *, kind: str, token: str) -> None:
    cache.delete(f"{kind}-import:{token}")
    request.session.pop(f"{kind}-import-key:{token}", None)

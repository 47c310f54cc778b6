"""`make lint`'s catalogue check (issue #15): the Spanish catalogue is what makemessages makes
of the code now (nothing marked is missing, nothing stale is left), it compiles, and the
committed .mo is that .po compiled (tests and `make run` use the .mo and need no gettext).

Needs GNU gettext (msgfmt, xgettext). To bring the catalogue up to date:
    .venv/bin/python scripts/check_messages.py --fix
then translate the new entries in locale/es/LC_MESSAGES/django.po and run --fix again.
"""

import difflib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ["es"]
# Not ours, or not shown to people (tests' strings are not product text).
IGNORE = [".venv", "var", "node_modules", "staticfiles", "tests", "bench", "docker", "scripts"]
MAKEMESSAGES = [
    "makemessages",
    *(f"--locale={code}" for code in LANGUAGES),
    *(f"--ignore={name}/*" for name in IGNORE),
    # File names without line numbers: an edit elsewhere in a file does not change the catalogue.
    "--add-location=file",
    "--no-obsolete",
]


def manage(*args: str) -> None:
    # makemessages reads no database; the settings only insist that one is named.
    env = {
        "DEBUG": "1",
        "DATABASE_URL": "postgres://unused@127.0.0.1:5432/unused",
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "mentorship.settings",
    }
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


def without_date(text: str) -> list[str]:
    return [line for line in text.splitlines() if not line.startswith('"POT-Creation-Date:')]


def entries(catalogue) -> dict:
    """What a catalogue translates: msgfmt leaves out untranslated and fuzzy entries."""
    return {
        (e.msgctxt, e.msgid, e.msgid_plural): (e.msgstr, dict(e.msgstr_plural))
        for e in catalogue
        if e.msgid
        and not e.obsolete
        and "fuzzy" not in e.flags
        and (e.msgstr or any(e.msgstr_plural.values()))
    }


def check(fix: bool) -> list[str]:
    problems = []
    po_paths = [ROOT / "locale" / code / "LC_MESSAGES" / "django.po" for code in LANGUAGES]
    before = {path: path.read_text() if path.exists() else "" for path in po_paths}
    manage(*MAKEMESSAGES)
    for path in po_paths:
        after = path.read_text()
        if without_date(after) != without_date(before[path]):
            diff = difflib.unified_diff(
                without_date(before[path]), without_date(after), str(path), "makemessages", n=1
            )
            problems.append(
                f"{path.relative_to(ROOT)} is not what makemessages makes of the code:\n"
                + "\n".join(list(diff)[:60])
            )
            if not fix:
                path.write_text(before[path])
        elif not fix:
            path.write_text(before[path])  # keep the committed creation date
    with tempfile.TemporaryDirectory() as scratch:
        for path in po_paths:
            compiled = Path(scratch) / "django.mo"
            result = subprocess.run(
                ["msgfmt", "--check", "-o", str(compiled), str(path)],
                capture_output=True,
                text=True,
            )
            if result.returncode:
                problems.append(f"{path.relative_to(ROOT)} does not compile:\n{result.stderr}")
                continue
            mo_path = path.with_suffix(".mo")
            if fix:
                shutil.copyfile(compiled, mo_path)
            elif not mo_path.exists() or entries(polib.mofile(str(mo_path))) != entries(
                polib.pofile(str(path))
            ):
                problems.append(
                    f"{mo_path.relative_to(ROOT)} is not {path.name} compiled: run "
                    "`.venv/bin/python scripts/check_messages.py --fix` and commit it."
                )
    return problems


if __name__ == "__main__":
    found = check(fix="--fix" in sys.argv[1:])
    for problem in found:
        print(problem, file=sys.stderr)
    if found:
        print(
            "\nTo update: .venv/bin/python scripts/check_messages.py --fix, translate, commit.",
            file=sys.stderr,
        )
    sys.exit(1 if found else 0)

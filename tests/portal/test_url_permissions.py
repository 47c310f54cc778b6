"""Every URL is either public (allowlist) or classified in the role x URL matrix."""

import importlib
import pkgutil

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

import tests
from tests.conftest import WHO
from tests.urlcases import Case

# Reachable without signing in. Everything else must redirect an anonymous visitor to sign-in.
PUBLIC = {
    "login",
    "logout",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "healthz",
    "set_language",  # the footer's language switch, on every page
}
PUBLIC_PREFIXES = ("admin:",)  # the admin has its own sign-in and is for superusers only
# URL names the app's own apps may make public (e.g. invitation links, calendar feeds with a
# secret token) list themselves here with the reason.
PUBLIC_BY_TOKEN = {
    "accounts:invitation_accept": "single-use invitation token in the URL",
    "checkins:calendar_feed": "secret, revocable calendar token in the URL",
}


def _all_cases() -> list[Case]:
    cases = []
    for module in pkgutil.iter_modules(tests.__path__):
        if module.ispkg:
            try:
                cases += importlib.import_module(f"tests.{module.name}.url_cases").CASES
            except ModuleNotFoundError:
                continue
    return cases


CASES = _all_cases()


def _url_names(resolver: URLResolver, prefix: str = "") -> set[str]:
    names = set()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            ns = f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix
            names |= _url_names(pattern, ns)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(prefix + pattern.name)
    return names


def test_every_url_is_public_or_in_the_matrix():
    classified = PUBLIC | set(PUBLIC_BY_TOKEN) | {case.name for case in CASES}
    unclassified = {
        name
        for name in _url_names(get_resolver())
        if name not in classified and not name.startswith(PUBLIC_PREFIXES)
    }
    assert not unclassified, (
        f"Add these URLs to a tests/<app>/url_cases.py or the allowlist: {sorted(unclassified)}"
    )


def _request(client, case: Case, world):
    url = reverse(case.name, kwargs=case.kwargs(world)) + (f"?{case.query}" if case.query else "")
    if case.method == "post":
        return client.post(url, case.data(world))
    return client.get(url)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_anonymous_is_sent_to_sign_in(client, world, case):
    response = _request(client, case, world)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("who", [w for w in WHO if w != "anonymous"])
@pytest.mark.parametrize("case", CASES, ids=str)
def test_role_matrix(client, world, case, who):
    client.force_login(world.user(who))
    response = _request(client, case, world)
    expected = case.expect[who]
    assert response.status_code == expected, (
        f"{who} {case}: got {response.status_code}, expected {expected}"
    )

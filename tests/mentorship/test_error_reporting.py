"""Error reports reach operators without participant content (Sentry or ADMINS e-mail)."""

import logging
import os
import subprocess
import sys
from pathlib import Path

from django.core import mail
from django.test import RequestFactory

from mentorship.errors import scrub

ROOT = Path(__file__).resolve().parents[2]


def test_sentry_events_lose_bodies_cookies_and_email_addresses():
    event = {
        "request": {
            "url": "https://x/participants/1/",
            "method": "POST",
            "data": {"notes": "relapsed on Friday"},
            "cookies": {"sessionid": "s3cret"},
            "query_string": "email=a@b.org",
            "headers": {"Cookie": "sessionid=s3cret", "User-Agent": "Firefox"},
        },
        "user": {"id": 7, "email": "mentee@example.org", "ip_address": "10.0.0.1"},
    }
    scrubbed = scrub(event)
    assert "relapsed" not in repr(scrubbed) and "s3cret" not in repr(scrubbed)
    assert "@" not in repr(scrubbed["user"]) and "a@b.org" not in repr(scrubbed)
    assert scrubbed["user"] == {"id": 7}
    assert scrubbed["request"]["headers"] == {"User-Agent": "Firefox"}


def _settings_in_a_subprocess(code: str, **env) -> str:
    env = {**os.environ, **env, "DJANGO_SETTINGS_MODULE": "mentorship.settings", "DEBUG": "0"}
    env.setdefault("SECRET_KEY", "x" * 50)
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()\n" + code],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def test_sentry_starts_only_with_a_dsn_and_never_sends_personal_data():
    check = (
        "import sentry_sdk\n"
        "c = sentry_sdk.get_client()\n"
        "print(c.is_active(), c.options['send_default_pii'], "
        "c.options['before_send'] and c.options['before_send'].__name__)"
    )
    assert _settings_in_a_subprocess(check, SENTRY_DSN="").split() == ["False", "None", "None"]
    active = _settings_in_a_subprocess(check, SENTRY_DSN="http://public@127.0.0.1:9/1")
    assert active.split() == ["True", "False", "scrub"]


def test_admins_come_from_the_environment():
    out = _settings_in_a_subprocess(
        "from django.conf import settings; print(settings.ADMINS)",
        ADMINS="Ops Team <ops@example.org>, oncall@example.org",
    )
    assert out.strip() == "[('Ops Team', 'ops@example.org'), ('', 'oncall@example.org')]"


def test_a_server_error_mails_admins_the_traceback_but_not_the_request(settings):
    settings.ADMINS = [("Ops", "ops@example.org")]
    request = RequestFactory().post(
        "/participants/1/", {"notes": "relapsed on Friday"}, HTTP_COOKIE="sessionid=s3cret"
    )
    try:
        raise ValueError("boom")
    except ValueError:
        logging.getLogger("django.request").error(
            "Internal Server Error: %s",
            "/participants/1/",
            exc_info=True,
            extra={"request": request},
        )
    [message] = mail.outbox
    assert message.to == ["ops@example.org"]
    assert "ValueError: boom" in message.body
    assert "relapsed" not in message.body and "s3cret" not in message.body

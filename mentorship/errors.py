"""Error reports for operators, without participant content.

Sentry (only when SENTRY_DSN is set) gets no request bodies, cookies, headers that identify a
person, query strings or user e-mail addresses: `scrub` drops them before an event leaves.
Without Sentry, ADMINS get an e-mail per server error from `AdminsEmailHandler`: the log line,
the view's name and the traceback, never the request (Django's own handler mails the POST data
and cookies).

These e-mails go to operators through Django's mail_admins, not the notifications outbox: they
must still go out when the database -- where the outbox lives -- is what is failing, they are
not about a participant (no quiet hours, preferences or per-program templates apply), and they
carry no participant content.
"""

import logging
import traceback

SCRUBBED_HEADERS = {"cookie", "authorization", "x-csrftoken", "x-forwarded-for", "x-real-ip"}


def scrub(event, hint=None):
    """Sentry's before_send: keep what locates the fault, drop what could identify a person."""
    request = event.get("request") or {}
    for key in ("data", "cookies", "query_string", "env"):
        request.pop(key, None)
    if isinstance(request.get("headers"), dict):
        request["headers"] = {
            name: value
            for name, value in request["headers"].items()
            if name.lower() not in SCRUBBED_HEADERS
        }
    user = event.get("user")
    if user:
        event["user"] = {"id": user["id"]} if "id" in user else {}
    return event


class AdminsEmailHandler(logging.Handler):
    """mail_admins() for ERROR records: message, view name and traceback only."""

    def emit(self, record):
        from django.core.mail import mail_admins

        try:
            request = getattr(record, "request", None)
            match = getattr(request, "resolver_match", None)
            where = f"{request.method} {match.view_name}" if match else "-"
            subject = f"{record.levelname}: {record.getMessage()}"[:200].splitlines()[0]
            body = [f"{record.getMessage()}", f"view: {where}", f"logger: {record.name}"]
            if record.exc_info:
                body.append("".join(traceback.format_exception(*record.exc_info)))
            mail_admins(subject, "\n".join(body), fail_silently=True)
        except Exception:
            self.handleError(record)

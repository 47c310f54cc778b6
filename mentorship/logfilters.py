"""Logging filters that keep secrets out of the log."""

import logging
import re

# Invitation links, calendar feeds and password-reset links carry their secret in the path,
# and Django logs the path of every 4xx/5xx answer ("Not Found: /checkins/calendar/...").
# Secret tokens are long runs of URL-safe characters; ordinary path segments are short words.
TOKEN = re.compile(r"[A-Za-z0-9_\-]{20,}")


class RedactTokens(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                TOKEN.sub("[token]", arg) if isinstance(arg, str) else arg for arg in record.args
            )
        return True

"""Abuse limits: how often one address, one account or one token may try something.

django-ratelimit does the counting (fixed windows in CACHES["default"]: Redis whenever
REDIS_URL is set, so every web process shares one count); the rates are named in
settings.ABUSE_LIMITS so a deployment tunes them in one place. A refusal is the 429 page with
Retry-After, and one WARNING line in mentorship.security naming the limit and a keyed hash of
the address: never the e-mail, the token or the path (which may hold a token).

Two ways to count:
- every request counts, before the view runs (password reset, invitation, feed by token);
- only failures count, after the view answered (`counts=`): a failed sign-in, an unknown feed
  token. Honest traffic that succeeds (a clinic's Wi-Fi full of people signing in, a calendar
  service fetching many good feeds from one address) then never uses the allowance up.
"""

import ipaddress
import logging
import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotFound
from django.shortcuts import render
from django.utils.crypto import salted_hmac
from django_ratelimit.core import get_usage
from redis.exceptions import RedisError

log = logging.getLogger("mentorship.security")

ALL_METHODS = None
POST = ("POST",)


def client_ip(request: HttpRequest) -> str:
    """The client's address, the one axes and every limit agree on.

    With TRUSTED_PROXY_COUNT = 0 (the default) it is REMOTE_ADDR: X-Forwarded-For is written by
    whoever sends the request and is ignored. Behind N proxies of our own, each appends the
    address it saw, so the client is the Nth entry from the right; anything further left was
    written by the client and is not trusted. A request with fewer entries did not come through
    our proxies and keeps REMOTE_ADDR.
    """
    # Empty only over a Unix socket without a trusted proxy: one shared allowance, not a 500.
    remote = request.META.get("REMOTE_ADDR") or "0.0.0.0"  # noqa: S104
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    hops = [hop for hop in hops if hop]
    if len(hops) < proxies:
        return remote
    candidate = hops[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


def address_tag(request: HttpRequest) -> str:
    """A keyed hash of the address for the log: lines about one address can be grouped, the
    address itself (personal data) cannot be read back, even by trying every IPv4 address."""
    return salted_hmac("mentorship.ratelimits.address", client_ip(request)).hexdigest()[:12]


def _posted(field: str) -> Callable[[str, HttpRequest], str]:
    def key(group: str, request: HttpRequest) -> str:
        # Case and spaces do not make another account, so they must not make another count.
        return request.POST.get(field, "").strip().lower()

    return key


def _url_argument(name: str) -> Callable[[str, HttpRequest], str]:
    def key(group: str, request: HttpRequest) -> str:
        return str(request.resolver_match.kwargs.get(name, ""))

    return key


@dataclass(frozen=True)
class Limit:
    name: str  # a key of settings.ABUSE_LIMITS, the django-ratelimit group, the log's words
    key: str | Callable[[str, HttpRequest], str]  # "ip" or fn(group, request) -> what is counted
    methods: tuple[str, ...] | None = ALL_METHODS
    # None: every request counts, before the view. Otherwise fn(request, response) -> bool,
    # asked after the view: only what it calls a failure counts.
    counts: Callable[[HttpRequest, HttpResponse], bool] | None = None
    # fn(request) -> bool: this request is not limited (and not counted) by this limit.
    exempt: Callable[[HttpRequest], bool] | None = None

    @property
    def rate(self) -> str:
        return settings.ABUSE_LIMITS[self.name]

    def applies(self, request: HttpRequest) -> bool:
        if self.methods is not None and request.method not in self.methods:
            return False
        return not (self.exempt and self.exempt(request))

    def usage(self, request: HttpRequest, *, increment: bool) -> dict | None:
        """django-ratelimit's count, or None (not limited) while the cache cannot be reached.

        Open, not closed: with Redis down nobody could sign in at all, while the per-account
        and address lockout (axes, in PostgreSQL) still holds the line against guessing."""
        try:
            return get_usage(
                request, group=self.name, key=self.key, rate=self.rate, increment=increment
            )
        except (RedisError, OSError):
            log.error("abuse limits unavailable (cache unreachable) limit=%s", self.name)
            return None


def too_many(request: HttpRequest, limit: Limit, seconds: int) -> HttpResponse:
    seconds = max(1, seconds)
    log.warning("abuse limit reached limit=%s address=%s", limit.name, address_tag(request))
    response = render(request, "429.html", {"retry_minutes": math.ceil(seconds / 60)}, status=429)
    response["Retry-After"] = str(seconds)
    response["Cache-Control"] = "no-store"
    return response


def _count_failures(request: HttpRequest, limits, response: HttpResponse) -> None:
    for limit in limits:
        counted_after = limit.counts is not None and limit.applies(request)
        if counted_after and limit.counts(request, response):
            limit.usage(request, increment=True)


def limited(*limits: Limit):
    """Refuse with the 429 page once any of `limits` is used up; count this request."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            for limit in limits:
                if not limit.applies(request):
                    continue
                counted_now = limit.counts is None
                usage = limit.usage(request, increment=counted_now)
                if usage is None:  # RATELIMIT_ENABLE off, or the cache unreachable
                    continue
                if counted_now:  # this request is number `count`; `limit` of them may pass
                    used_up = usage["count"] > usage["limit"]
                else:  # `count` failures are behind us; `limit` of them may happen
                    used_up = usage["count"] >= usage["limit"]
                if used_up or usage["time_left"] < 0:  # time_left < 0: the cache failed
                    return too_many(request, limit, usage["time_left"])
            try:
                response = view(request, *args, **kwargs)
            except Http404:
                _count_failures(request, limits, HttpResponseNotFound())
                raise
            _count_failures(request, limits, response)
            return response

        return wrapped

    return decorator


# --- Sign-in. django-axes locks one account for one address after five failures
# (AXES_LOCKOUT_PARAMETERS), so a stranger's guesses never lock the real person out on their
# own connection. Two limits above it bound what axes alone would allow:
# - failures per address across all accounts: one address cannot try many accounts (password
#   spraying) -- counted on failures only, so a clinic's shared Wi-Fi full of people signing in
#   correctly never reaches it;
# - failures per account across all addresses: guesses from many addresses at one account stay
#   bounded. This one could itself be used to lock the real person out (their account,
#   anyone's address), so a browser that has signed in to the account before is exempt: it
#   carries a signed "known device" cookie naming the account (OWASP's device-cookie
#   pattern). The trade-off: during such an attack the person can still sign in from any
#   browser they used before, but a first sign-in from a new browser waits for the window.
KNOWN_DEVICE_COOKIE = "known_device"
KNOWN_DEVICE_SALT = "mentorship.ratelimits.known-device"
KNOWN_DEVICE_MAX_AGE = 60 * 60 * 24 * 365
KNOWN_DEVICE_ACCOUNTS = 5  # a shared clinic computer may be used by a few people


def _account_tag(username: str) -> str:
    return salted_hmac(KNOWN_DEVICE_SALT, username.strip().lower()).hexdigest()[:20]


def _known_accounts(request: HttpRequest) -> list[str]:
    value = request.get_signed_cookie(
        KNOWN_DEVICE_COOKIE, default="", salt=KNOWN_DEVICE_SALT, max_age=KNOWN_DEVICE_MAX_AGE
    )
    return [tag for tag in value.split(":") if tag]


def _known_device(request: HttpRequest) -> bool:
    username = request.POST.get("username", "")
    return bool(username) and _account_tag(username) in _known_accounts(request)


def _sign_in_failed(request: HttpRequest, response: HttpResponse) -> bool:
    return not request.user.is_authenticated


SIGN_IN_PER_ADDRESS = Limit(
    "sign-in-failures-per-address", "ip", methods=POST, counts=_sign_in_failed
)
SIGN_IN_PER_ACCOUNT = Limit(
    "sign-in-failures-per-account",
    _posted("username"),
    methods=POST,
    counts=_sign_in_failed,
    exempt=_known_device,
)


def sign_in_limited(view):
    """The sign-in view with both limits, remembering this browser once a sign-in succeeds."""
    limited_view = limited(SIGN_IN_PER_ADDRESS, SIGN_IN_PER_ACCOUNT)(view)

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = limited_view(request, *args, **kwargs)
        if request.method == "POST" and request.user.is_authenticated:
            tag = _account_tag(request.POST.get("username", ""))
            tags = [tag] + [t for t in _known_accounts(request) if t != tag]
            response.set_signed_cookie(
                KNOWN_DEVICE_COOKIE,
                ":".join(tags[:KNOWN_DEVICE_ACCOUNTS]),
                salt=KNOWN_DEVICE_SALT,
                max_age=KNOWN_DEVICE_MAX_AGE,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response

    return wrapped


def locked_out(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """django-axes' refusal (AXES_LOCKOUT_CALLABLE): the locked-out page, as a 429 that says
    when to try again like every other limit. Axes passes the attempted e-mail; it is not used."""
    log.warning("abuse limit reached limit=sign-in-lockout address=%s", address_tag(request))
    response = render(request, "registration/locked_out.html", status=429)
    response["Retry-After"] = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    response["Cache-Control"] = "no-store"
    return response


# The second step of sign-in (a one-time code): the person behind it already knows the
# password, so a per-account bound across addresses is what keeps a 6-digit code from being
# walked from many addresses. Failures only (the step answers its form again); apply it to
# the second-step view after login_required.
SECOND_FACTOR_PER_ACCOUNT = Limit(
    "second-factor-failures-per-account",
    lambda group, request: str(request.user.pk),
    methods=POST,
    counts=lambda request, response: response.status_code == 200,
)


# --- Token and e-mail pages. Per address, and per the thing attacked (one mailbox is not
# flooded with reset e-mails from many addresses; one token is not hammered). The e-mail limit
# counts whether or not an account has the address, so a 429 reveals nothing.
PASSWORD_RESET_PER_ADDRESS = Limit("password-reset-per-address", "ip", methods=POST)
PASSWORD_RESET_PER_EMAIL = Limit("password-reset-per-email", _posted("email"), methods=POST)
INVITATION_PER_ADDRESS = Limit("invitation-per-address", "ip")
INVITATION_PER_TOKEN = Limit("invitation-per-token", _url_argument("token"), methods=POST)
CALENDAR_FEED_PER_TOKEN = Limit("calendar-feed-per-token", _url_argument("token"))
# Only unknown tokens count per address: calendar services fetch many people's feeds from a
# few shared addresses, and those fetches must not add up to a refusal.
CALENDAR_FEED_MISSES_PER_ADDRESS = Limit(
    "calendar-feed-misses-per-address",
    "ip",
    counts=lambda request, response: response.status_code == 404,
)

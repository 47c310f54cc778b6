"""Settings, read from the environment.

PostgreSQL only, always from DATABASE_URL (`make run` starts an embedded server and sets it).
Safe development defaults otherwise (a Celery broker that needs no server, e-mail written to a
folder) so `make run` works on a machine with only Python; production secrets have no default.
"""

import os
import sys
from datetime import timedelta
from email.utils import getaddresses
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG")
# pytest imports itself before Django settings; the worker processes tests start do not need this.
TESTING = "pytest" in sys.modules

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if DEBUG or TESTING:
        SECRET_KEY = "insecure-development-key-never-used-in-production-0123456789"  # noqa: S105
    else:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG or TESTING else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    # naturalday/naturaltime and their translations, for `{% load when %}`.
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "axes",
    "django_ratelimit",
    "mentorship",
    "accounts",
    "notifications",
    "matching",
    "checkins",
    "goals",
    "outcomes",
    # The site shell, above every app: root URLs, dashboards, navigation, seed_demo.
    "portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "mentorship.middleware.SessionLifetimeMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "mentorship.middleware.NoStoreMiddleware",
    # Last, so a locked-out login is refused before any view runs.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "mentorship.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.navigation",
            ],
        },
    },
]

# --- Database: PostgreSQL, from DATABASE_URL. No default: the settings do not start a server
# (web, worker, beat and every manage.py would race to), `scripts/embedded_postgres.py` does,
# once, for `make run` and whatever command it wraps.
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if not DATABASE_URL.startswith(("postgres://", "postgresql://")):
    raise ImproperlyConfigured(
        "DATABASE_URL must name a PostgreSQL database (postgres://USER:PASSWORD@HOST:5432/NAME); "
        "for the embedded one run `make run`, or wrap a command in "
        "`.venv/bin/python scripts/embedded_postgres.py -- COMMAND`."
    )
# Kept for a minute, checked before reuse (a restarted server is noticed, not an error).
DATABASES = {
    "default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)
}
# No JIT: PostgreSQL compiles any query whose estimated cost is high, which adds 10-20 ms to a
# page's count over 10,000 mentees (measured on the coordinator's dashboard) and pays off only
# for analytical queries running for seconds, which no request here runs.
_options = DATABASES["default"].setdefault("OPTIONS", {})
_options["options"] = f"{_options.get('options', '')} -c jit=off".strip()
# Two roles, as in production: DATABASE_URL is the application's role, which owns nothing and
# may only read and write rows (and only INSERT/SELECT audit entries); MIGRATE_DATABASE_URL is
# the role that owns the schema, used by `manage.py migrate` alone
# (mentorship/management/commands/migrate.py). Only its user and password are taken: migrations
# run on the database DATABASE_URL names. Unset, one role does both (a bare development server).
DATABASE_APP_ROLE = DATABASES["default"]["USER"]
MIGRATE_DATABASE_URL = os.environ.get("MIGRATE_DATABASE_URL", "")
DATABASE_OWNER_CREDENTIALS = None
if MIGRATE_DATABASE_URL:
    _owner = dj_database_url.parse(MIGRATE_DATABASE_URL)
    DATABASE_OWNER_CREDENTIALS = {"USER": _owner["USER"], "PASSWORD": _owner["PASSWORD"]}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: broker and cache when REDIS_URL is set, else a file-system broker and local cache.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CELERY_BROKER_URL = "filesystem://"
    _broker_dir = VAR_DIR / "broker"
    for sub in ("queue", "processed"):
        (_broker_dir / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "store_processed": False,
    }
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# django-ratelimit knows Django's own Redis backend only by name (its INCR is atomic, which is
# what the counts need). The local cache of `make run` without Redis is one process's memory:
# right for its single web process, wrong for several, which is why production sets REDIS_URL.
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"]
if not REDIS_URL:
    SILENCED_SYSTEM_CHECKS.append("django_ratelimit.E003")

CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True  # a worker that dies mid-task leaves the message for another
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Keep a worker's database connections across tasks; mentorship.celery closes the broken or
# old ones around each task, as Django does around each request.
CELERY_DB_REUSE_MAX = 1000
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Periodic tasks live in one place; later apps add their entries here.
CELERY_BEAT_SCHEDULE: dict = {}
# Notifications: due e-mails are found in the database each minute (no ETA tasks in Redis).
CELERY_BEAT_SCHEDULE |= {
    "notifications-dispatch": {"task": "notifications.dispatch", "schedule": 60.0},
}
CELERY_BEAT_SCHEDULE |= {
    "checkins-occurrences-generate": {
        "task": "checkins.occurrences_generate",
        "schedule": 60.0 * 60,
    },
    "checkins-engagement-scan": {"task": "checkins.engagement_scan", "schedule": 60.0 * 60},
}
# Outcomes. Use reported at check-ins reaches the use log in the check-in's own transaction
# (checkins.hooks.use_reported); this pass only repairs rows changed without the services.
CELERY_BEAT_SCHEDULE |= {
    "outcomes-use-log-repair": {"task": "outcomes.use_log_repair", "schedule": 60.0 * 60},
    # The summaries' activity figures count planned check-ins once their day has come (goals
    # once due): brought up to the day (and to records changed since) hourly, so each
    # program's midnight is seen.
    "outcomes-activity-figures-refresh": {
        "task": "outcomes.activity_figures_refresh",
        "schedule": 60.0 * 60,
    },
    # Assessments due: outbox rows planned here, sent by notifications.dispatch.
    "outcomes-assessment-reminders-plan": {
        "task": "outcomes.assessment_reminders_plan",
        "schedule": 60.0 * 60,
    },
    "outcomes-export-jobs-expire": {"task": "outcomes.export_jobs_expire", "schedule": 86400.0},
    # Interview windows opening, closing in a week, missed: coordinators' outbox notices.
    "outcomes-followup-notices-plan": {
        "task": "outcomes.followup_notices_plan",
        "schedule": 60.0 * 60,
    },
}

# --- Authentication (OWASP ASVS level 2)
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ["email", "first_name", "last_name"]},
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24  # one day

# Five failures for one account from one address lock that account from that address for 30
# minutes: a stranger's guesses lock only the stranger out, never the person on their own
# connection, and a typo-prone clinic Wi-Fi locks only the account being mistyped there.
# Guesses spread over many accounts or many addresses are bounded by the abuse limits below.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
# The locked-out page as a 429 with Retry-After, like the other limits.
AXES_LOCKOUT_CALLABLE = "mentorship.ratelimits.locked_out"
AXES_VERBOSE = False
AXES_SENSITIVE_PARAMETERS = ["password"]
# The same client address as the abuse limits (mentorship.ratelimits.client_ip).
AXES_CLIENT_IP_CALLABLE = "mentorship.ratelimits.client_ip"

# --- Abuse limits (mentorship/ratelimits.py): counted by django-ratelimit in CACHES["default"].
# How many proxies of our own stand in front of the app (nginx, a load balancer), each
# appending to X-Forwarded-For; 0 = the app is reached directly and the header is ignored.
# Set it behind a proxy, or every client looks like the proxy and shares one allowance.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
RATELIMIT_IP_META_KEY = "mentorship.ratelimits.client_ip"
RATELIMIT_CACHE_PREFIX = "ratelimit:"
# "N/period": N allowed per window (s, m, h, d; "10m" = ten minutes). Failures-only limits
# count failed attempts; the others count every request they apply to.
ABUSE_LIMITS = {
    # A clinic's Wi-Fi is one address for everyone there: 30 *failed* sign-ins in 10 minutes
    # is far more typos than a group makes, and far too few to try a password on many accounts.
    "sign-in-failures-per-address": "30/10m",
    # Across all addresses; browsers that signed in to the account before are exempt.
    "sign-in-failures-per-account": "20/h",
    "password-reset-per-address": "20/h",
    "password-reset-per-email": "5/h",
    "invitation-per-address": "30/10m",
    "invitation-per-token": "10/10m",
    # Calendar apps poll every 5 to 60 minutes.
    "calendar-feed-per-token": "60/h",
    "calendar-feed-misses-per-address": "100/h",
    "second-factor-failures-per-account": "10/h",
}

# Idle timeout 30 minutes (cookie age, renewed on each request); absolute lifetime 12 hours
# (enforced by SessionLifetimeMiddleware from the login time kept in the session).
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_ABSOLUTE_LIFETIME = 12 * 60 * 60
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# --- Security headers
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not TESTING)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = not TESTING
    CSRF_COOKIE_SECURE = not TESTING

# Our pages carry no inline script or style, so the policy can be strict.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- Second factor (issue #16): TOTP and recovery codes with django-otp, passkeys with
# django-otp-webauthn. The password sign-in (and axes) stays Django's; OTPMiddleware marks a
# session verified once a second step passed, and SecondFactorMiddleware sends a person with a
# device to that step, and a coordinator or evaluator past the grace period (per program:
# Program.second_factor_grace_days) to set one up. See accounts/second_factor.py.
INSTALLED_APPS += [
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp_webauthn",
]
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    "django_otp.middleware.OTPMiddleware",
)
MIDDLEWARE.insert(
    MIDDLEWARE.index("mentorship.middleware.SessionLifetimeMiddleware") + 1,
    "accounts.second_factor_middleware.SecondFactorMiddleware",
)
# The name authenticator apps and passkey managers list on the person's phone. Not the
# product's name: "Recovery" in a phone's account list would itself disclose treatment.
SECOND_FACTOR_ISSUER = os.environ.get("SECOND_FACTOR_ISSUER", "Mentorship sign-in")
OTP_TOTP_ISSUER = SECOND_FACTOR_ISSUER
OTP_WEBAUTHN_RP_NAME = SECOND_FACTOR_ISSUER
# A passkey is the second step after the password, never a sign-in on its own: the password
# step is where axes counts failures.
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False
# Passkeys belong to SITE_URL's host name and are accepted from its origin only. Browsers
# refuse them on an IP address, so on a development machine they work at http://localhost:PORT.
_passkey_site = urlsplit(SITE_URL.replace("//127.0.0.1", "//localhost", 1))
OTP_WEBAUTHN_RP_ID = _passkey_site.hostname
OTP_WEBAUTHN_ALLOWED_ORIGINS = [_passkey_site.geturl()]

# --- Internationalisation and time: stored in UTC, shown in the program's timezone.
# English and Spanish (issue #15). Which one a person reads is accounts.languages' answer:
# their saved choice, the browser's, the program's default, then LANGUAGE_CODE.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Spanish")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Our own formats (formats/en, formats/es): "Nov 30, 2026" and "30 nov 2026".
FORMAT_MODULE_PATH = ["mentorship.formats"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    "accounts.locale_middleware.PersonLocaleMiddleware",
)

# --- Static files, vendored and served by whitenoise (no CDN: strict CSP, works offline).
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
# Files browsers fetch at the site's root whatever the page links (/favicon.ico), served by
# whitenoise so they need no URL of ours.
WHITENOISE_ROOT = BASE_DIR / "public"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = VAR_DIR / "media"

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- E-mail: SMTP when EMAIL_HOST is set, else files in var/mail for `make run`.
DEFAULT_FROM_EMAIL = os.environ.get(
    "DEFAULT_FROM_EMAIL", "Recovery Mentorship <no-reply@localhost>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
if os.environ.get("EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = os.environ["EMAIL_HOST"]
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", 587))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
    EMAIL_TIMEOUT = 20
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "mail"

# --- Error reports (mentorship/errors.py): Sentry when SENTRY_DSN is set, scrubbed of
# participant content; else an e-mail per server error to ADMINS ("Name <a@b>, c@d").
ADMINS = [(name, address) for name, address in getaddresses(env_list("ADMINS")) if "@" in address]
SENTRY_DSN = os.environ.get("SENTRY_DSN", "")
if SENTRY_DSN:
    import sentry_sdk

    from mentorship.errors import scrub

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        environment=os.environ.get("SENTRY_ENVIRONMENT", "production"),
        send_default_pii=False,
        include_local_variables=False,  # a frame's locals can hold what a participant wrote
        max_request_body_size="never",
        before_send=scrub,
        traces_sample_rate=0,
    )

# --- Logging: to stderr; never participant content (services log ids, not text).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
        "redact_tokens": {"()": "mentorship.logfilters.RedactTokens"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
        # In place of Django's mail_admins, which mails request bodies and cookies.
        "mail_admins": {
            "class": "mentorship.errors.AdminsEmailHandler",
            "level": "ERROR",
            "filters": ["require_debug_false"],
        },
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # axes logs attempted usernames (e-mail addresses) at WARNING; our own receivers log
        # account ids instead, so only its errors are kept.
        "axes": {"level": "ERROR"},
        # Replaces Django's "django" logger config, and with it its mail_admins handler.
        "django": {"handlers": ["mail_admins"] if not SENTRY_DSN else [], "level": "INFO"},
        "mentorship.security": {"level": "INFO"},
        # Django names the path of every refused request; a path may hold a link's token.
        "django.request": {"filters": ["redact_tokens"]},
    },
}

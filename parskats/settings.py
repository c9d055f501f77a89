"""Pārskats settings: one module, driven by environment variables.

Every variable is read here and nowhere else. A malformed value stops start-up with a message
that names the variable (ImproperlyConfigured), so a typo never runs silently with a default.

PARSKATS_ENV      development (default) | production. Production requires DJANGO_SECRET_KEY and
                  DJANGO_ALLOWED_HOSTS and turns on secure cookies and HSTS.
DJANGO_DEBUG      0/1, default 0.
DATABASE_URL      default sqlite:///<BASE_DIR>/db.sqlite3; postgres://user@host:port/name for PostgreSQL.
EMAIL_URL-like    EMAIL_BACKEND (console by default) and EMAIL_HOST/PORT/USER/PASSWORD/USE_TLS.
REDIS_URL         unset (default): the cache is per process. redis://host:port/db: rate limits, login
                  lockouts and sessions are shared by every worker (the only exact choice with >1 worker).
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import dj_database_url
import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured

# Lets the generic Django classes the type checker sees as generic (ModelAdmin[Report], ModelForm[Article],
# Feed, Sitemap, ContentFile) be subscripted at run time too, so mypy --strict needs no Any in their place.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent
PACKAGE_DIR = Path(__file__).resolve().parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean: use 1/0, true/false, yes/no or on/off.")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None


def env_date(name: str) -> dt.date | None:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return None
    try:
        return dt.date.fromisoformat(raw.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a date as YYYY-MM-DD.") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def database_from_url(url: str) -> dict[str, Any]:
    """Parse DATABASE_URL, failing loudly and by name on anything malformed."""
    parts = urlsplit(url)
    if parts.scheme not in {"sqlite", "postgres", "postgresql", "pgsql"}:
        raise ImproperlyConfigured(
            f"DATABASE_URL has an unsupported scheme {parts.scheme!r}: use sqlite:///path or postgres://user@host:port/name."
        )
    if parts.scheme != "sqlite":
        if not parts.hostname and "host=" not in parts.query:
            raise ImproperlyConfigured("DATABASE_URL names no host: postgres://user@host:port/name.")
        if not parts.path.strip("/"):
            raise ImproperlyConfigured("DATABASE_URL names no database: postgres://user@host:port/name.")
        try:
            parts.port  # noqa: B018 - raises ValueError on a non-numeric port
        except ValueError:
            raise ImproperlyConfigured(f"DATABASE_URL has a malformed port: {url!r}.") from None
    try:
        config = dict(dj_database_url.parse(url, conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0)))
    except ValueError as exc:
        raise ImproperlyConfigured(f"DATABASE_URL is malformed: {exc}") from None
    return config


PARSKATS_ENV = os.environ.get("PARSKATS_ENV", "development")
if PARSKATS_ENV not in {"development", "production"}:
    raise ImproperlyConfigured(f"PARSKATS_ENV={PARSKATS_ENV!r}: use 'development' or 'production'.")
PRODUCTION = PARSKATS_ENV == "production"

DEBUG = env_bool("DJANGO_DEBUG", False)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DJANGO_DEBUG must not be on when PARSKATS_ENV=production.")

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY is required when PARSKATS_ENV=production.")
    SECRET_KEY = "development-only-insecure-key-never-use-in-production"  # noqa: S105
elif PRODUCTION and len(SECRET_KEY) < 40:
    raise ImproperlyConfigured("DJANGO_SECRET_KEY is too short for production: use at least 40 random characters.")

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]"])
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS is required when PARSKATS_ENV=production.")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

# Our apps first: their templates and translations win over Django's where both define one.
INSTALLED_APPS = [
    "parskats.core",
    "parskats.accounts",
    "parskats.network",
    "parskats.catalogue",
    "parskats.reporting",
    "parskats.audit",
    "parskats.jobs",
    "parskats.review",
    "parskats.stats",
    "parskats.seminar",
    "parskats.news",
    "parskats.yearbook",
    "parskats.pls",
    "parskats.site",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "parskats.core.observability.RequestMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "parskats.accounts.middleware.UserLanguageMiddleware",
    "parskats.core.security.NulBytePathMiddleware",
    "parskats.core.security.ControlCharacterMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "parskats.core.security.SecurityHeadersMiddleware",
]

ROOT_URLCONF = "parskats.urls"
WSGI_APPLICATION = "parskats.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "parskats.core.context_processors.site",
                "parskats.site.menu.menu",
            ],
        },
    },
]

DATABASES = {"default": database_from_url(os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Rate-limit counters, login lockouts and sessions live in the cache. In-process by default (one
# `make run` process); with several gunicorn workers each would count on its own and a limit would be
# N times looser, so production points REDIS_URL at Redis. Django's own RedisCache: no extra package
# beyond the redis client, and its incr is Redis INCR, atomic across processes.
REDIS_URL = os.environ.get("REDIS_URL", "").strip()
if REDIS_URL:
    if urlsplit(REDIS_URL).scheme not in {"redis", "rediss", "unix"}:
        raise ImproperlyConfigured(f"REDIS_URL={REDIS_URL!r}: use redis://host:port/db (or rediss:// for TLS).")
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("PARSKATS_CACHE_PREFIX", "parskats"),
            # A Redis that is away must not hang every request: fail fast (then 500/503 pages).
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
    # Sessions are written to the database and read through Redis: a Redis restart (it keeps
    # nothing on disk here) logs nobody out, and a page view does not query the session table.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
elif PRODUCTION and env_int("WEB_CONCURRENCY", 1) > 1:
    raise ImproperlyConfigured(
        "REDIS_URL is required when PARSKATS_ENV=production runs more than one worker (WEB_CONCURRENCY): "
        "rate limits and login lockouts must be shared by all workers."
    )

# Computed figures are kept per process (stats/cache.py), keyed on a version kept in the database,
# so they stay right with any number of processes; 0 entries turns the cache off.
FIGURES_CACHE_ENTRIES = env_int("PARSKATS_FIGURES_CACHE_ENTRIES", 128)  # one year's table each
FIGURES_CACHE_SECONDS = env_int("PARSKATS_FIGURES_CACHE_SECONDS", 600)
# The seminar pack's deck and handout, and the annual review's files, built at once in forked
# processes (core.apart); 0 builds them one after another in the worker itself.
DOCUMENTS_PARALLEL = env_bool("PARSKATS_DOCUMENTS_PARALLEL", True)
# Public pages for readers without a session (core/pagecache.py); 0 turns the page cache off. A moved
# counter, not this time, is what retires a page: this is the safety net.
PAGE_CACHE_SECONDS = env_int("PARSKATS_PAGE_CACHE_SECONDS", 600)

AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "parskats.accounts.hashers.Argon2idHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "site:home"
LOGOUT_REDIRECT_URL = "site:home"

# Latvian first. Formats for lv live in parskats/formats/lv (PRODUCT.md conventions).
LANGUAGE_CODE = "lv"
LANGUAGES = [("lv", "Latviešu"), ("en", "English")]
LOCALE_PATHS: list[Path] = []  # each app keeps its own catalogue in <app>/locale
FORMAT_MODULE_PATH = ["parskats.formats"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Europe/Riga"
LANGUAGE_COOKIE_NAME = "parskats_language"
LANGUAGE_COOKIE_SECURE = PRODUCTION
LANGUAGE_COOKIE_SAMESITE = "Lax"

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("PARSKATS_STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("PARSKATS_MEDIA_ROOT", str(BASE_DIR / "media")))
# Uploaded files are answered by parskats.core.media after an access check. Behind nginx, its internal
# location for MEDIA_ROOT (deploy/nginx/parskats.conf): the app answers X-Accel-Redirect and nginx
# sends the bytes. Empty (default): the app streams the file itself.
PARSKATS_MEDIA_ACCEL = os.environ.get("PARSKATS_MEDIA_ACCEL", "").strip()
if PARSKATS_MEDIA_ACCEL and not re.fullmatch(r"/[\w/-]+/", PARSKATS_MEDIA_ACCEL):
    raise ImproperlyConfigured(
        f"PARSKATS_MEDIA_ACCEL={PARSKATS_MEDIA_ACCEL!r}: give nginx's internal location, e.g. /_protected_media/."
    )
# Hashed file names in production; plain storage elsewhere so tests need no collectstatic.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Pārskats <parskats@localhost>")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", PRODUCTION)
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31536000 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
# A year, subdomains included: what the preload list asks for; DJANGO_HSTS_PRELOAD=0 to opt out.
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", PRODUCTION)
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Reverse proxies in front of the app whose X-Forwarded-For we believe (0: none, the client is
# REMOTE_ADDR). With N, the client is the Nth address from the right of X-Forwarded-For; anything
# to its left was written by the client and is ignored (parskats.core.ratelimit.client_address).
PARSKATS_TRUSTED_PROXIES = env_int("PARSKATS_TRUSTED_PROXIES", 0)
if not 0 <= PARSKATS_TRUSTED_PROXIES <= 10:
    raise ImproperlyConfigured(
        f"PARSKATS_TRUSTED_PROXIES={PARSKATS_TRUSTED_PROXIES}: give the number of reverse proxies in front of "
        "the app (0 when clients connect directly, usually 1 behind nginx)."
    )

# Content-Security-Policy (parskats/core/security.py): scripts and styles only from our own static
# files, no inline code, no eval, no framing. Pages never load anything from another origin.
CONTENT_SECURITY_POLICY = {
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
CONTENT_SECURITY_POLICY_REPORT_ONLY = env_bool("PARSKATS_CSP_REPORT_ONLY", False)
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Seconds a browser should wait before retrying while the database is unavailable (503 page).
DATABASE_RETRY_AFTER = env_int("PARSKATS_RETRY_AFTER", 30)

# Rate limits (parskats/core/ratelimit.py): "count/seconds" per scope, PARSKATS_RATE_<SCOPE> to change.
RATE_LIMITS = {
    scope: os.environ.get(f"PARSKATS_RATE_{scope.upper()}", default)
    for scope, default in {"password_reset": "5/3600", "comments": "5/600", "api": "600/60"}.items()
}
for _scope, _rate in RATE_LIMITS.items():
    if not re.fullmatch(r"[1-9][0-9]*/[1-9][0-9]*", _rate):
        raise ImproperlyConfigured(f"PARSKATS_RATE_{_scope.upper()}={_rate!r}: use count/seconds, e.g. 10/300.")

# Failed logins (parskats/accounts/lockout.py): per account-and-address pair, this many attempts,
# then one per delay that starts at LOGIN_FIRST_DELAY seconds and doubles up to LOGIN_MAX_DELAY;
# per address over all accounts, at most LOGIN_ADDRESS_FAILURES failures in LOGIN_ADDRESS_WINDOW s.
LOGIN_FREE_ATTEMPTS = env_int("PARSKATS_LOGIN_FREE_ATTEMPTS", 5)
LOGIN_FIRST_DELAY = env_int("PARSKATS_LOGIN_FIRST_DELAY", 60)
LOGIN_MAX_DELAY = env_int("PARSKATS_LOGIN_MAX_DELAY", 3600)
LOGIN_ADDRESS_FAILURES = env_int("PARSKATS_LOGIN_ADDRESS_FAILURES", 50)
LOGIN_ADDRESS_WINDOW = env_int("PARSKATS_LOGIN_ADDRESS_WINDOW", 900)
_LOGIN_LIMITS = ("FREE_ATTEMPTS", "FIRST_DELAY", "MAX_DELAY", "ADDRESS_FAILURES", "ADDRESS_WINDOW")
for _name in _LOGIN_LIMITS:
    if globals()[f"LOGIN_{_name}"] < 1:
        raise ImproperlyConfigured(f"PARSKATS_LOGIN_{_name}: use a whole number, 1 or more.")

LOG_FORMAT = os.environ.get("PARSKATS_LOG_FORMAT", "text")
if LOG_FORMAT not in ("text", "json"):
    raise ImproperlyConfigured("PARSKATS_LOG_FORMAT must be text or json.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "parskats.core.observability.RequestIdFilter"}},
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "parskats.core.observability.JsonFormatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["request_id"], "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": os.environ.get("PARSKATS_LOG_LEVEL", "WARNING")},
}
# /metrics answers only to "Authorization: Bearer <this>"; without it set, /metrics is a 404.
PARSKATS_METRICS_TOKEN = os.environ.get("PARSKATS_METRICS_TOKEN", "")
# Each successful backup writes its time here, for /metrics (backups run outside the web workers).
PARSKATS_BACKUP_STAMP = Path(os.environ.get("PARSKATS_BACKUP_STAMP", str(BASE_DIR / "backups" / "last-backup.json")))

SITE_NAME = "Pārskats"
# The day the demo takes as today (YYYY-MM-DD; unset: the real date). Its last year is the year before,
# open for reports; the tests fix it so that their demo always ends with 2022.
PARSKATS_DEMO_TODAY = env_date("PARSKATS_DEMO_TODAY")
PARSKATS_BASE_URL = os.environ.get("PARSKATS_BASE_URL", "http://127.0.0.1:8000")  # links in emails

# Background jobs (parskats/jobs): Django's tasks API. "inline" runs a job inside the request that
# starts it (make run: no worker to start); "database" queues it in the database for
# `manage.py jobs_worker` (production; SQLite or PostgreSQL, no other service).
JOBS_BACKEND = os.environ.get("PARSKATS_JOBS", "database" if PRODUCTION else "inline")
if JOBS_BACKEND not in {"inline", "database"}:
    raise ImproperlyConfigured(f"PARSKATS_JOBS={JOBS_BACKEND!r}: use inline or database.")
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend"
        if JOBS_BACKEND == "database"
        else "django_tasks.backends.immediate.ImmediateBackend"
    }
}


def _seconds(name: str, default: float) -> float:
    text = os.environ.get(name, "")
    try:
        value = float(text) if text else default
    except ValueError:
        raise ImproperlyConfigured(f"{name}={text!r}: use a number of seconds.") from None
    if not 0 < value < 86400:
        raise ImproperlyConfigured(f"{name}={text!r}: use a number of seconds above 0.")
    return value


# A running job writes its progress and a heartbeat this often; one silent for JOBS_STALE_SECONDS
# had its worker killed: it goes back to the queue (up to JOBS_MAX_ATTEMPTS runs) or fails.
JOBS_HEARTBEAT_SECONDS = _seconds("PARSKATS_JOBS_HEARTBEAT", 2)
JOBS_STALE_SECONDS = _seconds("PARSKATS_JOBS_STALE", 120)
JOBS_MAX_ATTEMPTS = env_int("PARSKATS_JOBS_ATTEMPTS", 2)

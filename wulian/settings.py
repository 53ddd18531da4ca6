"""Settings for Wulian, read from the environment.

Every value a deployment may change comes from an environment variable through one of the
typed helpers below, which fail loudly on a malformed value. The defaults give a working
development site on SQLite with no configuration at all.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

import dj_database_url
import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


WULIAN_ENV = env_str("WULIAN_ENV", "development")
if WULIAN_ENV not in {"development", "production", "test"}:
    raise ImproperlyConfigured("WULIAN_ENV must be development, production or test")
PRODUCTION = WULIAN_ENV == "production"
DEBUG = env_bool("DEBUG", default=WULIAN_ENV == "development")

DATA_DIR = Path(env_str("WULIAN_DATA_DIR", str(BASE_DIR / "var")))


# Secrets seen in tutorials and sample files; a production key must be none of them.
WEAK_SECRET_KEYS = {"secret", "changeme", "change-me", "secret_key", "your-secret-key", "x"}


def _secret_key() -> str:
    key = env_str("SECRET_KEY")
    if key and PRODUCTION:
        weak = (
            len(key) < 50
            or len(set(key)) < 5
            or key.startswith("django-insecure")
            or key.lower() in WEAK_SECRET_KEYS
        )
        if weak:
            raise ImproperlyConfigured(
                "SECRET_KEY is too weak for production: use at least 50 random characters, "
                "e.g. python -c 'import secrets; print(secrets.token_urlsafe(50))'"
            )
    if key:
        return key
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY must be set in production")
    # Development and tests: a random key kept beside the data so sessions survive restarts.
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    path = DATA_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]"])
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set in production")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "wulian.core",
    "wulian.accounts",
    "wulian.audit",
    "wulian.places",
    "wulian.orgs",
    "wulian.lists",
    "wulian.notifications",
    "wulian.whistle",
    "wulian.council",
    "wulian.events",
    "wulian.activities",
    "wulian.volunteering",
    "wulian.training",
    "wulian.dashboards",
    "wulian.site",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rules.apps.AutodiscoverRulesConfig",
    "django_tasks",
    "django_tasks_db",
    # The API's documentation page, with Swagger UI served from our own static files.
    "ninja",
    # Last: our apps' templates may override its widgets' (core/templates/django/forms).
    "django.forms",
]

FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

# Background work: Django's tasks API with the database backend, run by `wulian worker`.
TASKS = {
    "default": {
        "BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

MIDDLEWARE = [
    # First: it counts and times every answer, the other middlewares' included.
    "wulian.core.metrics.MetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "wulian.core.security.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # After LocaleMiddleware, so the language is known when the page goes out.
    "wulian.core.script.TraditionalScriptMiddleware",
    "django.middleware.common.CommonMiddleware",
    "wulian.core.http.CleanTextMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "wulian.accounts.middleware.ApiTokenMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wulian.core.db.PinAfterWriteMiddleware",
]

ROOT_URLCONF = "wulian.urls"
WSGI_APPLICATION = "wulian.wsgi.application"

TEMPLATES: list[dict[str, Any]] = [
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
                "wulian.site.context_processors.navigation",
                "wulian.core.actions.kept_input",
            ],
        },
    },
]

# Databases: SQLite in WAL mode by default, PostgreSQL (or another) through DATABASE_URL.
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'wulian.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    # Each thread keeps its connection: opening one (its pragmas, and SQLite reading the
    # schema again) cost every request 6 to 20 ms (docs/benchmarks.md, "Pages of a district").
    DATABASES["default"]["CONN_MAX_AGE"] = 60
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;"
        ),
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"].setdefault("TEST", {})
    # One file per test process, so parallel runs on one machine never share a database.
    DATABASES["default"]["TEST"]["NAME"] = str(DATA_DIR / f"test-{os.getpid()}.sqlite3")
else:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Behind PgBouncer in transaction pooling, a cursor cannot outlive its transaction.
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env_bool("PGBOUNCER", default=False)

# A streaming replica for the reads that may lag (see wulian/core/db.py).
REPLICA_DATABASE_URL = env_str("REPLICA_DATABASE_URL")
DATABASE_ROUTERS: list[str] = []
if REPLICA_DATABASE_URL:
    DATABASES["replica"] = dj_database_url.parse(REPLICA_DATABASE_URL, conn_max_age=60)
    DATABASES["replica"]["CONN_HEALTH_CHECKS"] = True
    # A standby that is down must not hold a page: PgBouncer keeps a login waiting for a server
    # (query_wait_timeout, 120 s by default) before it gives up; libpq gives up first, and
    # wulian/core/db.py then reads from the primary.
    DATABASES["replica"].setdefault("OPTIONS", {})["connect_timeout"] = env_int(
        "REPLICA_CONNECT_TIMEOUT", 2
    )
    DATABASES["replica"]["DISABLE_SERVER_SIDE_CURSORS"] = env_bool("PGBOUNCER", default=False)
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["wulian.core.db.PrimaryReplicaRouter"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "wulian.accounts.backends.KeptUserBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "site:home"
LOGOUT_REDIRECT_URL = "site:home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
SESSION_COOKIE_AGE = 60 * 60 * 24 * 14

# Prometheus metrics at /metrics (wulian/core/metrics.py): for these addresses, or with the token.
METRICS_ALLOWED_IPS = env_list("METRICS_ALLOWED_IPS", ["127.0.0.1", "::1"])
METRICS_TOKEN = env_str("METRICS_TOKEN")

# Each process keeps what it rendered in its own memory (the dashboards' figures, the needs
# list, a need's page, each person's menu), keyed by the versions of what it shows, which are
# rows of the database (wulian/core/versions.py): every app server sees a change at once and
# none needs a shared cache.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "OPTIONS": {"MAX_ENTRIES": 2000},
    }
}

# Languages: Simplified Chinese by default, Traditional Chinese and English.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("zh-hant", "繁體中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "wulian" / "locale"]
LANGUAGE_COOKIE_NAME = "wulian_language"
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
WHITENOISE_USE_FINDERS = not PRODUCTION
if not PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(DATA_DIR / "media")))
# Where uploaded files are kept: "filesystem" (MEDIA_ROOT; a shared folder for several app
# servers) or "s3", an S3-compatible object store (install the `s3` extra; S3_* below).
MEDIA_STORAGE = env_str("MEDIA_STORAGE", "filesystem")
if MEDIA_STORAGE not in {"filesystem", "s3"}:
    raise ImproperlyConfigured("MEDIA_STORAGE must be filesystem or s3")
# Uploaded files are served by wulian.core.media to those who may see them: streamed by Django,
# or handed to the proxy with "x-accel-redirect" (nginx, from an internal location at
# MEDIA_ACCEL_PREFIX aliased to MEDIA_ROOT) or "x-sendfile" (Apache, lighttpd), or, from an
# object store, "redirect": to a signed address that expires after MEDIA_URL_SECONDS.
MEDIA_SERVE = env_str("MEDIA_SERVE", "redirect" if MEDIA_STORAGE == "s3" else "stream")
if MEDIA_SERVE not in {"stream", "x-accel-redirect", "x-sendfile", "redirect"}:
    raise ImproperlyConfigured(
        "MEDIA_SERVE must be stream, x-accel-redirect, x-sendfile or redirect"
    )
if MEDIA_SERVE == "redirect" and MEDIA_STORAGE != "s3":
    raise ImproperlyConfigured("MEDIA_SERVE=redirect needs MEDIA_STORAGE=s3")
MEDIA_URL_SECONDS = env_int("MEDIA_URL_SECONDS", 300)
MEDIA_ACCEL_PREFIX = env_str("MEDIA_ACCEL_PREFIX", "/protected-media/")

# Sign-in by SMS one-time code; the backend is pluggable.
SMS_BACKEND = env_str(
    "SMS_BACKEND",
    "wulian.accounts.sms.HttpBackend" if PRODUCTION else "wulian.accounts.sms.DevelopmentBackend",
)
SMS_FILE_PATH = Path(env_str("SMS_FILE_PATH", str(DATA_DIR / "sms")))
SMS_HTTP_URL = env_str("SMS_HTTP_URL")
SMS_HTTP_TOKEN = env_str("SMS_HTTP_TOKEN")
SMS_CODE_TTL_SECONDS = env_int("SMS_CODE_TTL_SECONDS", 300)
SMS_CODE_INTERVAL_SECONDS = env_int("SMS_CODE_INTERVAL_SECONDS", 60)
# Against SMS pumping: codes sent per number, per caller's address and for the whole site in
# any 24 hours, and a proof of work (CHALLENGE_BITS, done by the browser) before a code goes
# to a number that has no account.
SMS_CODES_PER_NUMBER_PER_DAY = env_int("SMS_CODES_PER_NUMBER_PER_DAY", 10)
SMS_CODES_PER_ADDRESS_PER_DAY = env_int("SMS_CODES_PER_ADDRESS_PER_DAY", 50)
SMS_CODES_PER_DAY = env_int("SMS_CODES_PER_DAY", 2000)
SMS_CHALLENGE_NEW_NUMBERS = env_bool("SMS_CHALLENGE_NEW_NUMBERS", True)
CHALLENGE_BITS = env_int("CHALLENGE_BITS", 8 if WULIAN_ENV == "test" else 16)
CHALLENGE_MAX_AGE = env_int("CHALLENGE_MAX_AGE", 15 * 60)

# Behind a reverse proxy, the header that carries the caller's address (e.g. X-Real-IP), for
# the limits per address below. The proxy must set it itself, overwriting what callers send.
TRUSTED_PROXY_HEADER = env_str("TRUSTED_PROXY_HEADER")

# Failed sign-ins: at most this many per mobile number (and ten times that per address) per window.
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
LOGIN_FAILURE_WINDOW_SECONDS = env_int("LOGIN_FAILURE_WINDOW_SECONDS", 15 * 60)

# The background worker's scheduler wakes up this often (seconds).
WORKER_SCHEDULE_SECONDS = env_int("WORKER_SCHEDULE_SECONDS", 60)
# /readyz reports a worker that finished no task for this long as gone.
WORKER_HEARTBEAT_SECONDS = env_int("WORKER_HEARTBEAT_SECONDS", 300)
# The public address of the site, for absolute links in text messages and webhooks.
SITE_URL = env_str("SITE_URL")
# Unit webhooks may point at private addresses only outside production.
WEBHOOK_ALLOW_PRIVATE = env_bool("WEBHOOK_ALLOW_PRIVATE", not PRODUCTION)

# A project under way with no progress for this many days is marked stalled.
PROJECT_STALLED_DAYS = env_int("PROJECT_STALLED_DAYS", 30)

# The community shown on the home page to visitors who have none of their own.
DEFAULT_COMMUNITY = env_str("DEFAULT_COMMUNITY", "江汉北路社区")

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "wulian@localhost")

# Security headers. Every script is a static file of ours (no inline script, no handler
# attributes, no CDN), so scripts may come from this site only; so do style sheets (no <style>
# element anywhere), and only style attributes may be inline: the charts' SVG and the API
# docs set them.
CONTENT_SECURITY_POLICY = env_str(
    "CONTENT_SECURITY_POLICY",
    "default-src 'self'; script-src 'self'; style-src 'self'; style-src-attr 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
)
# In production: HTTPS only (HSTS for a year, plain HTTP redirected). Behind a proxy that
# terminates TLS and redirects itself, SECURE_SSL_REDIRECT=false; the proxy must then send
# X-Forwarded-Proto (read below) for cookies and HSTS to apply.
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", PRODUCTION)
# The health checks and the metrics answer on plain HTTP, for the load balancer and Prometheus.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]

if PRODUCTION:
    SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
if MEDIA_STORAGE == "s3":
    # Private objects; each file reached only through a signed address, after the check.
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_str("S3_BUCKET"),
            "endpoint_url": env_str("S3_ENDPOINT_URL") or None,  # MinIO, Ceph, OSS, COS …
            "region_name": env_str("S3_REGION") or None,
            # empty: boto3 finds them itself (instance role, ~/.aws)
            "access_key": env_str("S3_ACCESS_KEY_ID") or None,
            "secret_key": env_str("S3_SECRET_ACCESS_KEY") or None,
            "location": env_str("S3_PREFIX", "media"),
            "default_acl": "private",
            "querystring_auth": True,
            "signature_version": "s3v4",
            "querystring_expire": MEDIA_URL_SECONDS,
            "file_overwrite": False,
        },
    }

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

LANGUAGE_NAMES = {code: name for code, name in LANGUAGES}
SITE_NAME = _("Wulian")

if WULIAN_ENV == "test":
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    SMS_BACKEND = env_str("SMS_BACKEND", "wulian.accounts.sms.MemoryBackend")

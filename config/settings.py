"""machiwb settings: one file, every value from the environment (see README.md)."""

from __future__ import annotations

from pathlib import Path

import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from machiwb.core.env import (
    env_bool,
    env_database,
    env_int,
    env_list,
    env_oidc_provider,
    env_secret,
    env_str,
    local_secret_key,
)

django_stubs_ext.monkeypatch()  # lets admin and generic classes be subscripted at runtime

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("MACHIWB_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DJANGO_DEBUG", False)

SECRET_KEY = env_secret("DJANGO_SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is required when DJANGO_DEBUG is off "
            "(set DJANGO_DEBUG=1 for a local run with a generated key)."
        )
    SECRET_KEY = local_secret_key(VAR_DIR / "secret_key")
elif len(SECRET_KEY) < 50 and not DEBUG:
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be at least 50 characters long.")

ALLOWED_HOSTS = env_list(
    "DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else []
)
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS is required when DJANGO_DEBUG is off.")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "machiwb.accounts.apps.OperatorAdminConfig",  # django.contrib.admin, operators only
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "csp",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "machiwb.core",
    "machiwb.regions",
    "machiwb.accounts",  # after regions: its demo accounts belong to real municipalities
    "machiwb.audit",
    "machiwb.surveys",
    "machiwb.indicators",
    "machiwb.guide",
    "machiwb.charts",
    "machiwb.facilitation",
    "django_q",
    "machiwb.jobs",
    "machiwb.dashboard",
    "machiwb.opendata",
    "machiwb.analysis",
    "machiwb.logictrees",
]

MIDDLEWARE = [
    "machiwb.jobs.logs.RequestLogMiddleware",
    "machiwb.jobs.metrics.MetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "machiwb.accounts.middleware.UploadSizeLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "machiwb.core.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "machiwb.accounts.middleware.SessionLimitsMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

DATABASES = {
    "default": env_database("DATABASE_URL", f"sqlite:///{VAR_DIR / 'machiwb.sqlite3'}"),
}
# Optional read replica (PostgreSQL streaming replica of the primary): the public dashboard
# and open-data API read it, everything else uses the primary (machiwb/core/db.py).
if env_str("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = env_database("DATABASE_REPLICA_URL", "")
    _engines = {DATABASES["default"]["ENGINE"], DATABASES["replica"]["ENGINE"]}
    if _engines != {"django.db.backends.postgresql"}:
        raise ImproperlyConfigured(
            "DATABASE_REPLICA_URL needs PostgreSQL for both DATABASE_URL and the replica."
        )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["machiwb.core.db.ReplicaRouter"]
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
else:
    for _database in DATABASES.values():
        _database["CONN_MAX_AGE"] = env_int("DJANGO_DB_CONN_MAX_AGE", 60, minimum=0)
        _database["CONN_HEALTH_CHECKS"] = True
        # Fail fast (then 503, see machiwb/jobs/errors.py) instead of hanging when it is away.
        _database["OPTIONS"] = {
            "connect_timeout": env_int("DJANGO_DB_CONNECT_TIMEOUT", 5, minimum=1)
        }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
OTP_TOTP_ISSUER = "machiwb"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Caches: "default" is per process (rendered bytes and the like). "shared" holds state every
# app server must see (rate limits, lockouts): the database by default,
# DJANGO_SHARED_CACHE_URL=redis://host:6379/0 switches it to Redis.
_SHARED_CACHE_URL = env_str("DJANGO_SHARED_CACHE_URL", "db://machiwb_cache")
if _SHARED_CACHE_URL.startswith(("redis://", "rediss://")):
    _SHARED_CACHE = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": _SHARED_CACHE_URL,
    }
elif _SHARED_CACHE_URL.startswith("db://") and len(_SHARED_CACHE_URL) > 5:
    _SHARED_CACHE = {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": _SHARED_CACHE_URL.removeprefix("db://"),
    }
else:
    raise ImproperlyConfigured(
        f"DJANGO_SHARED_CACHE_URL={_SHARED_CACHE_URL!r}: use db://TABLE_NAME or redis://HOST:PORT/DB."
    )
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "shared": _SHARED_CACHE,
}

LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", _("日本語")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("DJANGO_STATIC_ROOT", str(BASE_DIR / "staticfiles")))
if not DEBUG:
    # Production: whitenoise serves `collectstatic` output, compressed, with hashed names.
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
        "whitenoise.middleware.WhiteNoiseMiddleware",
    )
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }

# Security: strict by default, relaxed only for local DEBUG runs over plain HTTP.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Idle limit: a signed-in session ends after this many seconds without a request.
SESSION_COOKIE_AGE = env_int("MACHIWB_SESSION_IDLE_SECONDS", 2 * 3600, minimum=60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
# Load-balancer probes and metric scrapes reach each app server directly over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 0 if DEBUG else 31_536_000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", not DEBUG)
if env_bool("DJANGO_BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Rate limits key on the address the reverse proxy sets in X-Forwarded-For (deploy/nginx).
MACHIWB_BEHIND_PROXY = env_bool("MACHIWB_BEHIND_PROXY", False)

# Content-Security-Policy: no inline script anywhere (JavaScript lives in static files).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

EMAIL_BACKEND = env_str("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DJANGO_DEFAULT_FROM_EMAIL", "machiwb@localhost")
# SMTP (with DJANGO_EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend).
EMAIL_HOST = env_str("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("DJANGO_EMAIL_PORT", 587, minimum=1)
EMAIL_HOST_USER = env_str("DJANGO_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_secret("DJANGO_EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS", True)
EMAIL_TIMEOUT = env_int("DJANGO_EMAIL_TIMEOUT", 10, minimum=1)

# DJANGO_LOG_FORMAT=json writes one JSON object per line; neither format carries personal
# data (requests are logged by view name, see machiwb/jobs/logs.py).
LOG_FORMAT = env_str("DJANGO_LOG_FORMAT", "text")
if LOG_FORMAT not in {"text", "json"}:
    raise ImproperlyConfigured(f"DJANGO_LOG_FORMAT={LOG_FORMAT!r}: use text or json.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"drop_request": {"()": "machiwb.jobs.logs.DropRequestFilter"}},
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["drop_request"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "INFO")},
}

# Background jobs: django-q2 with its queue in the same database (SQLite or PostgreSQL), so
# queued work survives restarts. A job not acknowledged within JOB_TIMEOUT + 30 s (worker
# killed) is handed out again; machiwb.jobs gives up after MACHIWB_JOB_MAX_ATTEMPTS runs.
JOB_TIMEOUT = env_int("MACHIWB_JOB_TIMEOUT", 900, minimum=10)
JOB_MAX_ATTEMPTS = env_int("MACHIWB_JOB_MAX_ATTEMPTS", 3, minimum=1)
Q_CLUSTER = {
    "name": "machiwb",
    "orm": "default",
    "workers": env_int("MACHIWB_JOB_WORKERS", 1, minimum=1),
    "timeout": JOB_TIMEOUT,
    "retry": JOB_TIMEOUT + 30,
    "ack_failures": False,
    "max_attempts": JOB_MAX_ATTEMPTS + 1,
    "save_limit": 200,
    "poll": 1,
    "catch_up": False,
}

# Backups started from the operations page (backup_database --output-dir for cron/systemd).
MACHIWB_BACKUP_DIR = Path(env_str("MACHIWB_BACKUP_DIR", str(VAR_DIR / "backups")))
MACHIWB_BACKUP_KEEP = env_int("MACHIWB_BACKUP_KEEP", 14, minimum=1)

# Identity provider (OpenID Connect) for one-vote surveys (本人確認); None = the option is off.
OIDC_PROVIDER = env_oidc_provider("MACHIWB_OIDC")

# Bearer token for /metrics; unset = the endpoint answers 404.
METRICS_TOKEN = env_secret("MACHIWB_METRICS_TOKEN")

MACHIWB = {
    # Public cells (any breakdown) with fewer respondents than this are suppressed.
    "MIN_PUBLIC_CELL_N": env_int("MACHIWB_MIN_PUBLIC_CELL_N", 10, minimum=1),
    # Largest accepted request body (uploads), in bytes.
    "MAX_UPLOAD_BYTES": env_int("MACHIWB_MAX_UPLOAD_BYTES", 20 * 1024 * 1024, minimum=1024),
    # A signed-in session ends this many seconds after sign-in, however active.
    "SESSION_MAX_AGE": env_int("MACHIWB_SESSION_MAX_AGE", 12 * 3600, minimum=60),
    # Days after a survey closes until the keyed hashes of identity-checked respondents are
    # deleted by the nightly close_ended_surveys job; the survey can no longer be reopened then.
    "VERIFIED_SUBJECTS_KEPT_DAYS": env_int("MACHIWB_VERIFIED_SUBJECTS_KEPT_DAYS", 90, minimum=0),
}

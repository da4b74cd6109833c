"""AICMO settings, read from the environment (and an optional .env file) by django-environ.

Every variable is listed in docs/OPERATIONS.md (a test keeps that list complete). A missing or
malformed required value stops startup with one line that says what to set.
"""

from __future__ import annotations

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

from aicmo_site import config

config.check_python_version()

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = config.secret_key(env, DEBUG)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
DASHBOARD_BUILD = config.build_id(env, BASE_DIR)

DATABASE_URL, DATABASE_URL_SOURCE = config.database_url(env, BASE_DIR)
DATABASES = {
    "default": config.database_config(DATABASE_URL, env.int("CONN_MAX_AGE", default=0)),
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "campaigns",
    "leads",
    "autonomy",
    "kaizen",
    "delivery",
    "diagnostics",
    # Before django_tasks_db: our db_worker command (with a heartbeat) overrides the library's.
    "jobs",
    "django_tasks_db",
    # Last, so its post_migrate handler sees every other app's permissions.
    "aicmo_site",
]

MIDDLEWARE = [
    "aicmo_site.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "aicmo_site.middleware.BuildWatermarkMiddleware",
    "aicmo_site.middleware.DatabaseOutageMiddleware",
    "aicmo_site.middleware.DataStampMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "aicmo_site.middleware.RejectNulMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "aicmo_site.permissions.CachedUserMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "aicmo_site.middleware.SectionErrorMiddleware",
]

# Permission checks from the cache first (aicmo_site.permissions); ModelBackend signs users in.
AUTHENTICATION_BACKENDS = [
    "aicmo_site.permissions.CachedPermissionsBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "aicmo_site.urls"
WSGI_APPLICATION = "aicmo_site.wsgi.application"
ASGI_APPLICATION = "aicmo_site.asgi.application"

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
                "aicmo_site.context_processors.layout",
            ],
        },
    },
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "overview"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "var" / "static")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "var" / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env.bool("STATIC_MANIFEST", default=not DEBUG)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://aicmo")}

# Status banner: how long the database and backend checks are reused before being asked again.
STATUS_CACHE_SECONDS = env.int("STATUS_CACHE_SECONDS", default=10)

# Generation engine: local (offline, default), http (the AICMO backend) or openai.
GENERATION_ENGINE = env.str("GENERATION_ENGINE", default="local")
AICMO_BACKEND_URL = env.str("AICMO_BACKEND_URL", default="") or env.str("BACKEND_URL", default="")
AICMO_BACKEND_TIMEOUT = env.float("AICMO_BACKEND_TIMEOUT", default=10.0)
OPENAI_BASE_URL = env.str("OPENAI_BASE_URL", default="https://api.openai.com/v1")
OPENAI_MODEL = env.str("OPENAI_MODEL", default="gpt-4o-mini")
OPENAI_API_KEY = env.str("OPENAI_API_KEY", default="")
OPENAI_TIMEOUT = env.float("OPENAI_TIMEOUT", default=30.0)

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
# Database sessions (django.contrib.sessions' table and rows), read with one plain SELECT.
SESSION_ENGINE = "aicmo_site.sessions"

SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env.bool("BEHIND_TLS_PROXY", default=False) else None
)
X_FRAME_OPTIONS = "DENY"

LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOG_FORMAT = env.str("LOG_FORMAT", default="text").strip().lower()
if LOG_FORMAT not in ("text", "json"):
    raise ImproperlyConfigured(f"LOG_FORMAT is {LOG_FORMAT!r}; use text or json.")
TASKS_LOG_LEVEL = env.str("TASKS_LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "aicmo_site.logging.RequestIdFilter"},
        # Passwords, tokens and keys never reach a log line: masked in messages and tracebacks.
        "mask_secrets": {"()": "aicmo_site.logging.SecretMaskingFilter"},
    },
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "aicmo_site.logging.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id", "mask_secrets"],
            "formatter": "json" if LOG_FORMAT == "json" else "text",
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.server": {"level": "WARNING"},
        "django.request": {"level": "ERROR"},
        "django.tasks": {"level": TASKS_LOG_LEVEL},
        "django_tasks_db": {"level": TASKS_LOG_LEVEL},
    },
}

# Review: may a person approve a version they wrote themselves? Off by default.
ALLOW_SELF_APPROVAL = env.bool("ALLOW_SELF_APPROVAL", default=False)

# Client review links: how long a new link lasts, and requests a link may make per minute.
CLIENT_REVIEW_LINK_DAYS = env.int("CLIENT_REVIEW_LINK_DAYS", default=14)
CLIENT_REVIEW_RATE_PER_MINUTE = env.int("CLIENT_REVIEW_RATE_PER_MINUTE", default=60)

# Sign-in brake: this many failures for one username or address locks it for this long.
LOGIN_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
LOGIN_LOCKOUT_SECONDS = env.int("LOGIN_LOCKOUT_SECONDS", default=900)

# Kaizen insights: a figure needs at least this many posts behind it to be shown or used, and
# simulated (proof-mode) publications are left out unless this says otherwise.
INSIGHTS_MIN_SAMPLE = env.int("INSIGHTS_MIN_SAMPLE", default=5)
INSIGHTS_INCLUDE_SIMULATED = env.bool("INSIGHTS_INCLUDE_SIMULATED", default=False)

# Creatives: the largest image an operator may upload, in bytes (checked before decoding).
CREATIVE_IMAGE_MAX_BYTES = env.int("CREATIVE_IMAGE_MAX_BYTES", default=5 * 1024 * 1024)

# Diagnostics: every log line goes through the one secret-masking function (passwords in URLs,
# keys and tokens become ****).
LOGGING["filters"]["mask_secrets"] = {"()": "diagnostics.masking.MaskSecretsFilter"}
LOGGING["handlers"]["console"]["filters"].append("mask_secrets")

# Execution (live publishing adapters): HTTP timeout per request, attempts per post, backoff
# between attempts (doubling), the longest wait a 429 may impose, and how long a post may stay
# "posting" before another worker may take it over (after looking the post up first).
PUBLISHING_TIMEOUT = env.float("PUBLISHING_TIMEOUT", default=15.0)
PUBLISHING_MAX_ATTEMPTS = env.int("PUBLISHING_MAX_ATTEMPTS", default=4)
PUBLISHING_BACKOFF_SECONDS = env.float("PUBLISHING_BACKOFF_SECONDS", default=2.0)
PUBLISHING_MAX_WAIT_SECONDS = env.float("PUBLISHING_MAX_WAIT_SECONDS", default=120.0)
PUBLISHING_CLAIM_TIMEOUT_SECONDS = env.int("PUBLISHING_CLAIM_TIMEOUT_SECONDS", default=600)

# Background work (Django's Tasks API). `database`: django-tasks-db stores jobs in the database
# and `manage.py db_worker` processes (any number, on any machine) claim them with
# SELECT ... FOR UPDATE SKIP LOCKED. `immediate`: a job runs inside the request that enqueues it.
TASKS_BACKEND = config.tasks_backend(env, DATABASE_URL)
TASKS = {"default": {"BACKEND": config.TASKS_BACKENDS[TASKS_BACKEND]}}
# A failed job runs again up to this many attempts in all (1 = never retried); the delay before
# attempt n is TASKS_RETRY_DELAY * 2**(n-2) seconds, capped at an hour.
TASKS_MAX_ATTEMPTS = env.int("TASKS_MAX_ATTEMPTS", default=3)
TASKS_RETRY_DELAY = env.float("TASKS_RETRY_DELAY", default=10.0)
# Each worker writes a heartbeat this often; one silent for three beats counts as gone.
WORKER_HEARTBEAT_SECONDS = env.float("WORKER_HEARTBEAT_SECONDS", default=5.0)

# Leads (issue #6): CSV upload limit, the public intake form's rate limit (submissions per
# client address per window), and the minimum score routing hands to Operators by default.
LEADS_IMPORT_MAX_BYTES = env.int("LEADS_IMPORT_MAX_BYTES", default=50_000_000)
LEADS_FORM_RATE_LIMIT = env.int("LEADS_FORM_RATE_LIMIT", default=5)
LEADS_FORM_RATE_WINDOW = env.int("LEADS_FORM_RATE_WINDOW", default=600)
LEADS_ROUTING_THRESHOLD = env.int("LEADS_ROUTING_THRESHOLD", default=30)

# Autonomy: how many days before a campaign starts the worker may generate its drafts.
AUTONOMY_GENERATE_AHEAD_DAYS = env.int("AUTONOMY_GENERATE_AHEAD_DAYS", default=7)

# Background jobs in diagnostics (issue #13): the oldest job ready to run may wait this many
# seconds for a worker before `diagnose` warns, and this many before it fails.
JOBS_WAITING_WARN_SECONDS = env.float("JOBS_WAITING_WARN_SECONDS", default=300.0)
JOBS_WAITING_FAIL_SECONDS = env.float("JOBS_WAITING_FAIL_SECONDS", default=1800.0)

# Covering indexes (INCLUDE) serve the Strategy calendar on PostgreSQL; SQLite, the embedded
# default, builds the same index without the included columns, which is all it needs.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

"""telefoni settings: one module, driven by environment variables only (see README)."""

import typing
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from common.env import env_bool, env_int, env_list, env_secret, env_str
from common.logs import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("TELEFONI_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DJANGO_DEBUG", False)
# Secrets may come from files (NAME_FILE=/run/secrets/...), see common.env.env_secret.
SECRET_KEY = env_secret("DJANGO_SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is required when DJANGO_DEBUG is off "
            "(or DJANGO_SECRET_KEY_FILE naming a file that holds it)"
        )
    SECRET_KEY = "insecure-development-key-only-used-with-DJANGO_DEBUG=1"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "telefoni.admin.TelefoniAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "simple_history",
    "axes",
    "csp",
    "common",
    "organisation",
    "compliance",
    "subscriptions",
    "devices",
    "review",
    "absence",
    "voicemail",
    "costs",
    "service",
    "register",
    "directory",
    "demo",
]
# Benchmarks (bench_*) are development tools: installed only with debug on or when asked.
if DEBUG or env_bool("TELEFONI_BENCH", False):
    INSTALLED_APPS.append("bench")

MIDDLEWARE = [
    # First: every log record of a request carries its id (common.logs).
    "common.logs.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a lockout into the Swedish lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "telefoni.urls"
WSGI_APPLICATION = "telefoni.wsgi.application"

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
                "organisation.context_processors.roles",
                "telefoni.context_processors.inbox",
            ],
        },
    },
]

# Database: DATABASE_URL, else a SQLite file under var/ in WAL mode (the embedded default).
# The password may stay out of the URL: POSTGRES_PASSWORD or POSTGRES_PASSWORD_FILE.
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)
    }
    _database_password = env_secret("POSTGRES_PASSWORD")
    if _database_password:
        if DATABASES["default"].get("PASSWORD"):
            raise ImproperlyConfigured(
                "DATABASE_URL holds a password and POSTGRES_PASSWORD(_FILE) is set: keep one"
            )
        DATABASES["default"]["PASSWORD"] = _database_password
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(VAR_DIR / "telefoni.sqlite3"),
        }
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )
# A connection kept between requests is tested before it is reused (a database restart or
# a PgBouncer that closed it no longer costs the next request a 500).
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Authentication: django-axes first (throttling), LDAP when configured, local accounts.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend"]
LDAP_SERVER_URI = env_str("LDAP_SERVER_URI")
if LDAP_SERVER_URI:
    import os

    from .ldap_config import ldap_settings

    globals().update(ldap_settings(os.environ))
    AUTHENTICATION_BACKENDS.append("organisation.ldap.TelefoniLDAPBackend")
if typing.TYPE_CHECKING:
    # Set by ldap_settings() above; the ones code reads as settings.NAME, for the type checker.
    AUTH_LDAP_SERVER_URI: str
    AUTH_LDAP_USER_SEARCH: typing.Any  # django_auth_ldap.config.LDAPSearch
    TELEFONI_LDAP_PERSON_ATTRS: dict[str, str]
    TELEFONI_LDAP_LEAVERS: dict[str, typing.Any]
    TELEFONI_LDAP_SYNC: dict[str, typing.Any]
AUTHENTICATION_BACKENDS.append("django.contrib.auth.backends.ModelBackend")

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "start"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Failed sign-ins are throttled per username and address, with a cool-off: never for good.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_CALLABLE = "telefoni.throttle.throttle_username"
AXES_WHITELIST_CALLABLE = "telefoni.throttle.failure_not_counted"
AXES_LOCKOUT_CALLABLE = "telefoni.views.locked_out"
# The address is REMOTE_ADDR: behind a proxy that is the proxy's, and the throttle still
# holds per username. (Trusting X-Forwarded-For would let an attacker pick a new address
# per attempt.)
AXES_VERBOSE = False

# The API (/api/v1/): session or token authentication, OpenAPI at /api/schema/.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Telefoni API",
    "DESCRIPTION": (
        "The municipality's directory (telesök, read-only) and the switchboard's voicemail "
        "listening events."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
}

# Internationalisation: Swedish first, English available.
LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", _("Swedish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Stockholm"
# Region for reading and showing phone numbers (phonenumbers).
TELEFONI_PHONE_REGION = env_str("TELEFONI_PHONE_REGION", "SE")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# Sessions: at most 8 hours, and gone when the browser closes.
SESSION_COOKIE_AGE = min(env_int("SESSION_COOKIE_AGE", 8 * 3600), 8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Security headers. TLS ends at the proxy (deploy/nginx), which sets X-Forwarded-Proto;
# gunicorn believes that header only from the proxy's address (FORWARDED_ALLOW_IPS in
# deploy/gunicorn.conf.py) and then serves the request as https. Django itself trusts no
# header (no SECURE_PROXY_SSL_HEADER): a client that reaches gunicorn directly cannot claim
# https.
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = False
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SILENCED_SYSTEM_CHECKS = [
    # HSTS preload is a decision for the municipality's domain, not for this app.
    "security.W021",
]
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

# E-mail: SMTP by default; EMAIL_BACKEND may name another backend (console in `make run`).
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_secret("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "telefoni@kommun.example")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Absolute address of the app, for links in e-mails.
TELEFONI_SITE_URL = env_str("TELEFONI_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Celery: Redis in production and CI; the embedded default is kombu's SQLAlchemy
# transport on its own SQLite file (the filesystem transport races, see ENVIRONMENT.md).
CELERY_BROKER_URL = env_str(
    "CELERY_BROKER_URL", f"sqla+sqlite:///{VAR_DIR / 'celery-broker.sqlite3'}"
)
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Beat records a heartbeat each time it wakes, at least every CELERY_BEAT_MAX_LOOP_INTERVAL
# seconds; /healthz calls beat stale when the heartbeat is older than two such intervals.
CELERY_BEAT_SCHEDULER = "telefoni.beat:HeartbeatScheduler"
CELERY_BEAT_MAX_LOOP_INTERVAL = 60
# The worker logs through LOGGING below (telefoni.celery connects setup_logging).
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# The guideline's rule parameters (X-1: review interval, deadlines, barring defaults, ...)
# are not settings: they live in organisation.Guideline, edited by Tele kundtjänst in the
# admin and kept with history.
# Where flags go when no responsible person has an e-mail address (Tele kundtjänst).
TELEFONI_SERVICE_DESK_EMAIL = env_str(
    "TELEFONI_SERVICE_DESK_EMAIL", "tele.kundtjanst@kommun.example"
)
# Hour (local time) of the nightly jobs: 04, after the hour that summer time skips (March)
# or repeats (October), 02:00-03:00 in Sweden.
TELEFONI_SWEEP_HOUR = env_int("TELEFONI_SWEEP_HOUR", 4)
# The mail outbox (common.outbox): a message is given up after this many failed attempts
# (backoff 1, 2, 4 ... 60 minutes: 20 attempts are about 15 hours), and a sent one is
# deleted this many days after it went (its subject and text are blanked when it goes).
TELEFONI_OUTBOX_MAX_ATTEMPTS = env_int("TELEFONI_OUTBOX_MAX_ATTEMPTS", 20)
TELEFONI_OUTBOX_KEEP_DAYS = env_int("TELEFONI_OUTBOX_KEEP_DAYS", 7)
# Largest operator file accepted for import (bytes).
TELEFONI_IMPORT_MAX_BYTES = env_int("TELEFONI_IMPORT_MAX_BYTES", 100 * 1024 * 1024)

# Logs: one line per record to stdout, with time, level, logger, request id and user id
# (common.logs; the format and what is never logged are described there).
LOGGING = logging_config(
    env_str("DJANGO_LOG_LEVEL", "INFO"),
    loggers={
        "django_auth_ldap": {"level": env_str("LDAP_LOG_LEVEL", "WARNING")},
        # django-axes logs every sign-in at INFO; lockouts are WARNING.
        "axes": {"level": "WARNING"},
        # WeasyPrint logs each rendering step at INFO.
        "weasyprint": {"level": "WARNING"},
        # Never the SQL statements with their parameters (names, numbers, PINs), whatever
        # DJANGO_LOG_LEVEL says.
        "django.db.backends": {"level": "INFO"},
    },
)

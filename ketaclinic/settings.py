"""Django settings, read from the environment.

``KETACLINIC_MODE`` picks the profile: ``production`` (the default), ``demo`` (plain HTTP on
127.0.0.1 with a demo banner; set by ``ketaclinic serve --demo``), ``test``. ``KETACLINIC_DEBUG=1``
turns on development mode on top of any profile.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from ketaclinic.lib.env import data_dir, envbool, envint, envlist, secret_key

MODE = os.environ.get("KETACLINIC_MODE", "production")
if MODE not in ("production", "demo", "test"):
    raise RuntimeError(f"KETACLINIC_MODE must be production, demo or test, not {MODE!r}")
DEMO_MODE = MODE == "demo"
TESTING = MODE == "test"
PRODUCTION = MODE == "production"
DEBUG = envbool("KETACLINIC_DEBUG", False)

DATA_DIR = data_dir()
SECRET_KEY = secret_key(DATA_DIR)

if DEMO_MODE:
    ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
elif TESTING:
    ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
else:
    ALLOWED_HOSTS = envlist("KETACLINIC_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = envlist("KETACLINIC_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "ketaclinic.accounts",
    "ketaclinic.clinics",
    "ketaclinic.audit",
    "ketaclinic.inquiries",
    "ketaclinic.patients",
    "ketaclinic.careteam",
    "ketaclinic.measurement",
    "ketaclinic.eligibility",
    "ketaclinic.consents",
    "ketaclinic.treatment",
    "ketaclinic.securelinks",
    "ketaclinic.intake",
    "ketaclinic.scheduling",
    "ketaclinic.infusions",
    "ketaclinic.ledger",
    "ketaclinic.web",
    "ketaclinic.ops",
    "ketaclinic.sharedcache",
    "ketaclinic.admin_site.ClinicAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "ketaclinic.web.middleware.request_size_limit",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "ketaclinic.accounts.middleware.SessionLimitsMiddleware",
    "ketaclinic.access.middleware.AccessPolicyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "ketaclinic.web.middleware.no_store",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "ketaclinic.urls"
WSGI_APPLICATION = "ketaclinic.wsgi.application"

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
                "csp.context_processors.nonce",
                "ketaclinic.web.context_processors.site",
            ],
        },
    }
]

# --- Database -------------------------------------------------------------------------------
# SQLite in the data directory by default; DATABASE_URL (postgres://...) selects PostgreSQL.
# WAL + synchronous=NORMAL keeps a commit from paying an fsync, and IMMEDIATE transactions
# serialise writers up front so the audit hash chain never races.
_sqlite_path = DATA_DIR / "ketaclinic.sqlite3"
if os.environ.get("DATABASE_URL"):
    DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(_sqlite_path),
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts -------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:
    # Argon2 at full cost makes a suite of a thousand logins slow; the hasher choice itself
    # is tested with the production list.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "ketaclinic.accounts.validators.MaximumLengthValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# django-axes: lock the (username, ip) pair after 5 failures for 15 minutes; records are
# bounded by the cooldown (expired rows are purged by `ketaclinic manage axes_reset_logs`).
AXES_FAILURE_LIMIT = envint("KETACLINIC_LOCKOUT_FAILURES", 5)
# A looser cap per account from any address (see accounts.views.login).
SIGNIN_RATE_PER_ACCOUNT = os.environ.get("KETACLINIC_SIGNIN_RATE_PER_ACCOUNT", "30/h")
AXES_COOLOFF_TIME = envint("KETACLINIC_LOCKOUT_MINUTES", 15) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "ketaclinic.accounts.lockout.lockout_username"
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_ENABLE_ACCESS_FAILURE_LOG = False
# Sign-ins are in the audit trail; axes keeps only live failure counters, which it purges
# once they are older than the cool-off, so its storage stays bounded.
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False

OTP_TOTP_ISSUER = "ketaclinic"
OTP_TOTP_TOLERANCE = 1  # one 30-s step either side; older codes are refused
# No drift tracking: with sync on, each code from the edge of the window moves the device's
# drift one step further, so ever-older codes would be accepted on later sign-ins.
OTP_TOTP_SYNC = False

# --- Sessions and cookies -------------------------------------------------------------------
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = 12 * 60 * 60  # absolute ceiling; per-clinic limits are enforced below it
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
if PRODUCTION and not DEBUG:  # development mode (KETACLINIC_DEBUG=1) runs over plain HTTP
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-ketaclinic-session"
    CSRF_COOKIE_NAME = "__Host-ketaclinic-csrf"
    SECURE_SSL_REDIRECT = envbool("KETACLINIC_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = 31_536_000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
else:
    SESSION_COOKIE_NAME = "ketaclinic-session"
    CSRF_COOKIE_NAME = "ketaclinic-csrf"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# django-csp 4: no inline script or style anywhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

# Oversized bodies are refused (the inquiry form is a few kB).
DATA_UPLOAD_MAX_MEMORY_SIZE = envint("KETACLINIC_MAX_BODY_BYTES", 256 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = DATA_UPLOAD_MAX_MEMORY_SIZE
DATA_UPLOAD_MAX_NUMBER_FIELDS = 200

# --- Cache (rate limits, sign-in caps) -----------------------------------------------------
# Every server process (`serve --workers N`) must count in ONE place, or each would allow the
# full limit. By default that place is a table in the clinic's own database (created by the
# sharedcache app's migration); KETACLINIC_CACHE_URL=redis://host:6379/0 moves it to Redis
# (`pip install 'ketaclinic[redis]'`). The test suite swaps in a per-process memory cache.
CACHE_URL = os.environ.get("KETACLINIC_CACHE_URL", "").strip()
CACHE_KEY_PREFIX = os.environ.get("KETACLINIC_CACHE_KEY_PREFIX", "ketaclinic")
CACHES: dict[str, dict[str, Any]]
if CACHE_URL:
    if not CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured(
            "KETACLINIC_CACHE_URL must name Redis (redis://, rediss:// or unix://), "
            f"not {CACHE_URL!r}; leave it unset for the database cache"
        )
    if importlib.util.find_spec("redis") is None:
        raise ImproperlyConfigured(
            "KETACLINIC_CACHE_URL names Redis but the redis package is missing: "
            "pip install 'ketaclinic[redis]'"
        )
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": CACHE_KEY_PREFIX,
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "ketaclinic.sharedcache.backends.SharedDatabaseCache",
            "LOCATION": "ketaclinic_cache",
            "KEY_PREFIX": CACHE_KEY_PREFIX,
            # When full, the cache drops a third of its entries, counters included: leave room
            # for many addresses' counters (expired ones go first).
            "OPTIONS": {"MAX_ENTRIES": 50_000},
        }
    }
# Both counters use that one cache: django-ratelimit's (inquiry limit, per-account sign-in cap,
# password-reset limit) through RATELIMIT_USE_CACHE; django-axes keeps its lockout counts in
# its own database table (the database handler), which every process shares too; AXES_CACHE
# only matters to axes's cache handler, and points at the same shared cache.
RATELIMIT_USE_CACHE = "default"
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_CACHE = "default"
RATELIMIT_VIEW = "ketaclinic.web.views.rate_limited"
# Client addresses come from REMOTE_ADDR everywhere (rate limits, lockout, audit). Behind a
# TLS proxy, `ketaclinic serve` rewrites REMOTE_ADDR and the scheme from the proxy's
# X-Forwarded-For/-Proto, trusting only KETACLINIC_TRUSTED_PROXY (ketaclinic.lib.servers).
INQUIRY_RATE = os.environ.get("KETACLINIC_INQUIRY_RATE", "5/10m")
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"] if TESTING else []

# --- Mail -----------------------------------------------------------------------------------
# Mail goes to files in DATA_DIR/outbox/YYYY-MM-DD/ until an SMTP server is named.
EMAIL_BACKEND = os.environ.get(
    "KETACLINIC_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if os.environ.get("KETACLINIC_EMAIL_HOST")
    else "ketaclinic.lib.mail.DayFolderEmailBackend",
)
EMAIL_FILE_PATH = str(DATA_DIR / "outbox")
EMAIL_HOST = os.environ.get("KETACLINIC_EMAIL_HOST", "localhost")
EMAIL_PORT = envint("KETACLINIC_EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("KETACLINIC_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("KETACLINIC_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("KETACLINIC_EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("KETACLINIC_FROM_EMAIL", "ketaclinic@localhost")

# --- Text messages (ketaclinic.lib.messaging.sms) -------------------------------------------
# A dotted path to an SmsBackend subclass: the file outbox beside the email one by default.
SMS_BACKEND = os.environ.get(
    "KETACLINIC_SMS_BACKEND", "ketaclinic.lib.messaging.sms.FileSmsBackend"
)
SMS_FILE_PATH = str(DATA_DIR / "outbox")
SMS_SENDER = os.environ.get("KETACLINIC_SMS_SENDER", "")
SMS_HTTP_URL = os.environ.get("KETACLINIC_SMS_HTTP_URL", "")
SMS_HTTP_TOKEN = os.environ.get("KETACLINIC_SMS_HTTP_TOKEN", "")
# Numbers typed without a leading + are read as this country's (ISO 3166 code).
PHONE_REGION = os.environ.get("KETACLINIC_PHONE_REGION", "US")

# --- Secure links (ketaclinic.securelinks) --------------------------------------------------
# Days an intake link stays usable when the clinic sets nothing else.
SECURELINK_INTAKE_DAYS = envint("KETACLINIC_SECURELINK_INTAKE_DAYS", 7)
# Unknown or refused tokens one address may try before it is made to wait (token guessing).
SECURELINK_REFUSED_RATE = os.environ.get("KETACLINIC_SECURELINK_REFUSED_RATE", "10/10m")

# --- Audit ----------------------------------------------------------------------------------
AUDIT_ENABLED = True  # switched off only by the audit-overhead benchmark's baseline leg

# --- Task queue, backups, audit anchors (ketaclinic.ops) -------------------------------------
# Tasks wait in the database (django-tasks-db) and run in the worker that `ketaclinic serve`
# starts beside the web server (or `ketaclinic worker` on its own).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# Scheduled questionnaires (ketaclinic.measurement.sends): the worker looks for due sends every
# QUESTIONNAIRE_SEND_EVERY_S seconds; a send claimed by a worker that then died is taken over
# by another after QUESTIONNAIRE_SEND_LEASE_S seconds (same link). Product decisions [D].
QUESTIONNAIRE_SEND_EVERY_S = envint("KETACLINIC_QUESTIONNAIRE_SEND_EVERY_S", 30)
QUESTIONNAIRE_SEND_LEASE_S = envint("KETACLINIC_QUESTIONNAIRE_SEND_LEASE_S", 300)
# Test only (the queue test's two workers and a kill -9): seconds each scheduled send sleeps
# before it goes. Unset, so 0, everywhere else.
QUESTIONNAIRE_TEST_SEND_DELAY_S = float(os.environ.get("KETACLINIC_TEST_SEND_DELAY_S") or 0)
# Where `ketaclinic backup` writes by default (put it on another disk with --to), and the
# append-only file of audit-head anchors kept outside the database.
BACKUP_DIR = Path(os.environ.get("KETACLINIC_BACKUP_DIR") or DATA_DIR / "backups")
ANCHOR_DIR = Path(os.environ.get("KETACLINIC_ANCHOR_DIR") or DATA_DIR / "anchors")

# --- i18n, static ---------------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
# Uploaded files (the clinic logo) live in the data directory, beside the database, so one
# directory holds everything a backup must keep. They are served by views that check them,
# never as a public directory.
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "/media/"
# Django's default makes uploads 0644 whatever the umask: keep them private like the rest.
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise warns on every request while it is missing
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION and not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG or not PRODUCTION

# Client errors (4xx) log one line without a traceback. The filter sits on the handler, which
# sees every record, and on the loggers Django logs 4xx responses to, so a handler attached to
# one of those loggers (a test's assertLogs) sees the same one line.
_CLIENT_ERRORS = ["client_errors_without_traceback"]
_DJANGO_4XX_LOGGERS = [
    "django.request",
    *(
        f"django.security.{name}"
        for name in (
            "SuspiciousOperation",
            "DisallowedHost",
            "DisallowedRedirect",
            "RequestDataTooBig",
            "TooManyFieldsSent",
            "TooManyFilesSent",
            "SuspiciousFileOperation",
            "SuspiciousMultipartForm",
            "SuspiciousSession",
            "csrf",
        )
    ),
]
# Secure-link tokens (/i/<token>/) are scrubbed from every line: on the handler (all records)
# and on the loggers that name request paths, for handlers attached there (assertLogs).
_SCRUB = ["scrub_secret_paths"]
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "client_errors_without_traceback": {
            "()": "ketaclinic.lib.logs.ClientErrorsWithoutTraceback"
        },
        "scrub_secret_paths": {"()": "ketaclinic.lib.logs.ScrubSecretPaths"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": _SCRUB + _CLIENT_ERRORS}},
    "loggers": {
        **{name: {"filters": _SCRUB + _CLIENT_ERRORS} for name in _DJANGO_4XX_LOGGERS},
        "waitress": {"filters": _SCRUB},
    },
    "root": {"handlers": ["console"], "level": "WARNING"},
}

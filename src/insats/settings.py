"""Insats settings: one file, driven by environment variables.

With no environment at all it runs a development instance on SQLite in ``var/``.
See docs/operators.md for every variable.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent


def envbool(name: str, default: str) -> bool:
    return os.environ.get(name, default).strip().lower() in ("1", "true", "yes", "on")


def envint(name: str, default: int) -> int:
    return int(os.environ.get(name, str(default)))


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# INSATS_ENV: "development" (the default: DEBUG on, SQLite, console e-mail) or "production"
# (DEBUG off, SECRET_KEY required, HTTPS hardening on). See docs/operators.md.
INSATS_ENV = os.environ.get("INSATS_ENV", "development")
if INSATS_ENV not in ("development", "production"):
    raise RuntimeError("INSATS_ENV must be 'development' or 'production'")
PRODUCTION = INSATS_ENV == "production"
DEBUG = envbool("DEBUG", "0" if PRODUCTION else "1")
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if PRODUCTION:
        raise RuntimeError("SECRET_KEY must be set in production (see docs/operators.md)")
    SECRET_KEY = "insecure-development-key-only-for-development-and-tests-0123456789"

# AUDIT_HMAC_KEYS: "id:key,id:key,..." keys the audit chain (HMAC-SHA256). The first key signs new
# entries, the others only verify older ones (rotation). Unset: a key derived from SECRET_KEY
# (weaker; docs/operators.md, "Checking the audit log").
AUDIT_HMAC_KEYS: list[tuple[str, str]] = []
for _item in envlist("AUDIT_HMAC_KEYS", ""):
    _key_id, _sep, _key = _item.partition(":")
    if not _sep or not _key_id.isalnum() or len(_key_id) > 16 or _key_id == "sk" or len(_key) < 32:
        raise RuntimeError(
            "AUDIT_HMAC_KEYS must be 'id:key,...' with ids of letters and digits (at most 16, not 'sk') "
            "and keys of at least 32 characters (see docs/operators.md)"
        )
    if _key_id in dict(AUDIT_HMAC_KEYS):
        raise RuntimeError(f"AUDIT_HMAC_KEYS names the key id {_key_id!r} twice")
    AUDIT_HMAC_KEYS.append((_key_id, _key))

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    "ninja",
    "insats.accounts",
    "insats.audit",
    "insats.platform",
    "insats.web",
    "insats.situation",
    "insats.interventions",
    "insats.contracts",
    "insats.sourcing",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "insats.web.middleware.RequestIdMiddleware",
    "insats.web.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "insats.web.sessions.SessionRefreshMiddleware",
    "insats.web.middleware.SwedishFirstMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "insats.accounts.middleware.ActiveMembershipMiddleware",
    "insats.accounts.security.TwoFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "insats.urls"
WSGI_APPLICATION = "insats.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "insats.web.context.shell",
            ],
        },
    }
]

# Database: SQLite in var/ unless DATABASE_URL is set (PostgreSQL for multi-user installs).
VAR_DIR = Path(os.environ.get("INSATS_VAR_DIR", PROJECT_DIR / "var"))
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'insats.sqlite3'}"),
        conn_max_age=envint("DB_CONN_MAX_AGE", 0),
    )
}


def sqlite_options() -> dict[str, object]:
    """SQLite for a small team (docs/operators.md): readers never wait for the writer (WAL), a
    writer waits up to SQLITE_BUSY_TIMEOUT seconds for another instead of failing with "database
    is locked", and every transaction takes the write lock when it starts (BEGIN IMMEDIATE), so a
    transaction that read first never has to upgrade its lock midway, which SQLite refuses at once."""
    return {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "timeout": envint("SQLITE_BUSY_TIMEOUT", 20),
        "transaction_mode": "IMMEDIATE",
    }


if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(sqlite_options())
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and not envbool("INSATS_PG_JIT", "0"):
    # PostgreSQL's JIT compiles a plan whose estimated cost is high (a cross-section over millions of
    # rows); for the page's and the API's short index scans the compile time (tens to hundreds of
    # ms) is pure overhead, measured in docs/operators.md. INSATS_PG_JIT=1 leaves it on.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"]["options"] = "-c jit=off"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["insats.accounts.backends.EmailBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Lock-out: this many failed logins within the window locks the account for the window.
LOGIN_FAILURE_LIMIT = envint("LOGIN_FAILURE_LIMIT", 5)
LOGIN_LOCKOUT_MINUTES = envint("LOGIN_LOCKOUT_MINUTES", 15)
# Per address (docs/operators.md): failed logins before the address must wait, and the window.
LOGIN_IP_FAILURE_LIMIT = envint("LOGIN_IP_FAILURE_LIMIT", 20)
LOGIN_IP_WINDOW_MINUTES = envint("LOGIN_IP_WINDOW_MINUTES", 15)
# Requests with an API token per address and window; 0 turns the limit off.
API_RATE_LIMIT = envint("API_RATE_LIMIT", 600)
API_RATE_WINDOW_SECONDS = envint("API_RATE_WINDOW_SECONDS", 60)
# How many proxies in front of Insats append to X-Forwarded-For (0: the header is ignored).
TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", 0)
# Roles that must use two-factor authentication.
TWO_FACTOR_REQUIRED_ROLES = ("admin", "caseworker")

# Sessions: expire after inactivity. A request extends the session, but the session row is
# written only when something in it changed or its expiry is more than SESSION_REFRESH_SECONDS
# old (insats.web.sessions), not on every request: one write per click serialises all users on SQLite.
SESSION_COOKIE_AGE = envint("SESSION_TIMEOUT_MINUTES", 30) * 60
SESSION_SAVE_EVERY_REQUEST = False
SESSION_REFRESH_SECONDS = envint("SESSION_REFRESH_SECONDS", 60)
SESSION_ENGINE = "insats.web.sessions"
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# HTTPS hardening: on in production (INSATS_HTTPS defaults to 1 there), off in development and tests.
HTTPS = envbool("INSATS_HTTPS", "1" if PRODUCTION else "0")
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if envbool("BEHIND_PROXY", "0") else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Uploaded spreadsheets (own data import, results import): limits checked by
# insats.platform.spreadsheets before anything is kept (docs/import.md, docs/operators.md).
IMPORT_MAX_BYTES = envint("IMPORT_MAX_BYTES", 25 * 1024 * 1024)
IMPORT_MAX_UNPACKED_BYTES = envint("IMPORT_MAX_UNPACKED_BYTES", 200 * 1024 * 1024)
IMPORT_MAX_COLUMNS = envint("IMPORT_MAX_COLUMNS", 200)
IMPORT_MAX_CELL_CHARS = envint("IMPORT_MAX_CELL_CHARS", 10_000)
IMPORT_MAX_ROWS = envint("IMPORT_MAX_ROWS", 200_000)

# Internationalisation: Swedish first, English second.
LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", _("Svenska")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Europe/Stockholm"
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", "0")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "insats@localhost")

# Background tasks: the database queue when a worker runs (INSATS_TASKS=db), otherwise immediate.
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks_db.DatabaseBackend"
            if os.environ.get("INSATS_TASKS", "immediate") == "db"
            else "django_tasks.backends.immediate.ImmediateBackend"
        ),
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.server": {"level": "WARNING" if not DEBUG else "INFO"}},
}

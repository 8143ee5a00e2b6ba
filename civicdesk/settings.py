"""CivicDesk settings.

The environment is read here and only here. Every value has a safe default for a developer's
machine except secrets, which have none outside debug mode.
"""

import os
import secrets
from pathlib import Path

import dj_database_url
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("CIVICDESK_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def _env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = _env_bool("CIVICDESK_DEBUG")


def _secret_key() -> str:
    """Production must set CIVICDESK_SECRET_KEY; a developer machine keeps one in var/."""
    key = os.environ.get("CIVICDESK_SECRET_KEY", "")
    if key:
        return key
    if not DEBUG:
        # Empty: Django refuses anything that signs (sessions, CSRF) until a key is set, while
        # commands that need none (migrations, checks) still run.
        return ""
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = _env_list("CIVICDESK_ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = _env_list("CIVICDESK_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "civicdesk.console.admin_config.ConsoleSignInAdminConfig",  # Django admin
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks_db",
    "civicdesk.core",
    "civicdesk.organisations",
    "civicdesk.places",
    "civicdesk.catalogue",
    "civicdesk.people",
    "civicdesk.contacts",
    "civicdesk.notify",
    "civicdesk.cases",
    "civicdesk.payments",
    "civicdesk.forms",
    "civicdesk.insight",
    "civicdesk.surveys",
    "civicdesk.workforce",
    "civicdesk.console",
    "civicdesk.portal",
    "civicdesk.api",
    "civicdesk.api.open311",
    "civicdesk.monitoring",
    # After our apps, so that core's GOV.UK form templates win over Django's own.
    "django.forms",
]

MIDDLEWARE = [
    # First, so that it times everything below and logs the status the client gets.
    "civicdesk.monitoring.middleware.RequestMonitoringMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "civicdesk.console.middleware.StaffOnlyConsoleMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
]

ROOT_URLCONF = "civicdesk.urls"
WSGI_APPLICATION = "civicdesk.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "civicdesk.core.context_processors.service_identity",
                "civicdesk.portal.views.representing.acting_for",
            ],
        },
    },
]
# Our own GOV.UK form-field templates live in core/templates/django/forms.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"


def _database() -> dict:
    url = os.environ.get("DATABASE_URL", "")
    if url:
        return dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("CIVICDESK_SQLITE_PATH", str(VAR_DIR / "civicdesk.sqlite3")),
        "OPTIONS": {
            # WAL lets agents read while another request writes; IMMEDIATE avoids the
            # "database is locked" upgrade race; the busy timeout waits out short writes.
            "init_command": (
                "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;"
                "PRAGMA busy_timeout=5000;PRAGMA cache_size=-64000;PRAGMA mmap_size=1073741824;"
            ),
            "transaction_mode": "IMMEDIATE",
            "timeout": 5,
        },
    }


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

AUTH_USER_MODEL = "organisations.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if _env_bool("CIVICDESK_FAST_PASSWORD_HASHER"):  # the test suite only
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "console:sign-in"
LOGIN_REDIRECT_URL = "console:home"
LOGOUT_REDIRECT_URL = "console:sign-in"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_AGE = 60 * 60 * 10  # one shift
# Staff sign-in security (docs: "Staff sign-in security"). Two-factor authentication is asked
# of every staff account unless debugging, so the demo signs in with a password alone. A staff
# session also ends after this many minutes without a request (SESSION_COOKIE_AGE still caps it).
CIVICDESK_STAFF_TWO_FACTOR = _env_bool("CIVICDESK_STAFF_TWO_FACTOR", not DEBUG)
CIVICDESK_STAFF_IDLE_MINUTES = int(os.environ.get("CIVICDESK_STAFF_IDLE_MINUTES", "30"))
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Everything is served from here: our own scripts and styles, and inline ones only with the
# request's nonce. Forms post here only, but for GOV.UK Pay's card pages (a redirect after POST).
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF, "https://card.payments.service.gov.uk"],
}
# Behind a TLS-terminating proxy (the deployment guide's nginx), production turns on HSTS and
# the redirect to HTTPS; a developer's plain-HTTP runserver does not.
SECURE_SSL_REDIRECT = _env_bool("CIVICDESK_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = int(os.environ.get("CIVICDESK_HSTS_SECONDS", "0" if DEBUG else "31536000"))
# gov.uk is on browsers' HSTS preload list with its subdomains, so a council's gov.uk sites are
# HTTPS-only already; a council on another domain may turn these off.
SECURE_HSTS_INCLUDE_SUBDOMAINS = _env_bool("CIVICDESK_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = _env_bool("CIVICDESK_HSTS_PRELOAD", not DEBUG)
# Behind our one reverse proxy, its X-Forwarded-Proto says HTTPS and the last address in
# X-Forwarded-For is the client's (what throttling and the audit log use).
CIVICDESK_BEHIND_PROXY = _env_bool("CIVICDESK_BEHIND_PROXY")
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if CIVICDESK_BEHIND_PROXY else None
# /health/ and /metrics answer the load balancer and Prometheus over plain HTTP inside the
# network (/metrics wants its bearer token).
SECURE_REDIRECT_EXEMPT = [r"^health/$", r"^metrics$"]

LANGUAGE_CODE = "en-gb"
LANGUAGES = [("en-gb", "English"), ("cy", "Cymraeg")]
TIME_ZONE = "Europe/London"
# Management information: a second contact from the same customer about the same service
# within this many days is a repeat, so the first was not resolved at first contact.
INSIGHT_REPEAT_DAYS = 7
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Where `collectstatic` puts the files WhiteNoise serves (a release directory, say).
STATIC_ROOT = Path(os.environ.get("CIVICDESK_STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [("govuk-frontend", BASE_DIR / "node_modules/govuk-frontend/dist/govuk")]
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
# Uploaded files (case attachments, evidence): backed up and restored with the database.
MEDIA_ROOT = Path(os.environ.get("CIVICDESK_MEDIA_ROOT", VAR_DIR / "media"))
# Where `manage.py backup` writes and `manage.py restore --latest` looks.
CIVICDESK_BACKUP_DIR = Path(os.environ.get("CIVICDESK_BACKUP_DIR", VAR_DIR / "backups"))
WHITENOISE_USE_FINDERS = DEBUG

# Shown in the generic header: a council's own name, never the crown.
CIVICDESK_SERVICE_NAME = os.environ.get("CIVICDESK_SERVICE_NAME", "CivicDesk")
# The council whose portal this is (its organisation slug); blank means the only council.
CIVICDESK_PORTAL_ORGANISATION = os.environ.get("CIVICDESK_PORTAL_ORGANISATION", "").strip()

# GOV.UK Notify. "simulator" sends nothing and decides outcomes as Notify's test key does;
# "live" needs the API key, and refuses to start without it (system check notify.E001).
CIVICDESK_NOTIFY_BACKEND = os.environ.get("CIVICDESK_NOTIFY_BACKEND", "simulator").strip().lower()
CIVICDESK_NOTIFY_API_KEY = os.environ.get("CIVICDESK_NOTIFY_API_KEY", "").strip()
# Where residents reach the portal: links in messages (e.g. a satisfaction survey) start here.
CIVICDESK_PORTAL_URL = os.environ.get("CIVICDESK_PORTAL_URL", "http://127.0.0.1:8000")
CIVICDESK_NOTIFY_BASE_URL = os.environ.get(
    "CIVICDESK_NOTIFY_BASE_URL", "https://api.notifications.service.gov.uk"
).strip()
# The bearer token Notify sends with delivery callbacks; without one, callbacks are refused.
CIVICDESK_NOTIFY_CALLBACK_TOKEN = os.environ.get("CIVICDESK_NOTIFY_CALLBACK_TOKEN", "").strip()

# GOV.UK Pay. "simulator" takes no money and serves its own card details pages at /payments/;
# "live" needs the API key (system check payments.E001). Pay signs webhooks with the secret.
CIVICDESK_PAY_BACKEND = os.environ.get("CIVICDESK_PAY_BACKEND", "simulator").strip().lower()
CIVICDESK_PAY_API_KEY = os.environ.get("CIVICDESK_PAY_API_KEY", "").strip()
CIVICDESK_PAY_BASE_URL = os.environ.get(
    "CIVICDESK_PAY_BASE_URL", "https://publicapi.payments.service.gov.uk"
).strip()
CIVICDESK_PAY_WEBHOOK_SECRET = os.environ.get("CIVICDESK_PAY_WEBHOOK_SECRET", "").strip()

# Prometheus scrapes /metrics with this bearer token; without one only this machine may.
CIVICDESK_METRICS_TOKEN = os.environ.get("CIVICDESK_METRICS_TOKEN", "").strip()
# Under gunicorn, the worker processes pool their request metrics in files here (read by
# prometheus_client itself too, so it keeps the client's own name).
CIVICDESK_METRICS_MULTIPROC_DIR = os.environ.get("PROMETHEUS_MULTIPROC_DIR", "").strip()
# One JSON object a line for the log collector; readable lines on a developer's console.
CIVICDESK_LOG_FORMAT = (
    os.environ.get("CIVICDESK_LOG_FORMAT", "text" if DEBUG else "json").strip().lower()
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        # In this order: the redaction names a request's path by the route the first one adds.
        "request": {"()": "civicdesk.monitoring.logs.RequestContextFilter"},
        "redact": {"()": "civicdesk.monitoring.logs.RedactPersonalData"},
    },
    "formatters": {
        "json": {"()": "civicdesk.monitoring.logs.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request", "redact"],
            "formatter": "text" if CIVICDESK_LOG_FORMAT == "text" else "json",
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("CIVICDESK_LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's records go through the handler above, redacted, instead of its defaults
        # (a second, unredacted console in debug mode; error emails to ADMINS otherwise).
        "django": {"handlers": [], "level": "INFO"},
    },
}

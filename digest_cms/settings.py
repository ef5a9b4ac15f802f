"""Settings for Digest CMS, read from the environment (12-factor).

Development defaults are safe: with nothing set, the site runs on SQLite under
``var/`` with DEBUG off. Production is the same file with a different
environment, and it refuses to start when a required variable is missing.
"""

import datetime
import ipaddress
import json
import os
from pathlib import Path

import dj_database_url
from csp.constants import NONCE as CSP_NONCE
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    if value.strip().lower() in {"1", "true", "yes", "on"}:
        return True
    if value.strip().lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), not {value!r}.")


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, not {value!r}.") from exc


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Production (DEBUG off) needs a long random SECRET_KEY; "
            "for development run with DEBUG=1 (as `make run` does)."
        )
    SECRET_KEY = "django-insecure-development-only-key-never-used-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS is not set. Production (DEBUG off) needs the site's host names.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])


def site_url() -> str:
    """The site's own address (scheme and host), for every absolute link: feed, sitemap, mails, the 订阅 page.

    Never the Host header of a request: a cached feed must not carry whatever host its first reader sent.
    """
    value = os.environ.get("SITE_URL", "").strip().rstrip("/")
    if not value:
        if DEBUG:
            return "http://127.0.0.1:8000"
        host = ALLOWED_HOSTS[0]
        if host.startswith((".", "*")):
            raise ImproperlyConfigured(
                f"SITE_URL is not set and ALLOWED_HOSTS[0] ({host!r}) is a pattern: set SITE_URL."
            )
        return f"https://{host}"
    if not value.startswith(("http://", "https://")) or "/" in value.split("://", 1)[1]:
        raise ImproperlyConfigured(
            f"SITE_URL must be a scheme and a host, e.g. https://digest.example.gov.cn, not {value!r}."
        )
    return value


SITE_URL = site_url()

INSTALLED_APPS = [
    # django.contrib.admin on the project's own site: the workbench as its home page (editorial/workbench.py),
    # checked list filters and a throttled password change (digest_cms/admin_site.py).
    "digest_cms.apps.DigestAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django_filters",
    "import_export",
    "simple_history",
    "csp",
    "digest_cms.apps.LoginProtectionConfig",
    "editorial",
]

MIDDLEWARE = [
    # First, so that every request's access log line names the client's real address (gunicorn.conf.py).
    "digest_cms.client_ip.ClientAddressMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "digest_cms.query_guard.RejectNulInQueryMiddleware",
    # Readers' cached issue pages, served without the rest of the stack (stamps still checked).
    "editorial.caching.CachedIssuePageMiddleware",
    # Inside the readers' fast lane: its stored headers include the policy (readers' pages use no nonce).
    "digest_cms.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Below authentication: the admin's error page has the user's menus.
    "digest_cms.errors.MethodNotAllowedPageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "editorial.middleware.DatabaseUnavailableMiddleware",
    # Last, as django-axes requires: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "digest_cms.urls"

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
                "editorial.context_processors.publication",
            ],
        },
    },
]

WSGI_APPLICATION = "digest_cms.wsgi.application"

# Database: DATABASE_URL in dj-database-url syntax; SQLite under var/ when unset.
if not os.environ.get("DATABASE_URL"):
    VAR_DIR.mkdir(parents=True, exist_ok=True)
# Persistent connections with health checks survive a PostgreSQL restart.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("CONN_MAX_AGE", 600),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Fail fast (and answer 503) when the database is unreachable instead of hanging a worker.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", env_int("DATABASE_CONNECT_TIMEOUT", 3))
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Editors and the scheduler write at the same time; wait for the lock instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# One language for the whole site, whatever a browser asks for (no LocaleMiddleware): negotiating it
# would turn Django's own strings English beside the office's Chinese ones, and public pages are
# cached once for every reader. An English installation sets LANGUAGE_CODE=en.
LANGUAGE_CODE = os.environ.get("LANGUAGE_CODE", "zh-hans")
# Chinese labels for packages that ship none (django-axes).
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))

# Rendered PDFs/Word files live in the default storage. Several app servers share one
# store: point DEFAULT_STORAGE_BACKEND at e.g. storages.backends.s3.S3Storage (django-storages,
# installed) and pass its settings as JSON in DEFAULT_STORAGE_OPTIONS.
STORAGES = {
    "default": {
        "BACKEND": os.environ.get("DEFAULT_STORAGE_BACKEND", "django.core.files.storage.FileSystemStorage"),
        "OPTIONS": json.loads(os.environ.get("DEFAULT_STORAGE_OPTIONS", "{}")),
    },
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("STATIC_MANIFEST", True)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
# Files browsers ask for at the site's root (/favicon.ico).
WHITENOISE_ROOT = BASE_DIR / "static" / "root"

# PDF and Word files rendered at once in one process (a gunicorn worker): each holds a CPU for seconds and
# 100+ MB. More readers asking for files nobody has rendered yet get a 503 page asking them to retry.
RENDITION_RENDERS_PER_WORKER = env_int("RENDITION_RENDERS_PER_WORKER", 1)
if RENDITION_RENDERS_PER_WORKER < 1:
    raise ImproperlyConfigured("RENDITION_RENDERS_PER_WORKER must be 1 or more: 0 would never render a PDF.")

# The largest legacy text file the importer reads (bytes); a whole issue is well under 200 kB.
LEGACY_IMPORT_MAX_BYTES = env_int("LEGACY_IMPORT_MAX_BYTES", 2 * 1024 * 1024)
# The largest scan of a leader's instruction (批示件) editors may upload (bytes); under the proxy's 20 MB body limit.
INSTRUCTION_SCAN_MAX_BYTES = env_int("INSTRUCTION_SCAN_MAX_BYTES", 10 * 1024 * 1024)

# Mail (报送 and newsroom notifications), with Django's own setting names. Mail is queued in the
# database (the outbox) and sent by `manage.py deliver_mail`. Development without EMAIL_HOST writes
# each message to a file under var/mail/ instead of sending it; production sends to EMAIL_HOST
# (default: an MTA on this machine, localhost:25).
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("EMAIL_USE_TLS (STARTTLS, port 587) and EMAIL_USE_SSL (port 465) exclude each other.")
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "长三角每周要讯 <digest@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
if DEBUG and not EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "mail"
else:
    EMAIL_HOST = EMAIL_HOST or "localhost"
    # Django's SMTP backend, keeping the server's reply to each message for the delivery log.
    EMAIL_BACKEND = "editorial.delivery.smtp.EmailBackend"
# A PDF larger than this (bytes) is linked in the mail instead of attached.
MAIL_ATTACHMENT_MAX_BYTES = env_int("MAIL_ATTACHMENT_MAX_BYTES", 8 * 1024 * 1024)
# Failed sends are retried after 1, 2, 4 … minutes (MAIL_RETRY_SECONDS doubled, at most 6 hours),
# MAIL_MAX_ATTEMPTS times in all; then the mail is marked failed and shown in the delivery log.
MAIL_MAX_ATTEMPTS = env_int("MAIL_MAX_ATTEMPTS", 8)
MAIL_RETRY_SECONDS = env_int("MAIL_RETRY_SECONDS", 60)
# Corrections made within this many minutes of each other reach recipients as one 更正 mail.
MAIL_CORRECTION_DELAY_MINUTES = env_int("MAIL_CORRECTION_DELAY_MINUTES", 10)
# Messages a sender takes at a time (one SMTP connection each), and how long they stay its own.
MAIL_BATCH_SIZE = env_int("MAIL_BATCH_SIZE", 50)
MAIL_LEASE_SECONDS = env_int("MAIL_LEASE_SECONDS", 600)

# Cache: Redis when CACHE_URL is set (shared by every app server), local memory otherwise.
CACHE_URL = os.environ.get("CACHE_URL", "")
# How long (milliseconds) a process may reuse an issue's content stamps for anonymous readers'
# cached issue pages before reading them again. The default shows a change at most a second late
# and spares the database almost every read on publish day; 0 reads them on every request.
READER_STAMP_MAX_AGE_MS = env_int("READER_STAMP_MAX_AGE_MS", 1000)
if CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "digest"),
            "TIMEOUT": 3600,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
elif CACHE_URL:
    raise ImproperlyConfigured(f"CACHE_URL must be a redis:// URL (or unset for local memory), not {CACHE_URL!r}.")
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "TIMEOUT": 3600}}

LOGIN_URL = "admin:login"
# Where a login lands when its ?next= is missing or refused (off-site): the editors' desk.
LOGIN_REDIRECT_URL = "admin:index"

# HTTPS: on by default in production. Behind a TLS-terminating proxy set SECURE_PROXY_SSL_HEADER=1 (the proxy
# sends X-Forwarded-Proto) and, when the proxy itself redirects plain HTTP to HTTPS, SECURE_SSL_REDIRECT=proxy:
# Django then does not redirect, and the deployment check's warning that nothing redirects (security.W008) is
# silenced — on that statement only. SECURE_SSL_REDIRECT=0 turns the redirect off without it: the check still warns.
PROXY_REDIRECTS_TO_HTTPS = False
if not DEBUG:
    PROXY_REDIRECTS_TO_HTTPS = os.environ.get("SECURE_SSL_REDIRECT", "").strip().lower() == "proxy"
    SECURE_SSL_REDIRECT = False if PROXY_REDIRECTS_TO_HTTPS else env_bool("SECURE_SSL_REDIRECT", True)
    if PROXY_REDIRECTS_TO_HTTPS:
        SILENCED_SYSTEM_CHECKS = ["security.W008"]
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
    CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# A refused CSRF check gets a page in Chinese with a way back (digest_cms/errors.py).
CSRF_FAILURE_VIEW = "digest_cms.errors.csrf_failure"

# Content Security Policy (django-csp): scripts and styles from this site only, no inline script
# anywhere. Inline <style> elements need the request's nonce; digest_cms/csp.py adds the two
# allowances the admin's third-party templates need and leaves PDFs alone (see docs/security.md).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'none'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", CSP_NONCE],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "manifest-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}

# The addresses of the reverse proxies in front of the site (comma-separated), e.g. TRUSTED_PROXIES=127.0.0.1,::1
# for nginx on the same host. Only a request arriving from one of them has its X-Forwarded-For believed; unset,
# the client is always the connection's own address. The proxies' own addresses only: a client inside a listed
# network could claim any address (a system check warns about networks wider than 16 addresses).
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", [])
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError as exc:
        raise ImproperlyConfigured(f"TRUSTED_PROXIES must list IP addresses or networks, not {_proxy!r}.") from exc

# Login throttling (django-axes): five failed logins for one account from one address lock that
# pair out for LOGIN_LOCKOUT_MINUTES; a successful login clears the count.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "digest_cms.client_ip.client_ip"
AXES_LOCKOUT_CALLABLE = "digest_cms.lockout.lockout_response"
AXES_VERBOSE = False
# A wrong current password in the password change form counts as a failed login (digest_cms/password_change.py);
# django-axes keeps the form's fields with each failure, never these.
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "old_password", "new_password1", "new_password2"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"line": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"stdout": {"class": "logging.StreamHandler", "formatter": "line", "stream": "ext://sys.stdout"}},
    "root": {"handlers": ["stdout"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django": {"handlers": ["stdout"], "level": "INFO", "propagate": False},
        # WeasyPrint logs every layout step at INFO (dozens of lines a PDF); its warnings still show.
        "weasyprint.progress": {"level": "WARNING"},
    },
}

# Only administrators import and export spreadsheets (django-import-export).
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "import"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "export"
IMPORT_EXPORT_SKIP_ADMIN_LOG = False
# An uploaded sheet waits between preview and confirm in the default storage, which every app server shares,
# for an hour at most (editorial/previews.py).
IMPORT_EXPORT_TMP_STORAGE_CLASS = "editorial.previews.ExpiringMediaStorage"

SIMPLE_HISTORY_REVERT_DISABLED = False

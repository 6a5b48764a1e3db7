"""Django settings for Diaodu.

Everything that differs between machines comes from the environment:
``DATABASE_URL`` (SQLite file by default), ``DIAODU_SECRET_KEY``, ``DIAODU_DEBUG``,
``DIAODU_ALLOWED_HOSTS``. Nothing here reads settings of other modules at import time.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("DIAODU_VAR_DIR", BASE_DIR / "var"))

DEBUG = os.environ.get("DIAODU_DEBUG", "1") == "1"
SECRET_KEY = os.environ.get("DIAODU_SECRET_KEY", "diaodu-development-key-change-me-in-production-0123456789")
ALLOWED_HOSTS = os.environ.get("DIAODU_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    "diaodu.core",
    "diaodu.orgunits",
    "diaodu.accounts",
    "diaodu.audit",
    "diaodu.plans",
    "diaodu.projects",
    "diaodu.cockpit",
    "diaodu.workbooks",
    "diaodu.supervision",
    "diaodu.compiler",
    "diaodu.scale",
    "diaodu.reviews",
    "diaodu.reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "diaodu.core.security.HardeningMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "diaodu.core.middleware.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "diaodu.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "diaodu.core.dbrouter.ReplicaReadsMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "diaodu.accounts.middleware.SessionPolicyMiddleware",
]

ROOT_URLCONF = "diaodu.urls"
WSGI_APPLICATION = "diaodu.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "diaodu" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "diaodu.core.context_processors.navigation",
            ],
        },
    },
]

# Computed page parts (the cockpit, target lists) cached per data version: diaodu.core.pagecache. The keys carry
# the data version, so any number of app servers stay correct whatever the cache. DIAODU_PAGE_CACHE: "memory"
# (default: per process), "file:/path" (shared by the worker processes of one machine), or a redis:// URL (shared
# by all machines; needs the `redis` package).
DIAODU_PAGE_CACHE_SECONDS = int(os.environ.get("DIAODU_PAGE_CACHE_SECONDS", "600"))


def _page_cache(spec: str) -> dict[str, Any]:
    if spec.startswith("file:"):
        return {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": spec[5:],
                "OPTIONS": {"MAX_ENTRIES": 20000}}  # fmt: skip
    if spec.startswith(("redis://", "rediss://")):
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": spec}
    return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "diaodu-pages",
            "OPTIONS": {"MAX_ENTRIES": 2000}}  # fmt: skip


CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "diaodu-default"},
    "pages": _page_cache(os.environ.get("DIAODU_PAGE_CACHE", "memory")),
}

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'diaodu.sqlite3'}",
        conn_max_age=int(os.environ.get("DIAODU_CONN_MAX_AGE", "0")),
        # A connection kept across requests is checked first, so the site recovers by itself after a
        # database restart instead of failing every request on a dead connection.
        conn_health_checks=True,
    )
}
# A read replica (docs/deploy.md): cockpit and report reads go there (diaodu.core.dbrouter); writes never do.
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["DATABASE_REPLICA_URL"],
        conn_max_age=int(os.environ.get("DIAODU_CONN_MAX_AGE", "0")),
        conn_health_checks=True,
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
# PostgreSQL: parameters bound on the server, and a statement a connection has run DIAODU_PG_PREPARE_THRESHOLD
# times (default 2) is prepared there, so PostgreSQL parses and plans it once per connection instead of on every
# request (with persistent connections, DIAODU_CONN_MAX_AGE). "off": Django's default (client-side binding, nothing
# prepared), for a pooler in transaction mode that does not keep prepared statements (PgBouncer before 1.21).
_PG_PREPARE = os.environ.get("DIAODU_PG_PREPARE_THRESHOLD", "2").strip().lower()
for _db in DATABASES.values():
    if _db["ENGINE"] == "django.db.backends.postgresql" and _PG_PREPARE not in ("off", ""):
        _db.setdefault("OPTIONS", {}).update(server_side_binding=True, prepare_threshold=int(_PG_PREPARE))
DIAODU_READ_REPLICA = "replica" if "replica" in DATABASES else ""
DATABASE_ROUTERS = ["diaodu.core.dbrouter.ReplicaRouter"]
# URL names (or "namespace:" prefixes) whose GET requests read from the replica.
DIAODU_REPLICA_ROUTES = ("cockpit:", "reports:", "api:targets", "api:actuals")
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(
        {
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA busy_timeout=5000;",
        }
    )

AUTH_USER_MODEL = "accounts.User"
# ModelBackend that reads a session's user with their org unit (one query less per request)
AUTHENTICATION_BACKENDS = ["diaodu.accounts.backends.UnitUserBackend"]
# Django's database sessions, read with one fixed statement (diaodu.accounts.sessions)
SESSION_ENGINE = "diaodu.accounts.sessions"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "cockpit:home"
LOGOUT_REDIRECT_URL = "accounts:login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "diaodu.accounts.passwords.CharacterClassValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "diaodu.accounts.passwords.PasswordHistoryValidator", "OPTIONS": {"history": 5}},
]

# 等保 level 3 (docs/security.md). Passwords expire; initial passwords must be changed at first login.
DIAODU_PASSWORD_MAX_AGE_DAYS = int(os.environ.get("DIAODU_PASSWORD_MAX_AGE_DAYS", "90"))  # 0: never
DIAODU_PASSWORD_HISTORY = 5
# Idle sessions end after 30 minutes, any session 8 hours after login; the cookie dies with the browser.
DIAODU_IDLE_TIMEOUT_SECONDS = int(os.environ.get("DIAODU_IDLE_TIMEOUT_SECONDS", str(30 * 60)))
DIAODU_SESSION_MAX_AGE_SECONDS = int(os.environ.get("DIAODU_SESSION_MAX_AGE_SECONDS", str(8 * 60 * 60)))
SESSION_COOKIE_AGE = DIAODU_SESSION_MAX_AGE_SECONDS
# The last request's time (idle timeout) is written to the session at most this often: other requests leave the
# session row alone.
DIAODU_LAST_SEEN_RESOLUTION_SECONDS = int(os.environ.get("DIAODU_LAST_SEEN_RESOLUTION_SECONDS", "60"))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# 5 failed logins within 15 minutes lock the account name, and separately the source address, for 30 minutes.
DIAODU_LOCKOUT_THRESHOLD = 5
DIAODU_LOCKOUT_WINDOW_MINUTES = 15
DIAODU_LOCKOUT_MINUTES = 30
# TOTP second factor: required for the system, security and audit administrators, optional for others.
DIAODU_OTP_REQUIRED_FOR_ADMINS = os.environ.get("DIAODU_OTP_REQUIRED_FOR_ADMINS", "1") == "1"
# Key of the columns encrypted at rest (the TOTP secrets; diaodu/core/fieldcrypt.py): a long random string kept
# apart from the database and its backups; "new,old" rotates (then `diaodu fieldkey rotate`). Empty in development:
# the key is then derived from SECRET_KEY, which `diaodu check --deploy` refuses when DEBUG is off.
DIAODU_FIELD_KEY = os.environ.get("DIAODU_FIELD_KEY", "")

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "diaodu" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "build" / "static"]
STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Media on S3-compatible object storage (MinIO, Ceph, OSS, COS...) for several app servers: `uv sync --extra s3`
# and set DIAODU_S3_BUCKET (+ DIAODU_S3_ENDPOINT_URL, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY). docs/deploy.md.
if os.environ.get("DIAODU_S3_BUCKET"):
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["DIAODU_S3_BUCKET"],
            "endpoint_url": os.environ.get("DIAODU_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("DIAODU_S3_REGION") or None,
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
# Production: static files pre-compressed (gzip, brotli) by `diaodu collectstatic` and served by whitenoise from
# STATIC_ROOT (DIAODU_STATIC_COMPRESS=1 for both commands); docs/deploy.md. (Hashed names would need the
# vendored CSS's missing source maps.)
if os.environ.get("DIAODU_STATIC_COMPRESS") == "1":
    STORAGES["staticfiles"] = {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"}
MEDIA_ROOT = VAR_DIR / "media"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# An import checking or writing with no progress for this long lost its worker: `diaodu worker` (and
# `diaodu workbooks recover`) mark it failed (diaodu/workbooks/recovery.py). A live writer is never failed.
DIAODU_IMPORT_STALE_SECONDS = float(os.environ.get("DIAODU_IMPORT_STALE_SECONDS", "300"))

X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Scripts, styles, images and connections only from this site; no inline scripts, no framing, no plugins.
DIAODU_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)
# Production behind HTTPS (DIAODU_HTTPS=1): HSTS, secure cookies, redirect plain HTTP; a TLS-terminating
# proxy must set X-Forwarded-Proto.
DIAODU_HTTPS = os.environ.get("DIAODU_HTTPS", "0") == "1"
if DIAODU_HTTPS:
    SECURE_HSTS_SECONDS = 365 * 24 * 60 * 60
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_SSL_REDIRECT = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]  # load-balancer probes over plain HTTP
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
# Request bodies: uploads (Excel workbooks, plan files) at most 20 MB (larger requests get 413 before they are
# read), other bodies (forms, JSON) Django's 2.5 MB; diaodu.core.security_uploads checks each file's type.
DIAODU_UPLOAD_MAX_BYTES = int(os.environ.get("DIAODU_UPLOAD_MAX_BYTES", str(20 * 1024 * 1024)))
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DIAODU_LOG_LEVEL", "WARNING")},
}

"""Shkola settings: everything that differs between a laptop and a region comes from the
environment. The demo (DEBUG on, SQLite) needs no variables at all."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import dj_database_url
import dj_email_url
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", default=False)
TESTING = env_bool("SHKOLA_TESTING", default=False) or "pytest" in sys.modules

_DEV_SECRET = "django-insecure-shkola-local-demo-only-never-in-production"
SECRET_KEY = os.environ.get("SECRET_KEY") or (_DEV_SECRET if DEBUG or TESTING else "")
if not SECRET_KEY:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")

ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", "127.0.0.1,localhost,testserver" if DEBUG or TESTING else ""
)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rules.apps.AutodiscoverRulesConfig",
    "axes",
    "django_tasks_db",
    "ninja",  # its bundled Swagger UI files, served from 'self' (no CDN under the CSP)
    "shkola.core",
    "shkola.accounts",
    "shkola.accounts.sso",
    "shkola.schools",
    "shkola.timetable",
    "shkola.journal",
    "shkola.diary",
    "shkola.portfolio",
    "shkola.home",
    "shkola.absences",
    "shkola.privacy",
    "shkola.notifications",
    "shkola.announcements",
    "shkola.registry",
    "shkola.oversight",
    "shkola.people",
    "shkola.messaging",
    "shkola.roster",
    "shkola.imports",
    "shkola.yearsetup",
    "shkola.courses",
    # before oauth2_provider: its consent screen (oauth2_provider/authorize.html) is ours
    "shkola.api",
    "oauth2_provider",
    "shkola.feeds",
    "shkola.testing",
    "shkola.demo",
    "shkola.extras",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # outside everything that reads the database: its errors become the 503 page
    "shkola.core.middleware.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "shkola.core.middleware.PasswordChangeRequiredMiddleware",
    "shkola.accounts.middleware.SessionActivityMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "shkola.core.context_processors.shell",
            ],
        },
    },
]

# PgBouncer in transaction pooling (docs/replicas.md): DB_DISABLE_SERVER_SIDE_CURSORS=1 (a
# named cursor of .iterator() does not survive the end of the pooler's transaction) together
# with DB_PREPARED_STATEMENTS=0 (below). Applies to the primary and every replica.
_NO_SERVER_SIDE_CURSORS = env_bool("DB_DISABLE_SERVER_SIDE_CURSORS")
_CONN_MAX_AGE = int(os.environ.get("DB_CONN_MAX_AGE", "60"))


def _database(url: str) -> dict[str, Any]:
    db: dict[str, Any] = dict(dj_database_url.parse(url, conn_max_age=_CONN_MAX_AGE))
    if db["ENGINE"] == "django.db.backends.postgresql":
        # A persistent connection is checked (SELECT 1) on its first use in a request, so a
        # restarted primary or replica is reconnected without restarting the app.
        db["CONN_HEALTH_CHECKS"] = True
        db["DISABLE_SERVER_SIDE_CURSORS"] = _NO_SERVER_SIDE_CURSORS
    return db


DATABASES = {
    "default": _database(os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"))
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the demo server and a management command share the file.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
# PostgreSQL prepared statements for the hot reads that compile their SQL once per process
# (shkola.core.compiled): PostgreSQL then parses and plans them once per connection. On by
# default with persistent direct connections; set DB_PREPARED_STATEMENTS=0 behind a
# transaction-pooling PgBouncer (Debian's 1.18 cannot carry them between server connections).
SHKOLA_PREPARED_STATEMENTS = DATABASES["default"][
    "ENGINE"
] == "django.db.backends.postgresql" and env_bool(
    "DB_PREPARED_STATEMENTS", default=int(DATABASES["default"].get("CONN_MAX_AGE") or 0) > 0
)
if SHKOLA_PREPARED_STATEMENTS:
    # psycopg prepares only where a threshold is set (Django sets None: never). Django's ORM
    # cursors bind on the client and still never prepare; the compiled reads ask for it.
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = 5

# Read replicas (docs/replicas.md, shkola/core/replicas.py): family pages read from them.
# DATABASE_REPLICA_URLS is a comma-separated list of PostgreSQL URLs → aliases replica1,
# replica2… with the primary's options. The tests never use replicas named in the environment
# (a test database would be looked for there), except a process a test starts on purpose
# (SHKOLA_TEST_REPLICAS=1); even then the test runner mirrors them onto "default".
REPLICA_MAX_LAG_SECONDS = float(os.environ.get("REPLICA_MAX_LAG_SECONDS", "5"))
READ_YOUR_WRITES_SECONDS = int(os.environ.get("READ_YOUR_WRITES_SECONDS", "15"))
REPLICA_CHECK_SECONDS = float(os.environ.get("REPLICA_CHECK_SECONDS", "2"))
for _number, _url in enumerate(
    env_list("DATABASE_REPLICA_URLS") if not TESTING or env_bool("SHKOLA_TEST_REPLICAS") else [],
    start=1,
):
    _replica = _database(_url)
    if {_replica["ENGINE"], DATABASES["default"]["ENGINE"]} != {"django.db.backends.postgresql"}:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("DATABASE_REPLICA_URLS: PostgreSQL streaming replicas only.")
    _replica["OPTIONS"] = {
        **DATABASES["default"].get("OPTIONS", {}),
        **_replica.get("OPTIONS", {}),
    }
    # A replica host that drops packets must not hold a page for the system's TCP timeout:
    # the page is served from the primary after this many seconds.
    _replica["OPTIONS"].setdefault(
        "connect_timeout", int(os.environ.get("REPLICA_CONNECT_TIMEOUT", "2"))
    )
    _replica["TEST"] = {"MIRROR": "default"}
    DATABASES[f"replica{_number}"] = _replica
if len(DATABASES) > 1:
    DATABASE_ROUTERS = ["shkola.core.replicas.ReplicaRouter"]
    MIDDLEWARE.append("shkola.core.replicas.ReadYourWritesMiddleware")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "shkola.accounts.backends.LoginBackend",  # ModelBackend, login compared without case
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "shkola.accounts.validators.LoginAndBirthDateValidator"},
]
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24  # one day; the link is single-use by design
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

LANGUAGE_CODE = os.environ.get("LANGUAGE_CODE", "ru")
# Russian only: there are no other translations, and a browser asking for English must not
# get English dates and form errors in the middle of Russian pages.
LANGUAGES = [("ru", _("Русский"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/Moscow")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# Media is never served by URL directly: every file goes through a view that checks rules.
MEDIA_URL = "/media-not-public/"


def files_storage(environ: Mapping[str, str]) -> dict[str, Any]:
    """Where people's files live, from FILES_STORAGE: ``filesystem`` (MEDIA_ROOT, which several
    app servers may share as one mount, e.g. NFS) or ``s3`` (any S3-compatible object store
    through django-storages). Either way the bytes reach a browser only through our views, which
    check the rules first and stream the file with their own CSP and Content-Disposition: the
    storage's own URLs (``.url()``, presigned links) are never handed out."""
    kind = environ.get("FILES_STORAGE", "filesystem").strip().lower() or "filesystem"
    if kind == "filesystem":
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    if kind != "s3":
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(f"FILES_STORAGE must be 'filesystem' or 's3', not {kind!r}.")
    bucket = environ.get("AWS_STORAGE_BUCKET_NAME", "").strip()
    if not bucket:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("FILES_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME.")
    acl = environ.get("AWS_DEFAULT_ACL", "private").strip()
    return {
        "BACKEND": "shkola.core.storage.PrivateS3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": environ.get("AWS_S3_ENDPOINT_URL") or None,
            "region_name": environ.get("AWS_S3_REGION_NAME") or None,
            # None: boto3 looks further (instance role, ~/.aws) when the keys are not given
            "access_key": environ.get("AWS_ACCESS_KEY_ID") or None,
            "secret_key": environ.get("AWS_SECRET_ACCESS_KEY") or None,
            "location": environ.get("AWS_LOCATION", ""),
            # path style for MinIO/Ceph and the like behind one host name; "virtual" for AWS
            "addressing_style": environ.get("AWS_S3_ADDRESSING_STYLE") or None,
            "signature_version": "s3v4",
            # Objects are private; "" sends no ACL header (stores whose ACLs are disabled).
            "default_acl": acl or None,
            # django-storages overwrites an object of the same name by default: two pupils'
            # "homework.pdf" in one month would become one file. PrivateS3Storage also gives
            # every object a random part, as two servers may race for one name.
            "file_overwrite": False,
            # .url() is never called for people's files; if code ever did, it would at least
            # get a signed link that expires, never a public one.
            "querystring_auth": True,
            "querystring_expire": 60,
            # A download is buffered before it is streamed; past 2 MB on disk, not in memory.
            "max_memory_size": 2 * 1024 * 1024,
        },
    }


FILES_STORAGE = os.environ.get("FILES_STORAGE", "filesystem").strip().lower() or "filesystem"
STORAGES = {
    "default": files_storage(os.environ),
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

_email = dj_email_url.parse(
    os.environ.get("EMAIL_URL", "console://" if DEBUG else "smtp://localhost:25")
)
_mailer: dict = {"BACKEND": _email["EMAIL_BACKEND"]}
if _email["EMAIL_BACKEND"].endswith("smtp.EmailBackend"):
    _mailer["OPTIONS"] = {
        "host": _email["EMAIL_HOST"],
        "port": _email["EMAIL_PORT"],
        "username": _email["EMAIL_HOST_USER"] or None,
        "password": _email["EMAIL_HOST_PASSWORD"] or None,
        "use_tls": bool(_email["EMAIL_USE_TLS"]),
        "use_ssl": bool(_email["EMAIL_USE_SSL"]),
        "timeout": 20,
    }
elif _email["EMAIL_BACKEND"].endswith("filebased.EmailBackend"):
    # ``file://`` alone writes each letter as a file into var/mail/ (what `make demo` uses)
    _mailer["OPTIONS"] = {
        "file_path": _email.get("EMAIL_FILE_PATH") or str(BASE_DIR / "var" / "mail")
    }
MAILERS = {"default": _mailer}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Школа <noreply@shkola.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Background work (letters): a queue in the database worked by `manage.py db_worker` in
# production; the demo and the tests run each task at once, so a letter is printed to the
# `make demo` console the moment it is sent, with no second process to start.
# A process a test starts on purpose to play a worker (SHKOLA_TEST_TASKS_DB=1) uses the
# database queue like production, so the tests can run real workers side by side.
_IMMEDIATE_TASKS = "django.tasks.backends.immediate.ImmediateBackend"
_DATABASE_TASKS = "django_tasks_db.DatabaseBackend"
if TESTING:
    _tasks_backend = _DATABASE_TASKS if env_bool("SHKOLA_TEST_TASKS_DB") else _IMMEDIATE_TASKS
else:
    _tasks_backend = os.environ.get("TASKS_BACKEND", _IMMEDIATE_TASKS if DEBUG else _DATABASE_TASKS)
TASKS = {"default": {"BACKEND": _tasks_backend}}
# `manage.py worker` (docs/workers.md): each worker records it is alive every
# WORKER_HEARTBEAT_SECONDS; a task whose worker was not seen for WORKER_STALE_SECONDS goes
# back to the queue for another worker, at most WORKER_MAX_ATTEMPTS times in all.
WORKER_STALE_SECONDS = float(os.environ.get("WORKER_STALE_SECONDS", "60"))
WORKER_HEARTBEAT_SECONDS = float(os.environ.get("WORKER_HEARTBEAT_SECONDS", "10"))
WORKER_MAX_ATTEMPTS = int(os.environ.get("WORKER_MAX_ATTEMPTS", "5"))

# Content Security Policy: 'self' only, scripts need the per-request nonce.

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}

# The shared cache: sessions (cached_db), who is signed in and the school year (the "people"
# alias, see shkola/accounts/who.py). Redis when REDIS_URL is set, so that ending a session or
# changing a password reaches every worker at once. Local memory only for the tests (one
# process) or where LOCAL_CACHE=1 says the site runs one process; files for the demo (its
# processes below); with several processes a per-process cache would keep an ended session
# alive in the others. Otherwise "people" is no cache at all: sessions and people are read from the database on
# every request, as before. "default" (API rate limits, OIDC discovery) stays local memory
# without Redis, as it was.
# Tests never use a Redis named in the environment (clearing their cache would flush it),
# except a process a test starts on purpose to play another worker (SHKOLA_TEST_REDIS=1).
REDIS_URL = (
    "" if TESTING and not env_bool("SHKOLA_TEST_REDIS") else os.environ.get("REDIS_URL", "").strip()
)


def _database_identity() -> str:
    """Keys of one database never meet another's in a shared Redis (staging and production,
    two regions): account 5 of one must not be served as account 5 of the other."""
    import hashlib

    db = DATABASES["default"]
    where = f"{db['ENGINE']}|{db.get('HOST', '')}|{db.get('PORT', '')}|{db.get('NAME', '')}"
    return "shkola-" + hashlib.sha256(where.encode()).hexdigest()[:12]


CACHES: dict[str, dict[str, Any]]
if REDIS_URL:
    # Django's RedisCache, made to serve pages from the database while Redis restarts
    # (shkola/core/cache.py); short socket timeouts so a hung Redis cannot hang the pages.
    _redis_timeout = float(os.environ.get("REDIS_TIMEOUT_SECONDS", "1"))
    _redis = {
        "BACKEND": "shkola.core.cache.SharedRedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX") or _database_identity(),
        "OPTIONS": {
            "socket_connect_timeout": _redis_timeout,
            "socket_timeout": _redis_timeout,
        },
    }
    CACHES = {"default": _redis, "people": _redis}
else:
    _local = {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "shkola",
        "OPTIONS": {"MAX_ENTRIES": 10000},
    }
    if TESTING or env_bool("LOCAL_CACHE"):
        _people: dict[str, Any] = _local
    elif DEBUG:
        # `make demo` runs the web server beside the task worker, the digest ticker and the
        # destroyer, which end sessions and change people too: files on the machine are the
        # cache all of those processes share (a per-process one would keep an ended session).
        _people = {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(BASE_DIR / "var" / "cache"),
            "OPTIONS": {"MAX_ENTRIES": 10000},
        }
    else:
        _people = {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    CACHES = {"default": _local, "people": _people}
PEOPLE_CACHE_ALIAS = "people"
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_CACHE_ALIAS = PEOPLE_CACHE_ALIAS
# How long a signed-in person's account, roles, children and school year are served from the
# cache; the services that change them drop them at once, this only bounds a missed drop.
PEOPLE_CACHE_SECONDS = int(os.environ.get("PEOPLE_CACHE_SECONDS", "60"))

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 24 * 14
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG and not TESTING:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Brute force protection: lock a login (its failures from every address summed) and a login
# at one address; never a bare address. A school's NAT or a proxy (TRUSTED_PROXY_COUNT = 0)
# puts a whole school behind one address: five typos there must not lock everyone out.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("AXES_COOLOFF_HOURS", "0.25"))  # hours
AXES_LOCKOUT_PARAMETERS = ["username", ["username", "ip_address"]]
# A lock has a fixed length: tries refused while it lasts (a correct password included) are
# not failures and do not prolong it, so nobody can keep someone else's login locked forever.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "shkola.accounts.views.lockout"
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "shkola.accounts.backends.axes_username"
AXES_ENABLED = env_bool("AXES_ENABLED", True)
# Reverse proxies in front of the app that append the client to X-Forwarded-For (nginx: 1).
# 0 ignores the header: without a proxy that overwrites it, any client could forge it.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
# One answer to "who is this" for lockouts, the security log and the session list.
AXES_CLIENT_IP_CALLABLE = "shkola.accounts.middleware.client_ip"

# Demo accounts share one password; it only works while DEBUG (or tests) is on.
DEMO_PASSWORD = "demo12345"
DEMO_LOGINS_ENABLED = DEBUG or TESTING

from shkola.core.uploads import DEFAULT_ALLOWED_TYPES as _DEFAULT_UPLOAD_TYPES  # noqa: E402

SHKOLA: dict[str, Any] = {
    "INVITATION_DAYS": int(os.environ.get("SHKOLA_INVITATION_DAYS", "90")),
    "EMAIL_CONFIRM_DAYS": 3,
    "PASSWORD_RESET_HOURS": 24,
    # «Забыли пароль?» letters per hour: per typed address, and requests per client address.
    "PASSWORD_RESET_PER_EMAIL_HOUR": int(os.environ.get("SHKOLA_PASSWORD_RESET_PER_EMAIL", "3")),
    "PASSWORD_RESET_PER_IP_HOUR": int(os.environ.get("SHKOLA_PASSWORD_RESET_PER_IP", "10")),
    "UPLOAD_MAX_FILE_MB": int(os.environ.get("SHKOLA_UPLOAD_MAX_FILE_MB", "10")),
    "UPLOAD_MAX_TOTAL_MB": int(os.environ.get("SHKOLA_UPLOAD_MAX_TOTAL_MB", "50")),
    # Content types (as read from the file's bytes) people may attach; comma-separated.
    "UPLOAD_ALLOWED_TYPES": tuple(
        filter(None, os.environ.get("SHKOLA_UPLOAD_ALLOWED_TYPES", "").split(","))
    )
    or _DEFAULT_UPLOAD_TYPES,
    # Absolute links in letters (digests, confirmations) start with this address.
    "PUBLIC_URL": os.environ.get("SHKOLA_PUBLIC_URL", "http://127.0.0.1:8000"),
}

# 152-FZ: a withdrawn consent's personal data is destroyed within this many days (H2).
PERSONAL_DATA_DESTRUCTION_DAYS = int(os.environ.get("PERSONAL_DATA_DESTRUCTION_DAYS", "30"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

if TESTING:
    # Hashing dominates test time with the production hasher; tests don't test its strength.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# --- Single sign-on (A2): OpenID Connect providers -------------------------------------
# A provider appears on the login page once its issuer and client id are set. Register
# <public address>/sso/<slug>/callback/ as the redirect URI at the provider. ``claims`` maps
# our fields to the provider's claim names (a child in ``children`` uses the same names);
# ``adapter`` selects the class that talks to the provider (README: ESIA).
def _sso_provider(slug: str, title: str, name: str, icon: str) -> dict:
    import json

    prefix = f"SSO_{slug.upper()}_"
    claims = {
        "snils": "snils",
        "birth_date": "birthdate",
        "last_name": "family_name",
        "first_name": "given_name",
        "middle_name": "middle_name",
        "email": "email",
        "children": "children",
    }
    claims.update(json.loads(os.environ.get(prefix + "CLAIMS", "{}")))
    return {
        "title": os.environ.get(prefix + "TITLE", title),
        "name": os.environ.get(prefix + "NAME", name),
        "icon": icon,
        "issuer": os.environ.get(prefix + "ISSUER", ""),
        "client_id": os.environ.get(prefix + "CLIENT_ID", ""),
        "client_secret": os.environ.get(prefix + "CLIENT_SECRET", ""),
        "scopes": os.environ.get(prefix + "SCOPES", "openid profile email snils children"),
        "claims": claims,
        "adapter": os.environ.get(prefix + "ADAPTER", "shkola.accounts.sso.oidc.OidcAdapter"),
    }


SHKOLA_SSO_PROVIDERS = {
    "gosuslugi": _sso_provider("gosuslugi", "Войти через Госуслуги", "Госуслуги", "shield-check"),
    "school": _sso_provider("school", "Войти через школьный портал", "школьный портал", "building"),
}


# --- open API (issue 12): OAuth 2.0 authorization code with PKCE, scopes per resource ------
# The scope names and their Russian descriptions (shown on the consent screen and in the
# profile) live in shkola/api/scopes.py.
from shkola.api.scopes import SCOPES as API_SCOPES  # noqa: E402

OAUTH2_PROVIDER = {
    "SCOPES": API_SCOPES,
    # an app that names no scope gets the diary only, never everything
    "DEFAULT_SCOPES": ["diary"],
    # mobile and third-party apps are public clients: a code without a PKCE verifier is refused
    "PKCE_REQUIRED": True,
    "ACCESS_TOKEN_EXPIRE_SECONDS": int(os.environ.get("API_TOKEN_SECONDS", str(60 * 60))),
    "REFRESH_TOKEN_EXPIRE_SECONDS": 60 * 60 * 24 * 90,
    # Plain http redirects only where a developer or a test runs a loopback app (RFC 8252);
    # a region allows https and the custom schemes of its mobile apps.
    "ALLOWED_REDIRECT_URI_SCHEMES": env_list(
        "OAUTH_REDIRECT_SCHEMES", default="http,https" if DEBUG or TESTING else "https"
    ),
    "REQUEST_APPROVAL_PROMPT": "force",
    # The OAuth 2.0 Security BCP (RFC 9700) in full: no implicit or password grant, S256 PKCE
    # only, tokens never in a query string, `iss` in the authorization response, tokens
    # stored hashed, a replayed refresh token revokes its whole family.
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "COMPLIANT_BCP_RFC9700_REFRESH_TOKEN": True,
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_SCHEME": not (DEBUG or TESTING),
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
}
# Requests per token: "<number>/<sec|min|hour|day>".
API_RATE_LIMIT = os.environ.get("API_RATE_LIMIT", "120/min")

# G3 «Оплата»: the dotted path of a class implementing shkola.extras.payments.PaymentProvider.
# None (the default): no payments on the site; see docs/payments.md.
SHKOLA_PAYMENT_PROVIDER = os.environ.get("SHKOLA_PAYMENT_PROVIDER") or None

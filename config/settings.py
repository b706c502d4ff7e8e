"""Settings: every value comes from the environment (see .env.example).

Development defaults let `make run` work out of the box; in production
(`DJANGO_ENV=production`) the secrets have no usable default and a missing or
development value stops the start with a message that names it.
"""

import hashlib
import os
import sys
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import environ
from corsheaders.defaults import default_headers
from django.core.exceptions import ImproperlyConfigured

from config.environment import documents_storage, key_list, secret
from config.logs import django_logging
from config.openapi_settings import SPECTACULAR_SETTINGS  # noqa: F401 (a setting)

BASE_DIR = Path(__file__).resolve().parent.parent

# Any variable may instead be given as <NAME>_FILE, the path of a file that
# holds it (Docker and compose secrets): SECRET_KEY_FILE=/run/secrets/secret_key.
env = environ.FileAwareEnv()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DJANGO_ENV = env.str("DJANGO_ENV", default="development")
if DJANGO_ENV not in {"development", "test", "production"}:
    raise ImproperlyConfigured(f"DJANGO_ENV must be development, test or production, not {DJANGO_ENV!r}")
IS_PRODUCTION = DJANGO_ENV == "production"

# With PROMETHEUS_MULTIPROC_DIR set, prometheus-client writes every process's
# metrics to files there from the first import, and fails if the folder is
# missing. Only gunicorn's workers are scraped (their start hook makes it);
# any other process (collectstatic, migrate, each job RQ forks) keeps its
# metrics in memory instead of failing or leaving files behind.
if "gunicorn" not in sys.modules:
    os.environ.pop("PROMETHEUS_MULTIPROC_DIR", None)

# Development defaults, clearly marked: production refuses every one of them.
DEV_SECRET_KEY = "dev-insecure-secret-key-do-not-use-in-production"  # noqa: S105
DEV_TOKEN_KEY = "ZGV2LXRva2VuLWtleS1kby1ub3QtdXNlLWluLXByb2Q="  # noqa: S105 (Fernet key, development only)
DEV_FIELD_KEY = "ZGV2LWZpZWxkLWtleS1kby1ub3QtdXNlLWluLXByb2Q="  # Fernet key, development only


SECRET_KEY = secret("SECRET_KEY", DEV_SECRET_KEY, production=IS_PRODUCTION)
TOKEN_ENCRYPTION_KEYS = key_list("TOKEN_ENCRYPTION_KEYS", DEV_TOKEN_KEY, production=IS_PRODUCTION)
FIELD_ENCRYPTION_KEYS = key_list("FIELD_ENCRYPTION_KEYS", DEV_FIELD_KEY, production=IS_PRODUCTION)
DEBUG = env.bool("DEBUG", default=DJANGO_ENV == "development")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", default=["http://localhost:3000"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=["http://localhost:3000"])
CORS_URLS_REGEX = r"^/(api|health)(/.*)?$"
# Browsers may send the contract's own headers (API.md, "Conventions") and read its answers' ones.
CORS_ALLOW_HEADERS = (*default_headers, "idempotency-key", "x-request-id")
CORS_EXPOSE_HEADERS = ["Retry-After", "X-Request-ID", "Content-Disposition"]
if not IS_PRODUCTION:
    # A frontend's dev server on any local port; production lists its origins in CORS_ALLOWED_ORIGINS.
    CORS_ALLOWED_ORIGIN_REGEXES = [r"^http://(localhost|127\.0\.0\.1)(:\d+)?$"]

INSTALLED_APPS = [
    # First: its createsuperuser (validators, audit) replaces django.contrib.auth's.
    "config.apps.ProjectConfig",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "corsheaders",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_rq",
    "django_prometheus",
    "rest_framework_simplejwt.token_blacklist",
    "django_otp",
    "accounts",
    "clinic",
    "scheduling",
]

MIDDLEWARE = [
    "config.request_metrics.RequestMetricsMiddleware",  # django-prometheus's series, the three we read
    "config.observability.RequestLogMiddleware",
    "config.headers.NoStoreMiddleware",
    "config.probes.ProbeHostMiddleware",  # /health and /metrics answer probes by IP or service name
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    # Django's session, auth and messages middleware, skipped under /api/
    # (bearer tokens only): config/browser_middleware.py.
    "config.browser_middleware.SessionMiddleware",
    # Django's LocaleMiddleware: Accept-Language → the active language, and
    # Content-Language on every answer but the probes' (config/languages.py;
    # the caller's own `language` when no header was sent).
    "config.languages.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",  # by name: the deploy check looks for it
    "config.browser_middleware.AuthenticationMiddleware",
    "config.languages.AdminLanguageMiddleware",  # the admin speaks its user's `language`
    "accounts.admin_enrolment.EnrolmentMiddleware",  # MFA_REQUIRED_ROLES in the admin
    "config.browser_middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "config.errors.JsonErrorMiddleware",
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
            ],
        },
    },
]

# Database and Redis: loading the settings starts nothing. With the URLs unset,
# the entry points start the embedded servers (config/embedded.py) and export
# the URLs before Django loads: manage.py, `make run` and the test suite.
# Redis Sentinel (REDIS_SENTINELS, host:port list): every Redis user finds the
# current master by name instead of REDIS_URL (README "Beyond one machine").
REDIS_SENTINELS = [
    (host, int(port))
    for host, port in (item.rsplit(":", 1) for item in env.list("REDIS_SENTINELS", default=[]))
]
for _name in ("DATABASE_URL", *(() if REDIS_SENTINELS else ("REDIS_URL",))):
    if not env.str(_name, default=""):
        raise ImproperlyConfigured(
            f"{_name} is unset: set it, or go through manage.py, `make run` or `make test`, "
            "which start the embedded servers"
        )

DATABASES = {"default": env.db_url("DATABASE_URL")}
if database_password := env.str("DATABASE_PASSWORD", default="").strip():
    DATABASES["default"]["PASSWORD"] = database_password  # kept out of the URL: a secret file
DATABASES["default"]["ENGINE"] = "django_prometheus.db.backends.postgresql"  # postgresql, with metrics
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = env.int("DB_CONNECT_TIMEOUT", default=5)
# Behind PgBouncer in transaction mode (DATABASE_POOLER=pgbouncer) a connection
# is shared between transactions: no prepared statements kept on the server
# (psycopg's prepare_threshold) and no server-side cursors (.iterator()).
DATABASE_POOLER = env.str("DATABASE_POOLER", default="")
# The server's own address when DATABASE_URL goes through a transaction pooler:
# backup and restore (pg_dump, pg_restore) use it.
DATABASE_DIRECT_URL = env.str("DATABASE_DIRECT_URL", default="")
if DATABASE_POOLER not in ("", "pgbouncer"):
    raise ImproperlyConfigured(f"DATABASE_POOLER={DATABASE_POOLER!r}: use pgbouncer, or leave it unset")
if DATABASE_POOLER:
    DATABASES["default"]["OPTIONS"]["prepare_threshold"] = None
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
# Read replicas (config/replicas.py): replica1, replica2, … beside the primary.
DATABASE_REPLICA_URLS = env.list("DATABASE_REPLICA_URLS", default=[])
REPLICA_PIN_SECONDS = env.int("REPLICA_PIN_SECONDS", default=5)
REPLICA_MAX_LAG_SECONDS = env.float("REPLICA_MAX_LAG_SECONDS", default=10)
for _number, _url in enumerate(DATABASE_REPLICA_URLS, start=1):
    _replica = env.db_url_config(_url)
    DATABASES[f"replica{_number}"] = {
        **DATABASES["default"],
        **_replica,
        "PASSWORD": _replica.get("PASSWORD") or DATABASES["default"].get("PASSWORD", ""),
        "ENGINE": DATABASES["default"]["ENGINE"],
        "OPTIONS": {
            **_replica.get("OPTIONS", {}),
            "connect_timeout": 2,
            **({"prepare_threshold": None} if DATABASE_POOLER else {}),
        },
        "TEST": {"MIRROR": "default"},
    }
if DATABASE_REPLICA_URLS:
    DATABASE_ROUTERS = ["config.replicas.ReplicaRouter"]
    _after = MIDDLEWARE.index("config.probes.ProbeHostMiddleware") + 1
    MIDDLEWARE.insert(_after, "config.replicas.ReplicaMiddleware")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_SENTINEL_MASTER = env.str("REDIS_SENTINEL_MASTER", default="clinic")
REDIS_SENTINEL_PASSWORD = env.str("REDIS_SENTINEL_PASSWORD", default="")  # the Sentinels' own
REDIS_PASSWORD = env.str("REDIS_PASSWORD", default="")  # the master's, with Sentinel
REDIS_DB = env.int("REDIS_DB", default=0)
# With Sentinel, the URL names the master by its Sentinel name (django-redis's convention).
REDIS_URL = f"redis://{REDIS_SENTINEL_MASTER}/{REDIS_DB}" if REDIS_SENTINELS else env.str("REDIS_URL")
REDIS_TIMEOUT_SECONDS = env.float("REDIS_TIMEOUT_SECONDS", default=0.5)
CACHES = {
    "default": {
        "BACKEND": "django_prometheus.cache.backends.redis.RedisCache",  # django-redis, with metrics
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "clinic",
        "OPTIONS": {
            "SOCKET_CONNECT_TIMEOUT": REDIS_TIMEOUT_SECONDS,
            "SOCKET_TIMEOUT": REDIS_TIMEOUT_SECONDS,
            # A Redis outage skips the cache (logged) instead of failing requests.
            "IGNORE_EXCEPTIONS": True,
        },
    }
}
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
DJANGO_REDIS_LOGGER = "config.cache"

RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 300}}
if REDIS_SENTINELS:
    _sentinel_kwargs = {"password": REDIS_SENTINEL_PASSWORD or None, "socket_timeout": REDIS_TIMEOUT_SECONDS}
    CACHES["default"]["OPTIONS"].update(
        CLIENT_CLASS="django_redis.client.SentinelClient",
        CONNECTION_FACTORY="django_redis.pool.SentinelConnectionFactory",
        SENTINELS=REDIS_SENTINELS,
        SENTINEL_KWARGS=_sentinel_kwargs,
        PASSWORD=REDIS_PASSWORD or None,
    )
    RQ_QUEUES["default"] = {
        "SENTINELS": REDIS_SENTINELS,
        "MASTER_NAME": REDIS_SENTINEL_MASTER,
        "DB": REDIS_DB,
        "PASSWORD": REDIS_PASSWORD or None,
        "SOCKET_TIMEOUT": 5,
        "SENTINEL_KWARGS": _sentinel_kwargs,
        "DEFAULT_TIMEOUT": 300,
    }
RQ = {
    # Enqueue when called: services already defer RQ work to transaction.on_commit themselves.
    "COMMIT_MODE": "auto",
    # Keeps the periodic reminder reconcile scheduled (scheduling/reminders/worker.py).
    "WORKER_CLASS": "scheduling.reminders.worker.ReminderWorker",
}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["accounts.backends.EmailOrUsernameBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

if DJANGO_ENV == "test":
    # Hashing strength is not under test; a fast hasher keeps the suite quick.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# The languages the API, the admin and the emails speak (README, "Languages"),
# each named in its own tongue for the language pickers; LANGUAGE_CODE is the
# default: for a request with no language and for new users and clients.
LANGUAGES = [("en", "English"), ("de", "Deutsch"), ("fr", "Français"), ("es", "Español")]
LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="en")
if LANGUAGE_CODE not in dict(LANGUAGES):
    raise ImproperlyConfigured(
        f"LANGUAGE_CODE must be one of {', '.join(dict(LANGUAGES))}, not {LANGUAGE_CODE!r}"
    )
# One catalogue for the whole project (accounts, clinic, config, scheduling, templates/).
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Images run collectstatic into STATIC_ROOT; without one (make run, tests)
# WhiteNoise serves the admin's assets straight from the apps.
STATIC_ROOT = env.str("STATIC_ROOT", default="") or None
WHITENOISE_USE_FINDERS = STATIC_ROOT is None
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if WHITENOISE_USE_FINDERS
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / ".data" / "media")

# The clinic's own settings (API.md, "Configuration").
ACCESS_TOKEN_MINUTES = env.int("ACCESS_TOKEN_MINUTES", default=15)
REFRESH_TOKEN_DAYS = env.int("REFRESH_TOKEN_DAYS", default=7)
ALLOW_REGISTRATION = env.bool("ALLOW_REGISTRATION", default=True)
FRONTEND_URL = env.str("FRONTEND_URL", default="http://localhost:3000")
LOGIN_RATE = env.str("LOGIN_RATE", default="10/m")
LOGIN_IP_RATE = env.str("LOGIN_IP_RATE", default="100/m")
# Second factor (accounts/mfa.py): codes tried per account, the roles that must
# have one (set but empty: none), the name authenticator apps show.
MFA_RATE = env.str("MFA_RATE", default="5/m")
MFA_REQUIRED_ROLES = env.list(
    "MFA_REQUIRED_ROLES", default=["admin", "doctor", "staff"] if IS_PRODUCTION else []
)
MFA_ISSUER = env.str("MFA_ISSUER", default="Clinic")
# Passkeys (WebAuthn): the site they belong to and the origins a browser signs from.
WEBAUTHN_RP_ID = env.str("WEBAUTHN_RP_ID", default=urlsplit(FRONTEND_URL).hostname or "localhost")
WEBAUTHN_ORIGINS = env.list("WEBAUTHN_ORIGINS", default=[FRONTEND_URL.rstrip("/")])
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
REMINDER_OFFSETS_MINUTES = [int(m) for m in env.list("REMINDER_OFFSETS_MINUTES", default=["1440", "120"])]
# A reminder found overdue by reconcile is still sent when less than this late, else `failed`.
REMINDER_GRACE_MINUTES = env.int("REMINDER_GRACE_MINUTES", default=60)
REMINDER_RECONCILE_MINUTES = env.int("REMINDER_RECONCILE_MINUTES", default=5)
# RQ retries of a failed email send, seconds after each failure (backoff).
REMINDER_RETRY_SECONDS = [int(s) for s in env.list("REMINDER_RETRY_SECONDS", default=["10", "60", "300"])]
CLINIC_NAME = env.str("CLINIC_NAME", default="The Clinic")
CLINIC_ADDRESS = env.str("CLINIC_ADDRESS", default="1 Main Street, Springfield")
PATIENT_CANCEL_HOURS = env.int("PATIENT_CANCEL_HOURS", default=24)
# How soon and how far ahead a patient may book (staff may book any time).
BOOKING_MIN_NOTICE_MINUTES = env.int("BOOKING_MIN_NOTICE_MINUTES", default=120)
BOOKING_HORIZON_DAYS = env.int("BOOKING_HORIZON_DAYS", default=90)
# How long a freed slot offered to a waitlist entry is held for its answer, and
# how many answers (accept or decline, right token or not) one client IP may send.
WAITLIST_HOLD_MINUTES = env.int("WAITLIST_HOLD_MINUTES", default=30)
OFFER_ANSWER_RATE = env.str("OFFER_ANSWER_RATE", default="20/m")
DOCUMENT_MAX_MB = env.int("DOCUMENT_MAX_MB", default=20)
DOCUMENTS_S3_BUCKET = env.str("DOCUMENTS_S3_BUCKET", default="")
STORAGES["documents"] = documents_storage(DOCUMENTS_S3_BUCKET, media_root=Path(MEDIA_ROOT))
# Uploads above 1 MiB stream to a temporary file instead of memory; the
# document upload also counts bytes as they arrive (clinic/documents/views.py).
FILE_UPLOAD_MAX_MEMORY_SIZE = env.int("FILE_UPLOAD_MAX_MEMORY_SIZE", default=1024 * 1024)
# Non-file request data (JSON bodies, form fields) held in memory at most.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=2621440)
METRICS_TOKEN = env.str("METRICS_TOKEN", default="").strip()
SENTRY_DSN = env.str("SENTRY_DSN", default="")
SERVER_TIMING = env.bool("SERVER_TIMING", default=False)  # Server-Timing header with app/db time
if SENTRY_DSN:
    from config.sentry import init_sentry

    init_sentry(
        dsn=SENTRY_DSN,
        environment=env.str("SENTRY_ENVIRONMENT", default=DJANGO_ENV),
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
    )

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", default=str(BASE_DIR / ".data" / "mail"))
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="").strip()
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Clinic <no-reply@clinic.localhost>")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["accounts.authentication.EncryptedJWTAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],  # JSON in and out (API.md)
    "DEFAULT_PAGINATION_CLASS": "config.pagination.LimitOffsetPagination",
    # JSON in (API.md); a view that takes forms or files says so itself (login's OAuth2 form).
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_FILTER_BACKENDS": ["config.filtering.StrictDjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "config.errors.api_exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

# Tokens (DESIGN.md, "Tokens"): SimpleJWT signs, accounts.tokens encrypts.
SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=ACCESS_TOKEN_MINUTES),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=REFRESH_TOKEN_DAYS),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": True,
    "ALGORITHM": "HS256",
    "SIGNING_KEY": hashlib.sha256(f"clinic-jwt-signing:{SECRET_KEY}".encode()).hexdigest(),
    "AUDIENCE": "clinic-api",
    "ISSUER": "clinic",
    "AUTH_HEADER_TYPES": ("Bearer", "bearer"),  # login answers token_type "bearer"
    "AUTH_TOKEN_CLASSES": ("accounts.tokens.AccessToken",),
}

# Counts live in Redis; when it is down accounts.ratelimits falls back to a
# per-process count instead of refusing every login.
RATELIMIT_FAIL_OPEN = True

LOGGING = django_logging(env.str("LOG_LEVEL", default="INFO"))  # JSON lines (config/logs.py)

# Production: behind a TLS-terminating proxy (API.md, "Behind a proxy").
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if IS_PRODUCTION:
    DEBUG = False
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    # Load balancer probes and Prometheus speak plain HTTP inside the network.
    SECURE_REDIRECT_EXEMPT = [r"^health(/[a-z]+)?$", r"^metrics$"]
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

"""Settings, read once from the environment (django-environ).

Every variable read here is listed in the README's configuration table. Defaults serve
a laptop (SQLite, Celery tasks run in-process); production sets the rest.
"""

import base64
import hashlib
from pathlib import Path
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEBUG = env.bool("DEBUG", default=True)

_DEV_SECRET_KEY = "dev-only-insecure-secret-key-change-me-in-production"  # noqa: S105 (DEBUG only)
SECRET_KEY = env.str("SECRET_KEY", default=_DEV_SECRET_KEY if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")

# The public HTTPS address Twilio reaches this portal at. Webhook URLs registered on
# Twilio, and the URL every X-Twilio-Signature is checked against, are built from it.
PUBLIC_BASE_URL = env.str("PUBLIC_BASE_URL", default="http://127.0.0.1:8000").rstrip("/")
_PUBLIC_HOST = urlsplit(PUBLIC_BASE_URL).hostname

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver", _PUBLIC_HOST])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# Fernet keys for secrets at rest: the first encrypts, all decrypt (rotation).
SECRET_ENCRYPTION_KEYS = env.list("SECRET_ENCRYPTION_KEYS", default=[])
if not SECRET_ENCRYPTION_KEYS:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_ENCRYPTION_KEYS must be set when DEBUG is off: a comma-separated list of "
            'Fernet keys. Generate one with: python -c "from cryptography.fernet import '
            'Fernet; print(Fernet.generate_key().decode())"'
        )
    SECRET_ENCRYPTION_KEYS = [base64.urlsafe_b64encode(hashlib.sha256(SECRET_KEY.encode()).digest()).decode()]

INSTALLED_APPS = [
    "flametree_portal.apps.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "channels_twilio",
    "agents",
    "sessions_app",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Serves /static/ (the admin's CSS and JS, the API docs' Swagger UI) from the web process itself.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "flametree_portal.urls"
WSGI_APPLICATION = "flametree_portal.wsgi.application"

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

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE takes the write lock when a transaction starts, so the Max opened sessions
    # check-then-insert is serialised on SQLite as the row lock serialises it on PostgreSQL.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"transaction_mode": "IMMEDIATE", "timeout": 20})
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=60))
    # A kept connection is checked before a request uses it, so a database restart costs no request.
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
# The site's own files (its icon): the admin app this package configures is Django's, so the
# app-directories finder does not look here.
STATICFILES_DIRS = [BASE_DIR / "flametree_portal" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed, compressed copies made by collectstatic; with DEBUG on, files are served as they are.
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Twilio must never be answered with a redirect: webhook paths have no trailing slash and
# are exempt from the HTTPS redirect (TLS is terminated by the proxy in front).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
SECURE_REDIRECT_EXEMPT = [r"^twilio/"]
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
# HSTS: browsers then refuse plain HTTP to the portal for this many seconds. Off (0) by default,
# since it cannot be taken back before it expires; production sets it (see the README).
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)

# Celery: with no broker, tasks run in-process (eagerly), so a laptop needs no Redis.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
if CELERY_TASK_ALWAYS_EAGER:
    # An eager task still takes a producer from the broker pool (to pick its serializer); with no
    # URL, kombu warns "No hostname was supplied" and assumes amqp://localhost. Celery's in-memory
    # transport is what such a producer needs (it connects to nothing; the host only names it).
    CELERY_BROKER_URL = "memory://localhost/"
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# How long Redis waits for a worker to acknowledge a task before handing it to another worker
# (Celery's default is one hour). Tasks are acknowledged after they run (ACKS_LATE), and a task
# waiting out a countdown counts as unacknowledged, so this must exceed the longest countdown
# (a Twilio retry waits at most 8 × TWILIO_RETRY_BASE_SECONDS, 40 s by default) plus a run,
# or the task would run twice. It is also how soon the tasks of a killed worker run again;
# registrations and dials do not wait for that: their claims are leases the sweeps below take over.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 600}
# The sweeps that leave nothing stuck (channels_twilio.reconciliation and .recovery). A sweep
# not started within the minute is dropped: the next one does its work.
CELERY_BEAT_SCHEDULE = {
    name: {"task": f"channels_twilio.tasks.{task}", "schedule": 60.0, "options": {"expires": 55}}
    for name, task in [
        ("reconcile-sessions-with-twilio", "reconcile_sessions"),
        ("resume-interrupted-registrations", "resume_registrations"),
        ("resume-interrupted-dials", "resume_dials"),
    ]
}

# Seconds the Twilio REST client waits for an answer before the call counts as unreachable.
TWILIO_HTTP_TIMEOUT = env.float("TWILIO_HTTP_TIMEOUT", default=10.0)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "flametree_portal.api_errors.json_exception_handler",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Flametree portal API",
    "DESCRIPTION": "Sessions (call transcripts) and outbound calls of Flametree agents.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # The twilio library logs every request URL and body at INFO; keep it quiet.
    "loggers": {"twilio.http_client": {"level": "WARNING"}},
}

# First wait before retrying a Twilio call that failed for a temporary reason (doubles each time).
TWILIO_RETRY_BASE_SECONDS = env.float("TWILIO_RETRY_BASE_SECONDS", default=5.0)

# Where the agent page's Test call sends the simulated Twilio requests: this portal's own address.
# Empty means the address the page itself was requested at (right for a laptop and most deployments).
TEST_CALL_BASE_URL = env.str("TEST_CALL_BASE_URL", default="").rstrip("/")

"""One settings module, driven by the environment.

The defaults give the embedded demo run (`make run`): SQLite, Celery eager, console email.
Production sets DATABASE_URL, CELERY_BROKER_URL, SECRET_KEY and DJANGO_DEBUG=0; a missing
production variable fails at start-up with a hint.
"""

import datetime
import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp import constants as csp_constants
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("DJANGO_DEBUG", True)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set: production (DJANGO_DEBUG=0) needs a long random secret."
        )
    SECRET_KEY = "insecure-demo-key-for-make-run-only"

ALLOWED_HOSTS = [
    h for h in os.environ.get("ALLOWED_HOSTS", "localhost,127.0.0.1,testserver").split(",") if h
]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    # The admin, on a site that requires a verified second factor (foiregister.kernel.signin).
    "foiregister.kernel.signin.apps.StaffAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.sitemaps",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "csp",
    "django_guid",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "foiregister",
    "foiregister.letters",
    "foiregister.intake",
    "foiregister.disclosure",
    "contracts",
    "metrics",
    "demo",
]

MIDDLEWARE = [
    # First: every log line of the request carries its request id (X-Request-ID).
    "django_guid.middleware.guid_middleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "config.middleware.CacheControlMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into its lockout response.
    "axes.middleware.AxesMiddleware",
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

DATA_DIR = Path(os.environ.get("DATA_DIR", BASE_DIR / "var"))
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{DATA_DIR / 'foiregister.sqlite3'}"),
        conn_max_age=60,
    )
}
if os.environ.get("TEST_DATABASE_NAME"):
    # Lets several suites run side by side on one server without sharing a test database.
    DATABASES["default"]["TEST"] = {"NAME": os.environ["TEST_DATABASE_NAME"]}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
FORMS_URLFIELD_ASSUME_HTTPS = True

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", DATA_DIR / "staticfiles"))
# Production serves static files itself through WhiteNoise (no separate web server needed in
# the image): collected with hashed, compressed copies that may be cached for ever. The
# development server and the tests keep Django's plain storage, which needs no collectstatic.
if env_bool("STATIC_MANIFEST", not DEBUG):
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "config.storage.StaticFilesStorage"},
    }
    # Only the hashed names are referred to ({% static %}), and source maps are never
    # fetched by our users: neither is worth compressing (it would triple collectstatic).
    WHITENOISE_KEEP_ONLY_HASHED_FILES = True
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", DATA_DIR / "media"))

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
if not DEBUG and EMAIL_BACKEND == "django.core.mail.backends.console.EmailBackend":
    raise ImproperlyConfigured(
        "EMAIL_BACKEND is the console backend with DJANGO_DEBUG=0: it would write requesters' "
        "email addresses and letters to the log. Set EMAIL_BACKEND="
        "django.core.mail.backends.smtp.EmailBackend and EMAIL_HOST, EMAIL_PORT, "
        "EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS."
    )
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(DATA_DIR / "sent-email"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "foi-register@localhost")

# Celery: eager in the embedded demo run, a real broker (Redis) everywhere else.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "memory://")
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", "cache+memory://")
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", CELERY_BROKER_URL == "memory://")
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    # Offered every hour of the working day from seven; sent by the first offer that gets
    # through (a broker down at seven delays them, never loses or repeats them).
    "foi-deadline-reminders": {
        "task": "foiregister.tasks.send_deadline_reminders",
        "schedule": crontab(hour="7-18", minute=0, day_of_week="mon-fri"),
    },
}

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.AnonRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"anon": os.environ.get("API_ANON_RATE", "600/hour")},
    # How many reverse proxies in front of us append to X-Forwarded-For. 0 (the default):
    # the header is ignored, so a client cannot name itself a new address per request.
    "NUM_PROXIES": int(os.environ.get("TRUSTED_PROXY_COUNT", "0")),
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "FOI register public API",
    "DESCRIPTION": "Read-only: published FOI responses, contract and CDC registers, imaging metrics.",
    "VERSION": "1",
    # The docs page's script is served from our own static files, not a CDN.
    "REDOC_DIST": "SIDECAR",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # Descriptions, the 304/400/404 answers and real examples (foiregister/api/schema.py).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "foiregister.api.schema.complete_schema",
    ],
}

# Throttles (API, search) count in the cache: per process unless CACHE_REDIS_URL points the
# workers at one shared Redis.
if os.environ.get("CACHE_REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["CACHE_REDIS_URL"],
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Proxies in front of us that append to X-Forwarded-For; shared by the API throttle, the
# search throttle and sign-in lockouts (foiregister.kernel.clientip).
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
# The public search: requests per client address (N/second|minute|hour|day).
PUBLIC_SEARCH_RATE = os.environ.get("PUBLIC_SEARCH_RATE", "60/minute")
# The public request form: requests sent per client address, and the "published responses
# that may already answer this" look-ups made as a requester types (debounced).
PUBLIC_REQUEST_FORM_RATE = os.environ.get("PUBLIC_REQUEST_FORM_RATE", "5/hour")
PUBLIC_SUGGESTIONS_RATE = os.environ.get("PUBLIC_SUGGESTIONS_RATE", "120/minute")
# Staff sign-in: password, then a TOTP code (or a backup code) on every sign-in to /admin/.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("SIGNIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = datetime.timedelta(minutes=int(os.environ.get("SIGNIN_COOLOFF_MINUTES", "30")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "foiregister.kernel.clientip.client_ip"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# A wrong code doubles the wait before the next may be tried (1 s, 2 s, 4 s...).
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "FOI register")
# Idle expiry: a session unused for this long is gone (its expiry moves on every request).
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_IDLE_MINUTES", "30")) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# Flash messages ("The requester Jo Bloggs was changed") stay on the server: Django's
# default keeps them in a signed, readable cookie, which would carry requester names.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
PASSWORD_RESET_TIMEOUT = int(os.environ.get("PASSWORD_RESET_TIMEOUT_MINUTES", "60")) * 60
LOGIN_URL = "admin:login"


# Transport and browser protections. With DJANGO_DEBUG=0 they are on; behind a proxy that
# terminates TLS set SECURE_PROXY_SSL_HEADER=HTTP_X_FORWARDED_PROTO (and the proxy must set it).
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
# The health endpoint answers on plain HTTP too: load balancers and compose ask it directly.
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
if os.environ.get("SECURE_PROXY_SSL_HEADER"):
    SECURE_PROXY_SSL_HEADER = (os.environ["SECURE_PROXY_SSL_HEADER"], "https")
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
# Content security policy (django-csp), on every response in every mode. Scripts only from
# our own static files; a <style> element needs the response's nonce; style attributes are
# allowed (the admin's own templates use them). The API reference and explorer have their
# own policy (foiregister.api.urls).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [csp_constants.SELF],
        "script-src": [csp_constants.SELF],
        "style-src": [csp_constants.SELF, csp_constants.NONCE],
        "style-src-attr": [csp_constants.UNSAFE_INLINE],
        "img-src": [csp_constants.SELF, "data:"],
        "font-src": [csp_constants.SELF],
        "connect-src": [csp_constants.SELF],
        "object-src": [csp_constants.NONE],
        "base-uri": [csp_constants.SELF],
        "form-action": [csp_constants.SELF],
        "frame-ancestors": [csp_constants.NONE],
    }
}

# FOI office settings.
FOI_DUE_SOON_WORKING_DAYS = int(os.environ.get("FOI_DUE_SOON_WORKING_DAYS", "5"))
FOI_S12_APPROPRIATE_LIMIT_HOURS = 18
FOI_S12_WARNING_FRACTION = 0.8
# Contributions (issue 13): the department's signed link lasts this many days; it is chased
# this many working days before its internal deadline; links in emails start with the site.
FOI_CONTRIBUTION_LINK_DAYS = int(os.environ.get("FOI_CONTRIBUTION_LINK_DAYS", "30"))
FOI_CONTRIBUTION_CHASE_WORKING_DAYS = 2
FOI_SITE_URL = os.environ.get("FOI_SITE_URL", "http://localhost:8000")
# The OCID prefix the Open Contracting Partnership registers for a publisher. The default,
# ``ocds-xxxxxx``, is OCDS's own placeholder for an unregistered prefix: set yours before
# publishing (see docs/ocds.md).
OCDS_PREFIX = os.environ.get("OCDS_PREFIX", "ocds-xxxxxx")
# The page that says what the OCDS export publishes and withholds (a URI); default: the
# public contract register of the site the package is fetched from.
OCDS_PUBLICATION_POLICY_URL = os.environ.get("OCDS_PUBLICATION_POLICY_URL", "")
# The largest register file the import accepts, in MB (admin upload and command line).
CONTRACTS_IMPORT_MAX_MB = float(os.environ.get("CONTRACTS_IMPORT_MAX_MB", "20"))
# Files larger than this (KB) are previewed by a Celery worker, with progress.
CONTRACTS_IMPORT_PREVIEW_BACKGROUND_KB = float(
    os.environ.get("CONTRACTS_IMPORT_PREVIEW_BACKGROUND_KB", "256")
)
# The same two limits for the admin's FOI log import (issue 16).
FOI_IMPORT_MAX_MB = float(os.environ.get("FOI_IMPORT_MAX_MB", "20"))
FOI_IMPORT_PREVIEW_BACKGROUND_KB = float(os.environ.get("FOI_IMPORT_PREVIEW_BACKGROUND_KB", "256"))
# Months before a contract's end date at which its owner is warned (the notice period is
# always a horizon too), e.g. CONTRACTS_EXPIRY_WARNING_MONTHS=18,12,6,3.
CONTRACTS_EXPIRY_WARNING_MONTHS = tuple(
    int(m) for m in os.environ.get("CONTRACTS_EXPIRY_WARNING_MONTHS", "12,6,3").split(",") if m
)

# Logs: one JSON object per line on stderr (LOG_FORMAT=text for people), each with the
# request id of the request it belongs to (django-guid; X-Request-ID is echoed back). No
# personal data: SQL with its parameters (django.db.backends) is never logged, whatever
# LOG_LEVEL says, and gunicorn's access log leaves out query strings (deploy/gunicorn.conf.py).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "django_guid.log_filters.CorrelationId"},
        # Django attaches the request to its 4xx/5xx lines: keep its query string (a search
        # may name a requester) out of the log, as gunicorn's access log does.
        "request_path_only": {"()": "foiregister.kernel.logfilters.RequestPathOnly"},
    },
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s %(correlation_id)s",
            "rename_fields": {"correlation_id": "request_id", "levelname": "level"},
            "timestamp": False,
        },
        "text": {"format": "%(asctime)s %(levelname)s [%(correlation_id)s] %(name)s %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id", "request_path_only"],
            "formatter": "text" if os.environ.get("LOG_FORMAT") == "text" else "json",
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    "loggers": {
        "django.db.backends": {"level": "INFO", "propagate": True},
        # WeasyPrint narrates every render at INFO.
        "weasyprint": {"level": "WARNING", "propagate": True},
        "fontTools": {"level": "WARNING", "propagate": True},
    },
}
DJANGO_GUID = {
    "GUID_HEADER_NAME": "X-Request-ID",
    "VALIDATE_GUID": True,
    "RETURN_HEADER": True,
    "EXPOSE_HEADER": False,
}
# Health (foiregister.kernel.health): a worker or beat heartbeat older than this is stale.
HEALTH_STALE_AFTER_SECONDS = int(os.environ.get("HEALTH_STALE_AFTER_SECONDS", "120"))
# Beat records its heartbeat as it ticks (config.celery).
CELERY_BEAT_SCHEDULER = "config.celery:HeartbeatScheduler"
CELERY_BEAT_SCHEDULE_FILENAME = os.environ.get(
    "CELERY_BEAT_SCHEDULE_FILENAME", str(DATA_DIR / "celerybeat-schedule")
)
CELERY_BEAT_SCHEDULE["contract-expiry-warnings"] = {
    "task": "contracts.tasks.send_expiry_warnings",
    "schedule": crontab(hour=7, minute=15),
}
# Records management: requesters past their organisation's retention period (default three
# years after closure, NHS Records Management Code of Practice 2023) are erased nightly.
CELERY_BEAT_SCHEDULE["erase-due-requesters"] = {
    "task": "foiregister.letters.tasks.erase_due_requesters",
    "schedule": crontab(hour=2, minute=30),
}
CELERY_BEAT_SCHEDULE["contribution-reminders"] = {
    "task": "foiregister.tasks.chase_contributions",
    # Hourly from eight: each contact is chased at most once a day (``chased_at``), so a
    # broker that is down at eight delays the chase rather than losing it.
    "schedule": crontab(hour="8-18", minute=0, day_of_week="mon-fri"),
}
METRICS_RUN_STALE_AFTER_MINUTES = int(os.environ.get("METRICS_RUN_STALE_AFTER_MINUTES", "30"))
CELERY_BEAT_SCHEDULE["metrics-fail-stale-runs"] = {
    "task": "metrics.tasks.fail_stale_runs",
    "schedule": crontab(minute="*/10"),
}
# The FOI mailboxes (foiregister.intake): each organisation's, when enabled on its Mailbox
# row. `make run` runs no beat, so nothing is fetched there.
CELERY_BEAT_SCHEDULE["intake-fetch-mailboxes"] = {
    "task": "foiregister.intake.tasks.fetch_mailboxes",
    "schedule": crontab(minute="*/5"),
}

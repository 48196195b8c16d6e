"""Every setting, read from the environment.

Defaults are for local development: SQLite, Celery tasks run eagerly. Production sets at least
SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL and REDIS_URL, and runs with DEBUG off.
"""

from pathlib import Path

import environ

from kernel.observability import logging_config, sentry_init

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)
# The default only serves local development; `check --deploy` refuses it (kernel/checks.py).
DEVELOPMENT_SECRET_KEY = "insecure-local-development-key-change-me-in-production-0123456789"
# No default: production stops here without SECRET_KEY (dev.py and test.py set the development key).
SECRET_KEY = env.str("SECRET_KEY")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "js_lib_bootstrap5",
    "simple_history",
    "axes",
    "csp",
    "health_check",  # /health/ (kernel/health.py) and `manage.py health_check health`
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "rules.apps.AutodiscoverRulesConfig",
    "kernel",
    "indicators",
    "workshops",
    "community",
    "planning",
    "assessments",
    "cycle",
    "exchange",
    "api",
    "ninja",  # Swagger UI's files for /api/v1/docs/ come from the installed package (no CDN)
]

MIDDLEWARE = [
    # First: the request id (X-Request-ID), user and area in every log record, one log line per
    # request with its duration (kernel/observability.py).
    "kernel.observability.RequestContextMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "kernel.middleware.LanguageMiddleware",
    # A NUL or control character in a query or form: a 400 page, before anything reads it.
    "kernel.middleware.HostileInputMiddleware",
    # Brotli when the browser accepts it, gzip otherwise; lengths padded against BREACH.
    "kernel.middleware.CompressionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): the session passed the second step (django-otp).
    "django_otp.middleware.OTPMiddleware",
    # Signed in with a password someone else gave: only the password change until it is done.
    "kernel.accounts_gate.PasswordChangeGateMiddleware",
    # Signed in but not past two-factor: the code page; a role that needs it: its set-up.
    "kernel.twofactor.TwoFactorGateMiddleware",
    # Logged-in pages and downloads: Cache-Control: no-store unless the view set its own.
    "kernel.middleware.NoStoreMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
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
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kernel.context_processors.area",
                "kernel.context_processors.notifications",
            ],
        },
    }
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Each web and Celery worker keeps its PostgreSQL connection between requests (a new one per
# request costs both sides a process start and an authentication: bench/README.md, load.py);
# a connection that went bad is replaced before a request uses it.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=300)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# A PostgreSQL streaming replica of `default`: the dashboards' reads of the quarter tables go
# there (config/routers.py; docs/deployment.md, "Scaling past one machine"). Unset: one database.
DATABASE_REPLICA_URL = env.str("DATABASE_REPLICA_URL", default="")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = {
        **environ.Env.db_url_config(DATABASE_REPLICA_URL),
        "ATOMIC_REQUESTS": False,
        "CONN_MAX_AGE": DATABASES["default"]["CONN_MAX_AGE"],
        "CONN_HEALTH_CHECKS": True,
        "TEST": {"MIRROR": "default"},  # tests never create a database on the replica
    }
    DATABASE_ROUTERS = ["config.routers.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "kernel.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Argon2id at OWASP's minimum; the others only read hashes stored before (kernel/hashers.py).
PASSWORD_HASHERS = [
    "kernel.hashers.Argon2idHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "kernel:home"
LOGOUT_REDIRECT_URL = "login"

# Login lock-out (django-axes): five failures for one username from one address lock it for 30 min.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = 0.5
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# Behind reverse proxies, the address they report (kernel.web.client_ip), never one a client
# wrote into X-Forwarded-For: SIMPUL_TRUSTED_PROXIES is how many proxies stand in front
# (nginx alone: 1); 0 (the default) takes the direct peer's address.
SIMPUL_TRUSTED_PROXIES = env.int("SIMPUL_TRUSTED_PROXIES", default=0)
AXES_CLIENT_IP_CALLABLE = "kernel.web.client_ip"

# Two-factor sign-in (django-otp, kernel/twofactor.py): open to everyone, required for these
# roles (a superuser counts as system_admin); e.g. "system_admin,district_planner".
SIMPUL_2FA_REQUIRED_ROLES = env.list("SIMPUL_2FA_REQUIRED_ROLES", default=["system_admin"])
# Wrong codes in one sign-in before the session is logged out (the devices also slow down
# guessing: 1, 2, 4, 8... seconds between tries).
SIMPUL_2FA_MAX_ATTEMPTS = env.int("SIMPUL_2FA_MAX_ATTEMPTS", default=5)
OTP_TOTP_ISSUER = "Simpul"

LANGUAGE_CODE = "id"
LANGUAGES = [("id", "Bahasa Indonesia"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Makassar")
USE_I18N = True
USE_TZ = True
# Grouping is asked for where it helps ({{ n|intcomma }}): years and codes must stay "2026".
USE_THOUSAND_SEPARATOR = False
# Dates and numbers one way in each language (config/formats/: "3 Des 2026", "1.234,5").
FORMAT_MODULE_PATH = ["config.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    # css/site.css: the Bootstrap our templates use plus css/simpul.css, built from the installed
    # package when collected or served (kernel/staticbuild.py), never committed.
    "kernel.staticbuild.SiteStylesheetFinder",
]
SIMPUL_STATIC_BUILD_DIR = env.path("SIMPUL_STATIC_BUILD_DIR", default=BASE_DIR / "var" / "build")
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
# `manage.py backup` (kernel/backups.py): where archives of the database and MEDIA_ROOT go, and
# how many of the newest it keeps there (0: all). django-dbbackup's connectors make the dumps.
SIMPUL_BACKUP_DIR = env.path("SIMPUL_BACKUP_DIR", default=BASE_DIR / "var" / "backups")
SIMPUL_BACKUP_KEEP = env.int("SIMPUL_BACKUP_KEEP", default=14)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# WhiteNoise serves hashed names (they never change) with a ten-year Cache-Control: immutable.
# Source maps are for developers' tools, never fetched by a page: not compressed (the packages'
# maps, Bootstrap's and the API page's Swagger UI's, are most of collectstatic's brotli time).
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = (
    "jpg", "jpeg", "png", "gif", "webp", "zip", "gz", "tgz", "bz2", "tbz", "xz", "br", "swf",
    "flv", "woff", "woff2", "3gp", "3gpp", "asf", "avi", "m4v", "mov", "mp4", "mpeg", "mpg",
    "webm", "wmv", "map",
)  # fmt: skip

# Uploaded photos and scans (workshops/images.py): bytes per file, files per upload, pixels per
# image. Pixels are checked from the header before decoding; decoding takes about 4 bytes a pixel
# (a JPEG far less: it is decoded scaled down) and files are handled one at a time, so this bounds
# an upload's memory whatever its number of files (tests/workshops/test_images.py: 20 large
# photos peak under 300 MB). Files over 2.5 MB (FILE_UPLOAD_MAX_MEMORY_SIZE, Django's default)
# are streamed to temporary files, not kept in memory.
SIMPUL_UPLOAD_MAX_BYTES = env.int("SIMPUL_UPLOAD_MAX_BYTES", default=10 * 1024 * 1024)
SIMPUL_UPLOAD_MAX_FILES = env.int("SIMPUL_UPLOAD_MAX_FILES", default=20)
SIMPUL_IMAGE_MAX_PIXELS = env.int("SIMPUL_IMAGE_MAX_PIXELS", default=50_000_000)
# Django refuses a request with more files than this (400) while reading it; kept above the limit
# above so that one file too many gets a message naming the limit.
DATA_UPLOAD_MAX_NUMBER_FILES = SIMPUL_UPLOAD_MAX_FILES + 10

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Cache and Celery: Redis when REDIS_URL is set, in-process otherwise.
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
    # Sessions read from Redis and written through to the database: any web server reads any
    # session, and a Redis restart logs nobody out.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Seconds an export job may work before the worker stops it (a province's year: bench/exports.py).
SIMPUL_EXPORT_SOFT_TIME_LIMIT = env.int("SIMPUL_EXPORT_SOFT_TIME_LIMIT", default=900)
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
# A message whose worker died is given back to the queue (acks late): a rerun is safe because
# every task is idempotent; the job sweep fails what stays unfinished (kernel/services/jobs.py).
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# Every task ends: soft limit (the task records a failure and rolls back), then hard limit.
# Tasks that need other limits set their own.
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=300)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=360)
# Redis gives an unacknowledged message back after this long; longer than any task's limit.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
# The queue tasks go to and the worker reads (two sites on one Redis need different names).
CELERY_TASK_DEFAULT_QUEUE = env.str("SIMPUL_CELERY_QUEUE", default="celery")
# Health (/health/, kernel/health.py): seconds a worker has to answer a ping, and the oldest
# beat heartbeat (kernel.tasks.heartbeat, sent every minute) that still counts as running.
SIMPUL_WORKER_PING_TIMEOUT = env.float("SIMPUL_WORKER_PING_TIMEOUT", default=1.0)
SIMPUL_BEAT_MAX_AGE = env.int("SIMPUL_BEAT_MAX_AGE", default=180)

# Imports (kernel/imports): what one uploaded workbook may hold. A filled template of a
# 60-puskesmas district's year is about 2 MB, 25 MB unpacked; these leave room for that and
# refuse what no template becomes (bench/imports.py prints time and memory at the limits).
# The API (issue #19): requests per token per minute and per hour.
SIMPUL_API_RATE_MINUTE = env.str("SIMPUL_API_RATE_MINUTE", default="120/m")
SIMPUL_API_RATE_HOUR = env.str("SIMPUL_API_RATE_HOUR", default="3000/h")
SIMPUL_IMPORT_MAX_BYTES = env.int("SIMPUL_IMPORT_MAX_BYTES", default=10 * 1024 * 1024)
SIMPUL_IMPORT_MAX_UNCOMPRESSED = env.int("SIMPUL_IMPORT_MAX_UNCOMPRESSED", default=80 * 1024 * 1024)
SIMPUL_IMPORT_MAX_MEMBERS = env.int("SIMPUL_IMPORT_MAX_MEMBERS", default=500)
SIMPUL_IMPORT_MAX_SHARED_STRINGS = env.int("SIMPUL_IMPORT_MAX_SHARED_STRINGS", default=500_000)
SIMPUL_IMPORT_MAX_SHARED_CHARS = env.int("SIMPUL_IMPORT_MAX_SHARED_CHARS", default=20_000_000)
# An import job's limits (seconds): past the soft one it is failed and rolled back.
SIMPUL_IMPORT_SOFT_TIME_LIMIT = env.int("SIMPUL_IMPORT_SOFT_TIME_LIMIT", default=300)
# The quarterly aggregation's limit: a national rebuild takes seconds (bench/national.py).
SIMPUL_AGGREGATION_SOFT_TIME_LIMIT = env.int("SIMPUL_AGGREGATION_SOFT_TIME_LIMIT", default=900)
# A job still waiting this long after it was queued, or still working this long after its
# start plus its time limit, is failed by the sweep (its worker died or never got it).
SIMPUL_JOB_QUEUE_TIMEOUT = env.int("SIMPUL_JOB_QUEUE_TIMEOUT", default=1800)
SIMPUL_JOB_GRACE = env.int("SIMPUL_JOB_GRACE", default=120)
# Slows each progress step (seconds): only the worker-kill test sets it, to stop a job midway.
SIMPUL_JOB_STEP_SECONDS = env.float("SIMPUL_JOB_STEP_SECONDS", default=0)

# Content-Security-Policy (django-csp 4): our own host only; no inline script.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# Security: strict by default; dev.py relaxes what plain HTTP on localhost needs. SIMPUL_HTTPS=0
# serves the production stack over plain HTTP on this machine (`make serve`), never on a network.
HTTPS = env.bool("SIMPUL_HTTPS", default=not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=HTTPS)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=HTTPS)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=HTTPS)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# Load balancers poll /health/ over plain HTTP on the private network.
SECURE_REDIRECT_EXEMPT = [r"^health/$"]

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Simpul <simpul@localhost>")
# Where e-mails and WhatsApp texts point (notifications are sent by Celery, with no request).
SIMPUL_SITE_URL = env.str("SIMPUL_SITE_URL", default="http://127.0.0.1:8000")
# Accounts (issue #14): how long a first-login link (made by a planner) and a password reset
# link (sent by e-mail) stay valid.
SIMPUL_FIRST_LOGIN_DAYS = env.int("SIMPUL_FIRST_LOGIN_DAYS", default=14)
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=3 * 24 * 3600)

# Logs (kernel/observability.py): one JSON object a line on standard error (LOG_FORMAT=json,
# the default; dev.py: text), each with the request id, user id and area, or a Celery task's
# id; one line per request on the `simpul.request` logger (the site's access log).
LOG_FORMAT = env.str("LOG_FORMAT", default="json")
LOGGING = logging_config(log_format=LOG_FORMAT, level=env.str("LOG_LEVEL", default="WARNING"))

# Error reports (Sentry or a compatible service such as GlitchTip) only when SENTRY_DSN is set:
# no personal data (no user, cookies, form data or addresses); tagged with request id and area.
SENTRY_DSN = env.str("SENTRY_DSN", default="")
if SENTRY_DSN:
    sentry_init(
        dsn=SENTRY_DSN,
        environment=env.str("SENTRY_ENVIRONMENT", default="production"),
        release=env.str("SENTRY_RELEASE", default="") or None,
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0) or None,
    )

# Demo data of the apps built on the kernel, loaded in this order after the kernel's own demo.
SIMPUL_DEMO_SEEDERS = [
    "indicators.services.demo.demo_seed",
    "workshops.services.demo.demo_seed",
    "community.services.demo.demo_seed",
    "planning.services.demo.demo_seed",
    "assessments.services.demo.demo_seed",
    "cycle.services.demo.demo_seed",
    "exchange.services.demo.demo_seed",
]

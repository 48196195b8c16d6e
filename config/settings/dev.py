"""Local development (what `make run` uses): DEBUG, plain HTTP, console e-mail."""

import os

# base.py stops start-up without SECRET_KEY; local runs use the public development key.
os.environ.setdefault(
    "SECRET_KEY", "insecure-local-development-key-change-me-in-production-0123456789"
)
# Plain-text log lines on the console (production writes JSON: LOG_FORMAT in base.py).
os.environ.setdefault("LOG_FORMAT", "text")

from .base import *  # noqa: E402, F403
from .base import env  # noqa: E402

DEBUG = env.bool("DEBUG", default=True)
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = False
SECURE_HSTS_PRELOAD = False
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_AUTOREFRESH = True

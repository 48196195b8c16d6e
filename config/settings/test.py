"""Tests: fast hashing, eager Celery, local-memory cache, plain static storage."""

import os

# base.py stops start-up without SECRET_KEY; local runs use the public development key.
os.environ.setdefault(
    "SECRET_KEY", "insecure-local-development-key-change-me-in-production-0123456789"
)

from .base import *  # noqa: E402, F403
from .base import BASE_DIR  # noqa: E402

DEBUG = False
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CELERY_TASK_ALWAYS_EAGER = True
CELERY_BROKER_URL = "memory://"
CELERY_RESULT_BACKEND = "cache+memory://"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# live_server 404s on hashed names, so tests use the plain storage.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = BASE_DIR / ".pytest_media"
# A `replica` alias that mirrors `default` (no database of its own), for the tests of the
# replica router (tests/test_deployment_scale.py install it); no router otherwise.
DATABASES["replica"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}  # noqa: F405
DATABASE_ROUTERS: list[str] = []
AXES_ENABLED = True
# Existing tests force_login administrators; tests of two-factor sign-in override this.
SIMPUL_2FA_REQUIRED_ROLES = []
WHITENOISE_AUTOREFRESH = True

"""Celery application. Periodic tasks are listed here, in one place."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

app = Celery("simpul")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Periodic tasks (Celery beat) are added here by the issues that need them.
app.conf.beat_schedule = {}

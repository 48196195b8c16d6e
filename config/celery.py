"""Celery application. Periodic tasks are listed here, in one place."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

app = Celery("simpul")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Periodic tasks (Celery beat): one place shows what runs when.
app.conf.beat_schedule = {
    # Nightly, after the day's approvals: the current and previous quarter for the country.
    # The monthly deadline (the 10th by default) and e-SPM's quarterly dates fall inside it.
    "aggregate-recent-quarters": {
        "task": "indicators.tasks.aggregate_recent_quarters",
        "schedule": crontab(hour=1, minute=30),
    },
    # Every five minutes: jobs whose worker died or that overran are failed, with a retry
    # (kernel/services/jobs.py), so no page says "working" past a job's time limit.
    "sweep-jobs": {
        "task": "kernel.tasks.sweep_jobs",
        "schedule": crontab(minute="*/5"),
    },
    # Weekly: uploaded workbooks of imports finished over 90 days ago (the job rows stay).
    "purge-import-files": {
        "task": "kernel.tasks.purge_import_files",
        "schedule": crontab(hour=2, minute=15, day_of_week=0),
    },
}

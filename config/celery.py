"""Celery application. Periodic tasks are listed here, in one place."""

import os

from celery import Celery
from celery.schedules import crontab
from celery.signals import beat_init

from kernel import observability

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

app = Celery("simpul")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Logs: Django's LOGGING in worker and beat too (JSON in production), each record of a task with
# its id (kernel/observability.py).
observability.celery_signals_connect()

# Periodic tasks (Celery beat): one place shows what runs when.
app.conf.beat_schedule = {
    # Every minute: the heartbeat /health/ reads (kernel/health.py): a worker records that beat
    # is running. Not kept past the next one when no worker takes it.
    "heartbeat": {
        "task": "kernel.tasks.heartbeat",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
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
    # Every morning at 06:00 (TIME_ZONE, Asia/Makassar): the notifications' daily scans
    # (deadlines in 3 days, RTL items and commitments due or overdue), then one digest e-mail per
    # person who prefers it (kernel/notifications.py). Idempotent: a rerun repeats nothing.
    "notifications-daily": {
        "task": "kernel.tasks.notifications_daily",
        "schedule": crontab(hour=6, minute=0),
    },
    # Weekly: uploaded workbooks of imports finished over 90 days ago (the job rows stay).
    "purge-import-files": {
        "task": "kernel.tasks.purge_import_files",
        "schedule": crontab(hour=2, minute=15, day_of_week=0),
    },
}


@beat_init.connect
def _heartbeat_at_start(sender=None, **kwargs) -> None:
    """A heartbeat as soon as beat starts, so a fresh stack is healthy within seconds."""
    app.send_task("kernel.tasks.heartbeat", expires=55)

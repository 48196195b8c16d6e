"""Background work shared by every app (STYLE.md §6): imports, exports and the jobs' sweep."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.db import OperationalError

from .imports import runner
from .services import exports, jobs


@shared_task(
    bind=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
    soft_time_limit=settings.SIMPUL_IMPORT_SOFT_TIME_LIMIT,
    time_limit=settings.SIMPUL_IMPORT_SOFT_TIME_LIMIT + 60,
)
def import_run(self, job_id: int, attempt: int = 1) -> dict:
    """Run one attempt of an import job (any kind) to its end: all of it or nothing; safe to
    run twice. Only a lost database connection is retried."""
    return runner.import_run(
        job_id=job_id, attempt=attempt, final_try=self.request.retries >= self.max_retries
    )


@shared_task(
    bind=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
    soft_time_limit=exports.soft_time_limit(),
    time_limit=exports.soft_time_limit() + 60,
)
def export_run(self, job_id: int, attempt: int = 1) -> dict:
    """Build one attempt of an export job (any kind) and keep its file; safe to run twice.
    Only a lost database connection is retried."""
    return exports.export_run(
        job_id=job_id, attempt=attempt, final_try=self.request.retries >= self.max_retries
    )


@shared_task(soft_time_limit=120, time_limit=180)
def sweep_jobs() -> dict:
    """Every few minutes (Celery beat): fail jobs whose worker died or that overran."""
    return jobs.jobs_sweep()


@shared_task(soft_time_limit=600, time_limit=660)
def purge_import_files() -> int:
    """Weekly: delete uploaded workbooks of imports finished long ago, and the files of exports
    finished over a week ago (the jobs stay)."""
    from .services.uploads import import_files_purge

    return import_files_purge() + exports.export_files_purge()


@shared_task(bind=True, ignore_result=True, soft_time_limit=20, time_limit=30)
def heartbeat(self) -> dict:
    """Every minute (Celery beat): note that beat and a worker run, for /health/ and the ops
    page (kernel/health.py)."""
    from .health import heartbeat_record

    return heartbeat_record(worker=self.request.hostname)


@shared_task(
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
    soft_time_limit=120,
    time_limit=180,
)
def notifications_email(ids: list[int]) -> int:
    """E-mail these notifications to those who want them at once; each at most once."""
    from .notifications import notifications_email as send

    return send(ids)


@shared_task(soft_time_limit=1200, time_limit=1320)
def notifications_daily() -> dict:
    """Every morning (Celery beat): the daily scans (deadlines, items due), then one digest
    e-mail per person who prefers it. Idempotent: keys and `emailed_at` keep repeats out."""
    from .notifications import notifications_daily as run

    return run()

"""Jobs end: import jobs and aggregation runs are done or failed, never "working" forever.

A worker can die mid-job (a restart, the out-of-memory killer, a power cut). Its transaction
is rolled back by the database, so nothing is half-saved, but the job's row still says it is
working. `jobs_sweep` (Celery beat, every few minutes; also asked by a job's page when it is
overdue) fails every job that has waited or worked longer than its limits allow, with a message
in the uploader's language; the page then offers a retry.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy

from ..models import AggregationRun, ImportJob

NO_DATABASE = gettext_lazy(
    "The database could not be reached; nothing was changed. Try again in a few minutes."
)
RUN_TOO_LONG = gettext_lazy(
    "The computation took longer than its time limit and was stopped; nothing was changed. "
    "Try again."
)
RUN_UNEXPECTED = gettext_lazy(
    "The computation stopped on an unexpected error; nothing was changed. Try again; if it "
    "happens again, tell your system administrator."
)
WORKER_LOST = gettext_lazy(
    "The job stopped before it finished (the server working on it was restarted or ran out "
    "of time); nothing was saved. Try again."
)
NEVER_STARTED = gettext_lazy(
    "The job waited too long for a free server and never started; nothing was saved. Try again."
)


def _limits() -> tuple[datetime.timedelta, datetime.timedelta, datetime.timedelta]:
    grace = settings.SIMPUL_JOB_GRACE
    queued = datetime.timedelta(seconds=settings.SIMPUL_JOB_QUEUE_TIMEOUT)
    importing = datetime.timedelta(seconds=settings.SIMPUL_IMPORT_SOFT_TIME_LIMIT + 60 + grace)
    aggregating = datetime.timedelta(
        seconds=settings.SIMPUL_AGGREGATION_SOFT_TIME_LIMIT + 60 + grace
    )
    return queued, importing, aggregating


def job_overdue(job: ImportJob | AggregationRun, *, now: datetime.datetime | None = None) -> bool:
    """Whether a job's page must not say "working" any more: it has overrun its limits."""
    now = now or timezone.now()
    queued, importing, aggregating = _limits()
    working = importing if isinstance(job, ImportJob) else aggregating
    if job.status == job.Status.QUEUED:
        return job.created_at < now - queued
    if job.status == job.Status.RUNNING:
        return (job.started_at or job.created_at) < now - working
    return False


def _overdue(model, *, now: datetime.datetime, working: datetime.timedelta, queued) -> Q:
    Status = model.Status
    return (
        Q(status=Status.QUEUED, created_at__lt=now - queued)
        | Q(status=Status.RUNNING, started_at__lt=now - working)
        | Q(status=Status.RUNNING, started_at__isnull=True, created_at__lt=now - working)
    )


def jobs_sweep(*, now: datetime.datetime | None = None) -> dict:
    """Fail every import job and aggregation run past its limits; idempotent. Conditional
    updates: a job that finishes meanwhile keeps its outcome."""
    now = now or timezone.now()
    queued, importing, aggregating = _limits()
    failed_imports = 0
    overdue = _overdue(ImportJob, now=now, working=importing, queued=queued)
    for job in ImportJob.objects.filter(overdue).only("pk", "status", "language", "attempt"):
        message = NEVER_STARTED if job.status == ImportJob.Status.QUEUED else WORKER_LOST
        with translation.override(job.language or settings.LANGUAGE_CODE):
            failed_imports += ImportJob.objects.filter(
                pk=job.pk, status=job.status, attempt=job.attempt
            ).update(status=ImportJob.Status.FAILED, errors=[str(message)], finished_at=now)
    failed_runs = 0
    overdue = _overdue(AggregationRun, now=now, working=aggregating, queued=queued)
    for run in AggregationRun.objects.filter(overdue).only("pk", "status"):
        message = NEVER_STARTED if run.status == AggregationRun.Status.QUEUED else WORKER_LOST
        failed_runs += AggregationRun.objects.filter(pk=run.pk, status=run.status).update(
            status=AggregationRun.Status.FAILED, error=str(message), finished_at=now
        )
    return {"imports": failed_imports, "runs": failed_runs}


def run_fail(*, run_id: int, message) -> int:
    """Record an aggregation run as failed with a message for its page; unless it finished."""
    return AggregationRun.objects.filter(
        pk=run_id, status__in=[AggregationRun.Status.QUEUED, AggregationRun.Status.RUNNING]
    ).update(status=AggregationRun.Status.FAILED, error=str(message), finished_at=timezone.now())

"""Jobs end: every background job is done or failed, never "working" forever.

A worker can die mid-job (a restart, the out-of-memory killer, a power cut). Its transaction
is rolled back by the database, so nothing is half-saved, but the job's row still says it is
working. `jobs_sweep` (Celery beat, every few minutes; also asked by a job's page when it is
overdue) fails every job that has waited or worked longer than its limits allow, with a message
in the uploader's language; the page then offers a retry.

A kind of job is a model with `Status` (queued, running, done, failed), `status`, `created_at`
and `started_at`, registered here with its working time limit and how it records a failure:
the kernel registers import jobs, `indicators` its aggregation runs.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Model, Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy

from ..models import ImportJob

NO_DATABASE = gettext_lazy(
    "The database could not be reached; nothing was changed. Try again in a few minutes."
)
WORKER_LOST = gettext_lazy(
    "The job stopped before it finished (the server working on it was restarted or ran out "
    "of time); nothing was saved. Try again."
)
NEVER_STARTED = gettext_lazy(
    "The job waited too long for a free server and never started; nothing was saved. Try again."
)


@dataclass(frozen=True)
class JobKind:
    """How the sweep treats one model of jobs."""

    model: type[Model]
    # Seconds a job of this kind may work: its task's hard limit, plus the settings' grace.
    time_limit: Callable[[], int]
    # The fields that record a failure with `message` (already in the job's language).
    failure: Callable[[str], dict[str, Any]]
    # The language a job's message is written in, when the job says.
    language_field: str | None = None


KINDS: dict[str, JobKind] = {}


def job_kind_register(name: str, kind: JobKind) -> None:
    """Declare a model of background jobs to the sweep (apps call this when they load)."""
    KINDS[name] = kind


job_kind_register(
    "imports",
    JobKind(
        model=ImportJob,
        time_limit=lambda: settings.SIMPUL_IMPORT_SOFT_TIME_LIMIT + 60,
        failure=lambda message: {"errors": [message]},
        language_field="language",
    ),
)


def _kind_of(job: Model) -> JobKind:
    return next(kind for kind in KINDS.values() if isinstance(job, kind.model))


def _limits(kind: JobKind) -> tuple[datetime.timedelta, datetime.timedelta]:
    queued = datetime.timedelta(seconds=settings.SIMPUL_JOB_QUEUE_TIMEOUT)
    working = datetime.timedelta(seconds=kind.time_limit() + settings.SIMPUL_JOB_GRACE)
    return queued, working


def job_overdue(job: Any, *, now: datetime.datetime | None = None) -> bool:
    """Whether a job's page must not say "working" any more: it has overrun its limits."""
    now = now or timezone.now()
    queued, working = _limits(_kind_of(job))
    if job.status == job.Status.QUEUED:
        return job.created_at < now - queued
    if job.status == job.Status.RUNNING:
        return (job.started_at or job.created_at) < now - working
    return False


def _overdue(model: Any, *, now: datetime.datetime, working, queued) -> Q:
    Status = model.Status
    return (
        Q(status=Status.QUEUED, created_at__lt=now - queued)
        | Q(status=Status.RUNNING, started_at__lt=now - working)
        | Q(status=Status.RUNNING, started_at__isnull=True, created_at__lt=now - working)
    )


def jobs_sweep(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Fail every job of every kind past its limits; idempotent. Conditional updates: a job
    that finishes meanwhile keeps its outcome. Returns how many failed, per kind."""
    now = now or timezone.now()
    failed = {}
    for name, kind in KINDS.items():
        model: Any = kind.model
        queued, working = _limits(kind)
        fields = ["pk", "status"] + ([kind.language_field] if kind.language_field else [])
        if hasattr(model, "attempt"):
            fields.append("attempt")
        count = 0
        overdue = _overdue(model, now=now, working=working, queued=queued)
        for job in model.objects.filter(overdue).only(*fields):
            message = NEVER_STARTED if job.status == model.Status.QUEUED else WORKER_LOST
            language = getattr(job, kind.language_field or "", None) or settings.LANGUAGE_CODE
            same = {"pk": job.pk, "status": job.status}
            if "attempt" in fields:
                same["attempt"] = job.attempt  # a retry started meanwhile is a new attempt
            with translation.override(language):
                count += model.objects.filter(**same).update(
                    status=model.Status.FAILED, finished_at=now, **kind.failure(str(message))
                )
        failed[name] = count
    return failed

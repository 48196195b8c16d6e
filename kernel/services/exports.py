"""Export jobs: files that take more than a moment are built by a worker, not in the request.

A year of monthly values, a province's export, every PDF: the page asks for the file, the user
lands on the job's page (progress, then a download link), and the file is built by a Celery task
(eager, inline, without Redis). Like the import jobs beside them:

- `export_kind_register(name, ExportKind(...))`: each app declares its builders when it loads
  (indicators/exports.py, workshops/exports.py, planning/exports.py), so the kernel imports no
  domain app. A builder gets the job (its `params` and `created_by`), a binary file to write
  into and a `progress(done, total)` callback. It reads as the requester, through the same
  selectors and scoping as the page: a right lost since the click ends the job failed (404 or
  PermissionDenied), never a file the person may no longer read.
- `export_start` (in the request), `export_run` (in the worker: always ends done or failed),
  `export_retry` (a failed job runs again as a new attempt).
- The jobs' sweep (kernel/services/jobs.py) fails a job whose worker died; the weekly purge
  deletes files of jobs finished over a week ago (the rows stay).
"""

from __future__ import annotations

import datetime
import logging
import os
import tempfile
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, BinaryIO

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import OperationalError, transaction
from django.db.models import F, Value
from django.db.models.functions import Greatest
from django.http import Http404
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..models import ExportJob, User
from . import jobs
from .uploads import import_files_purge

logger = logging.getLogger(__name__)
Status = ExportJob.Status
Progress = Callable[[int, int], None]

# How long a finished job keeps its file (the weekly purge deletes older ones).
KEEP_FILES_FOR = datetime.timedelta(days=7)

NO_DATABASE = gettext_lazy(
    "The database could not be reached; the file was not made. Try again in a few minutes."
)
UNEXPECTED = gettext_lazy(
    "The file could not be made because of an unexpected error. Try again; if it happens "
    "again, tell your system administrator."
)
TOO_LONG = gettext_lazy(
    "Making the file took longer than %(minutes)s minutes and was stopped. Try again later, "
    "or ask for a smaller area or period."
)
GONE = gettext_lazy("What this file shows is no longer available to you.")


def soft_time_limit() -> int:
    """Seconds an export may work before it is stopped (SIMPUL_EXPORT_SOFT_TIME_LIMIT)."""
    return int(getattr(settings, "SIMPUL_EXPORT_SOFT_TIME_LIMIT", 900))


@dataclass(frozen=True)
class ExportKind:
    """One kind of file: what to call it, and how to build it for a job."""

    label: str | Promise
    build: Callable[[ExportJob, BinaryIO, Progress], None]


KINDS: dict[str, ExportKind] = {}


def export_kind_register(name: str, kind: ExportKind) -> None:
    """Declare a kind of export (apps call this from their AppConfig.ready)."""
    KINDS[name] = kind


def export_kind(name: str) -> ExportKind:
    return KINDS[name]


jobs.job_kind_register(
    "exports",
    jobs.JobKind(
        model=ExportJob,
        time_limit=lambda: soft_time_limit() + 60,
        failure=lambda message: {"error": message},
        language_field="language",
    ),
)


class JobProgress:
    """Writes `done` of `total` on the job's row about every 2 %, for its page's poller.

    A build is not one transaction (it only reads), so a plain update is seen at once; unlike
    kernel.imports.runner.RowProgress, no second connection is needed."""

    def __init__(self, job: ExportJob) -> None:
        self.job = job
        self.last: int | None = None

    def __call__(self, done: int, total: int) -> None:
        if self.last is not None and done < total and (done - self.last) * 50 < total:
            return
        ExportJob.objects.filter(
            pk=self.job.pk, attempt=self.job.attempt, status=Status.RUNNING
        ).update(done=done, total=total)
        self.last = done


def export_start(
    *, kind: str, user: User, params: Mapping[str, Any], file_name: str, title: str | Promise
) -> ExportJob:
    """A queued job making `file_name` of `kind` for `user`; it runs once this commits.

    The caller (a view) has already scoped what the file is about; the builder checks again
    when it runs."""
    export_kind(kind)  # an unknown kind fails here, in the request, not in the worker
    from ..tasks import export_run

    with transaction.atomic():
        job = ExportJob.objects.create(
            kind=kind,
            province_id=user.province_id,
            district_id=user.district_id,
            puskesmas_id=user.puskesmas_id,
            params=dict(params),
            title=str(title)[:200],
            language=translation.get_language() or settings.LANGUAGE_CODE,
            file_name=os.path.basename(file_name)[:200],
            created_by=user,
        )
        attempt = job.attempt
        transaction.on_commit(lambda: export_run.delay(job.pk, attempt), robust=True)
    return job


def export_retry(*, job: ExportJob, by: User) -> ExportJob:
    """Run a failed job again as a new attempt; only the person who asked may."""
    if job.created_by_id != by.pk:
        raise PermissionDenied
    from ..tasks import export_run

    with transaction.atomic():
        retried = ExportJob.objects.filter(pk=job.pk, status=Status.FAILED).update(
            status=Status.QUEUED,
            attempt=job.attempt + 1,
            done=0,
            total=0,
            error="",
            started_at=None,
            finished_at=None,
            created_at=timezone.now(),
        )
        if not retried:
            raise ValidationError(_("This file is not failed; there is nothing to retry."))
        attempt = job.attempt + 1
        transaction.on_commit(lambda: export_run.delay(job.pk, attempt), robust=True)
    job.refresh_from_db()
    return job


def _finish(job: ExportJob, *, status: str, **fields) -> int:
    return ExportJob.objects.filter(pk=job.pk, attempt=job.attempt, status=Status.RUNNING).update(
        status=status, finished_at=timezone.now(), **fields
    )


def _fail(job: ExportJob, message: str | Promise) -> None:
    with translation.override(job.language):
        _finish(job, status=Status.FAILED, error=str(message))


def export_run(*, job_id: int, attempt: int, final_try: bool = True) -> dict:
    """Build one attempt of an export job and keep its file; always ends the job done or
    failed (a lost database connection is re-raised for Celery's retry until the last try).
    Idempotent: a finished or superseded attempt is left alone."""
    claimed = ExportJob.objects.filter(
        pk=job_id, attempt=attempt, status__in=[Status.QUEUED, Status.RUNNING]
    ).update(status=Status.RUNNING, started_at=timezone.now(), done=0, total=0)
    if not claimed:
        return {"job": job_id, "skipped": True}
    job = ExportJob.objects.select_related(
        "created_by__province", "created_by__district", "created_by__puskesmas"
    ).get(pk=job_id)
    try:
        with translation.override(job.language):
            return _build(job)
    except OperationalError:
        if final_try:
            _fail(job, NO_DATABASE)
        raise
    except SoftTimeLimitExceeded:
        _fail(job, TOO_LONG % {"minutes": max(1, soft_time_limit() // 60)})
        return {"job": job_id, "failed": "time"}
    except (Http404, PermissionDenied):
        _fail(job, GONE)
        return {"job": job_id, "failed": "gone"}
    except ValidationError as error:
        _fail(job, " ".join(error.messages))
        return {"job": job_id, "failed": "refused"}
    except Exception:
        logger.exception("Export job %s failed unexpectedly", job_id)
        _fail(job, UNEXPECTED)
        return {"job": job_id, "failed": "unexpected"}


def _build(job: ExportJob) -> dict:
    kind = export_kind(job.kind)
    progress = JobProgress(job)
    # Written to a temporary file, then stored: a large workbook never sits in memory whole.
    with tempfile.TemporaryFile() as out:
        kind.build(job, out, progress)
        size = out.tell()
        out.seek(0)
        extension = os.path.splitext(job.file_name)[1] or ".bin"
        job.file.save(f"{uuid.uuid4().hex}{extension}", File(out), save=False)
    with transaction.atomic():
        # `total` is what the builder reported; a build that reported nothing is one step.
        steps = Greatest(F("total"), Value(1))
        finished = _finish(job, status=Status.DONE, file=job.file.name, done=steps, total=steps)
        if not finished:  # failed by the sweep meanwhile, or superseded by a retry
            name = job.file.name or ""
            transaction.on_commit(lambda: job.file.storage.delete(name))
            return {"job": job.pk, "skipped": True}
    return {"job": job.pk, "bytes": size}


def export_files_purge(
    *, keep_for: datetime.timedelta = KEEP_FILES_FOR, now: datetime.datetime | None = None
) -> int:
    """Delete the files of export jobs finished more than `keep_for` ago; keep the jobs."""
    return import_files_purge(keep_for=keep_for, now=now, model=ExportJob)

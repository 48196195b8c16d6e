"""The one import runner: start a job from an upload, run it on Celery, retry it.

- `import_start` (in the request): checks the user's right on the target with the importer's
  own rule, refuses an oversized file at once, keeps the upload on a queued ImportJob and
  enqueues the run when the transaction commits.
- `import_run` (in the worker, eager without Redis): claims the job for its attempt, reads the
  file with the safe reader, types the rows by the declared sheet, applies them through the
  importer in one transaction (all rows or none), and always ends the job: done, or failed with
  located messages in the uploader's language. It never re-raises what it recorded.
- `import_retry`: a failed job runs again as a new attempt on the same file.
"""

from __future__ import annotations

import logging
import os
import time
import uuid
from collections.abc import Mapping

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DEFAULT_DB_ALIAS, OperationalError, connection, connections, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..models import ImportJob, User
from ..spreadsheets import CellError
from .base import Importer, Outcome, Target, importer_for
from .reader import FileRefused, RawFile, Workbook
from .schema import capped

logger = logging.getLogger(__name__)
Status = ImportJob.Status

NO_DATABASE = gettext_lazy(
    "The database could not be reached; nothing was saved. Try again in a few minutes."
)
UNEXPECTED = gettext_lazy(
    "The import stopped on an unexpected error; nothing was saved. Try again; if it happens "
    "again, tell your system administrator."
)
TOO_LONG = gettext_lazy(
    "The import took longer than %(minutes)s minutes and was stopped; nothing was saved. "
    "Try again, or split the file."
)


class RowProgress:
    """Writes `done` of `total` on a job's row every ~2%, visible while the work is uncommitted.

    The work runs in one transaction, so the row is updated through a second connection of its
    own (autocommit). SQLite allows one writer at a time: there, progress shows only at the end.
    """

    def __init__(self, job_id: int, model=ImportJob) -> None:
        self.job_id = job_id
        self.model = model
        self.last: int | None = None
        self.connection = None
        self.step = float(getattr(settings, "SIMPUL_JOB_STEP_SECONDS", 0) or 0)
        if connection.vendor == "postgresql":
            self.connection = connections.create_connection(DEFAULT_DB_ALIAS)

    def __call__(self, done: int, total: int) -> None:
        if self.step:
            time.sleep(self.step)  # the worker-kill test stops a job midway
        if self.connection is None:
            return
        if self.last is not None and done < total and (done - self.last) * 50 < total:
            return
        table = self.connection.ops.quote_name(self.model._meta.db_table)
        with self.connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET done = %s, total = %s WHERE id = %s",
                [done, total, self.job_id],
            )
        self.last = done

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()


def _file_error(name: str, problem: str) -> ValidationError:
    return ValidationError(str(CellError(name, None, None, problem)))


def import_start(*, kind: str, upload, user: User, params: Mapping | None = None) -> ImportJob:
    """Keep an upload on a queued ImportJob of `kind` and run it once this commits.

    Checks the user's right on the target first (PermissionDenied, ValidationError) and refuses
    a file over the size limit before storing anything.
    """
    importer = importer_for(kind)
    params = dict(params or {})
    target = importer.target(user=user, params=params)
    params["_back"] = target.back_url
    params["_label"] = str(target.label)
    name = os.path.basename(getattr(upload, "name", "") or "upload.xlsx")[:200]
    limit = settings.SIMPUL_IMPORT_MAX_BYTES
    if getattr(upload, "size", 0) > limit:
        raise _file_error(
            name, _("the file is larger than %(mb)s MB.") % {"mb": limit // (1024 * 1024)}
        )
    from ..tasks import import_run

    with transaction.atomic():
        job = ImportJob(
            kind=kind,
            province_id=target.province_id,
            district_id=target.district_id,
            puskesmas_id=target.puskesmas_id,
            params=params,
            language=translation.get_language() or settings.LANGUAGE_CODE,
            file_name=name,
            created_by=user,
        )
        job.file.save(f"{uuid.uuid4().hex}.{importer.file_kind}", upload, save=False)
        job.save()
        attempt = job.attempt
        transaction.on_commit(lambda: import_run.delay(job.pk, attempt), robust=True)
    return job


def import_retry(*, job: ImportJob, by: User) -> ImportJob:
    """Run a failed job again on its file, as a new attempt; only its uploader may.

    Refuses a job that is not failed, or whose file was already deleted (ValidationError).
    """
    if job.created_by_id != by.pk:
        raise PermissionDenied(_("Only the person who uploaded this file can run it again."))
    if not job.file:
        raise ValidationError(_("The uploaded file is no longer kept; upload it again."))
    from ..tasks import import_run

    with transaction.atomic():
        retried = ImportJob.objects.filter(pk=job.pk, status=Status.FAILED).update(
            status=Status.QUEUED,
            attempt=job.attempt + 1,
            done=0,
            total=0,
            errors=[],
            result={},
            started_at=None,
            finished_at=None,
            created_at=timezone.now(),
        )
        if not retried:
            raise ValidationError(_("This import is not failed; there is nothing to retry."))
        attempt = job.attempt + 1
        transaction.on_commit(lambda: import_run.delay(job.pk, attempt), robust=True)
    job.refresh_from_db()
    return job


def _finish(job_id: int, attempt: int, *, status: str, errors=None, **fields) -> int:
    return ImportJob.objects.filter(pk=job_id, attempt=attempt, status=Status.RUNNING).update(
        status=status, errors=list(errors or []), finished_at=timezone.now(), **fields
    )


def import_run(*, job_id: int, attempt: int, final_try: bool = True) -> dict:
    """Run one attempt of an import job to its end; idempotent (a finished or superseded
    attempt is left alone). Returns a small summary."""
    claimed = ImportJob.objects.filter(
        pk=job_id, attempt=attempt, status__in=[Status.QUEUED, Status.RUNNING]
    ).update(status=Status.RUNNING, started_at=timezone.now(), done=0, total=0)
    if not claimed:
        return {"job": job_id, "skipped": True}
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    progress = RowProgress(job_id)
    try:
        with translation.override(job.language):
            return _run(job, progress)
    except OperationalError:
        if final_try:
            with translation.override(job.language):
                _finish(job_id, attempt, status=Status.FAILED, errors=[str(NO_DATABASE)])
        raise
    except SoftTimeLimitExceeded:
        minutes = max(1, settings.SIMPUL_IMPORT_SOFT_TIME_LIMIT // 60)
        with translation.override(job.language):
            _finish(
                job_id, attempt, status=Status.FAILED, errors=[str(TOO_LONG % {"minutes": minutes})]
            )
        return {"job": job_id, "failed": "time"}
    except Exception:
        logger.exception("Import job %s failed unexpectedly", job_id)
        with translation.override(job.language):
            _finish(job_id, attempt, status=Status.FAILED, errors=[str(UNEXPECTED)])
        return {"job": job_id, "failed": "unexpected"}
    finally:
        progress.close()


def _run(job: ImportJob, progress: RowProgress) -> dict:
    importer: Importer = importer_for(job.kind)
    user, params = job.created_by, job.params
    try:
        target = importer.target(user=user, params=params)
        with job.file.open("rb") as stored:
            data = stored.read(settings.SIMPUL_IMPORT_MAX_BYTES + 1)
        if importer.file_kind == "xlsx":
            workbook: Workbook | RawFile = Workbook(data, name=job.file_name)
        else:
            workbook = RawFile(data, name=job.file_name)
        parsed = importer.parse(workbook, user=user, params=params, target=target)
        del data
    except FileRefused as refused:
        _finish(job.pk, job.attempt, status=Status.FAILED, errors=capped(refused.errors))
        return {"job": job.pk, "errors": len(refused.errors)}
    except (ValidationError, PermissionDenied) as error:
        return _refused(job, error)
    if parsed.errors:
        _finish(job.pk, job.attempt, status=Status.FAILED, errors=capped(parsed.errors))
        return {"job": job.pk, "errors": len(parsed.errors)}
    try:
        with transaction.atomic():
            outcome: Outcome = importer.apply(
                rows=parsed.rows,
                parsed=parsed,
                user=user,
                params=params,
                target=target,
                progress=progress,
            )
            finished = _finish(
                job.pk,
                job.attempt,
                status=Status.DONE,
                done=outcome.done,
                total=outcome.done,
                result={"summary": str(outcome.summary), **outcome.details},
            )
            if not finished:  # another delivery of this attempt finished it, or it was failed
                transaction.set_rollback(True)
                return {"job": job.pk, "skipped": True}
    except (ValidationError, PermissionDenied) as error:
        return _refused(job, error)
    return {"job": job.pk, "done": outcome.done}


def _refused(job: ImportJob, error: Exception) -> dict:
    if isinstance(error, ValidationError):
        messages = error.messages
    else:
        messages = [str(error) or _("You are not allowed to import into this.")]
    _finish(job.pk, job.attempt, status=Status.FAILED, errors=messages[:201])
    return {"job": job.pk, "errors": len(messages)}


__all__ = ["Target", "import_retry", "import_run", "import_start", "RowProgress"]

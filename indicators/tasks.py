"""Background work of the indicators app (STYLE.md §6): tasks take ids and call services."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DEFAULT_DB_ALIAS, OperationalError, connection, connections, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy

from . import services
from .models import AggregationRun, ImportJob

Status = ImportJob.Status


class RowProgress:
    """Writes `done` of `total` on a job's row every ~2%, visible while the work is uncommitted.

    The work runs in one transaction, so the row is updated through a second connection of its
    own (autocommit). SQLite allows one writer at a time: there, progress shows only at the end.
    """

    def __init__(self, job_id: int, model=ImportJob) -> None:
        self.job_id = job_id
        self.model = model
        self.last = None
        self.connection = None
        if connection.vendor == "postgresql":
            self.connection = connections.create_connection(DEFAULT_DB_ALIAS)

    def __call__(self, done: int, total: int) -> None:
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


_NO_DATABASE = gettext_lazy(
    "The database could not be reached; nothing was saved. Upload the file again later."
)
_UNEXPECTED = gettext_lazy(
    "The import stopped on an unexpected error; nothing was saved. Tell your system administrator."
)


def _fail(job_id: int, language: str, message) -> None:
    with translation.override(language):
        _finish(job_id, status=Status.FAILED, errors=[str(message)])


def _finish(job_id: int, *, status: str, errors: list[str] | None = None, **fields) -> None:
    ImportJob.objects.filter(pk=job_id).update(
        status=status, errors=errors or [], finished_at=timezone.now(), **fields
    )


@shared_task(bind=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def monthly_import_run(self, job_id: int, language: str = settings.LANGUAGE_CODE) -> dict:
    """Parse and apply one uploaded monthly workbook: all of it or nothing; safe to run twice.

    A job that is done or refused is left alone. A refused file records every located error and
    saves nothing. Only a lost database connection is retried.
    """
    claimed = ImportJob.objects.filter(pk=job_id, status__in=[Status.QUEUED, Status.RUNNING])
    if not claimed.update(status=Status.RUNNING):
        return {"job": job_id, "skipped": True}
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    progress = RowProgress(job_id)
    try:
        with translation.override(language):
            return _run(job, progress)
    except OperationalError:
        if self.request.retries >= self.max_retries:
            _fail(job_id, language, _NO_DATABASE)
        raise
    except Exception:
        _fail(job_id, language, _UNEXPECTED)
        raise
    finally:
        progress.close()


def _run(job: ImportJob, progress: RowProgress) -> dict:
    with job.file.open("rb") as upload:
        plan, errors = services.monthly_import_parse(
            upload=upload, user=job.created_by, file_name=job.file_name
        )
    if plan is None:
        _finish(job.pk, status=Status.FAILED, errors=[str(error) for error in errors])
        return {"job": job.pk, "errors": len(errors)}
    ImportJob.objects.filter(pk=job.pk).update(done=0, total=plan.changes)
    try:
        with transaction.atomic():
            result = services.monthly_import_apply(
                plan=plan, user=job.created_by, progress=progress
            )
            done = result["values_changed"]
            finished = ImportJob.objects.filter(pk=job.pk, status=Status.RUNNING).update(
                status=Status.DONE,
                done=done,
                total=done,
                result=result,
                finished_at=timezone.now(),
            )
            if not finished:  # another delivery of this task finished it first
                transaction.set_rollback(True)
                return {"job": job.pk, "skipped": True}
    except (ValidationError, PermissionDenied) as error:
        messages = error.messages if isinstance(error, ValidationError) else [str(error)]
        _finish(job.pk, status=Status.FAILED, errors=messages)
        return {"job": job.pk, "errors": len(messages)}
    return {"job": job.pk, **result}


# --- Quarterly aggregation (issue #5) -----------------------------------------------------------


@shared_task(bind=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def aggregate_quarter(self, run_id: int) -> dict:
    """Rebuild one quarter in the run's scope from approved data; atomic; safe to run twice.

    Progress is written on the run row through a second connection, so the page that polls it
    follows the work; readers of the achievement tables see the old quarter until the commit.
    """
    run = AggregationRun.objects.get(pk=run_id)
    if run.status == AggregationRun.Status.DONE:
        return {"run": run_id, "skipped": True}
    progress = RowProgress(run_id, model=AggregationRun)
    try:
        run = services.quarter_aggregate(
            year=run.year,
            quarter=run.quarter,
            scope=services.Scope(district_id=run.district_id, puskesmas_id=run.puskesmas_id),
            run=run,
            progress=progress,
        )
    except OperationalError:
        raise
    except Exception as error:
        AggregationRun.objects.filter(pk=run_id).update(
            status=AggregationRun.Status.FAILED, error=str(error)[:2000], finished_at=timezone.now()
        )
        raise
    finally:
        progress.close()
    return {"run": run.pk, "approved_reports": run.approved_reports}


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def refresh_achievement(puskesmas_id: int, year: int, month: int) -> int:
    """After one report was approved or unlocked: rebuild only what it touches; idempotent."""
    return services.achievement_refresh(puskesmas_id=puskesmas_id, year=year, month=month)


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def aggregate_recent_quarters() -> list[int]:
    """Nightly (Celery beat): rebuild the current and the previous quarter for the country."""
    today = timezone.localdate()
    current = (today.year, services.quarter_of(today.month))
    previous = (today.year - 1, 4) if current[1] == 1 else (today.year, current[1] - 1)
    runs = []
    for year, quarter in (previous, current):
        run = services.quarter_aggregate(year=year, quarter=quarter)
        runs.append(run.pk)
    return runs


@shared_task
def purge_import_files() -> int:
    """Weekly: delete uploaded workbooks of imports finished long ago (the jobs stay)."""
    from .services.uploads import import_files_purge

    return import_files_purge()

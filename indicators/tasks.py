"""Background work of the indicators app (STYLE.md §6): tasks take ids and call services."""

from __future__ import annotations

import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import OperationalError
from django.utils import timezone

from kernel.imports.runner import RowProgress
from kernel.services.jobs import NO_DATABASE

from . import services
from .models import AggregationRun
from .services import runs

logger = logging.getLogger(__name__)


# --- Quarterly aggregation (issue #5) -----------------------------------------------------------


@shared_task(
    bind=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
    soft_time_limit=settings.SIMPUL_AGGREGATION_SOFT_TIME_LIMIT,
    time_limit=settings.SIMPUL_AGGREGATION_SOFT_TIME_LIMIT + 60,
)
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
        if self.request.retries >= self.max_retries:
            runs.run_fail(run_id=run_id, message=NO_DATABASE)
        raise
    except SoftTimeLimitExceeded:
        runs.run_fail(run_id=run_id, message=runs.RUN_TOO_LONG)
        return {"run": run_id, "failed": "time"}
    except Exception:
        logger.exception("Aggregation run %s failed unexpectedly", run_id)
        runs.run_fail(run_id=run_id, message=runs.RUN_UNEXPECTED)
        return {"run": run_id, "failed": "unexpected"}
    finally:
        progress.close()
    return {"run": run.pk, "approved_reports": run.approved_reports}


@shared_task(
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
    soft_time_limit=120,
    time_limit=180,
)
def refresh_achievement(puskesmas_id: int, year: int, month: int) -> int:
    """After one report was approved or unlocked: rebuild only what it touches; idempotent."""
    return services.achievement_refresh(puskesmas_id=puskesmas_id, year=year, month=month)


@shared_task(
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
    soft_time_limit=120,
    time_limit=180,
)
def refresh_quality(puskesmas_id: int, year: int, quarter: int) -> int:
    """After one quality report was approved or reopened (issue #16): rebuild only the quarter
    and the areas it touches; idempotent."""
    return services.quality_refresh(puskesmas_id=puskesmas_id, year=year, quarter=quarter)


@shared_task(
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
    soft_time_limit=settings.SIMPUL_AGGREGATION_SOFT_TIME_LIMIT * 2,
    time_limit=settings.SIMPUL_AGGREGATION_SOFT_TIME_LIMIT * 2 + 60,
)
def aggregate_recent_quarters() -> list[int]:
    """Nightly (Celery beat): rebuild the current and the previous quarter for the country."""
    today = timezone.localdate()
    current = (today.year, services.quarter_of(today.month))
    previous = (today.year - 1, 4) if current[1] == 1 else (today.year, current[1] - 1)
    run_ids = []
    for year, quarter in (previous, current):
        run = services.quarter_aggregate(year=year, quarter=quarter)
        run_ids.append(run.pk)
    run_after_nightly()
    return run_ids


def run_after_nightly() -> None:
    """The other apps' nightly work (indicators/aggregation_hooks.py); one failing does not
    stop the others."""
    from .aggregation_hooks import after_nightly

    for hook in list(after_nightly):
        try:
            hook()
        except Exception:
            logger.exception("Nightly aggregation hook %r failed", hook)

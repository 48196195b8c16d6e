"""Aggregation runs end like every job (kernel.services.jobs): done, or failed with a message
their page shows and a retry."""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy

from kernel.services.jobs import JobKind, job_kind_register

from ..models import AggregationRun

RUN_TOO_LONG = gettext_lazy(
    "The computation took longer than its time limit and was stopped; nothing was changed. "
    "Try again."
)
RUN_UNEXPECTED = gettext_lazy(
    "The computation stopped on an unexpected error; nothing was changed. Try again; if it "
    "happens again, tell your system administrator."
)

job_kind_register(
    "runs",
    JobKind(
        model=AggregationRun,
        time_limit=lambda: settings.SIMPUL_AGGREGATION_SOFT_TIME_LIMIT + 60,
        failure=lambda message: {"error": message},
    ),
)


def run_fail(*, run_id: int, message) -> int:
    """Record an aggregation run as failed with a message for its page; unless it finished."""
    return AggregationRun.objects.filter(
        pk=run_id, status__in=[AggregationRun.Status.QUEUED, AggregationRun.Status.RUNNING]
    ).update(status=AggregationRun.Status.FAILED, error=str(message), finished_at=timezone.now())

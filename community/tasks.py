"""Background work of the community layer (STYLE.md §6): the UKBM indicators, rebuilt nightly
after the SPM quarters (indicators/aggregation_hooks.py) and on demand."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from indicators.aggregation_hooks import register_after_nightly


@shared_task(
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
    soft_time_limit=600,
    time_limit=660,
)
def compute_ukbm_indicators(year: int, province_id: int | None = None) -> int:
    """Rebuild the year's UKBM indicator results (one province, or the country); idempotent."""
    from .services.indicators import ukbm_indicators_compute

    provinces = None if province_id is None else [province_id]
    return ukbm_indicators_compute(year=int(year), province_ids=provinces)


@register_after_nightly
def ukbm_indicators_nightly() -> None:
    """After the nightly SPM aggregation: this year's and last year's UKBM indicators for the
    country (a year's reviews are approved into the next)."""
    year = timezone.localdate().year
    for each in (year - 1, year):
        compute_ukbm_indicators.delay(each)

"""The province dashboard: districts x services, completeness per district, and each
district's SPM achievement index."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, DecimalField, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, Least
from django.urls import reverse

from kernel.scoping import in_area

from ...charts import BarChart, bar_chart
from ...models import Achievement, Level, ReportingRate, SPMService
from .base import (
    HUNDRED,
    Band,
    Computation,
    Period,
    _computation,
    _percent,
    _services,
    band_of,
    dashboard_period,
    index_bands,
)
from .figures import FIGURE_FIELDS, AreaLine, _matrix


@dataclass
class ProvinceDashboard:
    period: Period
    bands: list[Band]
    computation: Computation | None
    services: list[SPMService]
    districts: list[AreaLine]
    provinces: list[AreaLine]
    chart: BarChart

    @property
    def is_computed(self) -> bool:
        return self.computation is not None


def _indexes(rows: QuerySet[Achievement]) -> dict[tuple[str, int], Mapping[str, Any]]:
    """Per (level, area): weighted sum of achievements capped at 100 and the sum of weights, by
    the database (one query). Services without a target or a weight do not count."""
    decimal = DecimalField(max_digits=20, decimal_places=5)
    weight = Coalesce(F("service__index_weight__weight"), Value(Decimal(0)), output_field=decimal)
    capped = Least(F("achievement"), Value(HUNDRED), output_field=decimal)
    sums = (
        rows.filter(achievement__isnull=False)
        .values("level", "area_id")
        .annotate(
            weighted=Sum(capped * weight, output_field=decimal),
            weights=Sum(weight, output_field=decimal),
            counted=Count("id", filter=Q(service__index_weight__weight__gt=0)),
        )
        .order_by()
    )
    return {(row["level"], row["area_id"]): row for row in sums}


def _set_index(line: AreaLine, sums: Mapping[str, Any] | None, bands: list[Band]) -> None:
    if not sums or not sums["weights"]:
        return
    line.index = _percent(Decimal(str(sums["weighted"])) / Decimal(str(sums["weights"])))
    line.index_band = band_of(line.index, bands)
    line.index_services = sums["counted"]


def dashboard_province(*, user, year: int, quarter: int) -> ProvinceDashboard:
    """Districts x services of the user's province (all provinces for system administrators),
    completeness per district, and each district's SPM achievement index (seven queries)."""
    period = dashboard_period(year=year, quarter=quarter)
    services, bands = _services(year), index_bands(year=year)
    rows = in_area(Achievement.objects.filter(year=year, quarter=quarter), user).filter(
        level__in=[Level.DISTRICT, Level.PROVINCE]
    )
    fields = dict(services=services, period=period, bands=bands)
    districts = _matrix(
        rows.filter(level=Level.DISTRICT)
        .values("district_id", "district__name", *FIGURE_FIELDS)
        .order_by("district__code"),
        key="district_id",
        name="district__name",
        **fields,
    )
    provinces = _matrix(
        rows.filter(level=Level.PROVINCE)
        .values("province_id", "province__name", *FIGURE_FIELDS)
        .order_by("province__code"),
        key="province_id",
        name="province__name",
        **fields,
    )
    for r in in_area(ReportingRate.objects.filter(year=year, quarter=quarter), user).filter(
        level__in=[Level.DISTRICT, Level.PROVINCE]
    ):
        lines = districts if r.level == Level.DISTRICT else provinces
        if r.area_id in lines:
            lines[r.area_id].rate = r
    sums = _indexes(rows)
    for level, lines in ((Level.DISTRICT, districts), (Level.PROVINCE, provinces)):
        for line in lines.values():
            _set_index(line, sums.get((level, line.pk)), bands)
    for line in districts.values():
        line.href = reverse("indicators:dashboard-district", args=[line.pk])
    chart = bar_chart(
        [
            (line.name, line.index, line.index_band.css if line.index_band else "band-none")
            for line in districts.values()
        ],
        pace=period.pace if period.months else None,
    )
    return ProvinceDashboard(
        period=period,
        bands=bands,
        computation=_computation(rows),
        services=services,
        districts=list(districts.values()),
        provinces=list(provinces.values()),
        chart=chart,
    )

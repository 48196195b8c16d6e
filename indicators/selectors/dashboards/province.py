"""The province dashboard: districts x services, completeness per district, and each
district's SPM achievement index with its parts (A people served, B quality) and the budget
beside it (issue #16)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, DecimalField, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, Least
from django.urls import reverse

from kernel.scoping import in_area

from ...budget import Budget, budget_by_district
from ...charts import BarChart, bar_chart
from ...models import Achievement, IndexParts, Level, ReportingRate, SPMService
from .base import (
    HUNDRED,
    Band,
    Computation,
    Period,
    _computation,
    _services,
    dashboard_period,
    index_bands,
    index_parts,
)
from .figures import FIGURE_FIELDS, AreaLine, _matrix, weighted_index


@dataclass
class ProvinceDashboard:
    period: Period
    bands: list[Band]
    computation: Computation | None
    services: list[SPMService]
    districts: list[AreaLine]
    provinces: list[AreaLine]
    chart: BarChart
    parts: IndexParts | None = None

    @property
    def has_budget(self) -> bool:
        return any(line.budget for line in self.districts)

    @property
    def is_computed(self) -> bool:
        return self.computation is not None


def area_indexes(rows: QuerySet[Achievement]) -> dict[tuple[str, int], Mapping[str, Any]]:
    """Per (level, area): the weighted sums of the services' SPM indexes, of their part A
    (achievement capped at 100) and of their part B (quality, over the services with quality),
    and the sums of weights, by the database (one query; figures.weighted_index turns them into
    an AreaIndex). Services without a target or a weight do not count. A row computed before
    the index existed counts its capped achievement as its index."""
    decimal = DecimalField(max_digits=20, decimal_places=5)
    weight = Coalesce(F("service__index_weight__weight"), Value(Decimal(0)), output_field=decimal)
    capped = Least(F("achievement"), Value(HUNDRED), output_field=decimal)
    index = Coalesce(F("service_index"), capped, output_field=decimal)
    with_quality = Q(quality__isnull=False)
    weighs = Q(service__index_weight__weight__gt=0)
    sums = (
        rows.filter(achievement__isnull=False)
        .values("level", "area_id")
        .annotate(
            weighted=Sum(index * weight, output_field=decimal),
            people=Sum(capped * weight, output_field=decimal),
            weights=Sum(weight, output_field=decimal),
            quality_part=Sum(F("quality") * weight, filter=with_quality, output_field=decimal),
            quality_weights=Sum(weight, filter=with_quality, output_field=decimal),
            counted=Count("id", filter=weighs),
            quality_counted=Count("id", filter=weighs & with_quality),
        )
        .order_by()
    )
    return {(row["level"], row["area_id"]): row for row in sums}


def dashboard_province(*, user, year: int, quarter: int) -> ProvinceDashboard:
    """Districts x services of the user's province (all provinces for system administrators),
    completeness per district, each district's SPM achievement index with its parts, and its
    budget (eight queries, and the budget provider's fixed few)."""
    period = dashboard_period(year=year, quarter=quarter)
    services, bands = _services(year), index_bands(year=year)
    rows = in_area(Achievement.objects.filter(year=year, quarter=quarter), user).filter(
        level__in=[Level.DISTRICT, Level.PROVINCE]
    )
    fields = dict(services=services, period=period, bands=bands)
    district_rows = list(
        rows.filter(level=Level.DISTRICT)
        .values("district_id", "district__name", "province_id", *FIGURE_FIELDS)
        .order_by("district__code")
    )
    districts = _matrix(
        district_rows,
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
    sums = area_indexes(rows)
    for level, lines in ((Level.DISTRICT, districts), (Level.PROVINCE, provinces)):
        for line in lines.values():
            line.set_index(weighted_index(sums.get((level, line.pk)), bands))
    _set_budgets(user, period, districts, provinces, district_rows)
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
        parts=index_parts(year=year),
    )


def _set_budgets(user, period: Period, districts, provinces, district_rows) -> None:
    """Each district's SPM budget through the quarter's last month (indicators.budget), and
    each province's as the sum of its districts' (the provider's few queries; none without a
    provider)."""
    budgets = budget_by_district(
        user=user, year=period.year, through_month=period.last_month, district_ids=list(districts)
    )
    province_of = {row["district_id"]: row["province_id"] for row in district_rows}
    totals: dict[int, list] = {}
    for district_id, line in districts.items():
        budget = budgets.get(district_id)
        line.budget = budget
        if budget is not None:
            total = totals.setdefault(province_of[district_id], [Decimal(0), Decimal(0)])
            total[0] += budget.allocated_idr
            total[1] += budget.realised_idr
    for province_id, (allocated, realised) in totals.items():
        if province_id in provinces:
            provinces[province_id].budget = Budget(allocated, realised)

"""The district dashboard: per service (with its SPM index, the index's parts and the budget
beside it), puskesmas x service, each puskesmas's index, completeness and timeliness per
puskesmas, and the reports waiting for approval."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.urls import reverse

from kernel.models import District
from kernel.scoping import in_area

from ...budget import budget_by_service
from ...charts import BarChart
from ...models import Achievement, IndexParts, Level, MonthlyReport, ReportingRate, SPMService
from ...readable import readable_reports
from ...rights import can_review_report
from .base import (
    Band,
    Computation,
    Period,
    _computation,
    _services,
    dashboard_period,
    index_bands,
    index_parts,
)
from .figures import (
    FIGURE_FIELDS,
    INDEX_FIELDS,
    AreaIndex,
    AreaLine,
    ServiceLine,
    _matrix,
    _service_chart,
    _service_lines,
    area_index,
    weighted_index,
)
from .province import area_indexes


@dataclass
class DistrictDashboard:
    district: District
    period: Period
    bands: list[Band]
    computation: Computation | None
    services: list[ServiceLine]
    chart: BarChart
    puskesmas: list[AreaLine]
    rate: ReportingRate | None
    waiting: list[MonthlyReport] | None  # None: the user does not approve this district's reports
    index: AreaIndex | None = None
    parts: IndexParts | None = None

    @property
    def has_budget(self) -> bool:
        return any(line.budget for line in self.services)

    @property
    def is_computed(self) -> bool:
        return self.computation is not None

    @property
    def service_list(self) -> list[SPMService]:
        return [line.service for line in self.services]

    @property
    def totals(self) -> list[AreaLine]:
        """The district itself, as the total line under its puskesmas."""
        cells = [line.figure for line in self.services]
        total = AreaLine(self.district.pk, self.district.name, cells, rate=self.rate)
        total.set_index(self.index)
        return [total]

    @property
    def weakest(self) -> list[ServiceLine]:
        """Services furthest below the pace, at most three."""
        below = [line for line in self.services if line.figure and line.figure.is_below_pace]
        return sorted(below, key=_gap)[:3]


def _gap(line: ServiceLine) -> Decimal:
    gap = line.figure.gap if line.figure else None
    assert gap is not None  # below the pace, so it has an achievement
    return gap


def dashboard_district(*, user, district: District, year: int, quarter: int) -> DistrictDashboard:
    """A district's quarter: per service with its index and budget, puskesmas x service with
    each puskesmas's index, completeness and timeliness per puskesmas, and the reports waiting
    for approval (nine queries, and the budget provider's fixed few)."""
    period = dashboard_period(year=year, quarter=quarter)
    services, bands = _services(year), index_bands(year=year)
    rows = in_area(Achievement.objects.filter(year=year, quarter=quarter, district=district), user)
    lines = _service_lines(
        rows.filter(level=Level.DISTRICT).values(*FIGURE_FIELDS, *INDEX_FIELDS),
        services,
        period,
        bands,
    )
    budgets = budget_by_service(
        user=user, year=year, through_month=period.last_month, district=district
    )
    for service_line in lines:
        service_line.budget = budgets.get(service_line.service.pk)
    matrix = _matrix(
        rows.filter(level=Level.PUSKESMAS)
        .values("puskesmas_id", "puskesmas__name", *FIGURE_FIELDS)
        .order_by("puskesmas__name", "puskesmas_id"),
        key="puskesmas_id",
        name="puskesmas__name",
        services=services,
        period=period,
        bands=bands,
    )
    rate = None
    for r in in_area(
        ReportingRate.objects.filter(
            year=year,
            quarter=quarter,
            district=district,
            level__in=[Level.PUSKESMAS, Level.DISTRICT],
        ),
        user,
    ):
        if r.level == Level.DISTRICT:
            rate = r
        elif r.puskesmas_id in matrix:
            matrix[r.puskesmas_id].rate = r
    sums = area_indexes(rows.filter(level=Level.PUSKESMAS))
    for line in matrix.values():
        line.href = reverse("indicators:dashboard-puskesmas", args=[line.pk])
        line.set_index(weighted_index(sums.get((Level.PUSKESMAS, line.pk)), bands))
    waiting = None
    if can_review_report(user, district):
        waiting = list(
            readable_reports(
                user=user,
                queryset=MonthlyReport.objects.filter(
                    puskesmas__district=district, status=MonthlyReport.Status.SUBMITTED
                ),
            )
            .select_related("puskesmas")
            .order_by("due_on", "puskesmas__name")
        )
    return DistrictDashboard(
        district=district,
        period=period,
        bands=bands,
        computation=_computation(rows.filter(level__in=[Level.PUSKESMAS, Level.DISTRICT])),
        services=lines,
        chart=_service_chart(lines, period),
        puskesmas=list(matrix.values()),
        rate=rate,
        waiting=waiting,
        index=area_index(lines, bands),
        parts=index_parts(year=year),
    )

"""Figures: one achievement against the pace with its colour band, and the service and area
lines the dashboards and meeting packs are built from."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal

from kernel.models import Village

from ...charts import BarChart, ColumnChart, bar_chart
from ...models import ReportingRate, SPMService
from .base import APPROVED, HUNDRED, Band, Period, _percent, band_of


@dataclass(frozen=True)
class Figure:
    """One achievement against the pace, with its colour band."""

    target: int | None
    served_ytd: int
    achievement: Decimal | None
    period: Period
    band: Band | None
    served_quarter: int | None = None

    @property
    def pace(self) -> Decimal:
        return self.period.pace

    @property
    def has_target(self) -> bool:
        """A target of record above zero: without one the page says "no target", never a
        percentage or "served / 0"."""
        return bool(self.target)

    @property
    def is_below_pace(self) -> bool:
        return self.has_target and self.achievement is not None and self.achievement < self.pace

    @property
    def gap(self) -> Decimal | None:
        """Percentage points above (+) or below (-) the pace."""
        return None if self.achievement is None else self.achievement - self.pace

    @property
    def shortfall(self) -> int:
        """People still to serve to be back on pace (0 when on pace or without a target)."""
        if not self.target:
            return 0
        return max(0, math.ceil(self.target * self.period.months / 12) - self.served_ytd)

    @property
    def css(self) -> str:
        return self.band.css if self.band else "band-none"


def _figure(target, served_ytd, achievement, period: Period, bands, served_quarter=None):
    achievement = _percent(achievement)
    score = None
    if achievement is not None and period.months:
        score = HUNDRED * achievement / period.pace  # against the pace; = achievement in Q4
    return Figure(
        target, served_ytd or 0, achievement, period, band_of(score, bands), served_quarter
    )


def _achieved(target: int | None, served: int) -> Decimal | None:
    """capaian = served / target group x 100, DOMAIN.md §2."""
    return HUNDRED * served / target if target else None


@dataclass(frozen=True)
class MonthServed:
    """People served in one month of the year, and the status of that month's report."""

    month: int
    served: int | None
    status: str | None  # None: no report (yet)

    @property
    def is_approved(self) -> bool:
        return self.status in APPROVED


@dataclass
class ServiceLine:
    """One service of an area: its figure, and on the puskesmas page its desa and months."""

    service: SPMService
    figure: Figure | None
    villages: list[tuple[Village, Figure]] = field(default_factory=list)
    months: list[MonthServed] = field(default_factory=list)
    trend: ColumnChart | None = None

    @property
    def villages_below_pace(self) -> int:
        """Desa below the pace (only desa with a target count; the pace counts no month that
        has no data yet: pace_months)."""
        return sum(1 for __, figure in self.villages if figure.is_below_pace)

    @property
    def villages_with_target(self) -> int:
        return sum(1 for __, figure in self.villages if figure.has_target)


@dataclass
class AreaLine:
    """One puskesmas or district in a matrix: a figure per service, its reporting rate, its
    index (province page)."""

    pk: int
    name: str
    cells: list[Figure | None]
    rate: ReportingRate | None = None
    index: Decimal | None = None
    index_band: Band | None = None
    index_services: int = 0
    href: str = ""


def _matrix(rows, *, key: str, name: str, services, period, bands) -> dict[int, AreaLine]:
    """AreaLines from Achievement value rows, in the order the rows come."""
    order = {service.pk: index for index, service in enumerate(services)}
    lines: dict[int, AreaLine] = {}
    for row in rows:
        line = lines.setdefault(row[key], AreaLine(row[key], row[name], [None] * len(services)))
        if row["service_id"] in order:
            line.cells[order[row["service_id"]]] = _figure(
                row["target"],
                row["served_ytd"],
                row["achievement"],
                period,
                bands,
                row["served_quarter"],
            )
    return lines


FIGURE_FIELDS = ("service_id", "target", "served_ytd", "served_quarter", "achievement")


def _service_lines(rows, services, period, bands) -> list[ServiceLine]:
    by_service = {row["service_id"]: row for row in rows}
    lines = []
    for service in services:
        row = by_service.get(service.pk)
        figure = None
        if row is not None:
            figure = _figure(
                row["target"],
                row["served_ytd"],
                row["achievement"],
                period,
                bands,
                row["served_quarter"],
            )
        lines.append(ServiceLine(service, figure))
    return lines


def _service_chart(lines: list[ServiceLine], period: Period) -> BarChart:
    return bar_chart(
        [
            (
                f"{line.service.number}. {line.service.label}",
                line.figure.achievement if line.figure else None,
                line.figure.css if line.figure else "band-none",
            )
            for line in lines
        ],
        pace=period.pace if period.months else None,
    )

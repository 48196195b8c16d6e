"""Figures: one achievement against the pace with its colour band, a service's SPM index with
its parts, and the service and area lines the dashboards and meeting packs are built from."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from kernel.models import Village

from ...budget import Budget
from ...charts import BarChart, ColumnChart, bar_chart
from ...models import ReportingRate, SPMService
from .base import APPROVED, CENT, HUNDRED, Band, Period, _percent, band_of


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
class IndexFigure:
    """One service's SPM index (issue #16) with its parts: A people served (the achievement,
    capped at 100) and B quality (None: quality not reported), placed in the index categories
    (the index itself, not against the pace: it is meant for the whole year)."""

    value: Decimal | None
    people: Decimal | None
    quality: Decimal | None
    band: Band | None

    @property
    def css(self) -> str:
        return self.band.css if self.band else "band-none"

    @property
    def has_quality(self) -> bool:
        return self.quality is not None


def _index_figure(row, bands: list[Band]) -> IndexFigure:
    """The index of an Achievement value row (with achievement, quality and service_index)."""
    achievement = _percent(row["achievement"])
    people = None if achievement is None else min(achievement, HUNDRED)
    value = _percent(row.get("service_index"))
    if value is None:  # a row computed before the index existed: people served alone
        value = people
    return IndexFigure(value, people, _percent(row.get("quality")), band_of(value, bands))


@dataclass(frozen=True)
class AreaIndex:
    """An area's SPM index: its services' indexes weighted by IndexWeight (services without a
    target or a weight do not count), with the same weighted means of part A over those
    services and of part B over those of them with quality."""

    value: Decimal
    people: Decimal
    quality: Decimal | None
    band: Band | None
    services: int  # services counted (a target and a weight above 0)
    quality_services: int  # of which with quality

    @property
    def css(self) -> str:
        return self.band.css if self.band else "band-none"


def weighted_index(sums, bands: list[Band]) -> AreaIndex | None:
    """An AreaIndex from the weighted sums (`weighted`, `people`, `weights`, `quality_part`,
    `quality_weights`, `counted`, `quality_counted`); None when nothing weighs."""
    if not sums or not sums["weights"]:
        return None

    def mean(total, weights) -> Decimal | None:
        if total is None or not weights:
            return None
        return (Decimal(str(total)) / Decimal(str(weights))).quantize(CENT)

    value = mean(sums["weighted"], sums["weights"])
    people = mean(sums["people"], sums["weights"])
    assert value is not None and people is not None  # weights above 0
    return AreaIndex(
        value=value,
        people=people,
        quality=mean(sums["quality_part"], sums["quality_weights"]),
        band=band_of(value, bands),
        services=sums["counted"],
        quality_services=sums["quality_counted"],
    )


IndexPart = tuple[Decimal, Decimal | None, Decimal | None, Decimal | None]


def index_sums(services: Iterable[IndexPart]) -> dict:
    """The weighted sums weighted_index reads, from (weight, index, part A, part B) per service,
    by the rule the province's database sums follow (province.area_indexes): services without
    a target (no index or part A) do not count; part B counts where it is reported."""
    sums: dict = dict.fromkeys(
        ("weighted", "people", "weights", "quality_part", "quality_weights"), Decimal(0)
    )
    sums |= {"counted": 0, "quality_counted": 0}
    for weight, value, people, quality in services:
        if value is None or people is None:
            continue
        sums["weighted"] += value * weight
        sums["people"] += people * weight
        sums["weights"] += weight
        sums["counted"] += int(weight > 0)
        if quality is not None:
            sums["quality_part"] += quality * weight
            sums["quality_weights"] += weight
            sums["quality_counted"] += int(weight > 0)
    return sums


def area_index(lines: list[ServiceLine], bands: list[Band]) -> AreaIndex | None:
    """The area's index from its service lines (no query: the lines carry the rows and the
    services their weight)."""
    return weighted_index(
        index_sums(
            (
                getattr(line.service, "weight", None) or Decimal(0),
                line.index.value,
                line.index.people,
                line.index.quality,
            )
            for line in lines
            if line.index is not None
        ),
        bands,
    )


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
    """One service of an area: its figure, its SPM index and budget (dashboards), and on the
    puskesmas page its desa and months."""

    service: SPMService
    figure: Figure | None
    index: IndexFigure | None = None
    budget: Budget | None = None
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
    # Issue #16: the index's parts and the budget beside it (province page).
    index_people: Decimal | None = None
    index_quality: Decimal | None = None
    index_quality_services: int = 0
    budget: Budget | None = None

    def set_index(self, index: AreaIndex | None) -> None:
        if index is None:
            return
        self.index, self.index_band, self.index_services = index.value, index.band, index.services
        self.index_people, self.index_quality = index.people, index.quality
        self.index_quality_services = index.quality_services


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
INDEX_FIELDS = ("quality", "service_index")


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
        index = _index_figure(row, bands) if row is not None and "quality" in row else None
        lines.append(ServiceLine(service, figure, index))
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

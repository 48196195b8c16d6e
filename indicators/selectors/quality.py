"""Reads of SPM quality (mutu, issue #16): a puskesmas's quarterly checklist, the district's
reports and its roll-up per service, with the gaps. All scoped through `in_area`; a province
reads approved reports only.

Quality % of a service (the rule, everywhere; the aggregation computes the same in SQL): over
the service's active items with needed > 0, SUM(weight x LEAST(available / needed, 1)) /
SUM(weight) x 100, rounded to 2 places; None when no such item. A blank `available` counts as
nothing available. Above a puskesmas, needed and available are first summed per item over the
approved reports below.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, F, Max, Q, QuerySet, Sum

from kernel.models import District, Puskesmas, User
from kernel.roles import reads_approved_only
from kernel.scoping import in_area

from ..models import QualityItem, QualityReport, QualityValue, SPMService

HUNDRED = Decimal(100)
CENT = Decimal("0.01")


# --- The rule ------------------------------------------------------------------------------------


Row = tuple[Decimal, Decimal | None, Decimal | None]  # weight, needed, available


def quality_percent(rows: Iterable[Row]) -> Decimal | None:
    """Quality % over (weight, needed, available) rows: items with needed > 0 count, each met
    at most fully, weighted; None when none counts (or their weights are all 0)."""
    met = Decimal(0)
    weights = Decimal(0)
    for weight, needed, available in rows:
        if not needed or needed <= 0:
            continue
        share = min(Decimal(1), (available or Decimal(0)) / needed)
        met += weight * share
        weights += weight
    if not weights:
        return None
    return (met / weights * HUNDRED).quantize(CENT, rounding=ROUND_HALF_UP)


def _met_percent(needed: Decimal | None, available: Decimal | None) -> Decimal | None:
    if not needed or needed <= 0:
        return None
    share = min(Decimal(1), (available or Decimal(0)) / needed)
    return (share * HUNDRED).quantize(CENT, rounding=ROUND_HALF_UP)


def _gap(needed: Decimal | None, available: Decimal | None) -> Decimal | None:
    if needed is None:
        return None
    return max(Decimal(0), needed - (available or Decimal(0)))


@dataclass
class ItemQuality:
    """One checklist item with what is needed and available (summed over reports above a
    puskesmas)."""

    item: QualityItem
    needed: Decimal | None
    available: Decimal | None
    value: QualityValue | None = None  # a puskesmas's own row (its note, version), if any
    suggested: Decimal | None = None  # on a report: what data says is needed
    typed: dict[str, str] | None = None  # on a refused save: what the user typed, shown again

    @property
    def gap(self) -> Decimal | None:
        return _gap(self.needed, self.available)

    @property
    def met_percent(self) -> Decimal | None:
        return _met_percent(self.needed, self.available)

    @property
    def gap_cost_idr(self) -> Decimal | None:
        """What closing the gap costs at the item's standard unit cost, when it has one."""
        gap = self.gap
        if not gap or self.item.unit_cost_idr is None:
            return None
        return (gap * self.item.unit_cost_idr).quantize(Decimal(1))


@dataclass
class ServiceQuality:
    """A service's quality: its items, its quality %, the items short of need."""

    service: SPMService
    items: list[ItemQuality] = field(default_factory=list)
    reports_counted: int = 0

    @property
    def quality(self) -> Decimal | None:
        return quality_percent((i.item.weight, i.needed, i.available) for i in self.items)

    @property
    def gaps(self) -> list[ItemQuality]:
        return [i for i in self.items if i.gap]

    @property
    def gap_cost_idr(self) -> Decimal | None:
        costs = [i.gap_cost_idr for i in self.items if i.gap_cost_idr is not None]
        return sum(costs, Decimal(0)) if costs else None

    @property
    def items_gaps_first(self) -> list[ItemQuality]:
        """The items short of need (largest share missing first), then the others in order."""
        short = sorted(self.gaps, key=lambda i: i.met_percent or Decimal(0))
        return short + [i for i in self.items if not i.gap]

    @property
    def entered_count(self) -> int:
        return sum(1 for i in self.items if i.available is not None)

    @property
    def has_typed(self) -> bool:
        """On a refused save: whether the user typed into this service's items."""
        return any(i.typed for i in self.items)


# --- What a role reads ---------------------------------------------------------------------------


def readable_quality_reports(
    *, user: User | AnonymousUser, queryset: QuerySet[QualityReport] | None = None
) -> QuerySet[QualityReport]:
    """The quality reports `user` may read (scoped): their area's, and for a provincial
    reviewer only approved ones."""
    reports = in_area(QualityReport.objects.all() if queryset is None else queryset, user)
    if reads_approved_only(user):
        reports = reports.filter(status=QualityReport.Status.APPROVED)
    return reports


def readable_quality_values(
    *, user: User | AnonymousUser, queryset: QuerySet[QualityValue] | None = None
) -> QuerySet[QualityValue]:
    """The quality values `user` may read: those of `readable_quality_reports`, one query."""
    values = in_area(QualityValue.objects.all() if queryset is None else queryset, user)
    if reads_approved_only(user):
        values = values.filter(report__status=QualityReport.Status.APPROVED)
    return values


def quality_services(year: int) -> list[SPMService]:
    """The district SPM services of `year`'s edition, in number order; [] for a year without
    an edition. One query."""
    return list(
        SPMService.objects.filter(
            edition__years__year=year, level=SPMService.Level.DISTRICT
        ).order_by("number")
    )


def quality_items(services: list[SPMService]) -> dict[int, list[QualityItem]]:
    """service id -> its active checklist items in order. One query."""
    by_service: dict[int, list[QualityItem]] = defaultdict(list)
    rows = QualityItem.objects.filter(
        service__in=[s.pk for s in services], is_active=True
    ).order_by("service_id", "order", "pk")
    for item in rows:
        by_service[item.service_id].append(item)
    return by_service


# --- The district's roll-up ----------------------------------------------------------------------


def quality_rollup(
    *,
    user: User | AnonymousUser,
    district: District,
    year: int,
    quarter: int,
    approved_only: bool = True,
) -> list[ServiceQuality]:
    """Per district SPM service of the year's edition (number order): needed and available per
    item summed over the district's quality reports of the quarter (approved only unless
    `approved_only` is off and the user may read others), the service's quality % and gaps.
    Scoped; four queries whatever the data."""
    services = quality_services(year)
    if not services:
        return []
    items = quality_items(services)
    values = readable_quality_values(user=user).filter(
        report__puskesmas__district_id=district.pk,
        report__year=year,
        report__quarter=quarter,
        item__is_active=True,
    )
    if approved_only:
        values = values.filter(report__status=QualityReport.Status.APPROVED)
    sums = {
        row["item_id"]: row
        for row in values.order_by()
        .values("item_id")
        .annotate(needed_sum=Sum("needed"), available_sum=Sum("available"))
    }
    counted = {
        row["item__service_id"]: row["reports"]
        for row in values.filter(needed__gt=0)
        .order_by()
        .values("item__service_id")
        .annotate(reports=Count("report_id", distinct=True))
    }
    result = []
    for service in services:
        entry = ServiceQuality(service=service, reports_counted=counted.get(service.pk, 0))
        for item in items.get(service.pk, []):
            row = sums.get(item.pk)
            entry.items.append(
                ItemQuality(
                    item=item,
                    needed=row["needed_sum"] if row else None,
                    available=row["available_sum"] if row else None,
                )
            )
        result.append(entry)
    return result


# --- One puskesmas's report ----------------------------------------------------------------------


@dataclass
class QualityReportView:
    """A report's values grouped by service (each with its quality %), what data suggests as
    needed per item, and how many items still lack what is available."""

    report: QualityReport
    services: list[ServiceQuality]
    suggested: dict[int, Decimal | None]

    @property
    def blank_count(self) -> int:
        return sum(
            1
            for service in self.services
            for line in service.items
            if line.needed and line.available is None
        )

    @property
    def entered_count(self) -> int:
        return sum(
            1 for service in self.services for line in service.items if line.available is not None
        )

    @property
    def gap_count(self) -> int:
        """Items entered with less available than needed (blank ones are counted as blank)."""
        return sum(
            1 for service in self.services for line in service.gaps if line.available is not None
        )


def quality_report_detail(*, report: QualityReport) -> QualityReportView:
    """The report (already scoped by the caller) with its values grouped by the year's district
    services in number order, each service's quality %, and the needs data suggests (targets of
    record x quantities). A fixed number of queries."""
    from ..services.quality import quality_needs

    services = quality_services(report.year)
    items = quality_items(services)
    values = {
        value.item_id: value
        for value in QualityValue.objects.filter(report=report).select_related("updated_by")
    }
    every_item = [item for service_items in items.values() for item in service_items]
    suggested = quality_needs(puskesmas=report.puskesmas, year=report.year, items=every_item)
    grouped = []
    for service in services:
        entry = ServiceQuality(service=service, reports_counted=1)
        for item in items.get(service.pk, []):
            value = values.get(item.pk)
            entry.items.append(
                ItemQuality(
                    item=item,
                    # A row not saved yet counts nowhere (as in the aggregation); the page
                    # offers what data suggests.
                    needed=value.needed if value else None,
                    available=value.available if value else None,
                    value=value,
                    suggested=suggested.get(item.pk),
                )
            )
        if entry.items:
            grouped.append(entry)
    return QualityReportView(report=report, services=grouped, suggested=suggested)


# --- Lists ---------------------------------------------------------------------------------------


@dataclass
class QuarterLine:
    """A quarter of the year for one puskesmas: its report (None before it is started)."""

    quarter: int
    report: QualityReport | None
    has_started: bool


def quality_quarters(
    *, user: User | AnonymousUser, puskesmas: Puskesmas, year: int, today
) -> list[QuarterLine]:
    """The four quarters of `year` for a puskesmas in the user's area, each with its report.
    One query."""
    reports = {
        report.quarter: report
        for report in readable_quality_reports(user=user).filter(puskesmas=puskesmas, year=year)
    }
    return [
        QuarterLine(
            quarter=quarter,
            report=reports.get(quarter),
            has_started=(today.year, today.month) >= (year, 3 * quarter - 2),
        )
        for quarter in range(1, 5)
    ]


@dataclass
class ReviewLine:
    """A puskesmas of the district and its report of the quarter (None: not started)."""

    puskesmas: Puskesmas
    report: QualityReport | None
    values_entered: int = 0
    values_total: int = 0
    year: list[QualityReport | None] = field(default_factory=list)  # quarters 1 to 4


def quality_review_list(*, user: User | AnonymousUser, year: int, quarter: int) -> list[ReviewLine]:
    """The puskesmas of the user's area (a district's, a province's districts') with their
    quality report of the quarter and how many of its values are entered, and their reports of
    each quarter of the year: a province sees only approved reports. Three queries."""
    puskesmas_list = list(
        in_area(Puskesmas.objects.all(), user)
        .select_related("district")
        .order_by("district__code", "name")
    )
    reports = {
        report.puskesmas_id: report
        for report in readable_quality_reports(user=user)
        .filter(year=year, quarter=quarter, puskesmas__in=[p.pk for p in puskesmas_list])
        .annotate(
            values_total=Count("values"),
            values_entered=Count("values", filter=Q(values__available__isnull=False)),
            last_saved=Max("values__updated_at"),
        )
    }
    of_year: dict[tuple[int, int], QualityReport] = {
        (report.puskesmas_id, report.quarter): report
        for report in readable_quality_reports(user=user).filter(
            year=year, puskesmas__in=[p.pk for p in puskesmas_list]
        )
    }
    lines = []
    for puskesmas in puskesmas_list:
        report = reports.get(puskesmas.pk)
        lines.append(
            ReviewLine(
                puskesmas=puskesmas,
                report=report,
                values_entered=getattr(report, "values_entered", 0),
                values_total=getattr(report, "values_total", 0),
                year=[of_year.get((puskesmas.pk, q)) for q in range(1, 5)],
            )
        )
    return lines


# --- A province's districts side by side ---------------------------------------------------------


@dataclass
class DistrictQuality:
    district: District
    services: list[ServiceQuality]


def quality_province_matrix(
    *, user: User | AnonymousUser, year: int, quarter: int
) -> list[DistrictQuality]:
    """Each district of the user's area with its services' quality % of the quarter, from
    approved reports only (the same sums per item as `quality_rollup`). Five queries."""
    districts = list(in_area(District.objects.all(), user).order_by("code"))
    services = quality_services(year)
    items = quality_items(services)
    values = readable_quality_values(user=user).filter(
        report__year=year,
        report__quarter=quarter,
        report__status=QualityReport.Status.APPROVED,
        report__puskesmas__district__in=[d.pk for d in districts],
        item__is_active=True,
    )
    sums = {
        (row["district"], row["item_id"]): row
        for row in values.order_by()
        .values("item_id", district=F("report__puskesmas__district_id"))
        .annotate(needed_sum=Sum("needed"), available_sum=Sum("available"))
    }
    counted = {
        (row["district"], row["item__service_id"]): row["reports"]
        for row in values.filter(needed__gt=0)
        .order_by()
        .values("item__service_id", district=F("report__puskesmas__district_id"))
        .annotate(reports=Count("report_id", distinct=True))
    }
    result = []
    for district in districts:
        lines = []
        for service in services:
            entry = ServiceQuality(
                service=service, reports_counted=counted.get((district.pk, service.pk), 0)
            )
            for item in items.get(service.pk, []):
                row = sums.get((district.pk, item.pk))
                entry.items.append(
                    ItemQuality(
                        item=item,
                        needed=row["needed_sum"] if row else None,
                        available=row["available_sum"] if row else None,
                    )
                )
            lines.append(entry)
        result.append(DistrictQuality(district=district, services=lines))
    return result

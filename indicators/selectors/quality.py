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
from django.db.models import Count, QuerySet, Sum

from kernel.models import District, User
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

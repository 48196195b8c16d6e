"""The district's quarterly e-SPM package (issue #16 must-have 6): per SPM service, A people
served, B quality, C budget, the four stages, problems and the action plan, and the SPM index
with its category; and the province's districts side by side.

Everything is read from what Simpul already holds, approved data only (the package is what the
district sends to Kemendagri): targets of record and approved monthly values (A), approved
quality reports (B, indicators.selectors.quality), the approved plans' allocation and the
realisation entered against their schedule (C, planning.selectors.budget), the district's four
stages worksheets and its meetings' problems and RTL (cycle.selectors.stages), and the quarter's
computed Achievement rows (quality and service_index) with the edition's categories. What is
missing is said, never filled in. Every read costs a fixed number of queries, whatever the data.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, DecimalField, F, Max, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, Least
from django.utils import timezone
from django.utils.dates import MONTHS_3
from django.utils.translation import gettext_lazy as _

from indicators.budget import Budget, budget_by_district
from indicators.models import (
    Achievement,
    IndexParts,
    Level,
    MonthlyReport,
    SPMService,
    Target,
)
from indicators.readable import readable_values
from indicators.selectors.dashboards.base import Band, band_of, index_bands
from indicators.selectors.quality import ServiceQuality, quality_rollup
from kernel.models import District, Province
from kernel.scoping import in_area
from planning.selectors.budget import BudgetLine, budget_table

from ..models import IntegrationLine, StageSheet
from ..models.stages import StageStatus
from ..rights import can_read_package
from .stages import ProblemLine, service_problems, stage_sheets

HUNDRED = Decimal(100)
CENT = Decimal("0.01")
MONTHS = tuple(range(1, 13))


def _percent(value) -> Decimal | None:
    """Two decimal places, from Decimal or (SQLite) float; None stays None."""
    return None if value is None else Decimal(str(value)).quantize(CENT)


def _month_name(month: int) -> str:
    return str(MONTHS_3[month]).title()


def _ratio(part, whole) -> Decimal | None:
    if part is None or not whole:
        return None
    return _percent(Decimal(str(part)) / Decimal(str(whole)))


# --- Who reads which district's package ----------------------------------------------------------


def package_districts(*, user) -> QuerySet[District]:
    """Districts whose package `user` may open (scoped): a district planner their own, a
    provincial reviewer their province's, system administrators all; nobody else (a puskesmas
    reads its own figures, not its district's package)."""
    if not can_read_package(user):
        return District.objects.none()
    return in_area(District.objects.select_related("province", "health_office"), user)


def package_provinces(*, user) -> QuerySet[Province]:
    """Provinces whose districts `user` may compare (a reviewer's own; all for administrators)."""
    if not can_read_package(user):
        return Province.objects.none()
    return in_area(Province.objects.all(), user).order_by("code")


# --- A: people served ---------------------------------------------------------------------------


@dataclass
class PeopleServed:
    """Part A of one service: the target group of record and the people served to standard, month
    by month from approved monthly reports, through the quarter's last month."""

    target: int | None
    by_month: list[int | None]  # Jan..Dec; None: after the quarter, or no approved value
    last_month: int

    @property
    def has_target(self) -> bool:
        return bool(self.target)

    @property
    def served(self) -> int:
        return sum(value for value in self.by_month if value)

    @property
    def not_served(self) -> int | None:
        """People of the target group not yet served (0 once the target is reached)."""
        if not self.target:
            return None
        return max(0, self.target - self.served)

    @property
    def achievement(self) -> Decimal | None:
        """Served / target x 100; None without a target of record."""
        return _ratio(HUNDRED * self.served, self.target) if self.target else None

    @property
    def served_months(self) -> list[tuple[str, int]]:
        """(month's short name, served) for the quarter's months with approved figures."""
        return [(name, value) for _month, name, value, within in self.months if within and value]

    @property
    def months(self) -> list[tuple[int, str, int | None, bool]]:
        """(month, its short name, served, within the quarter) for January to December."""
        return [
            (month, _month_name(month), value, month <= self.last_month)
            for month, value in zip(MONTHS, self.by_month, strict=True)
        ]


# --- The four stages ----------------------------------------------------------------------------

STAGES = (
    ("data_status", _("1. Data collection")),
    ("needs_status", _("2. Calculating needs")),
    ("plan_status", _("3. Planning")),
    ("integration_status", _("4. Integration into regional plans")),
)


@dataclass
class StageFacts:
    """The four stages of one service from the district's worksheet (None: no worksheet yet),
    with their key figures."""

    sheet: StageSheet | None
    people: PeopleServed

    @property
    def statuses(self) -> list[tuple[Any, str, Any]]:
        """(stage, status value, status label); "not started" without a worksheet."""
        labels = dict(StageStatus.choices)
        result = []
        for name, label in STAGES:
            value = getattr(self.sheet, name) if self.sheet else StageStatus.NOT_STARTED
            result.append((label, value, labels.get(value, value)))
        return result

    @property
    def needs(self) -> list:
        return list(self.sheet.needs.all()) if self.sheet else []

    @property
    def integrations(self) -> list[IntegrationLine]:
        return list(self.sheet.integrations.all()) if self.sheet else []

    @property
    def needs_cost_idr(self) -> Decimal | None:
        """The cost of meeting the needs (sum of gap x unit cost); None without need lines."""
        needs = self.needs
        return sum((need.cost_idr for need in needs), Decimal(0)) if needs else None

    @property
    def activities(self) -> int:
        """Plan activities answering the worksheet's needs (prefetched with them)."""
        return len({activity.pk for need in self.needs for activity in need.activities.all()})

    @property
    def plan_target(self) -> int | None:
        """The worksheet's target, else the target of record."""
        if self.sheet and self.sheet.target_people is not None:
            return self.sheet.target_people
        return self.people.target

    @property
    def financing(self) -> str:
        return self.sheet.get_financing_display() if self.sheet and self.sheet.financing else ""

    @property
    def delivery(self) -> str:
        return self.sheet.get_delivery_display() if self.sheet and self.sheet.delivery else ""

    @property
    def documents(self) -> list[str]:
        """The regional plans the service appears in (RPJMD, Renstra, RKPD, Renja), in order."""
        seen = {line.document for line in self.integrations}
        return [label for value, label in IntegrationLine.Document.choices if value in seen]

    @property
    def regional_budget_idr(self) -> Decimal | None:
        budgets = [line.budget_idr for line in self.integrations if line.budget_idr is not None]
        return sum(budgets, Decimal(0)) if budgets else None


# --- C: budget ---------------------------------------------------------------------------------


@dataclass
class BudgetRow:
    """Part C of one service (or of the activities tied to none, or of all): allocated per
    funding source, realised month by month through the quarter, difference and %."""

    line: BudgetLine
    sources: list[tuple[str, str]]  # the package's funding sources (code, label), in order
    last_month: int

    @property
    def allocated(self) -> list[Decimal | None]:
        """Per funding source of the package, in its columns' order."""
        return [self.line.allocated_by_source.get(code) for code, _label in self.sources]

    @property
    def allocated_cells(self) -> list[tuple[str, Decimal | None]]:
        """(funding source's label, amount) per funding source of the package."""
        return [(label, self.line.allocated_by_source.get(code)) for code, label in self.sources]

    @property
    def realised_by_month(self) -> list[Decimal | None]:
        """Jan..Dec; None after the quarter."""
        return [
            amount if month <= self.last_month else None
            for month, amount in zip(MONTHS, self.line.realised_by_month, strict=True)
        ]

    @property
    def realised_months(self) -> list[tuple[str, Decimal]]:
        """(month's short name, realised) for the quarter's months with a realised cost."""
        return [(name, amount) for _month, name, amount, within in self.months if within and amount]

    @property
    def months(self) -> list[tuple[int, str, Decimal | None, bool]]:
        """(month, its short name, realised, within the quarter) for January to December."""
        return [
            (month, _month_name(month), amount, month <= self.last_month)
            for month, amount in zip(MONTHS, self.realised_by_month, strict=True)
        ]

    @property
    def allocated_idr(self) -> Decimal:
        return self.line.allocated_idr

    @property
    def realised_idr(self) -> Decimal:
        return self.line.realised_idr

    @property
    def difference_idr(self) -> Decimal:
        return self.line.difference_idr

    @property
    def percent(self) -> Decimal | None:
        return self.line.percent

    @property
    def code(self) -> str:
        return self.line.sub_activity_code


# --- One service, the package -------------------------------------------------------------------


@dataclass
class PackageService:
    service: SPMService
    weight: Decimal | None  # the service's weight in the area's index (IndexWeight)
    people: PeopleServed
    quality: ServiceQuality | None
    budget: BudgetRow | None
    stages: StageFacts
    problems: list[ProblemLine] = field(default_factory=list)
    computed: Achievement | None = None  # the quarter's Achievement row (index part)
    band: Band | None = None

    @property
    def quality_percent(self) -> Decimal | None:
        return self.quality.quality if self.quality else None

    @property
    def quality_items(self) -> list:
        return self.quality.items if self.quality else []

    @property
    def quality_gaps(self) -> list:
        return self.quality.gaps if self.quality else []

    @property
    def quality_reported(self) -> bool:
        return bool(self.quality and self.quality.reports_counted)

    @property
    def index(self) -> Decimal | None:
        return self.computed.service_index if self.computed else None

    @property
    def index_achievement(self) -> Decimal | None:
        """Part A as the index counts it: the computed achievement, capped at 100."""
        if self.computed is None or self.computed.achievement is None:
            return None
        return min(self.computed.achievement, HUNDRED)

    @property
    def index_quality(self) -> Decimal | None:
        return self.computed.quality if self.computed else None

    @property
    def changed_since_computed(self) -> bool:
        """The approved data now says otherwise than the computed quarter (served or target)."""
        if self.computed is None:
            return False
        target_then, target_now = self.computed.target or None, self.people.target or None
        return self.computed.served_ytd != self.people.served or target_then != target_now

    @property
    def follow_ups(self) -> list:
        return [item for line in self.problems for item in line.follow_ups]


@dataclass(frozen=True)
class Missing:
    """Something the package cannot say yet, and for which services (empty: all)."""

    code: str
    message: Any
    services: tuple[SPMService, ...] = ()


@dataclass
class Package:
    district: District
    year: int
    quarter: int
    services: list[PackageService]
    bands: list[Band]
    index_parts: IndexParts | None
    index: Decimal | None = None
    band: Band | None = None
    computed_at: datetime.datetime | None = None
    budget_totals: BudgetRow | None = None
    budget_other: BudgetRow | None = None  # activities not tied to an SPM service
    funding_sources: list[tuple[str, str]] = field(default_factory=list)
    missing: list[Missing] = field(default_factory=list)
    printed_on: datetime.date = field(default_factory=timezone.localdate)

    @property
    def last_month(self) -> int:
        return 3 * self.quarter

    @property
    def months(self) -> list[tuple[int, str, bool]]:
        """(month, its short name, within the quarter) for January to December."""
        return [(month, _month_name(month), month <= self.last_month) for month in MONTHS]

    @property
    def first_day(self) -> datetime.date:
        return datetime.date(self.year, 3 * self.quarter - 2, 1)

    @property
    def last_day(self) -> datetime.date:
        return datetime.date(self.year, self.last_month, 1)

    @property
    def is_computed(self) -> bool:
        return any(line.computed is not None for line in self.services)

    @property
    def office(self):
        return getattr(self.district, "health_office", None)

    @property
    def people_total(self) -> PeopleServed:
        """Part A summed over the services (targets of services that have one)."""
        by_month: list[int | None] = []
        for index in range(12):
            values = [line.people.by_month[index] for line in self.services]
            present = [value for value in values if value is not None]
            by_month.append(sum(present) if present else None)
        targets = [line.people.target for line in self.services if line.people.target]
        return PeopleServed(sum(targets) if targets else None, by_month, self.last_month)

    @property
    def with_problems(self) -> list[PackageService]:
        return [line for line in self.services if line.problems]

    @property
    def parts_weights(self) -> tuple[Decimal, Decimal] | None:
        parts = self.index_parts
        if parts is None:
            return None
        return parts.people_served_weight, parts.quality_weight


def _services(year: int) -> list[SPMService]:
    """The year's district SPM services with their index weight and the edition's index parts
    (one query)."""
    return list(
        SPMService.objects.filter(edition__years__year=year, level=SPMService.Level.DISTRICT)
        .select_related("edition__index_parts")
        .annotate(weight=F("index_weight__weight"))
        .order_by("number")
    )


def _people(*, user, district: District, year: int, last_month: int, services) -> dict:
    """Per service id: PeopleServed (two queries: targets of record, approved values by month)."""
    targets = dict(
        in_area(Target.objects.all(), user)
        .filter(village__puskesmas__district=district, year=year, is_of_record=True)
        .values("service_id")
        .annotate(total=Sum("value"))
        .order_by()
        .values_list("service_id", "total")
    )
    served: dict[int, list[int | None]] = defaultdict(lambda: [None] * 12)
    values = (
        readable_values(user=user)
        .filter(
            report__puskesmas__district=district,
            report__year=year,
            report__month__lte=last_month,
            report__status__in=MonthlyReport.APPROVED_STATUSES,
            value__isnull=False,
        )
        .values("service_id", "report__month")
        .annotate(total=Sum("value"))
        .order_by()
    )
    for row in values:
        served[row["service_id"]][row["report__month"] - 1] = int(row["total"] or 0)
    return {
        service.pk: PeopleServed(
            int(targets[service.pk]) if targets.get(service.pk) else None,
            list(served[service.pk]),
            last_month,
        )
        for service in services
    }


def package_get(*, user, district: District, year: int, quarter: int) -> Package:
    """The district's e-SPM package for the quarter (scoped by `user`; the caller has checked
    the district is readable). A fixed number of queries whatever the data."""
    last_month = 3 * quarter
    services = _services(year)
    bands = index_bands(year=year)
    edition = services[0].edition if services else None
    parts = getattr(edition, "index_parts", None) if edition is not None else None
    people = _people(
        user=user, district=district, year=year, last_month=last_month, services=services
    )
    rows = {
        row.service_id: row
        for row in in_area(Achievement.objects.all(), user)
        .filter(year=year, quarter=quarter, level=Level.DISTRICT, area_id=district.pk)
        .select_related("run")
    }
    quality = {
        entry.service.pk: entry
        for entry in quality_rollup(
            user=user, district=district, year=year, quarter=quarter, approved_only=True
        )
    }
    table = budget_table(user=user, district=district, year=year, through_month=last_month)
    sources = table.sources
    budget = {
        line.service.pk: BudgetRow(line, sources, last_month)
        for line in table.lines
        if line.service is not None
    }
    other = next(
        (BudgetRow(line, sources, last_month) for line in table.lines if line.service is None),
        None,
    )
    sheets = stage_sheets(user=user, district=district, year=year)
    problems = service_problems(user=user, district=district, year=year, quarter=quarter)

    lines = []
    for service in services:
        sheet = sheets.get(service.pk)
        row = rows.get(service.pk)
        line = PackageService(
            service=service,
            weight=getattr(service, "weight", None),
            people=people[service.pk],
            quality=quality.get(service.pk),
            budget=budget.get(service.pk),
            stages=StageFacts(sheet, people[service.pk]),
            problems=list(problems.get(service.pk, [])),
            computed=row,
        )
        line.band = band_of(line.index, bands)
        lines.append(line)

    weighted = [
        (line.index, line.weight) for line in lines if line.index is not None and line.weight
    ]
    weights = sum((weight for _index, weight in weighted), Decimal(0))
    index = (
        _percent(sum((value * weight for value, weight in weighted), Decimal(0)) / weights)
        if weights
        else None
    )
    finished = [row.run.finished_at for row in rows.values() if row.run.finished_at]
    package = Package(
        district=district,
        year=year,
        quarter=quarter,
        services=lines,
        bands=bands,
        index_parts=parts,
        index=index,
        band=band_of(index, bands),
        computed_at=max(finished) if finished else None,
        budget_totals=BudgetRow(table.totals, sources, last_month),
        budget_other=other,
        funding_sources=sources,
    )
    package.missing = _missing(package)
    return package


def _missing(package: Package) -> list[Missing]:
    """What the package cannot say yet, honestly: each with what to do."""
    missing = []
    lines = package.services
    if not lines:
        return [Missing("no_services", _("No SPM edition is set up for this year."))]
    if not package.is_computed:
        missing.append(
            Missing(
                "not_computed",
                _(
                    "The quarter has not been computed: the index and its category appear once "
                    "the quarterly aggregation has run."
                ),
            )
        )
    elif changed := tuple(line.service for line in lines if line.changed_since_computed):
        missing.append(
            Missing(
                "changed",
                _(
                    "Approved data changed after the quarter was computed: compute the quarter "
                    "again so the index counts it."
                ),
                changed,
            )
        )
    if no_target := tuple(line.service for line in lines if not line.people.has_target):
        missing.append(Missing("no_target", _("No target of record."), no_target))
    if no_quality := tuple(line.service for line in lines if not line.quality_reported):
        missing.append(
            Missing(
                "no_quality",
                _("Quality not reported: no approved quality report of the quarter."),
                no_quality,
            )
        )
    if package.index_parts is None:
        missing.append(
            Missing(
                "no_index_parts",
                _("The edition has no weights of people served and quality: the index is A."),
            )
        )
    if no_budget := tuple(
        line.service for line in lines if line.budget is None or not line.budget.allocated_idr
    ):
        missing.append(
            Missing("no_budget", _("No allocation in the year's approved plans."), no_budget)
        )
    if no_sheet := tuple(line.service for line in lines if line.stages.sheet is None):
        missing.append(Missing("no_worksheet", _("No four stages worksheet."), no_sheet))
    return missing


# --- Side by side and per quarter ---------------------------------------------------------------


@dataclass
class IndexLine:
    """An area's (or a quarter's) index with its parts: A people served, B quality."""

    people: Decimal | None = None
    quality: Decimal | None = None
    index: Decimal | None = None
    band: Band | None = None
    services: int = 0  # services with a computed row
    computed_at: datetime.datetime | None = None

    @property
    def is_computed(self) -> bool:
        return bool(self.services)


@dataclass(kw_only=True)
class DistrictLine(IndexLine):
    district: District
    budget: Budget | None = None

    @property
    def budget_percent(self) -> Decimal | None:
        return self.budget.percent if self.budget is not None else None


def _index_sums(rows: QuerySet[Achievement], key: str) -> dict[int, dict]:
    """Per `key` (area_id or quarter): the weighted A (achievement capped at 100), B (quality)
    and index (service_index) over services, each over the services where it is known, by the
    database in one query. Services without a weight do not count (as on the dashboards)."""
    decimal = DecimalField(max_digits=20, decimal_places=5)
    weight = Coalesce(F("service__index_weight__weight"), Value(Decimal(0)), output_field=decimal)
    capped = Least(F("achievement"), Value(HUNDRED), output_field=decimal)
    has_a, has_b, has_index = (
        Q(achievement__isnull=False),
        Q(quality__isnull=False),
        Q(service_index__isnull=False),
    )
    sums = (
        rows.values(key)
        .annotate(
            a_sum=Sum(capped * weight, filter=has_a, output_field=decimal),
            a_weights=Sum(weight, filter=has_a, output_field=decimal),
            b_sum=Sum(F("quality") * weight, filter=has_b, output_field=decimal),
            b_weights=Sum(weight, filter=has_b, output_field=decimal),
            i_sum=Sum(F("service_index") * weight, filter=has_index, output_field=decimal),
            i_weights=Sum(weight, filter=has_index, output_field=decimal),
            services=Count("id"),
            finished_at=Max("run__finished_at"),
        )
        .order_by()
    )
    return {row[key]: row for row in sums}


def _fill(line: IndexLine, sums: dict | None, bands: list[Band]) -> None:
    if not sums:
        return
    line.people = _ratio(sums["a_sum"], sums["a_weights"])
    line.quality = _ratio(sums["b_sum"], sums["b_weights"])
    line.index = _ratio(sums["i_sum"], sums["i_weights"])
    line.band = band_of(line.index, bands)
    line.services = sums["services"]
    line.computed_at = sums["finished_at"]


SORTS = ("index", "name")


def package_compare(
    *, user, districts: list[District], year: int, quarter: int, sort: str = "index"
) -> list[DistrictLine]:
    """The districts side by side for the quarter: A, B, the index and its category, and the
    budget realised through the quarter; computed (approved) data only. Best index first by
    default (districts without an index last), or by name. Four queries whatever the number."""
    bands = index_bands(year=year)
    rows = in_area(Achievement.objects.all(), user).filter(
        year=year, quarter=quarter, level=Level.DISTRICT, area_id__in=[d.pk for d in districts]
    )
    sums = _index_sums(rows, "area_id")
    budgets = budget_by_district(
        user=user, year=year, through_month=3 * quarter, district_ids=[d.pk for d in districts]
    )
    lines = []
    for district in districts:
        line = DistrictLine(district=district, budget=budgets.get(district.pk))
        _fill(line, sums.get(district.pk), bands)
        lines.append(line)
    if sort == "name":
        lines.sort(key=lambda line: line.district.name)
    else:
        lines.sort(key=lambda line: (line.index is None, -(line.index or 0), line.district.name))
    return lines


@dataclass
class QuarterLine(IndexLine):
    quarter: int = 0


def package_quarters(*, user, district: District, year: int) -> list[QuarterLine]:
    """The district's four quarters of `year` with their index and parts (two queries)."""
    bands = index_bands(year=year)
    rows = in_area(Achievement.objects.all(), user).filter(
        year=year, level=Level.DISTRICT, area_id=district.pk
    )
    sums = _index_sums(rows, "quarter")
    lines = []
    for quarter in range(1, 5):
        line = QuarterLine(quarter=quarter)
        _fill(line, sums.get(quarter), bands)
        lines.append(line)
    return lines

"""Reads for each role's dashboard (issue #5 must-have 3): puskesmas, district, province.

Achievement figures come from the tables `quarter_aggregate` fills (Achievement, ReportingRate),
read at the level the page shows; the puskesmas page adds per-desa figures and the monthly trend,
summed by the database from monthly values. Every read costs a fixed number of queries, whatever
the number of puskesmas, desa, districts or reports. Everything starts from `in_area`.

Pace: a year's target spread evenly, so after `m` ended months `m / 12 x 100 %` is expected.
Colours compare an achievement with that pace (achievement / pace x 100) and place the result in
the SPM index categories (IndexBand) of the year's edition; at the end of the year it is the
achievement itself. Names, edges and weights are data (unverified, DOMAIN.md §2).
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, DecimalField, Exists, F, Max, OuterRef, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, Least
from django.urls import reverse
from django.utils import timezone

from ..charts import BarChart, ColumnChart, bar_chart, column_chart
from ..models import (
    Achievement,
    AggregationRun,
    District,
    IndexBand,
    Level,
    MonthlyReport,
    MonthlyValue,
    Province,
    Puskesmas,
    ReportingRate,
    ReportingYear,
    SPMService,
    Target,
    User,
    Village,
)
from ..scoping import can_enter_report, can_review_report, in_area, is_national, user_area
from .quarterly import last_ended_quarter, month_pace
from .reports import reports_visible

HUNDRED = Decimal(100)
CENT = Decimal("0.01")
APPROVED = tuple(MonthlyReport.APPROVED_STATUSES)
NOT_SUBMITTED = (MonthlyReport.Status.DRAFT, MonthlyReport.Status.RETURNED)


def _percent(value) -> Decimal | None:
    """Two decimal places, from Decimal or (SQLite) float; None stays None."""
    return None if value is None else Decimal(str(value)).quantize(CENT)


# --- Period, bands, computation ------------------------------------------------------------------


def months_ended(year: int, quarter: int, today: datetime.date | None = None) -> int:
    """Months of `year` ended by the end of `quarter`, or by today for the running quarter."""
    today = today or timezone.localdate()
    if year < today.year:
        return 3 * quarter
    if year > today.year:
        return 0
    return min(3 * quarter, today.month - 1)


@dataclass(frozen=True)
class Period:
    year: int
    quarter: int
    months: int  # months ended: the pace is months / 12 of the year's target

    @property
    def pace(self) -> Decimal:
        return month_pace(self.months)

    @property
    def last_month(self) -> int:
        return 3 * self.quarter


def dashboard_period(*, year: int, quarter: int) -> Period:
    return Period(year=year, quarter=quarter, months=months_ended(year, quarter))


def _own_level(user) -> str | None:
    """The level of the user's own area: its Achievement rows say whether a quarter exists."""
    if is_national(user):
        return Level.PROVINCE
    area = user_area(user)
    return None if area is None else area.area_kind


def dashboard_quarters(*, user) -> list[tuple[int, int]]:
    """(year, quarter) with Achievement rows for the user's area, newest first (one query:
    the distinct quarters of the few runs, each checked by an indexed EXISTS)."""
    level = _own_level(user)
    if level is None:
        return []
    own = in_area(
        Achievement.objects.filter(level=level, year=OuterRef("year"), quarter=OuterRef("quarter")),
        user,
    )
    return list(
        AggregationRun.objects.filter(status=AggregationRun.Status.DONE)
        .filter(Exists(own))
        .values_list("year", "quarter")
        .distinct()
        .order_by("-year", "-quarter")
    )


def dashboard_default_quarter(*, quarters: list[tuple[int, int]]) -> tuple[int, int]:
    """The latest computed quarter, or the latest ended one when none is computed yet."""
    return quarters[0] if quarters else last_ended_quarter()


@dataclass(frozen=True)
class Band:
    name: str
    lower_bound: Decimal
    css: str  # band-1 is the best category; the stylesheet colours band-1 ... band-6


def index_bands(*, year: int) -> list[Band]:
    """The SPM index categories of the year's edition, best first (one query)."""
    bands = IndexBand.objects.filter(edition__years__year=year).order_by("-lower_bound")
    return [
        Band(band.name, band.lower_bound, f"band-{position}")
        for position, band in enumerate(bands, start=1)
    ]


def band_of(value: Decimal | None, bands: list[Band]) -> Band | None:
    """The first category (best first) whose lower bound `value` reaches."""
    if value is None:
        return None
    return next((band for band in bands if value >= band.lower_bound), None)


@dataclass(frozen=True)
class Computation:
    finished_at: datetime.datetime | None
    data_as_of: datetime.datetime | None


def _computation(rows: QuerySet[Achievement]) -> Computation | None:
    """When the shown rows were computed and the latest approved data they used (one query)."""
    facts = rows.aggregate(
        count=Count("id"), finished_at=Max("run__finished_at"), data_as_of=Max("run__data_as_of")
    )
    return Computation(facts["finished_at"], facts["data_as_of"]) if facts["count"] else None


def _services(year: int) -> list[SPMService]:
    """The year's monthly SPM services with their index weight (one query; none without an
    edition set up for the year)."""
    return list(
        SPMService.objects.filter(
            edition__years__year=year, level=SPMService.Level.DISTRICT, is_reported_monthly=True
        )
        .annotate(weight=F("index_weight__weight"))
        .order_by("number")
    )


# --- Figures -------------------------------------------------------------------------------------


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
    def is_below_pace(self) -> bool:
        return self.achievement is not None and self.achievement < self.pace

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
        return sum(1 for __, figure in self.villages if figure.is_below_pace)


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


# --- Puskesmas -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DueMonth:
    year: int
    month: int
    due_on: datetime.date
    report_id: int | None
    status: str | None  # None: not started
    is_late: bool

    @property
    def first_day(self) -> datetime.date:
        return datetime.date(self.year, self.month, 1)

    @property
    def status_label(self) -> str:
        return MonthlyReport.Status(self.status).label if self.status else ""


@dataclass
class PuskesmasDashboard:
    puskesmas: Puskesmas
    period: Period
    bands: list[Band]
    computation: Computation | None
    services: list[ServiceLine]
    chart: BarChart
    due: list[DueMonth] | None  # None: the user does not follow this puskesmas's reporting
    shows_unapproved: bool

    @property
    def is_computed(self) -> bool:
        return self.computation is not None


def _months_due(reports: dict[int, dict], *, year: int, setup: ReportingYear | None):
    """Ended months of `year` whose report is not submitted yet, late ones first."""
    today = timezone.localdate()
    due = []
    for month in range(1, months_ended(year, 4, today) + 1):
        report = reports.get(month)
        if report is not None and report["status"] not in NOT_SUBMITTED:
            continue
        if report is None and setup is None:
            continue  # the year cannot be reported before it is set up
        due_on = report["due_on"] if report else setup.due_on(month)
        due.append(
            DueMonth(
                year,
                month,
                due_on,
                report and report["pk"],
                report and report["status"],
                today > due_on,
            )
        )
    return sorted(due, key=lambda d: (not d.is_late, d.due_on))


def _desa_figures(user, puskesmas: Puskesmas, period: Period):
    """Villages of the working area, and per (desa, service) the target of record and what
    approved reports served up to the quarter's last month (three queries)."""
    villages = list(in_area(Village.objects.filter(puskesmas=puskesmas), user).order_by("code"))
    targets = in_area(
        Target.objects.filter(village__puskesmas=puskesmas, year=period.year, is_of_record=True),
        user,
    ).values_list("village_id", "service_id", "value")
    # The same reports the quarter counts: approved, up to its last month.
    served = (
        in_area(
            MonthlyValue.objects.filter(
                report__puskesmas=puskesmas,
                report__year=period.year,
                report__month__lte=period.last_month,
                report__status__in=APPROVED,
            ),
            user,
        )
        .values("village_id", "service_id")
        .annotate(served=Sum("value"))
    )
    return (
        villages,
        {(v, s): value for v, s, value in targets},
        {(row["village_id"], row["service_id"]): row["served"] for row in served},
    )


def _months(user, puskesmas: Puskesmas, year: int):
    """The year's reports the user may see, by month, and people served per (month, service)
    in them, approved or not (two queries)."""
    visible = reports_visible(user=user).filter(puskesmas=puskesmas, year=year)
    reports = {r["month"]: r for r in visible.values("pk", "month", "status", "due_on")}
    served = (
        MonthlyValue.objects.filter(report__in=visible.values("pk"))
        .values("report__month", "service_id")
        .annotate(served=Sum("value"))
    )
    return reports, {(row["report__month"], row["service_id"]): row["served"] for row in served}


def dashboard_puskesmas(
    *, user, puskesmas: Puskesmas, year: int, quarter: int
) -> PuskesmasDashboard:
    """One puskesmas's quarter: achievement per service (computed) and per desa (summed from
    approved reports), served per month, and the months still to report (ten queries)."""
    period = dashboard_period(year=year, quarter=quarter)
    services, bands = _services(year), index_bands(year=year)
    rows = in_area(
        Achievement.objects.filter(
            year=year, quarter=quarter, level=Level.PUSKESMAS, puskesmas=puskesmas
        ),
        user,
    )
    lines = _service_lines(rows.values(*FIGURE_FIELDS), services, period, bands)
    villages, targets, served = _desa_figures(user, puskesmas, period)
    reports, per_month = _months(user, puskesmas, year)
    for line in lines:
        for village in villages:
            target = targets.get((village.pk, line.service.pk))
            ytd = served.get((village.pk, line.service.pk)) or 0
            figure = _figure(target, ytd, _achieved(target, ytd), period, bands)
            line.villages.append((village, figure))
        line.months = [
            MonthServed(
                month,
                per_month.get((month, line.service.pk)),
                reports[month]["status"] if month in reports else None,
            )
            for month in range(1, 13)
        ]
        line.trend = column_chart([(m.served, m.is_approved) for m in line.months])
    due = None
    if can_enter_report(user, puskesmas.pk) or can_review_report(user, puskesmas.district_id):
        setup = ReportingYear.objects.filter(year=year).first()
        due = _months_due(reports, year=year, setup=setup)
    return PuskesmasDashboard(
        puskesmas=puskesmas,
        period=period,
        bands=bands,
        computation=_computation(rows),
        services=lines,
        chart=_service_chart(lines, period),
        due=due,
        shows_unapproved=user.role != User.Role.PROVINCE_REVIEWER,
    )


# --- District ------------------------------------------------------------------------------------


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
        return [AreaLine(self.district.pk, self.district.name, cells, rate=self.rate)]

    @property
    def weakest(self) -> list[ServiceLine]:
        """Services furthest below the pace, at most three."""
        below = [line for line in self.services if line.figure and line.figure.is_below_pace]
        return sorted(below, key=lambda line: line.figure.gap)[:3]


def dashboard_district(*, user, district: District, year: int, quarter: int) -> DistrictDashboard:
    """A district's quarter: per service, puskesmas x service, completeness and timeliness per
    puskesmas, and the reports waiting for approval (seven queries)."""
    period = dashboard_period(year=year, quarter=quarter)
    services, bands = _services(year), index_bands(year=year)
    rows = in_area(Achievement.objects.filter(year=year, quarter=quarter, district=district), user)
    lines = _service_lines(
        rows.filter(level=Level.DISTRICT).values(*FIGURE_FIELDS), services, period, bands
    )
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
    for line in matrix.values():
        line.href = reverse("indicators:dashboard-puskesmas", args=[line.pk])
    waiting = None
    if can_review_report(user, district.pk):
        waiting = list(
            in_area(
                MonthlyReport.objects.filter(
                    puskesmas__district=district, status=MonthlyReport.Status.SUBMITTED
                ),
                user,
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
    )


# --- Province ------------------------------------------------------------------------------------


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


def _indexes(rows: QuerySet[Achievement]) -> dict[tuple[str, int], dict]:
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


def _set_index(line: AreaLine, sums: dict | None, bands: list[Band]) -> None:
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


# --- Year to date through a month (meeting packs) ------------------------------------------------


def month_period(*, year: int, month: int) -> Period:
    """The year's first `month` months: the pace is month / 12 of the year's target."""
    return Period(year=year, quarter=(month - 1) // 3 + 1, months=month)


@dataclass
class YearToDate:
    """An area's year to date through a month, summed from approved monthly reports: per service
    (with per-desa figures for a puskesmas) and, for a district or province, per puskesmas or
    district x service. `months_approved` of `months_expected` reports are counted."""

    area: Province | District | Puskesmas
    period: Period
    bands: list[Band]
    services: list[ServiceLine]
    areas: list[AreaLine]
    months_expected: int
    months_approved: int

    @property
    def service_list(self) -> list[SPMService]:
        return [line.service for line in self.services]

    @property
    def below_pace(self) -> list[ServiceLine]:
        return [line for line in self.services if line.figure and line.figure.is_below_pace]


# Per level: where the area sits from Target and from MonthlyValue, and what the figures are
# grouped by below it (desa, puskesmas or district).
_YTD_LOOKUPS = {
    "puskesmas": ("village__puskesmas", "report__puskesmas", "village_id", "village_id"),
    "district": (
        "village__subdistrict__district",
        "report__puskesmas__district",
        "village__puskesmas_id",
        "report__puskesmas_id",
    ),
    "province": (
        "village__subdistrict__district__province",
        "report__puskesmas__district__province",
        "village__subdistrict__district_id",
        "report__puskesmas__district_id",
    ),
}


def _ytd_children(user, area) -> tuple[list[tuple[int, str, object]], QuerySet[MonthlyReport]]:
    """What an area's figures are broken down by (one query), and its monthly reports."""
    if area.area_kind == "puskesmas":
        rows = in_area(Village.objects.filter(puskesmas=area), user).order_by("code")
        reports = MonthlyReport.objects.filter(puskesmas=area)
    elif area.area_kind == "district":
        rows = in_area(Puskesmas.objects.filter(district=area), user).order_by("name")
        reports = MonthlyReport.objects.filter(puskesmas__district=area)
    else:
        rows = in_area(District.objects.filter(province=area), user).order_by("code")
        reports = MonthlyReport.objects.filter(puskesmas__district__province=area)
    return [(row.pk, row.name, row) for row in rows], in_area(reports, user)


def _sums(queryset, key: str) -> dict[tuple[int, int], int]:
    """(child id, service id) -> summed value (one query)."""
    rows = queryset.values(key, "service_id").annotate(total=Sum("value")).order_by()
    return {(row[key], row["service_id"]): row["total"] or 0 for row in rows}


def year_to_date(
    *, user, area: Province | District | Puskesmas, year: int, month: int
) -> YearToDate:
    """Achievement of `area` from January through `month` of `year`: served in approved reports
    against the targets of record and the pace month / 12 (scoped; seven or eight queries, any
    size). The dashboards' figures for any month rather than a quarter's end: a puskesmas per
    service and per desa, a district per service and per puskesmas, a province per service and
    per district; `Figure` and its bands come from the same helpers."""
    period = month_period(year=year, month=month)
    services, bands = _services(year), index_bands(year=year)
    level = area.area_kind
    target_in, value_in, target_key, value_key = _YTD_LOOKUPS[level]
    targets = _sums(
        in_area(Target.objects.filter(**{target_in: area}, year=year, is_of_record=True), user),
        target_key,
    )
    served = _sums(
        in_area(
            MonthlyValue.objects.filter(
                **{value_in: area},
                report__year=year,
                report__month__lte=month,
                report__status__in=APPROVED,
            ),
            user,
        ),
        value_key,
    )
    children, reports = _ytd_children(user, area)
    approved = reports.filter(year=year, month__lte=month, status__in=APPROVED).count()
    if level == "puskesmas":
        reporting = 1
    elif level == "district":
        reporting = len(children)
    else:
        reporting = in_area(Puskesmas.objects.filter(district__province=area), user).count()
    total_target: dict[int, int] = {}
    total_served: dict[int, int] = {}
    for (__, service_id), value in targets.items():
        total_target[service_id] = total_target.get(service_id, 0) + value
    for (__, service_id), value in served.items():
        total_served[service_id] = total_served.get(service_id, 0) + value

    def figure(target: int | None, ytd: int) -> Figure:
        return _figure(target, ytd, _achieved(target, ytd), period, bands)

    lines = []
    areas = {pk: AreaLine(pk, name, []) for pk, name, __ in children}
    for service in services:
        line = ServiceLine(
            service, figure(total_target.get(service.pk), total_served.get(service.pk, 0))
        )
        for pk, __, child in children:
            cell = figure(targets.get((pk, service.pk)), served.get((pk, service.pk), 0))
            areas[pk].cells.append(cell)
            if level == "puskesmas":
                line.villages.append((child, cell))
        lines.append(line)
    return YearToDate(
        area=area,
        period=period,
        bands=bands,
        services=lines,
        areas=[] if level == "puskesmas" else list(areas.values()),
        months_expected=reporting * month,
        months_approved=approved,
    )

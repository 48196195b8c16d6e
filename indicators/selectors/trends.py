"""Trends (issue #15 must-have 6): one SPM service month by month and year on year, for an
area (a puskesmas, a district, a province, the country) and for each area below it (desa,
puskesmas, district, province).

Values are what the user may read (`readable_values`: a province reads approved reports only),
summed by the database; targets are the year's targets of record. A month with no value is a
gap (None), never 0; without a target the percentage is None ("no target"). Services are matched
across years by their number, so a year under Permenkes 6/2024 compares with one under 4/2019.
Every read costs a fixed number of queries, whatever the number of months, desa or puskesmas.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from kernel.models import District, Province, Puskesmas, User, Village
from kernel.scoping import in_area

from ..charts import LineChart, SeriesData, line_chart, line_scale
from ..models import MonthlyValue, ReportingYear, SPMService, Target
from ..readable import readable_reports, readable_values
from .dashboards.base import APPROVED, CENT, HUNDRED, _services
from .quarterly import month_pace

Area = Province | District | Puskesmas | None  # None: the whole country (system administrators)
MONTHS = range(1, 13)

# Per level: where the area sits from MonthlyValue and from Target, and what its figures are
# broken down by (desa, puskesmas, district, province) from each.
_LOOKUPS = {
    "puskesmas": ("report__puskesmas", "village__puskesmas", "village_id", "village_id"),
    "district": (
        "report__puskesmas__district",
        "village__subdistrict__district",
        "report__puskesmas_id",
        "village__puskesmas_id",
    ),
    "province": (
        "report__puskesmas__district__province",
        "village__subdistrict__district__province",
        "report__puskesmas__district_id",
        "village__subdistrict__district_id",
    ),
    "country": (
        None,
        None,
        "report__puskesmas__district__province_id",
        "village__subdistrict__district__province_id",
    ),
}


def level_of(area: Area) -> str:
    return "country" if area is None else area.area_kind


def _percent(served: int | None, target: int | None) -> Decimal | None:
    if served is None or not target:
        return None
    return (HUNDRED * served / target).quantize(CENT)


@dataclass(frozen=True)
class TrendMonth:
    """One month of one year: served in it (None: nothing reported), served since January up to
    it, and that as a share of the year's target (None: a gap or no target)."""

    month: int
    served: int | None
    cumulative: int | None
    percent: Decimal | None
    pending: bool = False  # some of its reports are not approved yet


def _months(
    served: dict[int, int | None], target: int | None, pending: Iterable[int] = ()
) -> list[TrendMonth]:
    pending = set(pending)
    months, running = [], 0
    for month in MONTHS:
        value = served.get(month)
        if value is None:
            months.append(TrendMonth(month, None, None, None, month in pending))
            continue
        running += value
        months.append(
            TrendMonth(month, value, running, _percent(running, target), month in pending)
        )
    return months


@dataclass
class TrendLine:
    """An area's year and the year before, month by month, on one service."""

    pk: int | None
    name: str
    target: int | None
    previous_target: int | None
    months: list[TrendMonth]
    previous: list[TrendMonth]
    href: str = ""
    chart: LineChart | None = None  # a small multiple on the page of the area above

    @property
    def total(self) -> int | None:
        """Served this year (None: no month reported)."""
        return _total(self.months)

    @property
    def previous_total(self) -> int | None:
        return _total(self.previous)

    @property
    def percent(self) -> Decimal | None:
        return _percent(self.total, self.target)

    @property
    def previous_percent(self) -> Decimal | None:
        return _percent(self.previous_total, self.previous_target)

    @property
    def months_reported(self) -> int:
        return sum(1 for m in self.months if m.served is not None)

    @property
    def pairs(self) -> list[tuple[TrendMonth, TrendMonth]]:
        """(this year's month, the same month a year earlier), for the table."""
        return list(zip(self.months, self.previous, strict=True))

    @property
    def served_values(self) -> list[int | None]:
        return [m.served for m in self.months]

    @property
    def percent_values(self) -> list[Decimal | None]:
        return [m.percent for m in self.months]


def _total(months: list[TrendMonth]) -> int | None:
    values = [m.served for m in months if m.served is not None]
    return sum(values) if values else None


@dataclass(frozen=True)
class ServiceYear:
    """One service this year against the same months a year earlier (the overview table)."""

    service: SPMService
    through: int  # months compared: January up to the last month reported this year
    served: int | None
    previous_served: int | None
    target: int | None
    previous_target: int | None

    @property
    def percent(self) -> Decimal | None:
        return _percent(self.served, self.target)

    @property
    def previous_percent(self) -> Decimal | None:
        return _percent(self.previous_served, self.previous_target)

    @property
    def change(self) -> Decimal | None:
        """Percentage points gained (+) or lost (-) on the same months a year earlier."""
        if self.percent is None or self.previous_percent is None:
            return None
        return self.percent - self.previous_percent


@dataclass
class Trends:
    level: str  # puskesmas, district, province, country
    area: Area
    year: int
    services: list[SPMService]  # the year's monthly services, to pick from
    service: SPMService | None  # the one shown (None: the year has no catalogue)
    line: TrendLine | None  # the area itself
    children: list[TrendLine] = field(default_factory=list)
    overview: list[ServiceYear] = field(default_factory=list)
    years: list[int] = field(default_factory=list)
    served_chart: LineChart | None = None
    percent_chart: LineChart | None = None  # None: no target this year
    # The small multiples draw "percent" of each area's target, or "served" when no area below
    # has a target for the service (then every multiple shares one scale of people).
    children_show: str = "percent"

    @property
    def has_children_target(self) -> bool:
        return any(child.target for child in self.children)

    @property
    def previous_year(self) -> int:
        return self.year - 1

    @property
    def pace(self) -> list[Decimal]:
        """The share of the year's target expected after each month (a straight line)."""
        return [month_pace(month) for month in MONTHS]


def _value_rows(user: User | AnonymousUser, level: str, area: Area, year: int) -> QuerySet:
    value_in = _LOOKUPS[level][0]
    values = MonthlyValue.objects.filter(
        report__year__in=(year - 1, year),
        service__level=SPMService.Level.DISTRICT,
        value__isnull=False,
    )
    if value_in is not None:
        values = values.filter(**{value_in: area})
    return readable_values(user=user, queryset=values)


def _target_rows(user: User | AnonymousUser, level: str, area: Area, year: int) -> QuerySet:
    target_in = _LOOKUPS[level][1]
    targets = Target.objects.filter(
        year__in=(year - 1, year),
        is_of_record=True,
        service__level=SPMService.Level.DISTRICT,
    )
    if target_in is not None:
        targets = targets.filter(**{target_in: area})
    return in_area(targets, user)


def _children(
    user: User | AnonymousUser, area: Area
) -> list[Village | Puskesmas | District | Province]:
    """What the area's figures are broken down by (one query)."""
    rows: QuerySet
    if isinstance(area, Puskesmas):
        rows = Village.objects.filter(puskesmas=area).order_by("code")
    elif isinstance(area, District):
        rows = Puskesmas.objects.filter(district=area).order_by("name")
    elif isinstance(area, Province):
        rows = District.objects.filter(province=area).order_by("code")
    else:
        rows = Province.objects.order_by("code")
    return list(in_area(rows, user))


def trend_years(*, year: int) -> list[int]:
    """The years that can be picked: those set up for reporting, and `year` (one query)."""
    years = set(ReportingYear.objects.values_list("year", flat=True)) | {year}
    return sorted(years, reverse=True)


def trends(*, user: User | AnonymousUser, area: Area, year: int, number: int | None) -> Trends:
    """Service `number` (the catalogue's 1 ... 12; else the first) of `area` in `year` and the
    year before: the area month by month, each area below it month by month, and every service
    year on year over the months reported so far (scoped; nine queries, any size)."""
    level = level_of(area)
    services = _services(year)
    result = Trends(
        level=level,
        area=area,
        year=year,
        services=services,
        service=None,
        line=None,
        years=trend_years(year=year),
    )
    if not services:
        return result
    service = next((s for s in services if s.number == number), services[0])
    result.service = service
    value_key, target_key = _LOOKUPS[level][2], _LOOKUPS[level][3]
    values = _value_rows(user, level, area, year)
    targets = _target_rows(user, level, area, year)

    # The area: (year, month, number) -> served, (year, number) -> target (two queries).
    served: dict[tuple[int, int, int], int] = {
        (row["report__year"], row["report__month"], row["service__number"]): row["total"]
        for row in values.values("report__year", "report__month", "service__number")
        .annotate(total=Sum("value"))
        .order_by()
    }
    target_of: dict[tuple[int, int], int] = {
        (row["year"], row["service__number"]): row["total"]
        for row in targets.values("year", "service__number").annotate(total=Sum("value")).order_by()
    }
    # Months of this year with a report not approved yet (one query).
    value_in = _LOOKUPS[level][0]
    reports = readable_reports(user=user).filter(year=year)
    if value_in is not None:
        reports = reports.filter(**{value_in.removeprefix("report__"): area})
    pending = [
        row["month"]
        for row in reports.values("month")
        .annotate(count=Count("id"), approved=Count("id", filter=Q(status__in=APPROVED)))
        .order_by()
        if row["approved"] < row["count"]
    ]
    result.line = _line(None, "", served, target_of, service.number, year, pending)

    # Year on year, every service, over the months reported so far this year.
    through = max((m for (y, m, __) in served if y == year), default=0)
    for each in services:
        this = [served.get((year, m, each.number)) for m in range(1, through + 1)]
        before = [served.get((year - 1, m, each.number)) for m in range(1, through + 1)]
        result.overview.append(
            ServiceYear(
                service=each,
                through=through,
                served=_sum(this),
                previous_served=_sum(before),
                target=target_of.get((year, each.number)),
                previous_target=target_of.get((year - 1, each.number)),
            )
        )

    # The areas below, on the one service (three queries).
    children = _children(user, area)
    child_served: dict[int, dict[tuple[int, int, int], int]] = {}
    for row in (
        values.filter(service__number=service.number)
        .values(value_key, "report__year", "report__month")
        .annotate(total=Sum("value"))
        .order_by()
    ):
        key = (row["report__year"], row["report__month"], service.number)
        child_served.setdefault(row[value_key], {})[key] = row["total"]
    child_target: dict[int, dict[tuple[int, int], int]] = {}
    for row in (
        targets.filter(service__number=service.number)
        .values(target_key, "year")
        .annotate(total=Sum("value"))
        .order_by()
    ):
        child_target.setdefault(row[target_key], {})[(row["year"], service.number)] = row["total"]
    for child in children:
        result.children.append(
            _line(
                child.pk,
                child.name,
                child_served.get(child.pk, {}),
                child_target.get(child.pk, {}),
                service.number,
                year,
                (),
            )
        )
    _draw(result)
    return result


def _draw(result: Trends) -> None:
    """The charts of the page: served and cumulative % of the area, and a small multiple per
    area below on one shared scale, so their heights compare."""
    line = result.line
    assert line is not None
    this, before = str(result.year), str(result.previous_year)
    result.served_chart = line_chart(
        [
            SeriesData(before, "line-1", [m.served for m in line.previous], dashed=True),
            SeriesData(this, "line-0", line.served_values, [m.pending for m in line.months]),
        ]
    )
    if line.target:
        result.percent_chart = line_chart(
            [
                SeriesData(_("Pace"), "pace", result.pace, dashed=True),
                SeriesData(before, "line-1", [m.percent for m in line.previous], dashed=True),
                SeriesData(this, "line-0", line.percent_values, [m.pending for m in line.months]),
            ],
            floor=100,
        )
    show = "percent" if result.has_children_target else "served"
    result.children_show = show
    field_of = "percent" if show == "percent" else "served"
    scale = line_scale(
        [getattr(m, field_of) for child in result.children for m in child.months + child.previous],
        floor=100 if show == "percent" else 1,
    )
    for child in result.children:
        if show == "percent" and not child.target:
            continue  # "no target" is said in words
        child.chart = line_chart(
            [
                SeriesData(
                    before, "line-1", [getattr(m, field_of) for m in child.previous], dashed=True
                ),
                SeriesData(this, "line-0", [getattr(m, field_of) for m in child.months]),
            ],
            scale=scale,
            width=150,
            height=60,
            axes=False,
        )


def _sum(values: list[int | None]) -> int | None:
    found = [v for v in values if v is not None]
    return sum(found) if found else None


def _line(
    pk: int | None,
    name: str,
    served: dict[tuple[int, int, int], int],
    target_of: dict[tuple[int, int], int],
    number: int,
    year: int,
    pending: Iterable[int],
) -> TrendLine:
    target = target_of.get((year, number))
    previous_target = target_of.get((year - 1, number))
    return TrendLine(
        pk=pk,
        name=name,
        target=target,
        previous_target=previous_target,
        months=_months({m: served.get((year, m, number)) for m in MONTHS}, target, pending),
        previous=_months({m: served.get((year - 1, m, number)) for m in MONTHS}, previous_target),
    )

"""Year to date through a month (meeting packs): the dashboards' figures for any month rather
than a quarter's end, summed from approved monthly reports."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Max, QuerySet, Sum

from kernel.models import District, Province, Puskesmas, User, Village
from kernel.scoping import in_area

from ...models import MonthlyReport, MonthlyValue, SPMService, Target
from ...readable import readable_reports, readable_values
from ..quarterly import pace_months
from .base import APPROVED, Band, Period, _services, index_bands, months_due_of
from .figures import AreaLine, Figure, ServiceLine, _achieved, _figure


def month_period(
    *, year: int, month: int, months_due: int | None = None, approved_through: int = 0
) -> Period:
    """The year's first `month` months. The pace is months / 12 of the year's target, over the
    months reported through (pace_months: due, or approved already); all `month` when the
    months due are not given."""
    due = month if months_due is None else min(month, months_due)
    months = pace_months(last_month=month, months_due=due, approved_through=approved_through)
    return Period(year=year, quarter=(month - 1) // 3 + 1, months=months, due=due, through=month)


@dataclass
class YearToDate:
    """An area's year to date through a month, summed from approved monthly reports: per service
    (with per-desa figures for a puskesmas) and, for a district or province, per puskesmas or
    district x service. `months_approved` of `months_expected` reports (the months due) are
    counted."""

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


def _ytd_children(
    user: User | AnonymousUser, area: Province | District | Puskesmas
) -> tuple[list[tuple[int, str, Village | Puskesmas | District]], QuerySet[MonthlyReport]]:
    """What an area's figures are broken down by (one query), and its monthly reports."""
    rows: QuerySet[Village] | QuerySet[Puskesmas] | QuerySet[District]
    if isinstance(area, Puskesmas):
        rows = in_area(Village.objects.filter(puskesmas=area), user).order_by("code")
        reports = MonthlyReport.objects.filter(puskesmas=area)
    elif isinstance(area, District):
        rows = in_area(Puskesmas.objects.filter(district=area), user).order_by("name")
        reports = MonthlyReport.objects.filter(puskesmas__district=area)
    else:
        rows = in_area(District.objects.filter(province=area), user).order_by("code")
        reports = MonthlyReport.objects.filter(puskesmas__district__province=area)
    return [(row.pk, row.name, row) for row in rows], readable_reports(user=user, queryset=reports)


def _sums(queryset, key: str) -> dict[tuple[int, int], int]:
    """(child id, service id) -> summed value (one query)."""
    rows = queryset.values(key, "service_id").annotate(total=Sum("value")).order_by()
    return {(row[key], row["service_id"]): row["total"] or 0 for row in rows}


def year_to_date(
    *,
    user,
    area: Province | District | Puskesmas,
    year: int,
    month: int,
    today: datetime.date | None = None,
) -> YearToDate:
    """Achievement of `area` from January through `month` of `year`: served in approved reports
    against the targets of record and the pace month / 12 (scoped; seven or eight queries, any
    size). The dashboards' figures for any month rather than a quarter's end: a puskesmas per
    service and per desa, a district per service and per puskesmas, a province per service and
    per district; `Figure` and its bands come from the same helpers."""
    services, bands = _services(year), index_bands(year=year)
    level = area.area_kind
    target_in, value_in, target_key, value_key = _YTD_LOOKUPS[level]
    targets = _sums(
        in_area(Target.objects.filter(**{target_in: area}, year=year, is_of_record=True), user),
        target_key,
    )
    served = _sums(
        readable_values(
            user=user,
            queryset=MonthlyValue.objects.filter(
                **{value_in: area},
                report__year=year,
                report__month__lte=month,
                report__status__in=APPROVED,
            ),
        ),
        value_key,
    )
    children, reports = _ytd_children(user, area)
    counted = reports.filter(year=year, month__lte=month, status__in=APPROVED).aggregate(
        count=Count("id"), through=Max("month")
    )
    approved = counted["count"]
    # A puskesmas is held against the months it reported through (the feedback's rule); a
    # district or province against the months due: its puskesmas report on different days.
    period = month_period(
        year=year,
        month=month,
        months_due=months_due_of(year, today=today),
        approved_through=(counted["through"] or 0) if level == "puskesmas" else 0,
    )
    if level == "puskesmas":
        reporting = 1
    elif level == "district":
        reporting = len(children)
    else:
        reporting = in_area(Puskesmas.objects.filter(district__province_id=area.pk), user).count()
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
        for pk, _name, child in children:
            cell = figure(targets.get((pk, service.pk)), served.get((pk, service.pk), 0))
            areas[pk].cells.append(cell)
            if level == "puskesmas":
                assert isinstance(child, Village)  # a puskesmas is broken down by desa
                line.villages.append((child, cell))
        lines.append(line)
    return YearToDate(
        area=area,
        period=period,
        bands=bands,
        services=lines,
        areas=[] if level == "puskesmas" else list(areas.values()),
        months_expected=reporting * period.months_due,
        months_approved=approved,
    )

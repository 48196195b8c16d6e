"""The monthly report grid and the figures around it (issue #4): reads both services and
selectors use, kept out of both packages so neither imports the other.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import F, QuerySet, Sum
from django.utils.translation import gettext as _

from kernel.models import Puskesmas, Village

from .models import (
    MonthlyReport,
    MonthlyValue,
    ReportingYear,
    SPMService,
    Target,
    VillagePopulation,
)

Cell = tuple[int, int]  # (village id, service id)


# --- The grid -----------------------------------------------------------------------------------


def reporting_year(year: int) -> ReportingYear:
    """The year's settings; a year without settings cannot be reported."""
    try:
        return ReportingYear.objects.select_related("edition").get(year=year)
    except ReportingYear.DoesNotExist as error:
        raise ValidationError(
            _("The year %(year)s has no SPM edition set up yet; ask your system administrator.")
            % {"year": year}
        ) from error


def monthly_services(year: int, *, settings: ReportingYear | None = None) -> list[SPMService]:
    """The SPM services puskesmas report monthly in `year`, in catalogue order."""
    edition = (settings or reporting_year(year)).edition
    return list(
        SPMService.objects.filter(
            edition=edition, level=SPMService.Level.DISTRICT, is_reported_monthly=True
        ).order_by("number")
    )


def working_area(puskesmas: Puskesmas) -> list[Village]:
    return list(Village.objects.filter(puskesmas=puskesmas).order_by("code"))


def history_before(
    report: MonthlyReport, keys: set[Cell], *, values: QuerySet[MonthlyValue] | None = None
) -> dict[Cell, list[int]]:
    """The values of the 12 months before this one, per cell (one query); only from `values`
    when given (a reader's `readable_values`)."""
    start = (report.year - 1) * 12 + report.month - 1  # months since year 0, 12 months back
    end = report.year * 12 + report.month - 1
    rows = (
        (MonthlyValue.objects.all() if values is None else values)
        .filter(
            report__puskesmas_id=report.puskesmas_id,
            report__year__in=[report.year - 1, report.year],
            value__isnull=False,
            service_id__in={service_id for _village_id, service_id in keys},
        )
        .annotate(index=F("report__year") * 12 + F("report__month") - 1)
        .filter(index__gte=start, index__lt=end)
        .values_list("village_id", "service_id", "value")
    )
    history: dict[Cell, list[int]] = defaultdict(list)
    for village_id, service_id, value in rows:
        if (village_id, service_id) in keys:
            history[(village_id, service_id)].append(value)
    return history


def year_to_date_before(
    report: MonthlyReport,
    *,
    values: QuerySet[MonthlyValue] | None = None,
    service_ids: Iterable[int] | None = None,
) -> dict[Cell, int]:
    """Served in the earlier months of the report's year, per cell (one query); only from
    `values` when given (a reader's `readable_values`), only of `service_ids` when given."""
    rows = (MonthlyValue.objects.all() if values is None else values).filter(
        report__puskesmas_id=report.puskesmas_id,
        report__year=report.year,
        report__month__lt=report.month,
    )
    if service_ids is not None:
        rows = rows.filter(service_id__in=list(service_ids))
    totals = rows.values("village_id", "service_id").annotate(total=Sum("value"))
    return {(r["village_id"], r["service_id"]): r["total"] or 0 for r in totals}


def targets_of_record(
    village_ids: Iterable[int] | QuerySet, year: int, *, service_ids: Iterable[int] | None = None
) -> dict[Cell, int]:
    """(desa id, service id) -> the target of record; `village_ids` may be a query of ids (a
    subquery, so a cell save needs no list of the working area). One query."""
    if not isinstance(village_ids, QuerySet):
        village_ids = list(village_ids)
    # .order_by(): Target's default ordering joins desa, service and edition only to sort.
    rows = Target.objects.filter(
        village_id__in=village_ids, year=year, is_of_record=True
    ).order_by()
    if service_ids is not None:
        rows = rows.filter(service_id__in=list(service_ids))
    return {(v, s): value for v, s, value in rows.values_list("village_id", "service_id", "value")}


def populations(village_ids: Iterable[int], year: int) -> dict[tuple[int, int], int]:
    """(village id, age band id) -> people, for the year."""
    rows = VillagePopulation.objects.filter(village_id__in=list(village_ids), year=year).order_by()
    return {
        (village, band): count
        for village, band, count in rows.values_list("village_id", "band_id", "count")
    }


@dataclass
class Grid:
    """A report's grid and the figures around it, read once for a page or a save (5 queries):
    the year's settings, desa, services, year to date before the month, targets."""

    settings: ReportingYear
    villages: list[Village]
    services: list[SPMService]
    before: dict[Cell, int]
    targets: dict[Cell, int]


def report_grid(
    report: MonthlyReport,
    *,
    values: QuerySet[MonthlyValue] | None = None,
    service_ids: Iterable[int] | None = None,
    village_ids: Iterable[int] | None = None,
    year_to_date: bool = True,
) -> Grid:
    """The grid of `report`; year to date from `values` when given (a reader's
    `readable_values`). A cell save reads only its cells' services (`service_ids`), with their
    figures over every desa, and only its desa (`village_ids`) of the working area; it reads
    the year to date later, with `around_cells` (`year_to_date=False`)."""
    settings = reporting_year(report.year)
    villages = Village.objects.filter(puskesmas_id=report.puskesmas_id).order_by("code")
    if village_ids is not None:
        villages = villages.filter(pk__in=list(village_ids))
    services = monthly_services(report.year, settings=settings)
    if service_ids is not None:
        service_ids = list(service_ids)
        services = [s for s in services if s.pk in service_ids]
    working_area_ids = Village.objects.filter(puskesmas_id=report.puskesmas_id).values("pk")
    return Grid(
        settings=settings,
        villages=list(villages),
        services=services,
        before=(
            year_to_date_before(report, values=values, service_ids=service_ids)
            if year_to_date
            else {}
        ),
        targets=targets_of_record(working_area_ids, report.year, service_ids=service_ids),
    )


@dataclass
class AroundCells:
    """What a cell save answers with, read in one query: per cell of the services, the year to
    date before the month, the month's saved (value, comment), the 12 months before."""

    before: dict[Cell, int]
    now: dict[Cell, tuple[int | None, str]]
    history: dict[Cell, list[int]]


def around_cells(
    report: MonthlyReport, service_ids: Iterable[int], *, values: QuerySet[MonthlyValue]
) -> AroundCells:
    """The values of `service_ids` in the report's puskesmas from 12 months before its month
    to its month, from `values` (a reader's `readable_values`); one query."""
    index = report.year * 12 + report.month - 1
    rows = (
        values.filter(
            report__puskesmas_id=report.puskesmas_id,
            report__year__in=[report.year - 1, report.year],
            service_id__in=list(service_ids),
        )
        .annotate(index=F("report__year") * 12 + F("report__month") - 1)
        .filter(index__gte=index - 12, index__lte=index)
        .values_list("village_id", "service_id", "index", "value", "comment")
    )
    around = AroundCells(before=defaultdict(int), now={}, history=defaultdict(list))
    first_of_year = report.year * 12
    for village_id, service_id, month, value, comment in rows:
        key = (village_id, service_id)
        if month == index:
            around.now[key] = (value, comment)
            continue
        if value is not None:
            around.history[key].append(value)
            if month >= first_of_year:
                around.before[key] += value
    return around

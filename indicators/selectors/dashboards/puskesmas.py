"""The puskesmas dashboard: achievement per service (with its SPM index, the index's parts and
the budget beside it) and per desa, served per month, and the months still to report."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Sum
from django.utils import timezone

from kernel.models import Puskesmas, Village
from kernel.roles import reads_approved_only
from kernel.scoping import in_area

from ...budget import budget_by_service
from ...charts import BarChart, column_chart
from ...models import (
    Achievement,
    IndexParts,
    Level,
    MonthlyReport,
    MonthlyValue,
    ReportingYear,
    Target,
)
from ...readable import readable_reports, readable_values
from ...rights import can_enter_report, can_review_report
from .base import (
    APPROVED,
    Band,
    Computation,
    Period,
    _computation,
    _services,
    dashboard_period,
    index_bands,
    index_parts,
    months_ended,
)

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

from .figures import (
    FIGURE_FIELDS,
    INDEX_FIELDS,
    AreaIndex,
    MonthServed,
    ServiceLine,
    _achieved,
    _figure,
    _service_chart,
    _service_lines,
    area_index,
)

NOT_SUBMITTED = (MonthlyReport.Status.DRAFT, MonthlyReport.Status.RETURNED)


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
    def status_label(self) -> StrOrPromise:
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
    index: AreaIndex | None = None
    parts: IndexParts | None = None

    @property
    def has_budget(self) -> bool:
        return any(line.budget for line in self.services)

    @property
    def is_computed(self) -> bool:
        return self.computation is not None


def _months_due(reports: dict[int, dict], *, year: int, setup: ReportingYear | None):
    """Ended months of `year` whose report is not submitted yet, late ones first."""
    today = timezone.localdate()
    due = []
    for month in range(1, months_ended(year, 4, today) + 1):
        report = reports.get(month)
        if report is not None:
            if report["status"] not in NOT_SUBMITTED:
                continue
            due_on, report_id, status = report["due_on"], report["pk"], report["status"]
        elif setup is not None:
            due_on, report_id, status = setup.due_on(month), None, None
        else:
            continue  # the year cannot be reported before it is set up
        due.append(DueMonth(year, month, due_on, report_id, status, today > due_on))
    return sorted(due, key=lambda d: (not d.is_late, d.due_on))


def _desa_figures(user, puskesmas: Puskesmas, period: Period):
    """Villages of the working area, and per (desa, service) the target of record and what
    approved reports served up to the quarter's last month (three queries)."""
    villages = list(in_area(Village.objects.filter(puskesmas=puskesmas), user).order_by("code"))
    targets = (
        in_area(
            Target.objects.filter(
                village__puskesmas=puskesmas, year=period.year, is_of_record=True
            ),
            user,
        )
        .order_by()
        .values_list("village_id", "service_id", "value")
    )  # no ordering: no joins
    # The same reports the quarter counts: approved, up to its last month.
    served = (
        readable_values(
            user=user,
            queryset=MonthlyValue.objects.filter(
                report__puskesmas=puskesmas,
                report__year=period.year,
                report__month__lte=period.last_month,
                report__status__in=APPROVED,
            ),
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
    visible = readable_reports(user=user).filter(puskesmas=puskesmas, year=year)
    reports = {r["month"]: r for r in visible.values("pk", "month", "status", "due_on")}
    served = (
        readable_values(
            user=user, queryset=MonthlyValue.objects.filter(report__in=visible.values("pk"))
        )
        .values("report__month", "service_id")
        .annotate(served=Sum("value"))
    )
    return reports, {(row["report__month"], row["service_id"]): row["served"] for row in served}


def dashboard_puskesmas(
    *, user, puskesmas: Puskesmas, year: int, quarter: int
) -> PuskesmasDashboard:
    """One puskesmas's quarter: achievement per service (computed) and per desa (summed from
    approved reports) with the SPM index and budget per service, served per month, and the
    months still to report (eleven queries, and the budget provider's fixed few)."""
    setup = ReportingYear.objects.filter(year=year).first()
    reports, per_month = _months(user, puskesmas, year)
    # Pace: through the months due, or approved already (the monthly feedback's rule).
    approved_through = max(
        (m for m, r in reports.items() if r["status"] in APPROVED and m <= 3 * quarter), default=0
    )
    period = dashboard_period(
        year=year, quarter=quarter, setup=setup, approved_through=approved_through
    )
    services, bands = _services(year), index_bands(year=year)
    rows = in_area(
        Achievement.objects.filter(
            year=year, quarter=quarter, level=Level.PUSKESMAS, puskesmas=puskesmas
        ),
        user,
    )
    lines = _service_lines(rows.values(*FIGURE_FIELDS, *INDEX_FIELDS), services, period, bands)
    budgets = budget_by_service(
        user=user, year=year, through_month=period.last_month, puskesmas=puskesmas
    )
    villages, targets, served = _desa_figures(user, puskesmas, period)
    for line in lines:
        line.budget = budgets.get(line.service.pk)
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
    if can_enter_report(user, puskesmas) or can_review_report(user, puskesmas):
        due = _months_due(reports, year=year, setup=setup)
    return PuskesmasDashboard(
        puskesmas=puskesmas,
        period=period,
        bands=bands,
        computation=_computation(rows),
        services=lines,
        chart=_service_chart(lines, period),
        due=due,
        shows_unapproved=not reads_approved_only(user),
        index=area_index(lines, bands),
        parts=index_parts(year=year),
    )

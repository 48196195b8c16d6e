"""Reads for the district's quarterly SPM report and the puskesmas's monthly feedback (issue #5).

The quarterly report reads the tables `quarter_aggregate` fills (Achievement, ReportingRate): the
figures a district sends to Kemendagri's e-SPM (DOMAIN.md §2), with each service's quality and SPM
index, and its budget read through indicators.budget (issue #16: no longer typed). The monthly
feedback (umpan balik) is computed straight from approved monthly values, so it is right as soon
as a month is approved, with each puskesmas's rank in its district computed by the database
(RANK() OVER ...).
Every read costs a fixed number of queries, whatever the number of puskesmas.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kernel.models import AuditEvent, District, Puskesmas, Village
from kernel.scoping import in_area

from .. import models
from ..budget import Budget, budget_by_service
from ..models import (
    Achievement,
    Level,
    MonthlyReport,
    MonthlyValue,
    ReportingRate,
    SPMService,
    Target,
)
from ..readable import readable_reports
from ..reporting import monthly_services, reporting_year
from ..rights import can_read_quarterly

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

HUNDRED = Decimal(100)
CENT = Decimal("0.01")


def _percent(value) -> Decimal | None:
    """A percentage from the database as Decimal with two places (SQLite gives floats)."""
    return None if value is None else Decimal(str(value)).quantize(CENT)


def quarter_pace(quarter: int) -> Decimal:
    """The achievement expected by the end of `quarter` when a year's target is spread evenly."""
    return Decimal(25 * quarter)


def month_pace(month: int) -> Decimal:
    """The achievement expected after `month` months: months / 12 of the year's target."""
    return (HUNDRED * month / 12).quantize(CENT)


def pace_months(*, last_month: int, months_due: int, approved_through: int = 0) -> int:
    """The months a year-to-date figure through `last_month` is held against (issue #15): the
    months whose deadline has passed, and any later month whose approved data is already
    counted; never a month that has no data yet because it is not due. The one rule of the
    dashboards, the quarterly report, the meeting packs and the monthly feedback."""
    return max(0, min(last_month, max(months_due, approved_through)))


def last_ended_quarter(today: datetime.date | None = None) -> tuple[int, int]:
    """(year, quarter) of the latest quarter that has ended: the one e-SPM asks about now."""
    today = today or timezone.localdate()
    quarter = (today.month - 1) // 3  # the current quarter minus one
    return (today.year, quarter) if quarter else (today.year - 1, 4)


# --- The quarterly SPM report -------------------------------------------------------------------


def quarterly_districts(*, user) -> QuerySet[District]:
    """Districts whose quarterly report `user` may open (scoped): district planners their own,
    provincial reviewers their province's, system administrators all; nobody else."""
    if not can_read_quarterly(user):
        return District.objects.none()
    return in_area(District.objects.select_related("province", "health_office"), user)


def quarterly_list(*, districts: QuerySet[District] | list[District], year: int, quarter: int):
    """Per district: its reporting rate of the quarter and when the quarter was computed (one
    query; districts without a computed quarter get None)."""
    rates = ReportingRate.objects.filter(
        year=year, quarter=quarter, level=Level.DISTRICT, area_id__in=[d.pk for d in districts]
    ).select_related("run")
    by_district = {rate.area_id: rate for rate in rates}
    return [{"district": d, "rate": by_district.get(d.pk)} for d in districts]


def quarterly_latest(*, district: District) -> tuple[int, int] | None:
    """(year, quarter) of the latest quarter computed for `district`, or None."""
    return (
        ReportingRate.objects.filter(level=Level.DISTRICT, area_id=district.pk)
        .order_by("-year", "-quarter")
        .values_list("year", "quarter")
        .first()
    )


# The four stages of applying SPM (Permendagri 59/2021; names unverified, DOMAIN.md §2), as the
# fields of the planner's note that record how far each one got.
STAGES = (
    ("stage_data", _("Data collection")),
    ("stage_needs", _("Needs calculation")),
    ("stage_plan", _("Fulfilment plan")),
    ("stage_delivery", _("Delivery")),
)


def quarter_notes(*, district: District, year: int, quarter: int) -> list:
    """What the district planner wrote for the quarter per service: the four implementation
    stages, problems, planned actions; in service order. Empty until written. (Its budget
    fields are no longer used: the budget comes from indicators.budget.)"""
    return list(
        models.QuarterServiceNote.objects.filter(district=district, year=year, quarter=quarter)
        .select_related("service", "updated_by")
        .order_by("service__number")
    )


@dataclass
class ServiceLine:
    """One SPM service of the district in the quarter: its figures, quality (B) and SPM index,
    its budget (allocated in the year's approved plans, realised through the quarter's last
    month; None when none is recorded), and what the planner wrote about it."""

    service: SPMService
    target: int | None
    served_quarter: int
    served_ytd: int
    achievement: Decimal | None
    pace: Decimal
    note: object | None = None
    quality: Decimal | None = None
    service_index: Decimal | None = None
    index_band: object | None = None  # dashboards.Band of the index
    budget: Budget | None = None

    @property
    def has_target(self) -> bool:
        return bool(self.target)

    @property
    def is_below_pace(self) -> bool:
        return self.achievement is not None and self.achievement < self.pace

    @property
    def budget_allocated_idr(self) -> Decimal | None:
        return self.budget.allocated_idr if self.budget else None

    @property
    def budget_realised_idr(self) -> Decimal | None:
        return self.budget.realised_idr if self.budget else None

    @property
    def budget_difference_idr(self) -> Decimal | None:
        return self.budget.difference_idr if self.budget else None

    @property
    def budget_percent(self) -> Decimal | None:
        return self.budget.percent if self.budget else None

    @property
    def stages(self) -> list[tuple[StrOrPromise, str | None]]:
        """(stage, how far it got) for the four stages; None when not written."""
        return [
            (label, getattr(self.note, f"get_{name}_display")() if self.note else None)
            for name, label in STAGES
        ]

    @property
    def problems(self) -> str:
        return getattr(self.note, "problems", "")

    @property
    def planned_actions(self) -> str:
        return getattr(self.note, "planned_actions", "")


@dataclass
class Cell:
    """One puskesmas x service figure of the quarter."""

    target: int | None
    served_quarter: int
    served_ytd: int
    achievement: Decimal | None
    pace: Decimal

    @property
    def has_target(self) -> bool:
        return bool(self.target)

    @property
    def is_below_pace(self) -> bool:
        return self.achievement is not None and self.achievement < self.pace


@dataclass
class PuskesmasLine:
    puskesmas: Puskesmas
    cells: list[Cell | None]  # in the order of QuarterlyReport.services
    rate: ReportingRate | None = None


@dataclass
class QuarterlyReport:
    district: District
    year: int
    quarter: int
    services: list[ServiceLine]
    puskesmas: list[PuskesmasLine]
    rate: ReportingRate | None
    notes: list = field(default_factory=list)
    index: object | None = None  # dashboards.AreaIndex of the district
    parts: object | None = None  # the edition's IndexParts (None: people served alone)
    computed_at: datetime.datetime | None = None
    changed_since: int = 0
    printed_on: datetime.date = field(default_factory=timezone.localdate)
    months: int | None = None  # months reported through (pace_months); None: the whole quarter

    @property
    def is_computed(self) -> bool:
        return bool(self.services)

    @property
    def pace_months(self) -> int:
        return 3 * self.quarter if self.months is None else self.months

    @property
    def pace(self) -> Decimal:
        return month_pace(self.pace_months)

    @property
    def months_not_due(self) -> list[datetime.date]:
        """The quarter's months whose deadline has not passed: outside completeness and
        timeliness until it does ("not yet due")."""
        return [
            datetime.date(self.year, month, 1)
            for month in range(
                max(3 * self.quarter - 2, self.pace_months + 1), 3 * self.quarter + 1
            )
        ]

    @property
    def first_day(self) -> datetime.date:
        return datetime.date(self.year, 3 * self.quarter - 2, 1)

    @property
    def last_day(self) -> datetime.date:
        return datetime.date(self.year, 3 * self.quarter, 1)

    @property
    def office(self):
        """The district's Dinkes (letterhead and signature), or None if not recorded."""
        return getattr(self.district, "health_office", None)

    @property
    def below_pace(self) -> list[ServiceLine]:
        return [line for line in self.services if line.is_below_pace]

    @property
    def has_budget(self) -> bool:
        return any(line.budget for line in self.services)

    @property
    def budget_total(self) -> Budget | None:
        """The services' budgets together; None when none is recorded."""
        budgets = [line.budget for line in self.services if line.budget]
        if not budgets:
            return None
        return Budget(
            sum((b.allocated_idr for b in budgets), Decimal(0)),
            sum((b.realised_idr for b in budgets), Decimal(0)),
        )


def quarterly_report(
    *,
    user,
    district: District,
    year: int,
    quarter: int,
    today: datetime.date | None = None,
) -> QuarterlyReport:
    """The district's quarterly SPM report as computed by `quarter_aggregate`: per service with
    its quality and SPM index, per puskesmas x service, reporting rates, the budget per service
    realised through the quarter's last month (read through indicators.budget for `user`), and
    the planner's notes (eight queries and the budget provider's fixed few, any size). A running
    quarter is held against the months due (pace_months), as the dashboards are."""
    from .dashboards.base import band_of, index_bands, index_parts
    from .dashboards.figures import index_sums, weighted_index

    today = today or timezone.localdate()
    setup = models.ReportingYear.objects.filter(year=year).first()
    due = setup.months_due(today) if setup is not None else 3 * quarter
    months = pace_months(last_month=3 * quarter, months_due=due)
    pace = month_pace(months)
    district_rows = (
        Achievement.objects.filter(
            year=year, quarter=quarter, level=Level.DISTRICT, area_id=district.pk
        )
        .select_related("service__index_weight", "run")
        .order_by("service__number")
    )
    notes = quarter_notes(district=district, year=year, quarter=quarter)
    note_of = {note.service_id: note for note in notes}
    bands = index_bands(year=year)
    budgets = budget_by_service(user=user, year=year, through_month=3 * quarter, district=district)
    services, computed_at = [], None
    parts = []  # (weight, index, part A, part B) per service: the district's index
    for row in district_rows:
        people = None if row.achievement is None else min(row.achievement, HUNDRED)
        index = row.service_index if row.service_index is not None else people
        services.append(
            ServiceLine(
                row.service,
                row.target,
                row.served_quarter,
                row.served_ytd,
                row.achievement,
                pace,
                note_of.get(row.service_id),
                quality=row.quality,
                service_index=index,
                index_band=band_of(index, bands),
                budget=budgets.get(row.service_id),
            )
        )
        weight = getattr(getattr(row.service, "index_weight", None), "weight", None)
        parts.append((weight or Decimal(0), index, people, row.quality))
        if row.run.finished_at and (computed_at is None or row.run.finished_at > computed_at):
            computed_at = row.run.finished_at
    order = {line.service.pk: index for index, line in enumerate(services)}
    puskesmas_rows = (
        Achievement.objects.filter(
            year=year, quarter=quarter, level=Level.PUSKESMAS, district_id=district.pk
        )
        .select_related("puskesmas")
        .order_by("puskesmas__name", "puskesmas_id")
    )
    lines: dict[int, PuskesmasLine] = {}
    for row in puskesmas_rows:
        assert row.puskesmas_id is not None and row.puskesmas is not None  # puskesmas level
        line = lines.setdefault(
            row.puskesmas_id, PuskesmasLine(row.puskesmas, [None] * len(services))
        )
        if row.service_id in order:
            line.cells[order[row.service_id]] = Cell(
                row.target, row.served_quarter, row.served_ytd, row.achievement, pace
            )
    rates = ReportingRate.objects.filter(
        year=year,
        quarter=quarter,
        district_id=district.pk,
        level__in=[Level.PUSKESMAS, Level.DISTRICT],
    )
    district_rate = None
    for rate in rates:
        if rate.level == Level.DISTRICT:
            district_rate = rate
        elif rate.puskesmas_id in lines:
            lines[rate.puskesmas_id].rate = rate
    changed_since = 0
    if computed_at is not None:
        # Approved or unlocked after the computation: the figures may lag behind the data.
        changed_since = (
            AuditEvent.objects.filter(
                content_type__app_label="indicators",
                content_type__model="monthlyreport",
                object_id__in=MonthlyReport.objects.filter(
                    puskesmas__district=district, year=year, month__lte=3 * quarter
                ).values("pk"),
                district=district,
                action__in=[AuditEvent.Action.APPROVED, AuditEvent.Action.UNLOCKED],
                at__gt=computed_at,
            )
            .values("object_id")
            .distinct()
            .count()
        )
    return QuarterlyReport(
        district=district,
        year=year,
        quarter=quarter,
        services=services,
        puskesmas=list(lines.values()),
        rate=district_rate,
        notes=notes,
        index=weighted_index(index_sums(parts), bands),
        parts=index_parts(year=year),
        computed_at=computed_at,
        changed_since=changed_since,
        months=months,
    )


# --- The monthly feedback (umpan balik) ---------------------------------------------------------


@dataclass
class FeedbackLine:
    """One service of the puskesmas after the month: year to date against the pace, its rank."""

    service: SPMService
    target: int | None
    served_month: int | None
    served_ytd: int
    achievement: Decimal | None
    pace: Decimal
    rank: int | None  # 1 = best in the district; None without a target
    ranked: int  # puskesmas of the district with a target for the service
    best: Decimal | None
    district_achievement: Decimal | None
    month: int  # the months reported through (pace_months), which the pace counts

    @property
    def is_below_pace(self) -> bool:
        return self.achievement is not None and self.achievement < self.pace

    @property
    def shortfall(self) -> int:
        """People still to serve to be back on pace (0 when on pace or without a target)."""
        if not self.target:
            return 0
        return max(0, math.ceil(self.target * self.month / 12) - self.served_ytd)

    @property
    def has_target(self) -> bool:
        """A target of record above zero: without one there is no achievement, only "no
        target" (never "88 / 0")."""
        return bool(self.target)


@dataclass
class Feedback:
    report: MonthlyReport
    lines: list[FeedbackLine]
    months_not_counted: list[int]  # months up to this one without an approved report
    printed_on: datetime.date = field(default_factory=timezone.localdate)
    months: int | None = None  # months reported through (pace_months); None: the report's month
    months_not_due: list[int] = field(default_factory=list)  # of months_not_counted

    @property
    def months_late(self) -> list[int]:
        """Months not counted although their deadline has passed."""
        return [m for m in self.months_not_counted if m not in self.months_not_due]

    @property
    def puskesmas(self) -> Puskesmas:
        return self.report.puskesmas

    @property
    def district(self) -> District:
        return self.report.puskesmas.district

    @property
    def office(self):
        return getattr(self.district, "health_office", None)

    @property
    def pace_months(self) -> int:
        return self.report.month if self.months is None else self.months

    @property
    def pace(self) -> Decimal:
        return month_pace(self.pace_months)

    @property
    def below_pace(self) -> list[FeedbackLine]:
        return [line for line in self.lines if line.is_below_pace]

    @property
    def with_target(self) -> list[FeedbackLine]:
        return [line for line in self.lines if line.has_target]

    @property
    def without_target(self) -> list[FeedbackLine]:
        return [line for line in self.lines if not line.has_target]


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _district_ranks(
    *, district_id: int, puskesmas_id: int, year: int, month: int, edition_id: int
) -> dict[int, dict]:
    """Per service of `puskesmas_id`: served in the month and year to date from approved reports
    up to `month`, the target of record, achievement, and the rank among the district's puskesmas
    (one statement; window functions run on PostgreSQL and SQLite alike)."""
    sql = f"""
        WITH served AS (
            SELECT r.puskesmas_id, mv.service_id, SUM(mv.value) AS ytd,
                SUM(CASE WHEN r.month = %s THEN mv.value END) AS this_month
            FROM {_table(MonthlyValue)} mv
            JOIN {_table(MonthlyReport)} r ON r.id = mv.report_id
            JOIN {_table(Puskesmas)} rp ON rp.id = r.puskesmas_id
            WHERE rp.district_id = %s AND r.year = %s AND r.month <= %s
                AND r.status IN (%s, %s)
            GROUP BY r.puskesmas_id, mv.service_id
        ), targets AS (
            SELECT vl.puskesmas_id, tg.service_id, SUM(tg.value) AS target
            FROM {_table(Target)} tg
            JOIN {_table(Village)} vl ON vl.id = tg.village_id
            JOIN {_table(Puskesmas)} rp ON rp.id = vl.puskesmas_id
            WHERE rp.district_id = %s AND tg.year = %s AND tg.is_of_record = %s
            GROUP BY vl.puskesmas_id, tg.service_id
        ), achieved AS (
            SELECT p.id AS puskesmas_id, s.id AS service_id, COALESCE(sv.ytd, 0) AS ytd,
                sv.this_month, tg.target,
                CASE WHEN tg.target > 0
                     THEN ROUND(100.0 * COALESCE(sv.ytd, 0) / tg.target, 2) END AS achievement
            FROM {_table(Puskesmas)} p
            CROSS JOIN {_table(SPMService)} s
            LEFT JOIN served sv ON sv.puskesmas_id = p.id AND sv.service_id = s.id
            LEFT JOIN targets tg ON tg.puskesmas_id = p.id AND tg.service_id = s.id
            WHERE p.district_id = %s AND s.edition_id = %s AND s.level = %s
                AND s.is_reported_monthly = %s
        ), ranked AS (
            SELECT puskesmas_id, service_id, ytd, this_month, target, achievement,
                RANK() OVER (PARTITION BY service_id, achievement IS NULL
                             ORDER BY achievement DESC) AS position,
                COUNT(achievement) OVER (PARTITION BY service_id) AS ranked,
                MAX(achievement) OVER (PARTITION BY service_id) AS best,
                SUM(ytd) OVER (PARTITION BY service_id) AS district_ytd,
                SUM(target) OVER (PARTITION BY service_id) AS district_target
            FROM achieved
        )
        SELECT service_id, ytd, this_month, target, achievement, position, ranked, best,
            district_ytd, district_target
        FROM ranked WHERE puskesmas_id = %s
    """  # noqa: S608 - table names come from models, values are parameters
    params: list[int | str | bool | None] = [
        month,
        district_id,
        year,
        month,
        *MonthlyReport.APPROVED_STATUSES,
        district_id,
        year,
        True,
        district_id,
        edition_id,
        SPMService.Level.DISTRICT,
        True,
        puskesmas_id,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        columns = [column[0] for column in cursor.description]
        rows = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    return {row["service_id"]: row for row in rows}


def feedback_get(*, report: MonthlyReport, today: datetime.date | None = None) -> Feedback:
    """The monthly feedback of an approved report: per service, year to date from approved months
    against the expected pace over the months reported through (pace_months, as the dashboards),
    and the rank in the district (few queries, any size).
    """
    today = today or timezone.localdate()
    puskesmas = report.puskesmas
    setup = reporting_year(report.year)
    services = monthly_services(report.year, settings=setup)
    ranks = _district_ranks(
        district_id=puskesmas.district_id,
        puskesmas_id=puskesmas.pk,
        year=report.year,
        month=report.month,
        edition_id=setup.edition_id,
    )
    approved = set(
        MonthlyReport.objects.approved()
        .filter(puskesmas=puskesmas, year=report.year, month__lte=report.month)
        .values_list("month", flat=True)
    )
    due = setup.months_due(today)
    months = pace_months(
        last_month=report.month, months_due=due, approved_through=max(approved, default=0)
    )
    pace = month_pace(months)
    lines = []
    for service in services:
        row = ranks.get(service.pk, {})
        district_target = row.get("district_target")
        lines.append(
            FeedbackLine(
                service=service,
                target=row.get("target"),
                served_month=row.get("this_month"),
                served_ytd=int(row.get("ytd") or 0),
                achievement=_percent(row.get("achievement")),
                pace=pace,
                rank=row.get("position") if row.get("achievement") is not None else None,
                ranked=int(row.get("ranked") or 0),
                best=_percent(row.get("best")),
                district_achievement=_percent(
                    HUNDRED * Decimal(row["district_ytd"]) / Decimal(district_target)
                )
                if district_target
                else None,
                month=months,
            )
        )
    not_counted = [m for m in range(1, report.month + 1) if m not in approved]
    return Feedback(
        report=report,
        lines=lines,
        months_not_counted=not_counted,
        months=months,
        months_not_due=[m for m in not_counted if m > due],
    )


def feedback_list(*, user, year: int) -> QuerySet[MonthlyReport]:
    """Approved monthly reports of the year in the user's area, each with a feedback report
    (scoped), newest month first."""
    return (
        readable_reports(user=user)
        .approved()
        .filter(year=year)
        .select_related("puskesmas__district")
        .order_by("-month", "puskesmas__name")
    )

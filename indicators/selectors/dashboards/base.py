"""Shared by the dashboards: the period and its pace, the quarters a user can pick, the SPM
index categories (bands) and parts (weights of people served and quality), when the shown rows
were computed, and the year's monthly services."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Exists, F, Max, OuterRef, QuerySet
from django.utils import timezone

from kernel.scoping import in_area, is_national, user_area

from ...models import (
    Achievement,
    AggregationRun,
    IndexBand,
    IndexParts,
    Level,
    MonthlyReport,
    ReportingYear,
    SPMService,
)
from ..quarterly import last_ended_quarter, month_pace, pace_months

HUNDRED = Decimal(100)
CENT = Decimal("0.01")
APPROVED = tuple(MonthlyReport.APPROVED_STATUSES)


def _percent(value) -> Decimal | None:
    """Two decimal places, from Decimal or (SQLite) float; None stays None."""
    return None if value is None else Decimal(str(value)).quantize(CENT)


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
    months: int  # months reported through (pace_months): the pace is months / 12 of the target
    due: int | None = None  # months of the year due by the quarter's end (None: as `months`)
    through: int | None = None  # the last month of the figures (None: the quarter's last)

    @property
    def pace(self) -> Decimal:
        return month_pace(self.months)

    @property
    def last_month(self) -> int:
        return 3 * self.quarter if self.through is None else self.through

    @property
    def months_due(self) -> int:
        return self.months if self.due is None else self.due

    @property
    def months_not_due(self) -> list[datetime.date]:
        """The quarter's months whose deadline has not passed: not counted in completeness and
        timeliness (shown as "not yet due")."""
        first = 3 * self.quarter - 2
        return [
            datetime.date(self.year, month, 1)
            for month in range(max(first, self.months_due + 1), self.last_month + 1)
        ]


def months_due_of(
    year: int, *, today: datetime.date | None = None, setup: ReportingYear | None = None
) -> int:
    """Months of `year` whose deadline has passed on `today` (ReportingYear.months_due); a year
    not set up falls back to the months ended (it has no reports to count anyway)."""
    today = today or timezone.localdate()
    if setup is None:
        setup = ReportingYear.objects.filter(year=year).first()
    return setup.months_due(today) if setup is not None else months_ended(year, 4, today)


def dashboard_period(
    *,
    year: int,
    quarter: int,
    today: datetime.date | None = None,
    setup: ReportingYear | None = None,
    approved_through: int = 0,
) -> Period:
    """The quarter with its pace (pace_months: the months due, or approved already, through the
    quarter's end) and the months due (one query unless `setup` is given)."""
    due = min(3 * quarter, months_due_of(year, today=today, setup=setup))
    months = pace_months(last_month=3 * quarter, months_due=due, approved_through=approved_through)
    return Period(year=year, quarter=quarter, months=months, due=due)


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


def index_parts(*, year: int) -> IndexParts | None:
    """How the year's edition weighs people served (A) and quality (B) in the SPM index (one
    query); None when the edition has no such row or weighs both at 0: the index is then
    people served alone (as the aggregation computes it)."""
    parts = IndexParts.objects.filter(edition__years__year=year).first()
    if parts is None or not (parts.people_served_weight + parts.quality_weight):
        return None
    return parts


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

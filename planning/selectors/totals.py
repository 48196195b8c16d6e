"""The district's view of a year's plans: budget totals by funding source, by puskesmas (against
each funding source), by SPM service and by budget sub-activity code, and the SPM gaps no
activity answers yet. Each figure is summed by the database; every read costs a fixed number of
queries, whatever the number of puskesmas and activities (STYLE.md §2).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import (
    Count,
    DecimalField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Cast, Ceil, Greatest
from django.utils import translation
from django.utils.translation import gettext as _

from indicators.models import Achievement, Level, SPMService
from indicators.selectors.dashboards import dashboard_period
from kernel.models import User
from kernel.scoping import in_area

from ..models import Activity, Plan
from .plans import SourceTotal, source_totals

ZERO = Decimal(0)
HUNDRED = Decimal(100)


def _bilingual(name_id: str | None, name_en: str | None) -> str:
    return (name_en if translation.get_language() == "en" else name_id) or ""


def activities_in(
    *, user: User, year: int, district_id: int | None = None, approved_only: bool = False
) -> QuerySet[Activity]:
    """Activities of the year's plans in the user's area; `approved_only` keeps approved RUKs
    and the Dinkes plans (which are not reviewed)."""
    activities = in_area(Activity.objects.filter(plan__year=year), user)
    if district_id:
        activities = activities.filter(plan__district_id=district_id)
    if approved_only:
        activities = activities.filter(
            Q(plan__puskesmas__isnull=True) | Q(plan__status=Plan.Status.APPROVED)
        )
    return activities


@dataclass
class OwnerLine:
    """One plan's budget per funding source: a puskesmas's RUK or a district's Dinkes plan."""

    plan_id: int
    name: str
    district: str
    status: str
    is_dinkes: bool
    cells: list[Decimal | None]
    total: Decimal
    count: int

    @property
    def status_label(self) -> str:
        return "" if self.is_dinkes else str(Plan.Status(self.status).label)


@dataclass(frozen=True)
class CodeTotal:
    """Budget under one SPM service or budget code: Dinkes plan, puskesmas RUKs, both."""

    code: str
    label: str
    count: int
    dinkes: Decimal
    puskesmas: Decimal
    total: Decimal


@dataclass
class Totals:
    year: int
    by_source: list[SourceTotal]
    owners: list[OwnerLine]
    by_service: list[CodeTotal]
    by_sub_activity: list[CodeTotal]

    @property
    def sources(self) -> list[SourceTotal]:
        """The funding sources used, as the columns of the table by plan."""
        return self.by_source

    @property
    def total(self) -> Decimal:
        return sum((line.total for line in self.by_source), ZERO)

    @property
    def count(self) -> int:
        return sum(line.count for line in self.by_source)


def _owner_lines(activities: QuerySet[Activity], sources: list[SourceTotal]) -> list[OwnerLine]:
    """Per plan and funding source, summed by the database (one query), as one line per plan
    with a cell per funding source column."""
    column = {line.code: index for index, line in enumerate(sources)}
    rows = (
        activities.values(
            "plan_id",
            "plan__status",
            "plan__puskesmas_id",
            "plan__puskesmas__name",
            "plan__district__name",
            "plan__district__code",
            "funding_source",
        )
        .annotate(t=Sum("budget_idr"), n=Count("pk"))
        .order_by("plan__district__code", "plan__puskesmas__name", "plan_id")
    )
    lines: dict[int, OwnerLine] = {}
    for row in rows:
        line = lines.get(row["plan_id"])
        if line is None:
            is_dinkes = row["plan__puskesmas_id"] is None
            name = (
                _("Dinkes %(district)s") % {"district": row["plan__district__name"]}
                if is_dinkes
                else row["plan__puskesmas__name"]
            )
            line = lines[row["plan_id"]] = OwnerLine(
                row["plan_id"],
                name,
                row["plan__district__name"],
                row["plan__status"],
                is_dinkes,
                [None] * len(sources),
                ZERO,
                0,
            )
        line.cells[column[row["funding_source"]]] = row["t"]
        line.total += row["t"]
        line.count += row["n"]
    # The Dinkes plan of each district first, then its puskesmas by name.
    return sorted(lines.values(), key=lambda line: (line.district, not line.is_dinkes, line.name))


_SPLIT = {
    "n": Count("pk"),
    "dinkes": Sum("budget_idr", filter=Q(plan__puskesmas__isnull=True)),
    "puskesmas": Sum("budget_idr", filter=Q(plan__puskesmas__isnull=False)),
    "t": Sum("budget_idr"),
}


def _code_total(code: str, label: str, row: Mapping[str, Any]) -> CodeTotal:
    return CodeTotal(
        code, label, row["n"], row["dinkes"] or ZERO, row["puskesmas"] or ZERO, row["t"] or ZERO
    )


def plan_totals(
    *, user: User, year: int, district_id: int | None = None, approved_only: bool = False
) -> Totals:
    """The year's budgets in the user's area (or one district of it) by funding source, by plan
    and funding source, by SPM service and by budget sub-activity code (four queries)."""
    activities = activities_in(
        user=user, year=year, district_id=district_id, approved_only=approved_only
    )
    by_source = source_totals(activities)
    owners = _owner_lines(activities, by_source)
    by_service = [
        _code_total(
            str(row["service__number"] or ""),
            _bilingual(row["service__name_id"], row["service__name_en"]) or _("No SPM service"),
            row,
        )
        for row in activities.values("service__number", "service__name_id", "service__name_en")
        .annotate(**_SPLIT)
        .order_by("service__number", "service__name_id")
    ]
    by_sub_activity = [
        _code_total(
            row["sub_activity__code"] or "",
            _bilingual(row["sub_activity__name_id"], row["sub_activity__name_en"])
            or _("No budget sub-activity code"),
            row,
        )
        for row in activities.values(
            "sub_activity__code", "sub_activity__name_id", "sub_activity__name_en"
        )
        .annotate(**_SPLIT)
        .order_by("sub_activity__code")
    ]
    return Totals(year, by_source, owners, by_service, by_sub_activity)


# --- SPM gaps without a planned activity ----------------------------------------------------------


@dataclass(frozen=True)
class UnplannedGaps:
    year: int | None  # the quarter the gaps were seen in
    quarter: int | None
    pace: Decimal | None
    rows: QuerySet[Achievement]


def gaps_unplanned(*, user: User, year: int, district_id: int | None = None) -> UnplannedGaps:
    """Puskesmas services below pace in the latest computed quarter (up to `year`) that no
    activity of the puskesmas's RUK for `year` answers (two queries, plus the page's count)."""
    rows = in_area(Achievement.objects.filter(level=Level.PUSKESMAS, year__lte=year), user)
    if district_id:
        rows = rows.filter(district_id=district_id)
    period = rows.order_by("-year", "-quarter").values_list("year", "quarter").first()
    if period is None:
        return UnplannedGaps(None, None, None, Achievement.objects.none())
    gap_year, quarter = period
    pace = dashboard_period(year=gap_year, quarter=quarter).pace
    planned = Activity.objects.filter(
        plan__year=year,
        plan__puskesmas_id=OuterRef("puskesmas_id"),
        service__number=OuterRef("service__number"),
        service__level=SPMService.Level.DISTRICT,
    )
    # People short of the pace: ceil(target x pace / 100) - served, never below zero.
    expected = Ceil(F("target") * Value(pace) / Value(HUNDRED), output_field=DecimalField())
    rows = (
        rows.filter(year=gap_year, quarter=quarter, target__gt=0, achievement__lt=pace)
        .exclude(Exists(planned))
        .annotate(
            shortfall=Greatest(
                Cast(expected, IntegerField()) - F("served_ytd"),
                Value(0),
                output_field=IntegerField(),
            )
        )
        .select_related("puskesmas", "service", "district")
        .order_by("district__code", "puskesmas__name", "service__number")
    )
    return UnplannedGaps(gap_year, quarter, pace, rows)

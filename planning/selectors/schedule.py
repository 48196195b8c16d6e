"""The implementation plan (RPK) of an approved RUK: each activity's months, and the month view a
puskesmas goes through in its monthly lokmin. Fixed number of queries per page."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Prefetch, Sum
from django.utils.dates import MONTHS

from ..models import Activity, Plan, ScheduleEntry

ZERO = Decimal(0)


@dataclass
class RPKLine:
    activity: Activity
    entries: list[ScheduleEntry]

    @property
    def months(self) -> set[int]:
        return {entry.month for entry in self.entries}

    @property
    def marks(self) -> list[bool]:
        """Twelve flags, January first: whether the activity runs that month."""
        months = self.months
        return [month in months for month in range(1, 13)]

    @property
    def scheduled_idr(self) -> Decimal:
        return sum((entry.cost_idr for entry in self.entries), ZERO)

    @property
    def unscheduled_idr(self) -> Decimal:
        return self.activity.budget_idr - self.scheduled_idr


@dataclass(frozen=True)
class MonthTotal:
    month: int
    name: str
    count: int
    total: Decimal


@dataclass
class RPK:
    plan: Plan
    lines: list[RPKLine]
    months: list[MonthTotal]
    month: int | None = None  # the month shown on its own, if one was chosen
    month_entries: list[tuple[Activity, ScheduleEntry]] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((m.total for m in self.months), ZERO)

    @property
    def budget(self) -> Decimal:
        return sum((line.activity.budget_idr for line in self.lines), ZERO)

    @property
    def month_name(self) -> str:
        return str(MONTHS[self.month]) if self.month else ""

    @property
    def month_total(self) -> Decimal:
        return sum((entry.cost_idr for __, entry in self.month_entries), ZERO)


def rpk_get(*, plan: Plan, month: int | None = None) -> RPK:
    """The plan's activities with their schedule, the cost and number of entries per month
    (summed by the database) and, for `month`, what is planned in it (three queries)."""
    activities = (
        plan.activities.select_related("service", "sub_activity")
        .prefetch_related(
            Prefetch("schedule", queryset=ScheduleEntry.objects.order_by("month", "pk"))
        )
        .order_by("effort", "pk")
    )
    lines = [RPKLine(activity, list(activity.schedule.all())) for activity in activities]
    sums = {
        row["month"]: row
        for row in ScheduleEntry.objects.filter(activity__plan=plan)
        .values("month")
        .annotate(n=Count("pk"), t=Sum("cost_idr"))
        .order_by()
    }
    months = [
        MonthTotal(
            m,
            str(MONTHS[m]),
            sums[m]["n"] if m in sums else 0,
            sums[m]["t"] if m in sums else ZERO,
        )
        for m in range(1, 13)
    ]
    month_entries = []
    if month:
        month_entries = [
            (line.activity, entry)
            for line in lines
            for entry in line.entries
            if entry.month == month
        ]
    return RPK(plan, lines, months, month, month_entries)

"""Budget allocated and realised (issue #16, the e-SPM report's part C), read from the plans.

Allocated: the budgets of the year's activities in the APPROVED puskesmas RUKs and in the
district's Dinkes plan (which is not reviewed), per SPM service (the activity's `service`, else
its budget sub-activity's SPM number) and funding source. Realised: the costs realised against
those activities' schedule entries marked done or not done, per month. Every read starts from
`in_area` and costs a fixed number of queries, whatever the number of plans and entries; a
province reads the same approved plans the district does.

The same numbers feed the budget pages, their .xlsx, and the indicators.budget providers
(planning/budget.py) that dashboards and the quarterly report read.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Sum, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.dates import MONTHS, MONTHS_3
from django.utils.translation import gettext as _

from indicators.budget import Budget
from indicators.models import ReportingYear, SPMService
from kernel.models import District, FundingSource, Puskesmas, User
from kernel.roles import reads_approved_only
from kernel.scoping import in_area

from ..models import Activity, Plan, ScheduleEntry
from ..models.schedule import Realisation

ZERO = Decimal(0)
REPORTED = (Realisation.DONE, Realisation.NOT_DONE)


# --- The calendar of realisation -----------------------------------------------------------------


def _today() -> datetime.date:
    """Today in the site's time zone (tests replace it)."""
    return timezone.localdate()


def months_started(year: int, today: datetime.date | None = None) -> int:
    """How many months of `year` have started: 12 for a past year, 0 for a future one."""
    today = today or _today()
    if year < today.year:
        return 12
    if year > today.year:
        return 0
    return today.month


def last_ended_month(year: int, today: datetime.date | None = None) -> int:
    """The last month of `year` that has ended (0 when none has)."""
    today = today or _today()
    if year < today.year:
        return 12
    if year > today.year:
        return 0
    return today.month - 1


def year_closes_on(year: int) -> datetime.date:
    """The day a plan year's realisation closes: when its December report is due (the reporting
    year's deadline day of the next January; the 10th when the year is not set up)."""
    setting = ReportingYear.objects.filter(year=year).first()
    if setting is not None:
        return setting.due_on(12)
    return datetime.date(year + 1, 1, 10)


def year_is_open(year: int, today: datetime.date | None = None) -> bool:
    """Whether realisation of `year` may still be taken back to "not yet reported"."""
    return (today or _today()) <= year_closes_on(year)


def default_month(year: int, today: datetime.date | None = None) -> int:
    """The month a realisation page opens on: the last ended one (what the monthly lokmin
    reviews), else the current month; January for a year not started yet."""
    return last_ended_month(year, today) or max(1, months_started(year, today))


# --- Which activities count ----------------------------------------------------------------------


def counted_plans() -> Q:
    """Plans whose budget counts (as a lookup from Plan): approved RUKs and Dinkes plans."""
    return Q(puskesmas__isnull=True) | Q(status=Plan.Status.APPROVED)


def readable_plans(*, user: User) -> QuerySet[Plan]:
    """Plans `user` may read realisation of (scoped): for a province only the counted ones
    (approved RUKs and the Dinkes plans)."""
    plans = in_area(
        Plan.objects.select_related("district__province", "puskesmas__subdistrict"), user
    )
    return plans.filter(counted_plans()) if reads_approved_only(user) else plans


def _counted(prefix: str) -> Q:
    return Q(**{f"{prefix}puskesmas__isnull": True}) | Q(
        **{f"{prefix}status": Plan.Status.APPROVED}
    )


def _service_number(prefix: str = "") -> Coalesce:
    """An activity's SPM service number: its district service's, else its budget code's."""
    return Coalesce(
        Case(
            When(
                **{f"{prefix}service__level": SPMService.Level.DISTRICT},
                then=F(f"{prefix}service__number"),
            ),
            output_field=IntegerField(),
        ),
        F(f"{prefix}sub_activity__spm_number"),
        output_field=IntegerField(),
    )


def _activities(
    *,
    user: User,
    year: int,
    district_ids: list[int] | None = None,
    puskesmas: Puskesmas | None = None,
) -> QuerySet[Activity]:
    activities = in_area(Activity.objects.filter(plan__year=year), user).filter(_counted("plan__"))
    if puskesmas is not None:
        activities = activities.filter(plan__puskesmas=puskesmas)
    elif district_ids is not None:
        activities = activities.filter(plan__district_id__in=district_ids)
    return activities


def _entries(
    *,
    user: User,
    year: int,
    district_ids: list[int] | None = None,
    puskesmas: Puskesmas | None = None,
) -> QuerySet[ScheduleEntry]:
    entries = in_area(ScheduleEntry.objects.filter(activity__plan__year=year), user).filter(
        _counted("activity__plan__"), realisation__in=REPORTED
    )
    if puskesmas is not None:
        entries = entries.filter(activity__plan__puskesmas=puskesmas)
    elif district_ids is not None:
        entries = entries.filter(activity__plan__district_id__in=district_ids)
    return entries


def year_services(year: int) -> list[SPMService]:
    """The district SPM services of the edition `year` uses (the latest set up before it when
    the year itself is not), in number order (one query)."""
    edition = ReportingYear.objects.filter(year__lte=year).order_by("-year").values("edition")[:1]
    return list(
        SPMService.objects.filter(level=SPMService.Level.DISTRICT, edition__in=edition).order_by(
            "number"
        )
    )


# --- The table -----------------------------------------------------------------------------------


def _percent(allocated: Decimal, realised: Decimal) -> Decimal | None:
    return Budget(allocated, realised).percent


@dataclass
class BudgetLine:
    """One SPM service (or, with service None, the activities tied to none): allocated per
    funding source, realised per month."""

    service: SPMService | None
    sub_activity_code: str
    allocated_by_source: dict[str, Decimal] = field(default_factory=dict)
    realised_by_month: list[Decimal] = field(default_factory=lambda: [ZERO] * 12)
    through_month: int = 12
    name: str = ""  # a totals line's label

    @property
    def label(self) -> str:
        if self.name:
            return self.name
        if self.service is None:
            return _("Not tied to an SPM service")
        return self.service.label

    @property
    def number(self) -> int | None:
        return self.service.number if self.service is not None else None

    @property
    def allocated_idr(self) -> Decimal:
        return sum(self.allocated_by_source.values(), ZERO)

    @property
    def realised_idr(self) -> Decimal:
        """Realised from January through `through_month`."""
        return sum(self.realised_by_month[: self.through_month], ZERO)

    @property
    def difference_idr(self) -> Decimal:
        """Allocated minus realised (negative: overspent)."""
        return self.allocated_idr - self.realised_idr

    @property
    def percent(self) -> Decimal | None:
        """Realised against allocated, to 2 places; None without an allocation."""
        return _percent(self.allocated_idr, self.realised_idr)

    @property
    def budget(self) -> Budget:
        return Budget(self.allocated_idr, self.realised_idr)

    @property
    def is_empty(self) -> bool:
        return not self.allocated_by_source and not any(self.realised_by_month)

    def source(self, code: str) -> Decimal | None:
        return self.allocated_by_source.get(code)

    def add(self, other: BudgetLine) -> None:
        for code, amount in other.allocated_by_source.items():
            self.allocated_by_source[code] = self.allocated_by_source.get(code, ZERO) + amount
        self.realised_by_month = [
            a + b for a, b in zip(self.realised_by_month, other.realised_by_month, strict=True)
        ]


@dataclass(frozen=True)
class MonthRealised:
    month: int
    name: str
    short: str
    realised_idr: Decimal
    cumulative_idr: Decimal
    percent: Decimal | None  # cumulative against the allocation
    is_counted: bool  # within `through_month`


@dataclass
class BudgetTable:
    year: int
    through_month: int
    district: District | None
    puskesmas: Puskesmas | None
    lines: list[BudgetLine]

    @property
    def sources(self) -> list[tuple[str, str]]:
        """The funding sources with an allocation, in the usual order (code, label)."""
        used = {code for line in self.lines for code in line.allocated_by_source}
        return [(code, str(label)) for code, label in FundingSource.choices if code in used]

    @property
    def spm_lines(self) -> list[BudgetLine]:
        return [line for line in self.lines if line.service is not None]

    def _sum(self, lines: list[BudgetLine], name: str) -> BudgetLine:
        total = BudgetLine(None, "", through_month=self.through_month, name=name)
        for line in lines:
            total.add(line)
        return total

    @property
    def totals(self) -> BudgetLine:
        """Every line together (its `service` is None)."""
        return self._sum(self.lines, _("Total"))

    @property
    def spm_totals(self) -> BudgetLine:
        """The SPM services together (what indicators.budget's by_district gives)."""
        return self._sum(self.spm_lines, _("Total of the SPM services"))

    @property
    def months(self) -> list[MonthRealised]:
        """All lines' realisation month by month, with the running total against the
        allocation."""
        totals = self.totals
        allocated = totals.allocated_idr
        running, rows = ZERO, []
        for index, amount in enumerate(totals.realised_by_month):
            running += amount
            month = index + 1
            rows.append(
                MonthRealised(
                    month,
                    str(MONTHS[month]),
                    str(MONTHS_3[month]).title(),
                    amount,
                    running,
                    _percent(allocated, running),
                    month <= self.through_month,
                )
            )
        return rows

    @property
    def is_empty(self) -> bool:
        return all(line.is_empty for line in self.lines)


def _through(value: int) -> int:
    return min(12, max(0, int(value)))


def _collect(
    *,
    user: User,
    year: int,
    through_month: int,
    district_ids: list[int] | None,
    puskesmas: Puskesmas | None,
) -> list[BudgetLine]:
    """One line per district SPM service of the year's edition, in number order, then the line
    of activities tied to none (three queries)."""
    through_month = _through(through_month)
    services = year_services(year)
    lines = {s.number: BudgetLine(s, s.budget_code, through_month=through_month) for s in services}
    other = BudgetLine(None, "", through_month=through_month)
    allocated = (
        _activities(user=user, year=year, district_ids=district_ids, puskesmas=puskesmas)
        .values(n=_service_number(), source=F("funding_source"))
        .annotate(total=Sum("budget_idr"))
        .order_by()
    )
    for row in allocated:
        line = lines.get(row["n"], other)
        amount = row["total"] or ZERO
        line.allocated_by_source[row["source"]] = (
            line.allocated_by_source.get(row["source"], ZERO) + amount
        )
    realised = (
        _entries(user=user, year=year, district_ids=district_ids, puskesmas=puskesmas)
        .values("month", n=_service_number("activity__"))
        .annotate(total=Sum("cost_realised_idr"))
        .order_by()
    )
    for month_row in realised:
        line = lines.get(month_row["n"], other)
        line.realised_by_month[month_row["month"] - 1] += month_row["total"] or ZERO
    return [*lines.values(), other]


def budget_table(
    *,
    user: User,
    district: District,
    year: int,
    through_month: int = 12,
    puskesmas: Puskesmas | None = None,
) -> BudgetTable:
    """The district's SPM budget for `year` (its Dinkes plan and its puskesmas's approved RUKs;
    with `puskesmas`, that puskesmas's approved RUK only): allocated per service and funding
    source, realised per month, realised through `through_month`, difference and %. Scoped by
    `user`; three queries."""
    lines = _collect(
        user=user,
        year=year,
        through_month=through_month,
        district_ids=[district.pk],
        puskesmas=puskesmas,
    )
    return BudgetTable(year, _through(through_month), district, puskesmas, lines)


# --- By plan, and by district --------------------------------------------------------------------


@dataclass
class PlanBudget:
    """One plan's share of a district's budget: the Dinkes plan, or a puskesmas's RUK (approved,
    or not yet: then nothing of it counts)."""

    name: str
    puskesmas_id: int | None
    plan_id: int | None
    status: str
    allocated_idr: Decimal = ZERO
    realised_idr: Decimal = ZERO
    reported_count: int = 0

    @property
    def is_dinkes(self) -> bool:
        return self.puskesmas_id is None

    @property
    def is_counted(self) -> bool:
        return self.is_dinkes or self.status == Plan.Status.APPROVED

    @property
    def difference_idr(self) -> Decimal:
        return self.allocated_idr - self.realised_idr

    @property
    def percent(self) -> Decimal | None:
        return _percent(self.allocated_idr, self.realised_idr)

    @property
    def status_label(self) -> str:
        if self.is_dinkes or not self.status:
            return "" if self.is_dinkes else _("No RUK")
        return str(Plan.Status(self.status).label)


def budget_by_plan(
    *, user: User, district: District, year: int, through_month: int = 12
) -> list[PlanBudget]:
    """The district's Dinkes plan, then each of its puskesmas (by name) with its RUK of `year`,
    allocated and realised through `through_month` (approved RUKs only count); four queries."""
    through_month = _through(through_month)
    plans = {
        plan.puskesmas_id: plan
        for plan in in_area(Plan.objects.filter(district=district, year=year), user).only(
            "pk", "puskesmas_id", "status"
        )
    }
    dinkes = plans.get(None)
    rows = [
        PlanBudget(
            _("Dinkes %(district)s") % {"district": district.name},
            None,
            dinkes.pk if dinkes else None,
            dinkes.status if dinkes else "",
        )
    ]
    puskesmas_list = in_area(Puskesmas.objects.filter(district=district), user).order_by("name")
    for puskesmas in puskesmas_list.only("pk", "name"):
        plan = plans.get(puskesmas.pk)
        rows.append(
            PlanBudget(
                puskesmas.name, puskesmas.pk, plan.pk if plan else None, plan.status if plan else ""
            )
        )
    by_plan = {row.plan_id: row for row in rows if row.plan_id is not None}
    allocated = (
        _activities(user=user, year=year, district_ids=[district.pk])
        .values("plan_id")
        .annotate(total=Sum("budget_idr"))
        .order_by()
    )
    for row in allocated:
        if row["plan_id"] in by_plan:
            by_plan[row["plan_id"]].allocated_idr = row["total"] or ZERO
    realised = (
        _entries(user=user, year=year, district_ids=[district.pk])
        .values(plan_id=F("activity__plan_id"))
        .annotate(
            total=Sum("cost_realised_idr", filter=Q(month__lte=through_month)),
            n=Count("pk"),
        )
        .order_by()
    )
    for row in realised:
        if row["plan_id"] in by_plan:
            by_plan[row["plan_id"]].realised_idr = row["total"] or ZERO
            by_plan[row["plan_id"]].reported_count = row["n"]
    return rows


def budget_by_district(
    *, user: User, year: int, through_month: int, district_ids: list[int] | None
) -> dict[int, Budget]:
    """Per district id, its SPM budget of `year` (all services together; activities tied to
    none left out), realised through `through_month`: the `spm_totals` of its budget_table
    (`district_ids` None: every district of `user`'s area). Two queries."""
    through_month = _through(through_month)
    tied = Q(n__isnull=False)
    allocated = dict(
        _activities(user=user, year=year, district_ids=district_ids)
        .alias(n=_service_number())
        .filter(tied)
        .values("plan__district_id")
        .annotate(total=Sum("budget_idr"))
        .values_list("plan__district_id", "total")
        .order_by()
    )
    realised = dict(
        _entries(user=user, year=year, district_ids=district_ids)
        .alias(n=_service_number("activity__"))
        .filter(tied, month__lte=through_month)
        .values("activity__plan__district_id")
        .annotate(total=Sum("cost_realised_idr"))
        .values_list("activity__plan__district_id", "total")
        .order_by()
    )
    return {
        pk: Budget(allocated.get(pk) or ZERO, realised.get(pk) or ZERO)
        for pk in sorted({*allocated, *realised})
    }


def budget_by_service(
    *,
    user: User,
    year: int,
    through_month: int,
    district: District | None = None,
    puskesmas: Puskesmas | None = None,
) -> dict[int, Budget]:
    """Per SPM service id, the budget of `district` (its Dinkes plan and approved RUKs) or of
    `puskesmas` (its approved RUK); neither: the whole of `user`'s area. Services with neither
    allocation nor realisation are left out. Three queries."""
    district_ids = [district.pk] if district is not None else None
    lines = _collect(
        user=user,
        year=year,
        through_month=through_month,
        district_ids=district_ids,
        puskesmas=puskesmas,
    )
    return {
        line.service.pk: line.budget
        for line in lines
        if line.service is not None and (line.allocated_idr or line.realised_idr)
    }


# --- A plan's realisation, month by month --------------------------------------------------------


@dataclass(frozen=True)
class MonthProgress:
    """One month of a plan's schedule: entries, how many reported, planned and realised cost."""

    month: int
    name: str
    short: str
    scheduled_count: int
    reported_count: int
    planned_idr: Decimal
    realised_idr: Decimal
    is_started: bool

    @property
    def is_complete(self) -> bool:
        return self.scheduled_count > 0 and self.reported_count == self.scheduled_count


@dataclass
class RealisationMonth:
    plan: Plan
    month: int
    entries: list[ScheduleEntry]
    months: list[MonthProgress]
    started: int  # months of the plan's year started

    @property
    def month_name(self) -> str:
        return str(MONTHS[self.month])

    @property
    def current(self) -> MonthProgress:
        return self.months[self.month - 1]

    @property
    def is_started(self) -> bool:
        return self.month <= self.started

    @property
    def planned_idr(self) -> Decimal:
        return sum((m.planned_idr for m in self.months), ZERO)

    @property
    def realised_idr(self) -> Decimal:
        return sum((m.realised_idr for m in self.months), ZERO)


def realisation_month(*, plan: Plan, month: int) -> RealisationMonth:
    """The plan's schedule entries of `month` (with their activity, its service and who entered
    the realisation) and every month's progress, summed by the database (two queries)."""
    entries = list(
        ScheduleEntry.objects.filter(activity__plan=plan, month=month)
        .select_related("activity__service", "activity__sub_activity", "realised_by")
        .order_by("activity__effort", "activity_id", "pk")
    )
    sums: dict[int, dict[str, Any]] = {
        row["month"]: dict(row)
        for row in ScheduleEntry.objects.filter(activity__plan=plan)
        .values("month")
        .annotate(
            n=Count("pk"),
            reported=Count("pk", filter=Q(realisation__in=REPORTED)),
            planned=Sum("cost_idr"),
            realised=Sum("cost_realised_idr", filter=Q(realisation__in=REPORTED)),
        )
        .order_by()
    }
    started = months_started(plan.year)
    months = []
    for m in range(1, 13):
        row = sums.get(m, {})
        months.append(
            MonthProgress(
                m,
                str(MONTHS[m]),
                str(MONTHS_3[m]).title(),
                row.get("n", 0),
                row.get("reported", 0),
                row.get("planned") or ZERO,
                row.get("realised") or ZERO,
                m <= started,
            )
        )
    return RealisationMonth(plan, month, entries, months, started)

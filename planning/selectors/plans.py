"""Reads about plans: a user's own plans, the district's compilation of puskesmas RUKs, and one
plan with its activities and totals. Every read starts from `in_area` and costs a fixed number
of queries, whatever the number of puskesmas or activities.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from kernel.models import AuditEvent, FundingSource, Puskesmas, User
from kernel.scoping import in_area
from kernel.selectors.audit import audit_history

from ..models import Activity, Plan

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

ZERO = Decimal(0)


def next_plan_year(today: datetime.date | None = None) -> int:
    """A RUK is written for the year after this one (DOMAIN.md §3, P1)."""
    return (today or timezone.localdate()).year + 1


def plan_years(today: datetime.date | None = None) -> list[int]:
    """Years offered in filters: next year back to 2024."""
    return list(range(next_plan_year(today), 2023, -1))


def plans_visible(*, user: User) -> QuerySet[Plan]:
    """Plans `user` may open (scoped), with what their pages show about them."""
    return in_area(
        Plan.objects.select_related(
            "district__province",
            "district__health_office",
            "puskesmas__subdistrict",
            "decided_by",
            "submitted_by",
        ),
        user,
    )


def plan_own_list(*, user: User) -> QuerySet[Plan]:
    """The plans of the user's own puskesmas (its RUKs) or district (its Dinkes plans), newest
    first, with their activity count and budget (one query)."""
    plans = in_area(Plan.objects.all(), user)
    if user.puskesmas_id:
        plans = plans.filter(puskesmas_id=user.puskesmas_id)
    elif user.district_id:
        plans = plans.filter(district_id=user.district_id, puskesmas__isnull=True)
    else:
        plans = plans.none()
    return plans.annotate(
        activity_count=Count("activities"), budget_total=Sum("activities__budget_idr")
    ).order_by("-year")


def ruk_compilation(
    *, user: User, year: int, district_id: int | None = None, status: str = ""
) -> QuerySet[Puskesmas]:
    """Every puskesmas of the user's area with its RUK for `year` (id, status, activities,
    budget), or none yet; `status` filters, "none" meaning not started (one query)."""
    plan = Plan.objects.filter(puskesmas=OuterRef("pk"), year=year)
    rows = in_area(Puskesmas.objects.select_related("district"), user)
    if district_id:
        rows = rows.filter(district_id=district_id)
    in_year = Q(plans__year=year)
    rows = rows.annotate(
        plan_id=Subquery(plan.values("pk")[:1]),
        plan_status=Subquery(plan.values("status")[:1]),
        plan_submitted_at=Subquery(plan.values("submitted_at")[:1]),
        activity_count=Count("plans__activities", filter=in_year),
        budget_total=Sum("plans__activities__budget_idr", filter=in_year),
    )
    if status == "none":
        rows = rows.filter(plan_id__isnull=True)
    elif status in Plan.Status.values:
        rows = rows.filter(plan_status=status)
    return rows.order_by("district__code", "name", "pk")


@dataclass(frozen=True)
class StatusCount:
    status: str
    label: StrOrPromise
    count: int


def ruk_status_counts(
    *, user: User, year: int, district_id: int | None = None
) -> list[StatusCount]:
    """How many puskesmas of the area have a RUK for `year` in each status, and how many have
    none yet (two queries)."""
    puskesmas = in_area(Puskesmas.objects.all(), user)
    plans = in_area(Plan.objects.filter(year=year, puskesmas__isnull=False), user)
    if district_id:
        puskesmas = puskesmas.filter(district_id=district_id)
        plans = plans.filter(district_id=district_id)
    counts = dict(plans.values_list("status").annotate(n=Count("pk")).order_by())
    started = sum(counts.values())
    lines = [StatusCount(s.value, s.label, counts.get(s.value, 0)) for s in Plan.Status]
    lines.append(StatusCount("none", _("Not started"), max(0, puskesmas.count() - started)))
    return lines


@dataclass(frozen=True)
class SourceTotal:
    code: str
    label: str
    count: int
    total: Decimal


@dataclass
class ActivityGroup:
    """Activities under one heading: a health effort (RUK) or a budget code (Dinkes plan)."""

    heading: str
    activities: list[Activity] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((a.budget_idr for a in self.activities), ZERO)


@dataclass
class PlanDetail:
    plan: Plan
    activities: list[Activity]
    groups: list[ActivityGroup]
    by_source: list[SourceTotal]
    events: list[AuditEvent]

    @property
    def total(self) -> Decimal:
        return sum((line.total for line in self.by_source), ZERO)

    @property
    def count(self) -> int:
        return len(self.activities)


def source_label(code: str) -> str:
    return str(FundingSource(code).label) if code in FundingSource.values else code


def source_order(code: str) -> int:
    """Funding sources in the order regulations list them (APBD first, other last)."""
    return FundingSource.values.index(code) if code in FundingSource.values else 99


def source_totals(activities: QuerySet[Activity]) -> list[SourceTotal]:
    """Activities and budget per funding source, in the usual order (one query)."""
    rows = activities.values("funding_source").annotate(n=Count("pk"), t=Sum("budget_idr"))
    return sorted(
        (
            SourceTotal(
                row["funding_source"], source_label(row["funding_source"]), row["n"], row["t"]
            )
            for row in rows.order_by()
        ),
        key=lambda line: source_order(line.code),
    )


def _group_heading(plan: Plan, activity: Activity) -> str:
    if not plan.is_dinkes:
        return activity.effort
    if activity.sub_activity is None:
        return _("No budget sub-activity code")
    return str(activity.sub_activity)


def plan_detail(*, plan: Plan, user: User) -> PlanDetail:
    """One plan's activities in the order of its document (by health effort for a RUK, by
    budget sub-activity code for the Dinkes plan), totals by funding source and its history as
    `user` may read it (the audit log; four queries)."""
    queryset = plan.activities.select_related(
        "service", "sub_activity", "follow_up__meeting", "proposal__meeting", "service_point"
    )
    if plan.is_dinkes:
        # Activities without a budget code go last on every database (SQLite sorts NULLs
        # first, PostgreSQL last).
        queryset = queryset.order_by(
            F("sub_activity__order").asc(nulls_last=True),
            F("sub_activity__code").asc(nulls_last=True),
            "pk",
        )
    else:
        queryset = queryset.order_by("effort", "pk")
    activities = list(queryset)
    groups: list[ActivityGroup] = []
    for activity in activities:
        heading = _group_heading(plan, activity)
        if not groups or groups[-1].heading != heading:
            groups.append(ActivityGroup(heading))
        groups[-1].activities.append(activity)
    by_source = source_totals(plan.activities.all())
    events = list(audit_history(obj=plan, user=user)[:20])
    return PlanDetail(plan, activities, groups, by_source, events)

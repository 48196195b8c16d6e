"""Where a plan's activities come from: the owner's SPM gaps in the latest computed quarter, the
open RTL items of its meetings, and its Musrenbang proposals. Every read starts from `in_area`
and costs a fixed number of queries.

A gap is a service whose achievement is below the expected pace (months ended / 12 of the year's
target), as on the dashboards (indicators.selectors.dashboards); at the end of the year the pace
is the full target.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, TypedDict

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from indicators.models import Achievement, Level, SPMService
from indicators.selectors.dashboards import dashboard_period
from kernel.models import ServicePoint, User
from kernel.scoping import in_area, in_given_area
from workshops.models import FollowUp, Meeting, MusrenbangProposal, Tracked

from ..models import Activity, Plan

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    class Planned(TypedDict):
        planned: int

    # An achievement row of `plan_gaps`: with how many of the plan's activities answer it.
    AchievementPlanned = WithAnnotations[Achievement, Planned]


@dataclass(frozen=True)
class Gap:
    """One service below its pace for the plan's owner, with the figures carried into an
    activity started from it."""

    service: SPMService
    year: int
    quarter: int
    target: int
    served_ytd: int
    achievement: Decimal
    pace: Decimal
    planned_count: int = 0  # activities of the plan already answering it

    @property
    def shortfall(self) -> int:
        """People still to serve to be back on pace."""
        return max(0, math.ceil(self.target * self.pace / 100) - self.served_ytd)


@dataclass(frozen=True)
class GapList:
    year: int | None
    quarter: int | None
    pace: Decimal | None
    gaps: list[Gap]


def _owner_level(plan: Plan) -> tuple[str, int]:
    if plan.puskesmas_id is None:  # the Dinkes plan (Plan.is_dinkes)
        return Level.DISTRICT, plan.district_id
    return Level.PUSKESMAS, plan.puskesmas_id


def gap_period(*, user: User, plan: Plan) -> tuple[int, int] | None:
    """(year, quarter) of the latest computed quarter for the plan's owner, up to the plan's
    year; None before any quarter was computed (one query)."""
    level, area_id = _owner_level(plan)
    return (
        in_area(Achievement.objects.all(), user)
        .filter(level=level, area_id=area_id, year__lte=plan.year)
        .order_by("-year", "-quarter")
        .values_list("year", "quarter")
        .first()
    )


def _planned_count(plan: Plan) -> Coalesce:
    same_service = Activity.objects.filter(
        plan=plan,
        service__number=OuterRef("service__number"),
        service__level=SPMService.Level.DISTRICT,
    )
    return Coalesce(
        Subquery(
            same_service.order_by().values("plan").annotate(n=Count("pk")).values("n")[:1],
            output_field=IntegerField(),
        ),
        Value(0),
    )


def plan_gaps(*, user: User, plan: Plan, service: SPMService | None = None) -> GapList:
    """The owner's services below pace in the latest computed quarter, weakest first, each with
    how many of the plan's activities already answer it (two queries)."""
    period = gap_period(user=user, plan=plan)
    if period is None:
        return GapList(None, None, None, [])
    year, quarter = period
    pace = dashboard_period(year=year, quarter=quarter).pace
    level, area_id = _owner_level(plan)
    rows = in_area(Achievement.objects.all(), user).filter(
        level=level,
        area_id=area_id,
        year=year,
        quarter=quarter,
        target__gt=0,
        achievement__lt=pace,
    )
    if service is not None:
        rows = rows.filter(service=service)
    rows = (
        rows.select_related("service")
        .annotate(planned=_planned_count(plan))
        .order_by("achievement", "service__number")
    )
    return GapList(
        year, quarter, pace, [_gap(row, year=year, quarter=quarter, pace=pace) for row in rows]
    )


def _gap(row: AchievementPlanned, *, year: int, quarter: int, pace: Decimal) -> Gap:
    # plan_gaps filters on target > 0 and achievement < pace: neither is NULL here.
    assert row.target is not None and row.achievement is not None
    return Gap(
        service=row.service,
        year=year,
        quarter=quarter,
        target=row.target,
        served_ytd=row.served_ytd,
        achievement=row.achievement,
        pace=pace,
        planned_count=row.planned,
    )


def gap_get(*, user: User, plan: Plan, service: SPMService) -> Gap | None:
    """The plan owner's gap for one service now, or None if it is on pace (two queries)."""
    gaps = plan_gaps(user=user, plan=plan, service=service).gaps
    return gaps[0] if gaps else None


def _owner_meetings(plan: Plan) -> Q:
    """Meetings held by the plan's owner: a puskesmas's lokmin, or the district's own meetings."""
    if plan.is_dinkes:
        return Q(meeting__district_id=plan.district_id, meeting__puskesmas__isnull=True)
    return Q(meeting__puskesmas_id=plan.puskesmas_id, meeting__kind__in=Meeting.LOKMIN_KINDS)


def plan_follow_ups(*, user: User, plan: Plan, limit: int = 100) -> list[FollowUp]:
    """Open RTL items of the owner's meetings, latest meeting first, each marked `is_planned`
    when an activity of the plan already comes from it (one query)."""
    items = (
        in_area(FollowUp.objects.all(), user)
        .filter(_owner_meetings(plan), status__in=Tracked.OPEN_STATUSES)
        .select_related("meeting", "problem")
        .annotate(is_planned=Exists(Activity.objects.filter(plan=plan, follow_up=OuterRef("pk"))))
        .order_by("-meeting__held_on", "due_on", "pk")
    )
    return list(items[:limit])


def plan_proposals(*, user: User, plan: Plan, limit: int = 100) -> list[MusrenbangProposal]:
    """Musrenbang proposals of the owner's meetings that were not rejected, latest first, each
    marked `is_planned` when an activity of the plan already comes from it (one query)."""
    proposals = (
        in_area(MusrenbangProposal.objects.all(), user)
        .filter(_owner_meetings(plan))
        .exclude(outcome=MusrenbangProposal.Outcome.REJECTED)
        .select_related("meeting", "service", "village")
        .annotate(is_planned=Exists(Activity.objects.filter(plan=plan, proposal=OuterRef("pk"))))
        .order_by("-meeting__held_on", "priority", "pk")
    )
    return list(proposals[:limit])


def follow_up_for(*, user: User, plan: Plan, pk: int) -> FollowUp | None:
    """An RTL item of the plan owner's meetings (any status), or None."""
    return (
        in_area(FollowUp.objects.all(), user)
        .filter(_owner_meetings(plan), pk=pk)
        .select_related("meeting")
        .first()
    )


def proposal_for(*, user: User, plan: Plan, pk: int) -> MusrenbangProposal | None:
    """A Musrenbang proposal of the plan owner's meetings, or None."""
    return (
        in_area(MusrenbangProposal.objects.all(), user)
        .filter(_owner_meetings(plan), pk=pk)
        .select_related("meeting", "service")
        .first()
    )


def plan_service_points(plan: Plan) -> QuerySet[ServicePoint]:
    """The posyandu and other UKBM an activity of `plan` may develop (issue #17): those of the
    plan's puskesmas, or of the district for the Dinkes plan."""
    ukbm = ServicePoint.objects.filter(kind__in=ServicePoint.UKBM_KINDS)
    if plan.puskesmas is not None:
        return in_given_area(ukbm, plan.puskesmas)
    return in_given_area(ukbm, plan.district)


def ukbm_label(point: ServicePoint) -> str:
    """How the activity form, the RUK template and its Lists sheet name a posyandu or other
    UKBM: its kind and name, and its desa."""
    return f"{point} ({point.village.name})" if point.village is not None else str(point)

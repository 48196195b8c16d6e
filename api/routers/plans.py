"""Plans (issue #19): a puskesmas's RUK and the district health office's own plan (kind
"dinkes"), with their totals; one plan with its activities (origin: SPM gap, RTL item or
Musrenbang proposal), budgets, funding sources and the RPK schedule months. Read like the plan
pages: every plan of the area (planning.selectors.plans_visible)."""

import datetime
from decimal import Decimal
from typing import Any, Literal

from django.db.models import Count, Prefetch, Sum
from ninja import Router, Schema
from ninja.pagination import paginate

from kernel.scoping import get_in_area_or_404
from planning.models import Activity, Plan, ScheduleEntry
from planning.selectors import plans_visible, source_totals

from ..errors import ERRORS
from ..pagination import Pages
from ..params import Id, Year

PREFIX = "/plans"
router = Router(tags=["plans"])

PlanKind = Literal["ruk", "dinkes"]
PlanStatus = Literal[tuple(Plan.Status.values)]  # type: ignore[valid-type]


def _money(value: Any) -> str | None:
    """Rupiah as a string (no floats for money)."""
    return None if value is None else str(value)


class PlanOut(Schema):
    id: int
    kind: str
    year: int
    status: str
    district_id: int
    puskesmas_id: int | None
    has_rpk: bool
    activity_count: int
    budget_total_idr: str
    version: int
    submitted_at: datetime.datetime | None
    decided_at: datetime.datetime | None

    @staticmethod
    def resolve_kind(obj: Any) -> str:
        return "dinkes" if obj.is_dinkes else "ruk"

    @staticmethod
    def resolve_has_rpk(obj: Any) -> bool:
        return obj.is_dinkes or obj.is_approved

    @staticmethod
    def resolve_budget_total_idr(obj: Any) -> str:
        return str(obj.budget_total or Decimal(0))


class ScheduleOut(Schema):
    month: int
    volume: str
    location: str
    cost_idr: str
    realisation: str
    cost_realised_idr: str | None

    @staticmethod
    def resolve_cost_idr(obj: Any) -> str:
        return str(obj.cost_idr)

    @staticmethod
    def resolve_cost_realised_idr(obj: Any) -> str | None:
        return _money(obj.cost_realised_idr)


class GapOut(Schema):
    """The SPM gap the activity answers, as it stood when the activity was started."""

    year: int | None
    quarter: int | None
    target: int | None
    served: int | None
    achievement: str | None
    pace: str | None


class ActivityOut(Schema):
    id: int
    effort: str
    name: str
    goal: str
    target_group: str
    target: str
    responsible: str
    timing: str
    indicator: str
    budget_idr: str
    funding_source: str
    service_id: int | None
    service_code: str | None
    sub_activity_code: str | None
    origin: str
    rtl_item_id: int | None
    proposal_id: int | None
    service_point_id: int | None
    gap: GapOut | None
    schedule: list[ScheduleOut]
    version: int

    @staticmethod
    def resolve_budget_idr(obj: Any) -> str:
        return str(obj.budget_idr)

    @staticmethod
    def resolve_service_code(obj: Any) -> str | None:
        return obj.service.code if obj.service_id else None

    @staticmethod
    def resolve_sub_activity_code(obj: Any) -> str | None:
        return obj.sub_activity.code if obj.sub_activity_id else None

    @staticmethod
    def resolve_rtl_item_id(obj: Any) -> int | None:
        return obj.follow_up_id

    @staticmethod
    def resolve_gap(obj: Any) -> dict[str, Any] | None:
        if obj.origin != Activity.Origin.GAP and obj.gap_year is None:
            return None
        return {
            "year": obj.gap_year,
            "quarter": obj.gap_quarter,
            "target": obj.gap_target,
            "served": obj.gap_served,
            "achievement": _money(obj.gap_achievement),
            "pace": _money(obj.gap_pace),
        }

    @staticmethod
    def resolve_schedule(obj: Any) -> list[Any]:
        return list(obj.schedule.all())


class SourceTotalOut(Schema):
    funding_source: str
    count: int
    total_idr: str


class PlanDetail(PlanOut):
    return_reason: str
    activities: list[ActivityOut]
    by_funding_source: list[SourceTotalOut]

    @staticmethod
    def resolve_activities(obj: Any) -> list[Any]:
        return list(obj.activities.all())


def _plans(request) -> Any:
    return plans_visible(user=request.user).annotate(
        activity_count=Count("activities"), budget_total=Sum("activities__budget_idr")
    )


@router.get("", response={200: list[PlanOut], **ERRORS}, summary="RUKs and Dinkes plans")
@paginate(Pages)
def plan_list(
    request,
    year: Year | None = None,
    kind: PlanKind | None = None,
    status: PlanStatus | None = None,
    district_id: Id | None = None,
    puskesmas_id: Id | None = None,
):
    rows = _plans(request)
    if year is not None:
        rows = rows.filter(year=year)
    if kind == "ruk":
        rows = rows.filter(puskesmas__isnull=False)
    elif kind == "dinkes":
        rows = rows.filter(puskesmas__isnull=True)
    if status is not None:
        rows = rows.filter(status=status)
    if district_id is not None:
        rows = rows.filter(district_id=district_id)
    if puskesmas_id is not None:
        rows = rows.filter(puskesmas_id=puskesmas_id)
    return rows.order_by("-year", "district_id", "puskesmas_id", "pk")


@router.get(
    "/{id}",
    response={200: PlanDetail, **ERRORS},
    summary="One plan with its activities, budgets and RPK months",
)
def plan_detail(request, id: Id):
    activities = Activity.objects.select_related("service", "sub_activity").order_by("effort", "pk")
    schedule = ScheduleEntry.objects.order_by("month", "pk")
    plan = get_in_area_or_404(
        _plans(request).prefetch_related(
            Prefetch("activities", queryset=activities),
            Prefetch("activities__schedule", queryset=schedule),
        ),
        request.user,
        pk=id,
    )
    plan.by_funding_source = [
        {"funding_source": line.code, "count": line.count, "total_idr": str(line.total or 0)}
        for line in source_totals(Activity.objects.filter(plan=plan))
    ]
    return plan

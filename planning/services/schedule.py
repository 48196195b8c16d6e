"""Writes about the implementation plan (RPK): schedule an approved activity in a month, or take
an entry off the schedule. A month outside January-December, a negative cost, or a schedule that
would cost more than the activity's approved budget is refused with a clear message.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from kernel.models import User

from ..models import Activity, ScheduleEntry
from ..money import rupiah
from ..rights import is_plan_writer


def _require_scheduler(activity: Activity, by: User) -> None:
    plan = activity.plan
    if not is_plan_writer(by, plan):
        raise PermissionDenied(
            _("Only the puskesmas's own staff schedule its RUK (the district, its Dinkes plan).")
        )
    # The Dinkes plan is not reviewed: its planners schedule it whenever (issue #16, so that
    # its realisation is entered month by month like a RUK's).
    if not plan.is_dinkes and not plan.is_approved:
        raise ValidationError(_("Only activities of an approved RUK are scheduled in the RPK."))


def _month(value: object) -> int:
    try:
        month = int(str(value))
    except (TypeError, ValueError):
        month = 0
    if not 1 <= month <= 12:
        raise ValidationError(
            {
                "month": _("Choose a month from 1 (January) to 12 (December), not “%(value)s”.")
                % {"value": value}
            }
        )
    return month


def _cost(value: object) -> Decimal:
    try:
        cost = Decimal(str(value)) if value not in (None, "") else Decimal(0)
    except InvalidOperation:
        cost = None
    if cost is None or not cost.is_finite() or cost != cost.to_integral_value():
        raise ValidationError({"cost_idr": _("Enter the cost in whole rupiah.")})
    if cost < 0:
        raise ValidationError({"cost_idr": _("The cost cannot be negative.")})
    return cost


@transaction.atomic
def schedule_add(
    *,
    activity: Activity,
    month: object,
    by: User,
    cost_idr: object = 0,
    volume: str = "",
    location: str = "",
    details: str = "",
) -> ScheduleEntry:
    """Schedule part of an approved activity in a month; atomic. The activity's entries together
    may not cost more than its approved budget (checked under a row lock: two entries added at
    once cannot both slip past it)."""
    _require_scheduler(activity, by)
    month, cost = _month(month), _cost(cost_idr)
    locked = Activity.objects.select_for_update().get(pk=activity.pk)
    scheduled = locked.schedule.aggregate(total=Sum("cost_idr"))["total"] or Decimal(0)
    if scheduled + cost > locked.budget_idr:
        raise ValidationError(
            {
                "cost_idr": _(
                    "The schedule of this activity would cost Rp %(total)s, more than its "
                    "approved budget of Rp %(budget)s."
                )
                % {"total": rupiah(scheduled + cost), "budget": rupiah(locked.budget_idr)}
            }
        )
    return ScheduleEntry.objects.create(
        activity=locked,
        month=month,
        cost_idr=cost,
        volume=(volume or "").strip(),
        location=(location or "").strip(),
        details=(details or "").strip(),
        created_by=by,
    )


@transaction.atomic
def schedule_delete(*, entry: ScheduleEntry, by: User) -> None:
    """Take an entry off the RPK."""
    _require_scheduler(entry.activity, by)
    entry.delete()

"""Writes about a plan's activities: add one (entered directly, or started from an SPM gap, an RTL
item or a Musrenbang proposal, keeping that link), change one, delete one.

Bad input saves nothing and says why, per field: a negative budget, an unknown funding source,
a missing activity name. Every write bumps the plan's version, so a reviewer never approves a RUK
that changed under their eyes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from indicators.models import SPMService
from kernel import audit
from kernel.models import AuditEvent, FundingSource, ServicePoint, User
from workshops.models import FollowUp, MusrenbangProposal

from ..models import Activity, BudgetSubActivity, Plan
from ..money import rupiah
from ..selectors.sources import follow_up_for, gap_get, plan_service_points, proposal_for
from .plans import plan_claim, require_writer

# The RUK columns a user writes; origin, gap figures and links are set by the services only.
FIELDS = (
    "effort",
    "name",
    "goal",
    "target_group",
    "target",
    "responsible",
    "equipment_needed",
    "staff_needed",
    "partners",
    "timing",
    "budget_idr",
    "indicator",
    "funding_source",
    "service",
    "sub_activity",
    "service_point",  # issue #17: a posyandu or other UKBM the activity develops (optional)
)
REQUIRED = ("effort", "name", "responsible")


class PlanChanged(ValidationError):
    """The plan, or one of its activities, changed since the version the writer saw."""


def activity_fields_clean(fields: Mapping[str, object]) -> dict[str, object]:
    """The RUK columns from `fields`, checked; raises ValidationError keyed by field."""
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise ValueError(f"Not activity columns: {sorted(unknown)}")
    data = {name: fields.get(name) for name in FIELDS}
    errors: dict[str, str] = {}
    for name in FIELDS:
        value = data[name]
        if isinstance(value, str):
            data[name] = value.strip()
        elif value is None and name not in (
            "service",
            "sub_activity",
            "budget_idr",
            "service_point",
        ):
            data[name] = ""
    for name in REQUIRED:
        if not data[name]:
            errors[name] = _("This column is required.")
    try:
        budget = Decimal(str(data["budget_idr"])) if data["budget_idr"] is not None else None
    except InvalidOperation:
        budget = None
    if budget is None or not budget.is_finite():
        errors["budget_idr"] = _("Enter the budget in rupiah (0 if the activity costs nothing).")
    elif budget < 0:
        errors["budget_idr"] = _("The budget cannot be negative.")
    elif budget != budget.to_integral_value():
        errors["budget_idr"] = _("Enter the budget in whole rupiah.")
    else:
        data["budget_idr"] = budget
    if data["funding_source"] not in FundingSource.values:
        errors["funding_source"] = _(
            "Unknown funding source “%(value)s”: choose one of %(choices)s."
        ) % {
            "value": data["funding_source"],
            "choices": ", ".join(str(label) for label in FundingSource.labels),
        }
    service = data["service"]
    # Both are model choices, from the activity form or the RUK file's lookups.
    assert service is None or isinstance(service, SPMService)
    if service is not None and service.level != SPMService.Level.DISTRICT:
        errors["service"] = _("Choose one of the 12 district SPM services.")
    sub_activity = data["sub_activity"]
    assert sub_activity is None or isinstance(sub_activity, BudgetSubActivity)
    if sub_activity is not None and not sub_activity.is_active:
        errors["sub_activity"] = _("This budget sub-activity is no longer in use.")
    if errors:
        raise ValidationError(errors)
    if service is not None and sub_activity is None:
        data["sub_activity"] = _default_code(service)
    return data


def check_service_point(plan: Plan, data: Mapping[str, object]) -> None:
    """The posyandu or other UKBM an activity develops is one of the plan's owner."""
    point = data.get("service_point")
    # A model choice, from the activity form or the RUK file's lookups.
    assert point is None or isinstance(point, ServicePoint)
    if point is not None and not plan_service_points(plan).filter(pk=point.pk).exists():
        raise ValidationError(
            {"service_point": _("Choose a posyandu or other UKBM of the plan's own area.")}
        )


def _default_code(service: SPMService) -> BudgetSubActivity | None:
    """An SPM service's activity is budgeted under its own code unless the writer chose
    another (1.02.02.2.02.0001-.0012, in service order)."""
    return BudgetSubActivity.objects.filter(spm_number=service.number, is_active=True).first()


def _touch_plan(plan: Plan, by: User) -> None:
    """Bump the plan's version for a change to its activities (refused once it is submitted)."""
    plan_claim(plan, version=None, statuses=_open_statuses(plan), by=by)


def _open_statuses(plan: Plan) -> tuple[str, ...]:
    return tuple(Plan.Status.values) if plan.is_dinkes else Plan.EDITABLE_STATUSES


# The one write of activities' rows: the form's single saves and the Excel import's many both
# go through these two, with who and when and a history record each.


def _insert(
    *, plan: Plan, rows: Sequence[Mapping[str, object]], by: User, reason: str = ""
) -> list[Activity]:
    new = [Activity(plan=plan, created_by=by, updated_by=by, **row) for row in rows]
    return bulk_create_with_history(
        new, Activity, default_user=by, default_change_reason=reason or None
    )


def _update(
    *,
    plan: Plan,
    changes: Sequence[tuple[Activity, int, Mapping[str, object]]],
    by: User,
    reason: str = "",
) -> list[Activity] | None:
    """Write each (activity, version seen, checked columns); None, writing nothing, if any of
    them was saved (or deleted) since the version its writer saw."""
    locked = Activity.objects.select_for_update().filter(
        plan=plan, pk__in=[activity.pk for activity, _version, _data in changes]
    )
    current = {row.pk: row for row in locked.order_by("pk")}  # no join to the plan under FOR UPDATE
    if any(
        activity.pk not in current or current[activity.pk].version != version
        for activity, version, _data in changes
    ):
        return None
    now = timezone.now()
    for activity, _version, data in changes:
        row = current[activity.pk]
        for name, value in data.items():
            setattr(row, name, value)
        row.version, row.updated_by, row.updated_at = row.version + 1, by, now
    rows = [current[activity.pk] for activity, _version, _data in changes]
    bulk_update_with_history(
        rows,
        Activity,
        [*FIELDS, "version", "updated_by", "updated_at"],
        default_user=by,
        default_change_reason=reason or None,
    )
    return rows


@transaction.atomic
def activity_create(
    *,
    plan: Plan,
    fields: Mapping[str, object],
    by: User,
    gap_service: SPMService | None = None,
    follow_up: FollowUp | None = None,
    proposal: MusrenbangProposal | None = None,
) -> Activity:
    """Add an activity to an editable plan; atomic. Started from an SPM gap, it keeps the
    figures of the quarter the gap was seen in; from an RTL item or a Musrenbang proposal, the
    link. The origin must belong to the plan's owner."""
    require_writer(plan, by)
    data = activity_fields_clean(fields)
    check_service_point(plan, data)
    links: dict[str, object] = {"origin": Activity.Origin.MANUAL}
    if sum(x is not None for x in (gap_service, follow_up, proposal)) > 1:
        raise ValueError("An activity has one origin.")
    if gap_service is not None:
        gap = gap_get(user=by, plan=plan, service=gap_service)
        if gap is None:
            raise ValidationError(
                _(
                    "%(service)s is no longer below its pace for this plan: add the activity "
                    "without the gap."
                )
                % {"service": gap_service.label}
            )
        links = {
            "origin": Activity.Origin.GAP,
            "gap_year": gap.year,
            "gap_quarter": gap.quarter,
            "gap_target": gap.target,
            "gap_served": gap.served_ytd,
            "gap_achievement": gap.achievement,
            "gap_pace": gap.pace,
        }
        if data["service"] is None:
            data["service"] = gap_service
            data["sub_activity"] = data["sub_activity"] or _default_code(gap_service)
    elif follow_up is not None:
        if follow_up_for(user=by, plan=plan, pk=follow_up.pk) is None:
            raise ValidationError(_("This RTL item is not from a meeting of this plan's owner."))
        links = {"origin": Activity.Origin.RTL, "follow_up": follow_up}
    elif proposal is not None:
        if proposal_for(user=by, plan=plan, pk=proposal.pk) is None:
            raise ValidationError(
                _("This Musrenbang proposal is not from a meeting of this plan's owner.")
            )
        links = {"origin": Activity.Origin.MUSRENBANG, "proposal": proposal}
    _touch_plan(plan, by)
    return _insert(plan=plan, rows=[{**data, **links}], by=by)[0]


@transaction.atomic
def activity_update(
    *, activity: Activity, fields: Mapping[str, object], version: int, by: User
) -> None:
    """Change an activity's RUK columns; atomic; refused if someone saved it since `version`.
    Its origin and gap figures stay as they were."""
    plan = activity.plan
    require_writer(plan, by)
    data = activity_fields_clean(fields)
    check_service_point(plan, data)
    if _update(plan=plan, changes=[(activity, version, data)], by=by) is None:
        raise ValidationError(
            _(
                "Someone saved this activity while you were editing it. Nothing of yours was "
                "saved over it: reload the page and make your changes again."
            )
        )
    _touch_plan(plan, by)
    activity.refresh_from_db()


@transaction.atomic
def activities_import(
    *,
    plan: Plan,
    version: int,
    new: Sequence[Mapping[str, object]],
    changed: Sequence[tuple[Activity, Mapping[str, object]]],
    by: User,
    reason: str = "",
) -> None:
    """Add `new` activities and change `changed` ones (each at the version loaded with it) in
    one change of the plan, claimed at `version`; atomic. The form's rules and rights apply
    (`activity_fields_clean`, `require_writer`); refused whole with PlanChanged if the plan or
    one of the activities changed since, or with a ValidationError if the plan is not open."""
    require_writer(plan, by)
    new = [activity_fields_clean(fields) for fields in new]
    changes = [(a, a.version, activity_fields_clean(fields)) for a, fields in changed]
    for data in [*new, *(data for _a, _v, data in changes)]:
        check_service_point(plan, data)
    if changes and _update(plan=plan, changes=changes, by=by, reason=reason) is None:
        raise PlanChanged(_("An activity of this plan changed since the file was read."))
    try:
        plan_claim(plan, version=version, statuses=_open_statuses(plan), by=by)
    except ValidationError as refused:
        if plan.version != version:
            raise PlanChanged(refused.messages) from None
        raise
    if new:
        _insert(plan=plan, rows=new, by=by, reason=reason)


@transaction.atomic
def activity_delete(*, activity: Activity, by: User) -> None:
    """Delete an activity of an editable plan (and its schedule); the plan's history keeps
    who deleted what, and when."""
    plan = activity.plan
    require_writer(plan, by)
    _touch_plan(plan, by)
    note = f"{activity.effort}: {activity.name} (Rp {rupiah(activity.budget_idr)})"
    audit.record(plan, action=AuditEvent.Action.ACTIVITY_DELETED, by=by, reason=note)
    activity.delete()

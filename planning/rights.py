"""Who may change plans (services check; templates only hide buttons).

What a user may *see* is decided by `indicators.scoping.in_area` through each model's
`area_paths`: a puskesmas its own RUK, a district its puskesmas's RUKs and its Dinkes plan, a
province its districts' plans, read only. This module only answers who may *change*:
- puskesmas heads and staff write their own puskesmas's RUK while it is a draft or returned;
  the head submits it to the district (the RUK goes out under the head's name);
- district planners keep their Dinkes plan, and return or approve their puskesmas's RUKs;
- once a RUK is approved, its puskesmas's heads and staff schedule it month by month (RPK).
"""

from __future__ import annotations

from indicators.models import User

from .models import Plan

Role = User.Role
PUSKESMAS_ROLES = (Role.PUSKESMAS_HEAD, Role.PUSKESMAS_STAFF)


def _authenticated(user) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def _of_puskesmas(user, plan: Plan) -> bool:
    return (
        user.role in PUSKESMAS_ROLES
        and plan.puskesmas_id is not None
        and user.puskesmas_id == plan.puskesmas_id
    )


def _planner_of(user, plan: Plan) -> bool:
    return user.role == Role.DISTRICT_PLANNER and user.district_id == plan.district_id


def can_create_plan(user) -> bool:
    """Puskesmas heads and staff start their RUK; district planners their Dinkes plan."""
    if not _authenticated(user):
        return False
    if user.role in PUSKESMAS_ROLES:
        return bool(user.puskesmas_id)
    return user.role == Role.DISTRICT_PLANNER and bool(user.district_id)


# Who, whatever the plan's status (services refuse others with PermissionDenied, and a plan in
# the wrong status with a ValidationError that says why).


def is_plan_writer(user, plan: Plan) -> bool:
    """The puskesmas's heads and staff write its RUK; the district's planners the Dinkes plan."""
    if not _authenticated(user):
        return False
    if user.is_system_admin:
        return True
    return _planner_of(user, plan) if plan.is_dinkes else _of_puskesmas(user, plan)


def is_plan_submitter(user, plan: Plan) -> bool:
    """The puskesmas head submits the RUK (it goes out under the head's name)."""
    return (
        _authenticated(user)
        and not plan.is_dinkes
        and user.role == Role.PUSKESMAS_HEAD
        and user.puskesmas_id == plan.puskesmas_id
    )


def is_plan_reviewer(user, plan: Plan) -> bool:
    """The district's planners return and approve its puskesmas's RUKs."""
    if not _authenticated(user) or plan.is_dinkes:
        return False
    return user.is_system_admin or _planner_of(user, plan)


# Whether the action is open now (for showing buttons).


def can_edit_plan(user, plan: Plan) -> bool:
    """Whether `user` may add, change and delete the plan's activities now."""
    return plan.is_editable and is_plan_writer(user, plan)


def can_submit_plan(user, plan: Plan) -> bool:
    return plan.status in Plan.EDITABLE_STATUSES and is_plan_submitter(user, plan)


def can_approve_plan(user, plan: Plan) -> bool:
    return plan.status == Plan.Status.SUBMITTED and is_plan_reviewer(user, plan)


def can_return_plan(user, plan: Plan) -> bool:
    """A submitted RUK goes back for changes; an approved one may be reopened, with a reason."""
    return plan.status in (Plan.Status.SUBMITTED, Plan.Status.APPROVED) and is_plan_reviewer(
        user, plan
    )


def can_schedule(user, plan: Plan) -> bool:
    """The puskesmas's heads and staff schedule their approved RUK month by month (RPK)."""
    return plan.is_approved and not plan.is_dinkes and is_plan_writer(user, plan)

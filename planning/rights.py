"""Who may change plans (services check; templates only hide buttons).

What a user may *see* is decided by `kernel.scoping.in_area` through each model's
`area_paths`: a puskesmas its own RUK, a district its puskesmas's RUKs and its Dinkes plan, a
province its districts' plans, read only. This module only answers who may *change*:
- puskesmas heads and staff write their own puskesmas's RUK while it is a draft or returned;
  the head submits it to the district (the RUK goes out under the head's name);
- district planners keep their Dinkes plan, and return or approve their puskesmas's RUKs;
- once a RUK is approved, its puskesmas's heads and staff schedule it month by month (RPK).
"""

from __future__ import annotations

import rules

from kernel.roles import (
    has_area,
    in_own_district,
    in_own_puskesmas,
    is_district_planner,
    is_puskesmas_head,
    is_puskesmas_member,
    is_system_admin,
)

from .models import Plan


@rules.predicate
def is_dinkes_plan(user, plan=None) -> bool:
    """The plan is a Dinkes plan (a district's own), not a puskesmas's RUK."""
    return plan is not None and plan.is_dinkes


# Puskesmas heads and staff start their RUK; district planners their Dinkes plan.
can_create_plan = (is_puskesmas_member | is_district_planner) & has_area

# Who, whatever the plan's status (services refuse others with PermissionDenied, and a plan in
# the wrong status with a ValidationError that says why).

# The puskesmas's heads and staff write its RUK; the district's planners the Dinkes plan.
is_plan_writer = (
    is_system_admin
    | (is_dinkes_plan & is_district_planner & in_own_district)
    | (~is_dinkes_plan & is_puskesmas_member & in_own_puskesmas)
)

# The puskesmas head submits the RUK (it goes out under the head's name).
is_plan_submitter = ~is_dinkes_plan & is_puskesmas_head & in_own_puskesmas

# The district's planners return and approve its puskesmas's RUKs.
is_plan_reviewer = ~is_dinkes_plan & (is_system_admin | (is_district_planner & in_own_district))


# Whether the action is open now (for showing buttons): the plan's status, then who.


@rules.predicate
def _is_editable(user, plan=None) -> bool:
    return plan is not None and plan.is_editable


@rules.predicate
def _awaits_submission(user, plan=None) -> bool:
    return plan is not None and plan.status in Plan.EDITABLE_STATUSES


@rules.predicate
def _is_submitted(user, plan=None) -> bool:
    return plan is not None and plan.status == Plan.Status.SUBMITTED


@rules.predicate
def _is_returnable(user, plan=None) -> bool:
    """A submitted RUK goes back for changes; an approved one may be reopened, with a reason."""
    return plan is not None and plan.status in (Plan.Status.SUBMITTED, Plan.Status.APPROVED)


@rules.predicate
def _is_approved(user, plan=None) -> bool:
    return plan is not None and plan.is_approved


# Whether `user` may add, change and delete the plan's activities now.
can_edit_plan = _is_editable & is_plan_writer
can_submit_plan = _awaits_submission & is_plan_submitter
can_approve_plan = _is_submitted & is_plan_reviewer
can_return_plan = _is_returnable & is_plan_reviewer
# The puskesmas's heads and staff schedule their approved RUK month by month (RPK); the
# district's planners their Dinkes plan (not reviewed), so that both are realised by month.
can_schedule = is_plan_writer & (_is_approved | is_dinkes_plan)


# Issue #16: budget
# The realisation of a plan's schedule (done / not done, cost realised), month by month: the
# puskesmas's heads and staff for its approved RUK's RPK, the district's planners for their
# Dinkes plan (not reviewed, so open whatever its status).
can_realise = is_plan_writer & (is_dinkes_plan | _is_approved)

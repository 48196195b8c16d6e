"""Writes about plans as a whole: start one, submit a RUK, return or approve it.

Every state change is conditional on the plan's status and version (two clicks, one win; a
reviewer approves the RUK as they saw it), and records who and when (PlanEvent).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from indicators.models import User

from ..models import Plan, PlanEvent
from ..rights import can_create_plan, is_plan_reviewer, is_plan_submitter, is_plan_writer
from ..selectors.plans import plan_years

Status = Plan.Status


def _status_word(plan: Plan) -> str:
    return str(plan.get_status_display()).lower()


def plan_claim(plan: Plan, *, version: int | None, statuses, by: User, **fields) -> None:
    """Bump the plan's version if it is still in `statuses` (and at `version`, when given), setting
    `fields`; otherwise refuse and say why. Refreshes `plan`."""
    claim = Plan.objects.filter(pk=plan.pk, status__in=statuses)
    if version is not None:
        claim = claim.filter(version=version)
    if not claim.update(version=F("version") + 1, updated_at=timezone.now(), **fields):
        plan.refresh_from_db()
        if plan.status not in statuses:
            raise ValidationError(
                _("This plan is %(status)s: it cannot be changed that way now.")
                % {"status": _status_word(plan)}
            )
        raise ValidationError(
            _("The plan changed since you opened it: reload the page, check it and try again.")
        )
    plan.refresh_from_db()


def require_writer(plan: Plan, by: User) -> None:
    """Refuse anyone but the plan's writers; refuse a plan that is not open for changes."""
    if not is_plan_writer(by, plan):
        raise PermissionDenied(_("Only the plan's own puskesmas or district can change it."))
    if not plan.is_editable:
        raise ValidationError(
            _("This RUK is %(status)s: it can no longer be changed.")
            % {"status": _status_word(plan)}
        )


@transaction.atomic
def plan_create(*, year: int, by: User) -> Plan:
    """Start the RUK of the user's puskesmas (or the Dinkes plan of the planner's district) for
    `year`, or return the one already started; idempotent."""
    if not can_create_plan(by):
        raise PermissionDenied(_("Only puskesmas staff and district planners write plans."))
    if year not in plan_years():
        raise ValidationError({"year": _("Choose a year from the list.")})
    if by.puskesmas_id:
        owner = {"puskesmas": by.puskesmas, "district_id": by.puskesmas.district_id}
    else:
        owner = {"puskesmas": None, "district_id": by.district_id}
    plan, created = Plan.objects.get_or_create(year=year, **owner, defaults={"created_by": by})
    if created:
        PlanEvent.objects.create(plan=plan, action=PlanEvent.Action.CREATED, by=by)
    return plan


@transaction.atomic
def plan_submit(*, plan: Plan, version: int, by: User) -> None:
    """Send a draft or returned RUK to the district; it needs at least one activity."""
    if not is_plan_submitter(by, plan):
        raise PermissionDenied(_("Only the head of the puskesmas submits its RUK."))
    if not plan.activities.exists():
        raise ValidationError(_("Add at least one activity before submitting the RUK."))
    now = timezone.now()
    plan_claim(
        plan,
        version=version,
        statuses=Plan.EDITABLE_STATUSES,
        by=by,
        status=Status.SUBMITTED,
        submitted_at=now,
        submitted_by=by,
    )
    PlanEvent.objects.create(plan=plan, action=PlanEvent.Action.SUBMITTED, by=by)


@transaction.atomic
def plan_approve(*, plan: Plan, version: int, by: User) -> None:
    """Approve a submitted RUK as the reviewer saw it (refused if it changed since)."""
    if not is_plan_reviewer(by, plan):
        raise PermissionDenied(_("Only the district's planners review its puskesmas's RUKs."))
    plan_claim(
        plan,
        version=version,
        statuses=(Status.SUBMITTED,),
        by=by,
        status=Status.APPROVED,
        decided_at=timezone.now(),
        decided_by=by,
        return_reason="",
    )
    PlanEvent.objects.create(plan=plan, action=PlanEvent.Action.APPROVED, by=by)


@transaction.atomic
def plan_return(*, plan: Plan, version: int, reason: str, by: User) -> None:
    """Send a submitted RUK back for changes, or reopen an approved one; a reason is required."""
    if not is_plan_reviewer(by, plan):
        raise PermissionDenied(_("Only the district's planners review its puskesmas's RUKs."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say what the puskesmas should change.")})
    plan_claim(
        plan,
        version=version,
        statuses=(Status.SUBMITTED, Status.APPROVED),
        by=by,
        status=Status.RETURNED,
        decided_at=timezone.now(),
        decided_by=by,
        return_reason=reason,
    )
    PlanEvent.objects.create(plan=plan, action=PlanEvent.Action.RETURNED, note=reason, by=by)

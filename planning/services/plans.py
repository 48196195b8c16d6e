"""Writes about plans as a whole: start one, submit a RUK, return or approve it.

Every state change is conditional on the plan's status and version (two clicks, one win; a
reviewer approves the RUK as they saw it), and records who and when in the audit log, all through
`kernel.audit` (STYLE.md §15 "Reviews and audit").
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kernel import audit
from kernel.models import AuditEvent, User

from ..models import Plan
from ..rights import can_create_plan, is_plan_reviewer, is_plan_submitter, is_plan_writer
from ..selectors.plans import plan_years

Status = Plan.Status
Action = AuditEvent.Action


def _status_word(plan: Plan) -> str:
    return str(plan.get_status_display()).lower()


def plan_claim(
    plan: Plan, *, version: int | None, statuses: Iterable[str], by: User, **fields: Any
) -> None:
    """Bump the plan's version if it is still in `statuses` (and at `version`, when given), setting
    `fields`; otherwise refuse and say why. Refreshes `plan`."""
    audit.claim(plan, by=by, source=statuses, version=version, fields=fields)


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
    if by.puskesmas is not None:
        owner = {"puskesmas": by.puskesmas, "district_id": by.puskesmas.district_id}
    else:
        owner = {"puskesmas": None, "district_id": by.district_id}
    plan, created = Plan.objects.get_or_create(year=year, **owner, defaults={"created_by": by})
    if created:
        audit.record(plan, action=Action.CREATED, by=by, to_status=plan.status)
    return plan


@transaction.atomic
def plan_submit(*, plan: Plan, version: int, by: User) -> None:
    """Send a draft or returned RUK to the district; it needs at least one activity."""
    if not is_plan_submitter(by, plan):
        raise PermissionDenied(_("Only the head of the puskesmas submits its RUK."))
    if not plan.activities.exists():
        raise ValidationError(_("Add at least one activity before submitting the RUK."))
    now = timezone.now()
    audit.transition(
        plan,
        by=by,
        source=Plan.EDITABLE_STATUSES,
        target=Status.SUBMITTED,
        action=Action.SUBMITTED,
        version=version,
        fields={"submitted_at": now, "submitted_by": by},
    )


@transaction.atomic
def plan_approve(*, plan: Plan, version: int, by: User) -> None:
    """Approve a submitted RUK as the reviewer saw it (refused if it changed since)."""
    if not is_plan_reviewer(by, plan):
        raise PermissionDenied(_("Only the district's planners review its puskesmas's RUKs."))
    audit.transition(
        plan,
        by=by,
        source=(Status.SUBMITTED,),
        target=Status.APPROVED,
        action=Action.APPROVED,
        version=version,
        fields={"decided_at": timezone.now(), "decided_by": by, "return_reason": ""},
    )


@transaction.atomic
def plan_return(*, plan: Plan, version: int, reason: str, by: User) -> None:
    """Send a submitted RUK back for changes, or reopen an approved one; a reason is required."""
    if not is_plan_reviewer(by, plan):
        raise PermissionDenied(_("Only the district's planners review its puskesmas's RUKs."))
    reason = (reason or "").strip()
    audit.transition(
        plan,
        by=by,
        source=(Status.SUBMITTED, Status.APPROVED),
        target=Status.RETURNED,
        action=Action.RETURNED,
        version=version,
        reason=reason,
        reason_required=True,
        reason_message={"reason": _("Say what the puskesmas should change.")},
        fields={"decided_at": timezone.now(), "decided_by": by, "return_reason": reason},
    )

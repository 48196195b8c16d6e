"""The year's approval of a district's targets of record, and reopening it."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ...models import District, Target, TargetApproval, TargetApprovalEvent, Village
from ...reporting import monthly_services
from ...scoping import in_given_area
from ._common import _lock_open_year, _require_planner


def is_approved(*, district: District, year: int) -> bool:
    return TargetApproval.objects.filter(district=district, year=year).exists()


# --- Approval ------------------------------------------------------------------------------------


def targets_missing_count(*, district: District, year: int) -> int:
    """Desa x monthly services of the district without a target of record (two counts)."""
    services = monthly_services(year)
    villages = in_given_area(Village.objects.all(), district).count()
    of_record = in_given_area(
        Target.objects.filter(year=year, is_of_record=True, service__in=services), district
    ).count()
    return villages * len(services) - of_record


@transaction.atomic
def targets_approve(*, district: District, year: int, by) -> TargetApproval:
    """Approve the district's targets of record for the year; atomic.

    Refused while a desa and service has no target of record. After approval nothing about the
    year's targets of record changes until `targets_reopen`.
    """
    if is_approved(district=district, year=year):
        raise ValidationError(
            _("The %(year)s targets of %(district)s are already approved.")
            % {"year": year, "district": district}
        )
    _lock_open_year(district_ids=[district.pk], year=year, by=by)
    if not in_given_area(Village.objects.all(), district).exists():
        raise ValidationError(_("%(district)s has no desa yet.") % {"district": district})
    missing = targets_missing_count(district=district, year=year)
    if missing:
        raise ValidationError(
            ngettext(
                "%(count)s desa and service still has no target of record; choose one first.",
                "%(count)s desa and service pairs still have no target of record; "
                "choose them first.",
                missing,
            )
            % {"count": missing}
        )
    approval = TargetApproval.objects.create(district=district, year=year, approved_by=by)
    TargetApprovalEvent.objects.create(
        district=district, year=year, action=TargetApprovalEvent.Action.APPROVED, by=by
    )
    return approval


@transaction.atomic
def targets_reopen(*, district: District, year: int, by, reason: str) -> None:
    """Withdraw the year's approval so targets can change again; needs a reason; atomic.

    Who, when and why are kept as a TargetApprovalEvent.
    """
    _require_planner(by, district)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for reopening the targets.")})
    District.objects.select_for_update().filter(pk=district.pk).first()
    approval = TargetApproval.objects.filter(district=district, year=year).first()
    if approval is None:
        raise ValidationError(
            _("The %(year)s targets of %(district)s are not approved.")
            % {"year": year, "district": district}
        )
    approval.delete()
    TargetApprovalEvent.objects.create(
        district=district,
        year=year,
        action=TargetApprovalEvent.Action.REOPENED,
        by=by,
        reason=reason,
    )

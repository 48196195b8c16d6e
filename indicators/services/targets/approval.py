"""The year's approval of a district's targets of record, and reopening it."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kernel import audit
from kernel.models import AuditEvent, District, User, Village
from kernel.scoping import in_given_area

from ...models import Target, TargetApproval
from ...reporting import monthly_services
from ._common import _lock_open_year, _require_planner


def is_approved(*, district: District, year: int) -> bool:
    return TargetApproval.objects.filter(
        district=district, year=year, status=TargetApproval.Status.APPROVED
    ).exists()


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
def targets_approve(*, district: District, year: int, by: User) -> TargetApproval:
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
    approval, _created = TargetApproval.objects.get_or_create(district=district, year=year)
    approval.district = district
    return audit.transition(
        approval,
        by=by,
        source=[TargetApproval.Status.OPEN],
        target=TargetApproval.Status.APPROVED,
        action=AuditEvent.Action.APPROVED,
        fields={"approved_by": by, "approved_at": timezone.now()},
    )


@transaction.atomic
def targets_reopen(*, district: District, year: int, by: User, reason: str) -> None:
    """Withdraw the year's approval so targets can change again; needs a reason; atomic.

    Who, when and why are kept in the audit log.
    """
    _require_planner(by, district)
    reason_message = {"reason": _("Give the reason for reopening the targets.")}
    if not (reason or "").strip():
        raise ValidationError(reason_message)
    District.objects.select_for_update().filter(pk=district.pk).first()
    approval = TargetApproval.objects.filter(district=district, year=year).first()
    not_approved = _("The %(year)s targets of %(district)s are not approved.") % {
        "year": year,
        "district": district,
    }
    if approval is None:
        raise ValidationError(not_approved)
    approval.district = district
    audit.transition(
        approval,
        by=by,
        source=[TargetApproval.Status.APPROVED],
        target=TargetApproval.Status.OPEN,
        action=AuditEvent.Action.REOPENED,
        reason=reason,
        reason_required=True,
        reason_message=reason_message,
        fields={"approved_by": None, "approved_at": None},
        refused=not_approved,
    )

"""Review at a glance (issue #15): approve several submitted reports at once.

Each approval goes through `report_approve` (its rights, its transition, its audit event) in
its own transaction: one report that changed or was decided meanwhile is skipped and said so,
and never undoes or stops the others.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kernel.models import User
from kernel.scoping import in_area

from ..models import MonthlyReport
from ..rights import can_review_reports
from .reports import report_approve


@dataclass
class BatchApproval:
    """What an "Approve selected" did: the reports approved, those skipped with why, and how
    many ids named no report of the user's area (ignored, never named)."""

    approved: list[MonthlyReport] = field(default_factory=list)
    skipped: list[tuple[MonthlyReport, str]] = field(default_factory=list)
    ignored: int = 0


def reports_approve(*, by: User, versions: Mapping[int, int]) -> BatchApproval:
    """Approve each report of `versions` (report id -> the version the reviewer saw) that is
    still submitted at that version, through `report_approve` (audited), one transaction each.
    Scoped: ids outside `by`'s area are ignored. Never raises for one report."""
    if not can_review_reports(by):
        raise PermissionDenied(_("Only the district's planners can do this."))
    result = BatchApproval()
    found = set(
        in_area(MonthlyReport.objects.all(), by)
        .filter(pk__in=list(versions))
        .values_list("pk", flat=True)
    )
    result.ignored = len(set(versions) - found)
    for pk in sorted(found):
        try:
            with transaction.atomic():
                # Locked until this approval commits: nobody changes it between check and write.
                report = (
                    MonthlyReport.objects.select_for_update(of=("self",))
                    .select_related("puskesmas__district")
                    .get(pk=pk)
                )
                if report.status != MonthlyReport.Status.SUBMITTED:
                    result.skipped.append(
                        (
                            report,
                            _("it is %(status)s now.")
                            % {"status": report.get_status_display().lower()},
                        )
                    )
                    continue
                if report.version != versions[pk]:
                    result.skipped.append((report, _("it changed since the list was shown.")))
                    continue
                report_approve(report=report, by=by)
        except (ValidationError, PermissionDenied) as error:
            result.skipped.append((report, " ".join(getattr(error, "messages", [str(error)]))))
        else:
            if report.status == MonthlyReport.Status.APPROVED:
                result.approved.append(report)
    return result

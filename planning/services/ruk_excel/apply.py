"""Writing a checked file in one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from typing import IO

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from indicators.models import User

from ...models import Activity, Plan
from ..activities import FIELDS
from ..plans import plan_claim, require_writer
from .parse import RukImport, ruk_import_parse, who_changed


@dataclass(frozen=True)
class RukImportSummary:
    added: int
    updated: int
    unchanged: int
    untouched: int


@transaction.atomic
def ruk_import_apply(*, result: RukImport, by: User) -> RukImportSummary:
    """Add and update the checked file's activities in one transaction; refused whole if the
    plan or one of its activities changed since the file was checked."""
    plan = result.plan
    require_writer(plan, by)
    summary = RukImportSummary(
        len(result.new), len(result.changed), result.unchanged, result.untouched
    )
    if not result.new and not result.changed:
        return summary
    seen = [activity for activity, _data in result.changed]
    rows = Activity.objects.select_for_update().filter(plan=plan, pk__in=[a.pk for a in seen])
    rows = rows.order_by("pk")  # no join to the plan (its ordering) under FOR UPDATE
    current = {row.pk: row for row in rows}
    if any(a.pk not in current or current[a.pk].version != a.version for a in seen):
        plan.refresh_from_db()
        raise ValidationError(
            who_changed(plan, version=result.version, since=result.downloaded_at, by=by)
        )
    statuses = tuple(Plan.Status.values) if plan.is_dinkes else Plan.EDITABLE_STATUSES
    try:
        plan_claim(plan, version=result.version, statuses=statuses, by=by)
    except ValidationError:
        if plan.version != result.version:
            raise ValidationError(
                who_changed(plan, version=result.version, since=result.downloaded_at, by=by)
            ) from None
        raise
    now = timezone.now()
    reason = (_("Excel import: %(file)s") % {"file": result.file_name})[:100]
    new = [Activity(plan=plan, created_by=by, updated_by=by, **data) for data in result.new]
    bulk_create_with_history(new, Activity, default_user=by, default_change_reason=reason)
    changed = []
    for activity, data in result.changed:
        row = current[activity.pk]
        for name, value in data.items():
            setattr(row, name, value)
        row.version, row.updated_by, row.updated_at = row.version + 1, by, now
        changed.append(row)
    bulk_update_with_history(
        changed,
        Activity,
        [*FIELDS, "version", "updated_by", "updated_at"],
        default_user=by,
        default_change_reason=reason,
    )
    return summary


def ruk_import(
    *, plan: Plan, upload: IO[bytes], by: User, file_name: str | None = None
) -> RukImportSummary:
    """Check a filled template whole, then add and update its activities (atomic); raises a
    ValidationError listing every problem, and saves nothing, if the file has any."""
    result, errors = ruk_import_parse(plan=plan, upload=upload, by=by, file_name=file_name)
    if errors:
        raise ValidationError(errors)
    return ruk_import_apply(result=result, by=by)

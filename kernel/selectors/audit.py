"""The one read of the audit log: every history page and export of a reviewed object."""

from __future__ import annotations

from django.db.models import Model, QuerySet

from ..models import AuditEvent
from ..scoping import in_area


def audit_history(*, obj: Model, user) -> QuerySet[AuditEvent]:
    """`obj`'s workflow steps (who, when, from and to which status, why), newest first; only
    those inside `user`'s area (none for another area's object). One query, whatever the count."""
    opts = obj._meta
    events = AuditEvent.objects.filter(
        content_type__app_label=opts.app_label,
        content_type__model=opts.model_name,
        object_id=obj.pk,
    )
    return in_area(events, user).select_related("by").order_by("-at", "-pk")


def audit_latest(*, model: type[Model], object_ids, action: str, user) -> dict[int, AuditEvent]:
    """Per object id, its latest event with `action` (who, when, why); only events inside
    `user`'s area. One query for any number of objects; none for no ids."""
    ids = list(object_ids)
    if not ids:
        return {}
    opts = model._meta
    events = AuditEvent.objects.filter(
        content_type__app_label=opts.app_label,
        content_type__model=opts.model_name,
        object_id__in=ids,
        action=action,
    )
    latest: dict[int, AuditEvent] = {}
    for event in in_area(events, user).select_related("by").order_by("object_id", "-at", "-pk"):
        latest.setdefault(event.object_id, event)
    return latest

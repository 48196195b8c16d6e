"""Reviews and audit (issue #12, STYLE.md §15 "Reviews and audit"): one transition helper and
one audit log.

- `transition(obj, by=, source=, target=, action=, ...)`: the one state change of a reviewed
  object (a monthly report, a plan, a year's targets...). One conditional UPDATE from the allowed
  `source` statuses (and at `version`, when the form posted one) bumps the version, sets who and
  when and the given fields; then one AuditEvent records the step. Two clicks or two reviewers:
  one wins, the other gets a ValidationError saying the object's status now, or that it changed
  since they opened it.
- `claim(obj, ...)`: the same conditional update without a status change or an event (a value
  save, a change to a plan's activities bumps the version the reviewer will approve).
- `record(obj, action=, by=, ...)`: an event without a state change (created, saved, imported,
  an unlock asked for...); `record_many` for many objects at once (imports).

Reviewed models say where their events are seen with `audit_area()` (province, district,
puskesmas ids), and may word refusals with `transition_refused` / `transition_stale` (a lazy
string with %(status)s). Everything is read back through `selectors.audit.audit_history`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import AuditEvent

M = TypeVar("M", bound=models.Model)
Message = str | Callable[[Any], str]


def _area(obj: models.Model, area: Mapping | None = None) -> dict[str, int | None]:
    area = obj.audit_area() if area is None else area
    return {key: area.get(key) for key in ("province_id", "district_id", "puskesmas_id")}


def _event(
    obj, *, action, by, reason="", data=None, from_status="", to_status="", at=None, area=None
):
    return AuditEvent(
        content_type=ContentType.objects.get_for_model(obj),
        object_id=obj.pk,
        action=action,
        from_status=from_status or "",
        to_status=to_status or "",
        reason=(reason or "").strip(),
        data=data or {},
        by=by,
        at=at or timezone.now(),
        **_area(obj, area),
    )


def record(
    obj: models.Model,
    *,
    action: str,
    by,
    reason: str = "",
    data: Mapping | None = None,
    from_status: str = "",
    to_status: str = "",
    at=None,
) -> AuditEvent:
    """Write one audit event about `obj` (who, when, what, why), in its area."""
    event = _event(
        obj,
        action=action,
        by=by,
        reason=reason,
        data=dict(data or {}),
        from_status=from_status,
        to_status=to_status,
        at=at,
    )
    event.obj = obj  # at hand for the post_save receivers (kernel.notifications): no query
    event.save()
    return event


def record_many(
    objs: Iterable[models.Model],
    *,
    action: str,
    by,
    reason: str = "",
    at=None,
    to_status: str = "",
    area: Callable[[Any], Mapping] | None = None,
) -> None:
    """The same event about many objects (an import touching many reports), in one insert.

    `area(obj)` gives an object's area ids when the caller has them at hand (no query per
    object); otherwise each object's `audit_area()`."""
    at = at or timezone.now()
    AuditEvent.objects.bulk_create(
        [
            _event(
                obj,
                action=action,
                by=by,
                reason=reason,
                at=at,
                area=area(obj) if area else None,
                to_status=to_status,
            )
            for obj in objs
        ],
        batch_size=1000,
    )


def _status_word(obj) -> str:
    return str(obj.get_status_display()).lower()


def _say(message: Message | None, default: str, obj) -> str:
    if message is None:
        return default % {"status": _status_word(obj)}
    if callable(message):
        return message(obj)
    return str(message) % {"status": _status_word(obj)}


def claim(
    obj: M,
    *,
    by,
    source: Iterable[str],
    version: int | None = None,
    fields: Mapping[str, Any] | None = None,
    refused: Message | None = None,
    stale: Message | None = None,
) -> M:
    """Bump `obj`'s version if it is still in a `source` status (and at `version`, when given),
    setting `fields` (and who and when, where the model keeps them); otherwise refuse and say
    why. Refreshes `obj`. One conditional UPDATE: two concurrent claims cannot both win."""
    model = type(obj)
    names = {f.name for f in model._meta.concrete_fields}
    values = dict(fields or {})
    values["version"] = F("version") + 1
    if "updated_at" in names:
        values.setdefault("updated_at", timezone.now())
    if "updated_by" in names:
        values.setdefault("updated_by", by)
    source = list(source)
    rows = model._base_manager.filter(pk=obj.pk, status__in=source)
    if version is not None:
        rows = rows.filter(version=version)
    if not rows.update(**values):
        obj.refresh_from_db()
        if obj.status not in source:
            raise ValidationError(
                _say(
                    refused or getattr(model, "transition_refused", None),
                    _("This is %(status)s now: it cannot be changed that way."),
                    obj,
                ),
                code="refused",
            )
        raise ValidationError(
            _say(
                stale or getattr(model, "transition_stale", None),
                _("This changed since you opened it: reload the page, check it and try again."),
                obj,
            ),
            code="stale",
        )
    _refresh_keeping_relations(obj)
    return obj


def _refresh_keeping_relations(obj: models.Model) -> None:
    """Reload `obj`'s fields, keeping the related objects it had loaded (its puskesmas, say)
    where they are still the ones it points to: refresh_from_db alone forgets them all."""
    kept = [
        (field, field.get_cached_value(obj))
        for field in obj._meta.concrete_fields
        if field.is_relation and field.is_cached(obj)
    ]
    obj.refresh_from_db()
    for field, related in kept:
        if related is not None and getattr(obj, field.attname) == related.pk:
            field.set_cached_value(obj, related)


def transition(
    obj: M,
    *,
    by,
    source: Iterable[str],
    target: str,
    action: str,
    version: int | None = None,
    reason: str = "",
    reason_required: bool = False,
    reason_message: str | Mapping | None = None,
    fields: Mapping[str, Any] | None = None,
    data: Mapping | None = None,
    refused: Message | None = None,
    stale: Message | None = None,
) -> M:
    """Move `obj` from a `source` status to `target` and record the step; atomic.

    Refused (nothing written) with a ValidationError when the reason is required and blank
    (`reason_message`, or a plain "give a reason"), when the object is no longer in a source
    status (it says which it is in), or when it changed since `version`. The event keeps who,
    when, the statuses, the reason and the new version. Returns `obj`, refreshed.
    """
    reason = (reason or "").strip()
    if reason_required and not reason:
        raise ValidationError(reason_message or _("Give the reason."), code="reason")
    with transaction.atomic():
        source = list(source)
        from_status = source[0] if len(source) == 1 else obj.status
        claim(
            obj,
            by=by,
            source=source,
            version=version,
            fields={"status": target, **(fields or {})},
            refused=refused,
            stale=stale,
        )
        if from_status not in source:  # the object in memory was older than the row
            from_status = ""
        record(
            obj,
            action=action,
            by=by,
            reason=reason,
            data={"version": obj.version, **(data or {})},
            from_status=from_status,
            to_status=target,
        )
    return obj

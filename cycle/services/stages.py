"""Writes of the four stages worksheet (issue #16 must-have 3): open a district's worksheet for
a service and year pre-filled from the data, fill it from the data again later, save what the
district writes (versioned: a stale save is refused with who and both values), keep its need
lines and regional-plan lines. Only the district's planners (cycle.rights.can_edit_cycle);
every write is recorded in the audit log against the worksheet.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from indicators.models import SPMService
from indicators.selectors.quality import ItemQuality
from kernel import audit
from kernel.models import AuditEvent, District, User
from kernel.versioning import created_before, save_edit, save_versioned
from planning.models import Activity

from ..models import IntegrationLine, NeedLine, StageSheet
from ..rights import can_edit_cycle
from ..selectors.stages import (
    activity_choices,
    gap_items,
    quality_by_service,
    quality_quarter,
    stage_services,
    targets_of_record,
)

Action = AuditEvent.Action
CENT = Decimal("0.01")
MAX_GAP = Decimal("9999999999.99")  # NeedLine.gap_quantity: 12 digits, 2 decimals

# What the district writes on its sheet, by the worksheet's section.
SECTION_FIELDS = {
    "data": ("partner_services", "data_notes", "data_status"),
    "needs": ("fiscal_capacity_idr", "needs_notes", "needs_status"),
    "plan": ("target_people", "financing", "delivery", "planning_notes", "plan_status"),
    "integration": ("integration_status",),
}
SHEET_FIELDS = frozenset(name for names in SECTION_FIELDS.values() for name in names)
NEED_FIELDS = ("item", "name", "kind", "unit", "gap_quantity", "unit_cost_idr", "order")
INTEGRATION_FIELDS = ("document", "chapter", "program", "budget_idr", "note")
SKIPPED = ["version", "updated_by", "updated_at"]


def _require_editor(by: User, district: District) -> None:
    if not can_edit_cycle(by, district):
        raise PermissionDenied(_("Only the district's planners can change its worksheets."))


def _gap(value: Decimal) -> Decimal:
    return min(MAX_GAP, Decimal(value).quantize(CENT))


def _amount(value: Decimal | None) -> str:
    """A quantity as people read it: grouped, decimals only when it has some."""
    if value is None:
        return "–"
    places = 0 if value == value.to_integral_value() else 2
    return number_format(value, decimal_pos=places, force_grouping=True)


def _need_from(line: ItemQuality, *, sheet: StageSheet) -> NeedLine:
    """A need line for one gap of the quality roll-up, at the item's standard unit cost."""
    item = line.item
    assert line.gap is not None  # a gap of the roll-up (gap_items)
    return NeedLine(
        sheet=sheet,
        item=item,
        name=item.name_id[:200],
        kind=item.kind,
        unit=item.unit[:30],
        gap_quantity=_gap(line.gap),
        unit_cost_idr=item.unit_cost_idr or Decimal(0),
        order=item.order,
    )


# --- Opening and filling from the data ------------------------------------------------------------


@transaction.atomic
def stage_sheet_open(*, district: District, service: SPMService, year: int, by: User) -> StageSheet:
    """The district's worksheet of `service` for `year`, opened if new and pre-filled: the
    target from the targets of record, a need line per gap of the latest quality roll-up at the
    item's standard unit cost. Idempotent: an open worksheet is returned as it is; atomic."""
    _require_editor(by, district)
    if service.pk not in {s.pk for s in stage_services(year=year)}:
        raise ValidationError(
            _("%(service)s is not a district SPM service of %(year)s.")
            % {"service": service.label, "year": year}
        )
    key = {"district": district, "service": service, "year": year}
    existing = StageSheet.objects.filter(**key).first()
    if existing is not None:
        return existing
    target = targets_of_record(user=by, district=district, year=year).get(service.pk)
    sheet = StageSheet(**key, target_people=target)
    try:
        with transaction.atomic():  # a savepoint: a concurrent open's insert wins alone
            save_versioned(sheet, by=by, version=None)
    except IntegrityError:
        return StageSheet.objects.get(**key)
    quarter = quality_quarter(user=by, district=district, year=year)
    quality = quality_by_service(user=by, district=district, year=year, quarter=quarter)
    needs = [_need_from(line, sheet=sheet) for line in gap_items(quality.get(service.pk))]
    for need in needs:
        save_versioned(need, by=by, version=None)
    audit.record(
        sheet,
        action=Action.CREATED,
        by=by,
        data={"target_people": target, "needs": len(needs), "quality_quarter": quarter},
    )
    return sheet


@dataclass
class Refreshed:
    """What filling a worksheet from the data again changed."""

    quarter: int | None = None
    added: list[str] = field(default_factory=list)
    changed: list[tuple[str, Decimal, Decimal]] = field(default_factory=list)
    met: list[str] = field(default_factory=list)
    target_set: int | None = None
    target_kept: tuple[int, int] | None = None  # (the sheet's, the targets of record's)

    @property
    def has_changes(self) -> bool:
        return bool(self.added or self.changed or self.met or self.target_set is not None)

    def messages(self) -> list[str]:
        """What changed, one sentence per kind of change, in the active language."""
        said = []
        if self.quarter is None:
            said.append(_("No approved quality report this year yet: the needs were not changed."))
        if self.added:
            said.append(_("New gaps added: %(names)s.") % {"names": ", ".join(self.added)})
        if self.changed:
            said.append(
                _("Gaps updated: %(changes)s.")
                % {
                    "changes": ", ".join(
                        f"{name} {_amount(old)} → {_amount(new)}" for name, old, new in self.changed
                    )
                }
            )
        if self.met:
            said.append(
                _("No longer short (gap now 0): %(names)s.") % {"names": ", ".join(self.met)}
            )
        if self.target_set is not None:
            said.append(
                _("Target set from the targets of record: %(target)s people.")
                % {"target": _amount(Decimal(self.target_set))}
            )
        if self.target_kept is not None:
            said.append(
                _(
                    "The worksheet's target of %(kept)s people was kept; the targets of record "
                    "now say %(record)s."
                )
                % {
                    "kept": _amount(Decimal(self.target_kept[0])),
                    "record": _amount(Decimal(self.target_kept[1])),
                }
            )
        if not self.has_changes and self.quarter is not None:
            said.append(_("The worksheet already matched the data: nothing changed."))
        return said


@transaction.atomic
def stage_sheet_refresh(*, sheet: StageSheet, by: User) -> Refreshed:
    """Fill the worksheet from the data again: each need line of a quality item takes the
    latest roll-up's gap (its unit cost, name and linked activities stay as edited), new gaps
    get a line, lines typed by hand are left alone; an empty target takes the targets of
    record's. Says what changed; atomic."""
    _require_editor(by, sheet.district)
    sheet = (
        StageSheet.objects.select_for_update()
        .select_related("district", "service")
        .get(pk=sheet.pk)
    )
    district, year = sheet.district, sheet.year
    result = Refreshed(quarter=quality_quarter(user=by, district=district, year=year))
    quality = quality_by_service(user=by, district=district, year=year, quarter=result.quarter).get(
        sheet.service_id
    )
    rolled = {line.item.pk: line for line in (quality.items if quality is not None else [])}
    existing: dict[int, NeedLine] = {
        need.item_id: need
        for need in sheet.needs.filter(item__isnull=False).select_related("item").order_by("pk")
        if need.item_id is not None
    }
    for item_id, need in existing.items():
        line = rolled.get(item_id)
        if line is None or line.gap is None:
            continue  # no figure for the item this quarter: the line stays as it is
        gap = _gap(line.gap)
        if gap == need.gap_quantity:
            continue
        old, need.gap_quantity = need.gap_quantity, gap
        save_versioned(need, by=by, version=need.version, fields=["gap_quantity"])
        if gap:
            result.changed.append((need.name, old, gap))
        else:
            result.met.append(need.name)
    for line in gap_items(quality):
        if line.item.pk not in existing:
            need = _need_from(line, sheet=sheet)
            save_versioned(need, by=by, version=None)
            result.added.append(need.name)
    target = targets_of_record(user=by, district=district, year=year).get(sheet.service_id)
    if target is not None and sheet.target_people is None:
        sheet.target_people = target
        save_versioned(sheet, by=by, version=sheet.version, fields=["target_people"])
        result.target_set = target
    elif target is not None and sheet.target_people != target:
        assert sheet.target_people is not None
        result.target_kept = (sheet.target_people, target)
    audit.record(
        sheet,
        action=Action.SAVED,
        by=by,
        data={
            "refreshed": True,
            "quality_quarter": result.quarter,
            "added": len(result.added),
            "changed": len(result.changed) + len(result.met),
            "target_set": result.target_set,
        },
    )
    return result


# --- What the district writes -------------------------------------------------------------------


@transaction.atomic
def stage_sheet_save(
    *, sheet: StageSheet, fields: Mapping[str, Any], version: int | None, by: User
) -> StageSheet:
    """Save what the district wrote on its worksheet (any of SHEET_FIELDS: partners' services,
    notes, fiscal capacity, target, strategies, each stage's status) as an edit made at
    `version`: refused with who and both values when someone saved since; atomic."""
    _require_editor(by, sheet.district)
    unknown = set(fields) - SHEET_FIELDS
    if unknown:
        raise ValueError(f"Not a worksheet field: {sorted(unknown)}")
    current = StageSheet.objects.select_related("district", "service").get(pk=sheet.pk)
    changed = [name for name, value in fields.items() if getattr(current, name) != value]
    for name, value in fields.items():
        setattr(current, name, value)
    current.full_clean(exclude=[f.name for f in StageSheet._meta.fields if f.name not in fields])
    save_versioned(current, by=by, version=version, fields=list(fields))
    audit.record(current, action=Action.SAVED, by=by, data={"fields": changed})
    return current


def _check_activities(
    activities: Iterable[Activity], *, sheet: StageSheet, by: User
) -> list[Activity]:
    chosen = list(activities)
    allowed = set(
        activity_choices(user=by, sheet=sheet)
        .filter(pk__in=[a.pk for a in chosen])
        .values_list("pk", flat=True)
    )
    if any(activity.pk not in allowed for activity in chosen):
        raise ValidationError(
            {
                "activities": _(
                    "Link only activities of the district's plans for %(year)s (its Dinkes plan "
                    "and approved RUKs) answering this service."
                )
                % {"year": sheet.year}
            }
        )
    return chosen


@transaction.atomic
def need_save(
    *,
    need: NeedLine,
    by: User,
    version: int | None = None,
    token: object = None,
    activities: Iterable[Activity] | None = None,
) -> NeedLine:
    """Create (once per form token) or update (at `version`) a need line of a worksheet, and
    set the plan activities that answer it (the worksheet's district and year only); atomic."""
    sheet = need.sheet
    _require_editor(by, sheet.district)
    if need.pk is None and (earlier := created_before(token=token, by=by, model=NeedLine)):
        return earlier  # the same form posted again: what its first post made
    if need.item is not None and need.item.service_id != sheet.service_id:
        raise ValidationError({"item": _("Choose an item of this service's quality standard.")})
    chosen = _check_activities(activities, sheet=sheet, by=by) if activities is not None else None
    need.full_clean(exclude=SKIPPED)
    created = need.pk is None
    saved = save_edit(need, by=by, version=version, token=token, fields=NEED_FIELDS)
    if chosen is not None:
        saved.activities.set(chosen)
    audit.record(
        sheet,
        action=Action.SAVED,
        by=by,
        data={
            "need": saved.pk,
            "created": created,
            "name": saved.name,
            "gap": str(saved.gap_quantity),
            "unit_cost_idr": str(saved.unit_cost_idr),
            "activities": [a.pk for a in chosen] if chosen is not None else None,
        },
    )
    return saved


@transaction.atomic
def need_delete(*, need: NeedLine, by: User) -> None:
    """Delete a need line; the worksheet's audit log keeps what it was, who and when."""
    sheet = need.sheet
    _require_editor(by, sheet.district)
    data = {"need": need.pk, "name": need.name, "gap": str(need.gap_quantity)}
    need.delete()
    audit.record(sheet, action=Action.DELETED, by=by, data=data)


@transaction.atomic
def integration_save(
    *, line: IntegrationLine, by: User, version: int | None = None, token: object = None
) -> IntegrationLine:
    """Create (once per form token) or update (at `version`) where the service appears in a
    regional plan (RPJMD, Renstra, RKPD, Renja); atomic."""
    sheet = line.sheet
    _require_editor(by, sheet.district)
    if line.pk is None and (earlier := created_before(token=token, by=by, model=IntegrationLine)):
        return earlier
    line.full_clean(exclude=SKIPPED)
    created = line.pk is None
    saved = save_edit(line, by=by, version=version, token=token, fields=INTEGRATION_FIELDS)
    audit.record(
        sheet,
        action=Action.SAVED,
        by=by,
        data={
            "integration": saved.pk,
            "created": created,
            "document": saved.document,
            "program": saved.program,
        },
    )
    return saved


@transaction.atomic
def integration_delete(*, line: IntegrationLine, by: User) -> None:
    """Delete a regional-plan line; the worksheet's audit log keeps what it was."""
    sheet = line.sheet
    _require_editor(by, sheet.district)
    data = {"integration": line.pk, "document": line.document, "program": line.program}
    line.delete()
    audit.record(sheet, action=Action.DELETED, by=by, data=data)

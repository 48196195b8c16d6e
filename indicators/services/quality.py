"""SPM quality (mutu, issue #16): a puskesmas's quarterly checklist of what its target groups
need against what it has (goods and services, staff, facilities), and its review.

- `quality_report_open`: the puskesmas's report for (year, quarter), created on first open with
  each active item's `needed` pre-filled from data (`quality_needs`); idempotent.
- `quality_value_save`: one item's needed / available / note, versioned per value
  (kernel.versioning: a stale save is refused with who and both values), only while the
  report is editable and only by the puskesmas's own people.
- `quality_values_import`: a whole filled template's values in one transaction.
- Workflow through kernel/reviews.py (the one review workflow): submit (puskesmas head or
  staff), return with a reason / approve (district planner), reopen an approved report with a
  reason. After approve and reopen the quarter's quality is rebuilt (the aggregation's hook).
"""

from __future__ import annotations

import datetime
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from kernel import audit, reviews
from kernel.models import AuditEvent, Puskesmas, User, Village
from kernel.versioning import save_versioned

from ..models import QualityItem, QualityReport, QualityValue, SPMService, Target
from ..reporting import reporting_year
from ..rights import can_enter_quality, can_review_quality

Status = QualityReport.Status
Action = AuditEvent.Action
Basis = QualityItem.Basis

# QualityValue.needed / available: 12 digits, 2 after the point.
MAX_AMOUNT = Decimal("9999999999.99")
NOTE_LENGTH = QualityValue._meta.get_field("note").max_length or 300
VALUE_FIELDS = ("needed", "available", "note")


# --- What is needed, from data -------------------------------------------------------------------


def quality_items_of_year(year: int) -> list[QualityItem]:
    """The active checklist items of the district SPM services of `year`'s edition, in service
    and item order (with their service). One query after the year's settings."""
    edition = reporting_year(year).edition
    return list(
        QualityItem.objects.filter(
            service__edition=edition, service__level=SPMService.Level.DISTRICT, is_active=True
        )
        .select_related("service")
        .order_by("service__number", "order", "pk")
    )


def quality_needs(
    *, puskesmas: Puskesmas, year: int, items: Iterable[QualityItem]
) -> dict[int, Decimal | None]:
    """item id -> what the puskesmas needs of it for the year: per person, the targets of
    record of its working area's desa for the item's service x the quantity (None when the
    service has no target of record); per puskesmas, the quantity; per desa, the quantity x its
    desa. Two queries."""
    items = list(items)
    villages = Village.objects.filter(puskesmas=puskesmas).count()
    targets = {
        row["service_id"]: row["total"]
        for row in Target.objects.filter(
            village__puskesmas=puskesmas,
            year=year,
            is_of_record=True,
            service_id__in={item.service_id for item in items if item.basis == Basis.PER_PERSON},
        )
        .order_by()
        .values("service_id")
        .annotate(total=Sum("value"))
    }
    needs: dict[int, Decimal | None] = {}
    for item in items:
        if item.basis == Basis.PER_PERSON:
            people = targets.get(item.service_id)
            needs[item.pk] = None if people is None else Decimal(people) * item.quantity
        elif item.basis == Basis.PER_VILLAGE:
            needs[item.pk] = item.quantity * villages
        else:
            needs[item.pk] = item.quantity
    return needs


# --- Opening a report ---------------------------------------------------------------------------


def _quarter_started(year: int, quarter: int, today: datetime.date) -> bool:
    return (today.year, today.month) >= (year, 3 * quarter - 2)


def quality_report_open(
    *,
    puskesmas: Puskesmas,
    year: int,
    quarter: int,
    by: User,
    today: datetime.date | None = None,
) -> QualityReport:
    """The puskesmas's quality report for the quarter, created as a draft on first open with a
    value per active item of the year's checklist, `needed` pre-filled from data; idempotent.
    An editable report gets rows for items added to the checklist since. Atomic."""
    try:
        year, quarter = int(year), int(quarter)
    except (TypeError, ValueError) as error:
        raise ValidationError(_("Choose a year and a quarter.")) from error
    if not 1 <= quarter <= 4:
        raise ValidationError(_("The quarter must be between 1 and 4."))
    reporting_year(year)  # a year without an edition has no checklist
    if not _quarter_started(year, quarter, today or timezone.localdate()):
        raise ValidationError(_("A quarter cannot be reported before it has started."))
    if not can_enter_quality(by, puskesmas):
        report = QualityReport.objects.filter(
            puskesmas=puskesmas, year=year, quarter=quarter
        ).first()
        if report is None:
            raise PermissionDenied(_("Only the puskesmas's own staff can start its report."))
        return report
    with transaction.atomic():
        report, created = QualityReport.objects.get_or_create(
            puskesmas=puskesmas,
            year=year,
            quarter=quarter,
            defaults={"updated_by": by, "updated_at": timezone.now()},
        )
        if created:
            audit.record(report, action=Action.CREATED, by=by, to_status=report.status)
        if report.is_editable:
            _add_missing_values(report, by=by)
    return report


def _add_missing_values(report: QualityReport, *, by: User) -> int:
    items = quality_items_of_year(report.year)
    have = set(report.values.values_list("item_id", flat=True))
    missing = [item for item in items if item.pk not in have]
    if not missing:
        return 0
    needs = quality_needs(puskesmas=report.puskesmas, year=report.year, items=missing)
    now = timezone.now()
    # ignore_conflicts: two first opens at once add each row once.
    QualityValue.objects.bulk_create(
        [
            QualityValue(
                report=report,
                item=item,
                needed=needs.get(item.pk),
                version=1,
                updated_by=by,
                updated_at=now,
            )
            for item in missing
        ],
        ignore_conflicts=True,
    )
    return len(missing)


# --- Values -------------------------------------------------------------------------------------


def _clean_text(text: object) -> str:
    """A note as typed, without control characters (a pasted NUL byte)."""
    cleaned = "".join(
        ch for ch in str(text or "") if ch in "\n\t" or unicodedata.category(ch)[0] != "C"
    )
    return cleaned.strip()


def quality_amount(raw: object, *, label: str) -> Decimal | None:
    """A typed amount: blank is None; else a number from 0 to MAX_AMOUNT with at most two
    decimals (a comma works as the decimal point). ValidationError naming `label` otherwise."""
    if raw is None:
        return None
    if isinstance(raw, Decimal | int | float) and not isinstance(raw, bool):
        text = str(raw)
    else:
        text = str(raw).strip().replace(" ", "")
    if text == "":
        return None
    if "," in text and "." not in text:
        text = text.replace(",", ".")
    try:
        amount = Decimal(text)
    except (InvalidOperation, ValueError) as error:
        raise ValidationError(
            _("%(label)s: %(value)s is not a number.") % {"label": label, "value": text[:20]}
        ) from error
    if not amount.is_finite():
        raise ValidationError(_("%(label)s: not a number.") % {"label": label})
    if amount < 0:
        raise ValidationError(_("%(label)s cannot be negative.") % {"label": label})
    if amount > MAX_AMOUNT:
        raise ValidationError(_("%(label)s is too large.") % {"label": label})
    if amount != amount.quantize(Decimal("0.01")):
        raise ValidationError(
            _("%(label)s: at most two decimals.") % {"label": label}, code="decimals"
        )
    return amount.quantize(Decimal("0.01"))


@dataclass(frozen=True)
class ValueInput:
    """What a form or file says of one item. `fields`: those it sets (a per-field save sends
    one); `version`: the value's version the page showed (None for a row it did not show)."""

    needed: Decimal | None = None
    available: Decimal | None = None
    note: str = ""
    version: int | None = None
    fields: tuple[str, ...] = VALUE_FIELDS


def _require_enterer(report: QualityReport, by: User) -> None:
    if not can_enter_quality(by, report):
        raise PermissionDenied(_("Only the puskesmas's own staff can enter its quality data."))


def _claim(report: QualityReport, *, by: User) -> None:
    """Lock the report for this write and bump its version, or refuse if it is no longer
    editable (submitted or approved since the page was opened)."""
    audit.claim(
        report,
        by=by,
        source=QualityReport.EDITABLE_STATUSES,
        refused=_("This quality report is %(status)s now and can no longer be changed."),
    )


def _checked_item(report: QualityReport, item: QualityItem) -> None:
    edition_id = reporting_year(report.year).edition_id
    if (
        item.service.edition_id != edition_id
        or item.service.level != SPMService.Level.DISTRICT
        or not item.is_active
    ):
        raise ValidationError(_("This item is not on the checklist of this report's year."))


@transaction.atomic
def quality_value_save(
    *, report: QualityReport, item: QualityItem, entry: ValueInput, by: User
) -> QualityValue:
    """Save one item's values of an editable report, versioned: refused (StaleEdit, with who
    and both values; nothing saved) when someone saved the item since `entry.version`.
    Atomic; one audit event."""
    _require_enterer(report, by)
    _checked_item(report, item)
    note = _clean_text(entry.note)
    if len(note) > NOTE_LENGTH:
        raise ValidationError(
            _("The note is too long (at most %(max)s characters).") % {"max": NOTE_LENGTH}
        )
    for name in ("needed", "available"):
        amount = getattr(entry, name)
        if amount is not None and (amount < 0 or amount > MAX_AMOUNT):
            label = _("Needed") if name == "needed" else _("Available")
            raise ValidationError(_("%(label)s is out of range.") % {"label": label})
    new = {}
    for name in entry.fields:
        amount = getattr(entry, name)
        if name == "note":
            amount = note
        elif amount is not None:
            amount = Decimal(amount).quantize(Decimal("0.01"))
        new[name] = amount
    saved = QualityValue.objects.filter(report=report, item=item).first()
    if saved is not None and all(getattr(saved, name) == amount for name, amount in new.items()):
        return saved  # already so (the same save twice, a page and its script): no conflict
    _claim(report, by=by)
    value = QualityValue.objects.filter(report=report, item=item).first()
    if value is None:
        value = QualityValue(report=report, item=item)
        version = None
    else:
        version = entry.version
    for name, amount in new.items():
        setattr(value, name, amount)
    save_versioned(value, by=by, version=version, fields=list(entry.fields))
    audit.record(
        report,
        action=Action.SAVED,
        by=by,
        data={"item": item.code, "service": item.service.number, "version": report.version},
    )
    return value


@transaction.atomic
def quality_values_save(
    *, report: QualityReport, entries: Mapping[QualityItem, ValueInput], by: User
) -> int:
    """Save several items' values at once (a service card's form), each versioned; all or
    nothing: the first stale value refuses the whole save. Returns how many were saved."""
    for item, entry in entries.items():
        quality_value_save(report=report, item=item, entry=entry, by=by)
    return len(entries)


@transaction.atomic
def quality_values_import(
    *, report: QualityReport, rows: Mapping[int, ValueInput], by: User
) -> int:
    """Write a filled template's values (item id -> values) into an editable report: all rows
    or none; the file's figures replace the saved ones (each changed value's version bumps,
    under the report's and the values' row locks, so no save slips in between). Returns how
    many values changed; one IMPORTED audit event. A few queries whatever the file's size."""
    _require_enterer(report, by)
    _claim(report, by=by)
    items = {item.pk: item for item in quality_items_of_year(report.year)}
    existing = {
        value.item_id: value
        for value in QualityValue.objects.select_for_update().filter(report=report).order_by("pk")
    }
    now = timezone.now()
    created, updated = [], []
    for item_id, entry in rows.items():
        if item_id not in items:
            raise ValidationError(_("This item is not on the checklist of this report's year."))
        new = {
            "needed": _two_places(entry.needed),
            "available": _two_places(entry.available),
            "note": _clean_text(entry.note)[:NOTE_LENGTH],
        }
        value = existing.get(item_id)
        if value is not None and all(getattr(value, k) == v for k, v in new.items()):
            continue
        if value is None:
            value = QualityValue(report=report, item=items[item_id], version=1)
            created.append(value)
        else:
            value.version += 1
            updated.append(value)
        for name, amount in new.items():
            setattr(value, name, amount)
        value.updated_by, value.updated_at = by, now
    QualityValue.objects.bulk_create(created)
    QualityValue.objects.bulk_update(
        updated, [*VALUE_FIELDS, "version", "updated_by", "updated_at"], batch_size=500
    )
    changed = len(created) + len(updated)
    if changed:
        audit.record(
            report,
            action=Action.IMPORTED,
            by=by,
            data={"values": changed, "version": report.version},
        )
    return changed


def _two_places(amount: Decimal | None) -> Decimal | None:
    return None if amount is None else Decimal(amount).quantize(Decimal("0.01"))


# --- Workflow -----------------------------------------------------------------------------------


def _require_reviewer(report: QualityReport, by: User) -> None:
    if not can_review_quality(by, report):
        raise PermissionDenied(_("Only the district's planners can do this."))


def _refresh_later(report: QualityReport) -> None:
    """Rebuild the quarter's quality and index once this commits (the aggregation's hook)."""
    from . import aggregation

    refresh = getattr(aggregation, "quality_refresh_later", None)
    if refresh is not None:
        refresh(report=report)


@transaction.atomic
def quality_report_submit(*, report: QualityReport, version: int | None, by: User) -> None:
    """Submit a draft or returned quality report to the district; refused until something
    available is entered, and when the report changed since `version`. Atomic, audited."""
    _require_enterer(report, by)
    if not report.values.filter(available__isnull=False).exists():
        raise ValidationError(_("Enter what is available before submitting."))
    reviews.review_submit(report, by=by, version=version)


@transaction.atomic
def quality_report_return(*, report: QualityReport, by: User, reason: str) -> None:
    """Send a submitted quality report back to the puskesmas with the reason it must fix."""
    _require_reviewer(report, by)
    reviews.review_return(
        report,
        by=by,
        reason=reason,
        reason_message=_("Say why the report goes back: the puskesmas will read it."),
    )


@transaction.atomic
def quality_report_approve(*, report: QualityReport, by: User, version: int | None = None) -> None:
    """Approve a submitted quality report (at `version`, when the page posted it); its
    quarter's quality is rebuilt once this commits."""
    _require_reviewer(report, by)
    reviews.review_approve(report, by=by, version=version)
    _refresh_later(report)


@transaction.atomic
def quality_report_reopen(*, report: QualityReport, by: User, reason: str) -> None:
    """Reopen an approved quality report for the puskesmas, with the reason (shown to it);
    the quarter's quality is rebuilt without it once this commits."""
    _require_reviewer(report, by)
    reviews.review_reopen(
        report,
        by=by,
        reason=reason,
        reason_message=_("Say why the report is reopened: the puskesmas will read it."),
    )
    _refresh_later(report)

"""The province's UKBM indicator sets (issue #17 must-have 4): for a year, the indicators it and
its districts agreed (at a provincial meeting) and a target (%) per district and indicator; the
province sets them, each district reads its own. Saves are versioned (kernel.versioning: a stale
save is refused with who and both values) and audited.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kernel import audit
from kernel.models import AuditEvent, District, Province, User
from kernel.versioning import save_versioned
from workshops.models import Meeting

from ..models import IndicatorSet, IndicatorTarget, UkbmIndicator
from ..rights import can_set_indicators

CENT = Decimal("0.01")

MAX_TARGET = Decimal(100)


def target_amount(text: object) -> Decimal | None:
    """A typed target (%): blank -> None; "74,5" or "74.5" -> 74.50; refused when not a number
    or outside 0-100."""
    text = str(text or "").strip().replace(",", ".")
    if not text:
        return None
    if "\x00" in text or len(text) > 12:
        raise ValidationError(_("Type a percentage between 0 and 100."))
    try:
        value = Decimal(text)
    except InvalidOperation as error:
        raise ValidationError(_("Type a percentage between 0 and 100.")) from error
    if not value.is_finite() or value < 0 or value > MAX_TARGET:
        raise ValidationError(_("Type a percentage between 0 and 100."))
    return value.quantize(CENT, ROUND_HALF_UP)


def _set_area(indicator_set: IndicatorSet) -> Callable[[object], Mapping]:
    return lambda obj: {"province_id": indicator_set.province_id}


def _check_meeting(meeting: Meeting | None, province: Province) -> None:
    if meeting is not None and (
        meeting.province_id != province.pk or meeting.district_id or meeting.puskesmas_id
    ):
        raise ValidationError(_("Choose a meeting of the province."))


@transaction.atomic
def indicator_set_create(
    *,
    province: Province,
    year: int,
    indicators: Iterable[UkbmIndicator],
    by: User,
    agreed_at: Meeting | None = None,
    note: str = "",
) -> IndicatorSet:
    """The province's indicator set for `year` (one a year), with the indicators it agreed."""
    if not can_set_indicators(by, province):
        raise PermissionDenied
    indicators = list(indicators)
    if not indicators:
        raise ValidationError(_("Choose at least one indicator."))
    _check_meeting(agreed_at, province)
    if IndicatorSet.objects.filter(province=province, year=year).exists():
        raise ValidationError(_("The province already has an indicator set for this year."))
    indicator_set = IndicatorSet(province=province, year=year, agreed_at=agreed_at, note=note)
    save_versioned(indicator_set, by=by, version=None)
    indicator_set.indicators.set(indicators)
    audit.record_many(
        [indicator_set], action=AuditEvent.Action.CREATED, by=by, area=_set_area(indicator_set)
    )
    return indicator_set


@dataclass(frozen=True)
class TargetInput:
    indicator_id: int
    district_id: int
    target: Decimal | None  # None: no target


@transaction.atomic
def indicator_set_save(
    *,
    indicator_set: IndicatorSet,
    by: User,
    version: int | None,
    indicators: Iterable[UkbmIndicator],
    targets: Iterable[TargetInput],
    agreed_at: Meeting | None = None,
    note: str = "",
) -> IndicatorSet:
    """Save the set as one edit made at `version` (refused with StaleEdit when someone saved it
    since): its indicators, meeting, note and every target of the grid. A target left blank is
    removed; targets of an indicator taken out of the set go with it."""
    if not can_set_indicators(by, indicator_set):
        raise PermissionDenied
    indicators = list(indicators)
    if not indicators:
        raise ValidationError(_("Choose at least one indicator."))
    _check_meeting(agreed_at, indicator_set.province)
    district_ids = set(
        District.objects.filter(province_id=indicator_set.province_id).values_list("id", flat=True)
    )
    chosen = {indicator.pk for indicator in indicators}
    wanted: dict[tuple[int, int], Decimal] = {}
    for line in targets:
        if line.district_id not in district_ids:
            raise ValidationError(_("Choose a district of the province."))
        if line.indicator_id in chosen and line.target is not None:
            wanted[(line.indicator_id, line.district_id)] = line.target
    indicator_set.agreed_at = agreed_at
    indicator_set.note = note
    save_versioned(indicator_set, by=by, version=version, fields=["agreed_at", "note"])
    indicator_set.indicators.set(indicators)
    existing = {
        (t.indicator_id, t.district_id): t
        for t in IndicatorTarget.objects.filter(indicator_set=indicator_set)
    }
    gone = [t.pk for key, t in existing.items() if key not in wanted]
    IndicatorTarget.objects.filter(pk__in=gone).delete()
    changed, new, now = [], [], timezone.now()
    for (indicator_id, district_id), value in wanted.items():
        target = existing.get((indicator_id, district_id))
        if target is None:
            new.append(
                IndicatorTarget(
                    indicator_set=indicator_set,
                    indicator_id=indicator_id,
                    district_id=district_id,
                    target=value,
                    version=1,
                    updated_by=by,
                    updated_at=now,
                )
            )
        elif target.target != value:
            target.target, target.version = value, target.version + 1
            target.updated_by, target.updated_at = by, now
            changed.append(target)
    IndicatorTarget.objects.bulk_create(new)
    IndicatorTarget.objects.bulk_update(changed, ["target", "version", "updated_by", "updated_at"])
    audit.record_many(
        [indicator_set], action=AuditEvent.Action.SAVED, by=by, area=_set_area(indicator_set)
    )
    return indicator_set

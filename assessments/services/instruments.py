"""Instrument editions (issue #18): a new edition is created from its plain-data shape through
the one loader (`assessments.editions.load_edition`), by system administrators only. An
edition that exists (same code and year) is never changed: a change is a new edition (a new
year), so a past result always keeps the items it was made with."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kernel.models import User

from ..editions import load_edition
from ..models import Instrument
from ..rights import can_keep_instruments


def edition_exists(*, code: str, year: int) -> bool:
    return Instrument.objects.filter(code=code, valid_from=year).exists()


def existing_edition_message(*, code: str, year: int) -> str:
    return _(
        "the edition “%(code)s” of %(year)s exists already and is never changed: give the new "
        "edition a new year."
    ) % {"code": code, "year": year}


def edition_create(*, data: dict[str, Any], by: User) -> Instrument:
    """A new edition from `data` (checked by the caller: the import checks every cell).
    Refuses a user who does not keep instruments, and an edition whose code and year exist."""
    if not can_keep_instruments(by):
        raise PermissionDenied(_("Only system administrators keep the assessment instruments."))
    code, year = data["code"], data["valid_from"]
    with transaction.atomic():
        if edition_exists(code=code, year=year):
            raise ValidationError(existing_edition_message(code=code, year=year))
        return load_edition(apps.get_model, data, created_by=by)


def _text(value: object) -> str:
    return "" if value is None else str(value)


def edition_data(instrument: Instrument) -> dict[str, Any]:
    """The edition in the loader's shape (what the export writes and the import reads back)."""
    sections = (
        instrument.sections.order_by("order", "code")
        .prefetch_related("items__levels", "items__service")
        .all()
    )
    return {
        "kind": instrument.kind,
        "code": instrument.code,
        "valid_from": instrument.valid_from,
        "name": instrument.name,
        "name_en": instrument.name_en,
        "source": instrument.source,
        "is_verified": instrument.is_verified,
        "scale_max": _text(instrument.scale_max),
        "notes": instrument.notes,
        "sections": [
            {
                "part": section.part,
                "code": section.code,
                "name": section.name,
                "name_en": section.name_en,
                "weight": _text(section.weight),
                "items": [
                    {
                        "code": item.code,
                        "text": item.text,
                        "text_en": item.text_en,
                        "weight": _text(item.weight),
                        "rule": item.rule,
                        "guidance": item.guidance,
                        "variable": item.variable,
                        "sub_variable": item.sub_variable,
                        "unit": item.unit,
                        "target_pct": None if item.target_pct is None else str(item.target_pct),
                        "service": item.service.code if item.service else None,
                        "levels": [
                            {
                                "score": _text(level.score),
                                "definition": level.definition,
                                "definition_en": level.definition_en,
                            }
                            for level in sorted(item.levels.all(), key=lambda lv: lv.score)
                        ],
                    }
                    for item in sorted(section.items.all(), key=lambda it: (it.order, it.code))
                ],
            }
            for section in sections
        ],
        "bands": [
            {"applies_to": band.applies_to, "rank": band.rank, "min_value": _text(band.min_value)}
            for band in instrument.bands.all()
        ],
    }

"""The instrument editions Simpul ships (loaded by migration 0002, editable in the admin) and
the one loader that writes an edition from its plain-data shape. The Excel import of
instruments (issue #18, part 1) reads a workbook into the same shape and calls `load_edition`,
so a shipped edition and an imported one are made the same way.

Shape (strings for decimals; optional keys may be left out):

    {"kind": "pkp", "code": "pkp", "valid_from": 2024, "name": "...", "name_en": "...",
     "source": "...", "is_verified": False, "scale_max": "10", "notes": "...",
     "sections": [{"part": "management", "code": "A", "name": "...", "name_en": "...",
                   "weight": "1",
                   "items": [{"code": "A1", "text": "...", "text_en": "...", "weight": "1",
                              "rule": "", "guidance": "", "variable": "", "sub_variable": "",
                              "unit": "", "target_pct": None, "service": None,  # SPM code
                              "levels": [{"score": "0", "definition": "...",
                                          "definition_en": "..."}]}]}],
     "bands": [{"applies_to": "management", "rank": "good", "min_value": "8.5"}]}
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

# The modules under assessments/editions/ that hold a shipped edition (EDITION = {...}).
SHIPPED = ("pkp_2024", "capacity_2024", "supervision_2024")


def shipped_editions() -> list[dict[str, Any]]:
    import importlib

    return [importlib.import_module(f"{__name__}.{name}").EDITION for name in SHIPPED]


def _service(get_model: Callable[[str, str], Any], code: str | None, year: int):
    """The SPM service `code` of the SPM edition that applies in `year` (the newest one that
    started by then), else of the newest edition; None when no service has that code."""
    if not code:
        return None
    services = get_model("indicators", "SPMService").objects.filter(code=code)
    return (
        services.filter(edition__first_year__lte=year).order_by("-edition__first_year").first()
        or services.order_by("-edition__first_year").first()
    )


def load_edition(get_model: Callable[[str, str], Any], data: dict[str, Any], *, created_by=None):
    """Create one edition from `data` (callers check it first; inside their transaction).
    `get_model` is `apps.get_model` in a migration, `django.apps.apps.get_model` elsewhere."""
    Instrument = get_model("assessments", "Instrument")
    Section = get_model("assessments", "Section")
    Item = get_model("assessments", "Item")
    Level = get_model("assessments", "Level")
    RankBand = get_model("assessments", "RankBand")
    instrument = Instrument.objects.create(
        kind=data["kind"],
        code=data["code"],
        valid_from=data["valid_from"],
        name=data["name"],
        name_en=data.get("name_en", ""),
        source=data.get("source", ""),
        is_verified=data.get("is_verified", False),
        scale_max=Decimal(str(data.get("scale_max", "10"))),
        notes=data.get("notes", ""),
        created_by=created_by,
    )
    for s_order, section_data in enumerate(data.get("sections", []), start=1):
        section = Section.objects.create(
            instrument=instrument,
            part=section_data.get("part", "topic"),
            code=section_data["code"],
            name=section_data["name"],
            name_en=section_data.get("name_en", ""),
            order=section_data.get("order", s_order),
            weight=Decimal(str(section_data.get("weight", "1"))),
        )
        for i_order, item_data in enumerate(section_data.get("items", []), start=1):
            target = item_data.get("target_pct")
            item = Item.objects.create(
                section=section,
                code=item_data["code"],
                text=item_data["text"],
                text_en=item_data.get("text_en", ""),
                order=item_data.get("order", i_order),
                weight=Decimal(str(item_data.get("weight", "1"))),
                rule=item_data.get("rule", ""),
                guidance=item_data.get("guidance", ""),
                variable=item_data.get("variable", ""),
                sub_variable=item_data.get("sub_variable", ""),
                unit=item_data.get("unit", ""),
                target_pct=None if target in (None, "") else Decimal(str(target)),
                service=_service(get_model, item_data.get("service"), instrument.valid_from),
            )
            Level.objects.bulk_create(
                Level(
                    item=item,
                    score=Decimal(str(level["score"])),
                    definition=level["definition"],
                    definition_en=level.get("definition_en", ""),
                )
                for level in item_data.get("levels", [])
            )
    RankBand.objects.bulk_create(
        RankBand(
            instrument=instrument,
            applies_to=band["applies_to"],
            rank=band["rank"],
            min_value=Decimal(str(band["min_value"])),
        )
        for band in data.get("bands", [])
    )
    return instrument

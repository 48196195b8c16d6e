"""Reading a SATUSEHAT facilities file (`/masterdata/v1/mastersaranaindex/mastersarana`); the
assumed, UNVERIFIED field names and their accepted variants are in parsing.py's docstring and
FIELD_ALIASES."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .parsing import (
    CONTROL,
    DIGITS,
    Problems,
    coordinate,
    items_of,
    load_json,
    pick,
    region_code,
    text,
)

# The address's Kemendagri codes, by level: province, city (our district), district (our
# kecamatan), sub-district (our desa/kelurahan).
ADDRESS_CODES = ("province_code", "city_code", "district_code", "sub_district_code")


# --- Facilities ---------------------------------------------------------------------------------


@dataclass
class FacilityItem:
    where: str
    code: str
    name: str
    type_label: str
    is_puskesmas: bool
    other_codes: dict[str, str] = field(default_factory=dict)
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    address: str = ""
    province_code: str = ""
    city_code: str = ""
    subdistrict_code: str = ""  # SATUSEHAT "district": kecamatan
    village_code: str = ""  # SATUSEHAT "sub-district": desa/kelurahan


def _type_of(value: Any, *, where: str, problems: Problems) -> tuple[str, bool]:
    labels: list[str] = []
    if isinstance(value, dict):
        for key in ("name", "display", "code"):
            labels.append(
                text(value.get(key), where=f"{where}.{key}", problems=problems, max_length=100)
            )
    else:
        labels.append(text(value, where=where, problems=problems, max_length=100))
    labels = [label for label in labels if label]
    puskesmas = any(
        label.casefold() in ("pkm", "puskesmas") or label.casefold().startswith("puskesmas")
        for label in labels
    )
    return (labels[0] if labels else ""), puskesmas


def _other_codes(value: Any, *, where: str, problems: Problems) -> dict[str, str]:
    codes: dict[str, str] = {}
    if value is None:
        return codes
    if isinstance(value, dict):
        pairs = [(f"{where}.{CONTROL.sub('?', str(k))[:30]}", k, v) for k, v in value.items()]
    elif isinstance(value, list):
        pairs = []
        for index, entry in enumerate(value):
            at = f"{where}[{index}]"
            if not isinstance(entry, dict):
                problems.add(at, _("expected an object."))
                continue
            system = entry.get("system", entry.get("type", entry.get("name")))
            pairs.append((at, system, entry.get("code", entry.get("value"))))
    else:
        problems.add(where, _("expected a list of codes."))
        return codes
    if len(pairs) > 20:
        problems.add(where, _("more than 20 codes."))
        return codes
    for at, system, code in pairs:
        system = text(system, where=at, problems=problems, max_length=50) or "code"
        code = text(code, where=at, problems=problems, max_length=20)
        if code:
            codes[system] = code
    return codes


def parse_facilities(data: bytes) -> list[FacilityItem]:
    """Every facility of a SATUSEHAT facilities file, or a ValidationError listing every
    problem."""
    document = load_json(data)
    problems = Problems()
    items = items_of(document, key="data", problems=problems)
    if len(items) > 20_000:
        raise ValidationError(
            _("the file has more than %(count)s items; split it.") % {"count": 20_000}
        )
    found: list[FacilityItem] = []
    seen: dict[str, str] = {}
    for index, item in enumerate(items):
        where = f"data[{index}]"
        if not isinstance(item, dict):
            problems.add(where, _("expected an object."))
            continue
        code = text(
            pick(item, "code"),
            where=f"{where}.code",
            problems=problems,
            max_length=20,
            required=True,
        )
        if code and not DIGITS.fullmatch(code):
            problems.add(f"{where}.code", _("a SATUSEHAT code is digits only."))
            code = ""
        name = text(
            pick(item, "name"),
            where=f"{where}.name",
            problems=problems,
            max_length=150,
            required=True,
        )
        type_label, is_puskesmas = _type_of(
            pick(item, "type"), where=f"{where}.facility_type", problems=problems
        )
        others = _other_codes(
            pick(item, "other_codes"), where=f"{where}.other_codes", problems=problems
        )
        latitude = coordinate(
            pick(item, "latitude"), where=f"{where}.latitude", problems=problems, limit=90
        )
        longitude = coordinate(
            pick(item, "longitude"), where=f"{where}.longitude", problems=problems, limit=180
        )
        address = pick(item, "address")
        place = {
            "line": "",
            "province_code": "",
            "city_code": "",
            "district_code": "",
            "sub_district_code": "",
        }
        if isinstance(address, dict):
            at = f"{where}.address"
            place["line"] = text(
                pick(address, "line"), where=f"{at}.line", problems=problems, max_length=250
            )
            for level, key in enumerate(ADDRESS_CODES):
                place[key] = region_code(
                    pick(address, key),
                    where=f"{at}.{key}",
                    problems=problems,
                    required=False,
                    level=level,
                )
        elif address is not None:
            place["line"] = text(
                address, where=f"{where}.address", problems=problems, max_length=250
            )
        for level, key in enumerate(ADDRESS_CODES):
            if not place[key] and pick(item, key) is not None:  # codes beside the address
                place[key] = region_code(
                    pick(item, key),
                    where=f"{where}.{key}",
                    problems=problems,
                    required=False,
                    level=level,
                )
        if not code or not name:
            continue
        if code in seen:
            problems.add(
                f"{where}.code",
                _("“%(code)s” is already at %(first)s.") % {"code": code, "first": seen[code]},
            )
            continue
        seen[code] = where
        found.append(
            FacilityItem(
                where=where,
                code=code,
                name=name,
                type_label=type_label,
                is_puskesmas=is_puskesmas,
                other_codes=others,
                latitude=latitude,
                longitude=longitude,
                address=place["line"],
                province_code=place["province_code"],
                city_code=place["city_code"],
                subdistrict_code=place["district_code"],
                village_code=place["sub_district_code"],
            )
        )
    if problems:
        raise problems.refusal()
    return found

"""Reading SATUSEHAT master-data JSON so that no file can break it.

The shapes (DOMAIN.md §7). Regions, `/masterdata/v1/provinces|cities|districts|sub-districts`:
items `{"code", "parent_code", "bps_code", "name"}`. A file holds one level, wrapped
(`{"data": [...]}`) or bare (`[...]`), the level read from each code's length; or several,
under the endpoints' names: `{"provinces": [...], "cities": [...], "districts": [...],
"sub-districts": [...]}`. SATUSEHAT "cities" are Simpul districts (kabupaten/kota), its
"districts" our subdistricts (kecamatan), its "sub-districts" our villages.

Facilities, `/masterdata/v1/mastersaranaindex/mastersarana`: the field names below are ASSUMED
(UNVERIFIED against the live endpoint; aliases in FIELD_ALIASES accept the likely variants):
`{"code": "1000012345", "name", "facility_type": {"code", "name"} or text,
"other_codes": [{"system", "code"}] or {system: code}, "latitude", "longitude",
"address": {"line", "province_code", "city_code", "district_code", "sub_district_code"}}`.

Kemendagri codes come dotted (63.08.05.2001) or as digits (6308052001); both are read dotted.
Every problem is a message located by its path in the file: "data[12].code: ...".
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_ITEMS = 120_000  # every village of Indonesia (about 84,000) fits
MAX_ERRORS = 1000  # the job shows 200 and counts the rest (kernel.imports.schema.capped)
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
DIGITS = re.compile(r"[0-9]+")
DOTTED = re.compile(r"[0-9]{2}(?:\.[0-9]{2}(?:\.[0-9]{2}(?:\.[0-9]{4})?)?)?")
# Digits of a code per level: province 2, city 4, district (kecamatan) 6, sub-district 10.
LEVEL_DIGITS = (2, 4, 6, 10)
REGION_KEYS = ("provinces", "cities", "districts", "sub-districts")
REGION_KEY_ALIASES = {"sub_districts": "sub-districts", "subdistricts": "sub-districts"}

FIELD_ALIASES = {
    "code": ("code", "kode", "satusehat_code", "kode_satusehat", "kode_sarana", "id"),
    "name": ("name", "nama", "nama_sarana"),
    "type": ("facility_type", "type", "jenis_sarana", "jenis", "kategori"),
    "other_codes": ("other_codes", "kode_lain", "identifiers", "codes"),
    "latitude": ("latitude", "lat"),
    "longitude": ("longitude", "long", "lng", "lon"),
    "address": ("address", "alamat"),
    "line": ("line", "address", "alamat", "street"),
    "province_code": ("province_code", "kode_provinsi", "provinsi"),
    "city_code": ("city_code", "kode_kabkota", "kabkota", "kode_kota"),
    "district_code": ("district_code", "kode_kecamatan", "kecamatan"),
    "sub_district_code": ("sub_district_code", "kode_kelurahan", "kelurahan", "kode_desa"),
}


class Problems:
    """Located messages of one file, capped."""

    def __init__(self) -> None:
        self.items: list[str] = []
        self.more = 0

    def add(self, where: str, problem: str) -> None:
        if len(self.items) >= MAX_ERRORS:
            self.more += 1
            return
        self.items.append(_("%(where)s: %(problem)s") % {"where": where, "problem": problem})

    def __bool__(self) -> bool:
        return bool(self.items)

    def refusal(self) -> ValidationError:
        return ValidationError(list(self.items))


def load_json(data: bytes) -> Any:
    """The parsed document, or a ValidationError saying why not (never anything else):
    invalid UTF-8 or JSON, nesting too deep, numbers Python refuses, NaN or Infinity."""

    def no_constant(name: str):
        raise ValueError(name)

    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValidationError(
            _("the file is not UTF-8 text (byte %(position)s).") % {"position": error.start}
        ) from None
    try:
        return json.loads(text, parse_float=Decimal, parse_constant=no_constant)
    except RecursionError:
        raise ValidationError(_("the file is nested too deeply to be master data.")) from None
    except json.JSONDecodeError as error:
        raise ValidationError(
            _("the file is not valid JSON (line %(line)s, column %(column)s: %(reason)s).")
            % {"line": error.lineno, "column": error.colno, "reason": error.msg}
        ) from None
    except (ValueError, OverflowError, MemoryError):
        raise ValidationError(
            _("the file is not valid JSON (a number or value is not allowed).")
        ) from None


def pick(item: dict, key: str) -> Any:
    for name in FIELD_ALIASES[key]:
        if name in item:
            return item[name]
    return None


def text(value: Any, *, where: str, problems: Problems, max_length: int, required=False) -> str:
    """A short text: a string (or a whole number, for codes), no control characters."""
    if value is None or value == "":
        if required:
            problems.add(where, _("this is required."))
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int):
        problems.add(where, _("expected text."))
        return ""
    value = str(value) if isinstance(value, int) and len(str(value)) <= 40 else value
    if not isinstance(value, str):
        problems.add(where, _("the number is too long."))
        return ""
    if CONTROL.search(value):
        problems.add(where, _("the text has a control character (such as NUL)."))
        return ""
    value = " ".join(value.split())
    if len(value) > max_length:
        problems.add(
            where, _("the text is longer than %(length)s characters.") % {"length": max_length}
        )
        return ""
    if required and not value:
        problems.add(where, _("this is required."))
    return value


def region_code(
    value: Any, *, where: str, problems: Problems, required=True, level: int | None = None
) -> str:
    """A Kemendagri code, dotted ("63.08.05") whether written dotted or as digits; of `level`
    (0 province ... 3 desa) when given."""
    raw = text(value, where=where, problems=problems, max_length=20, required=required)
    if not raw:
        return ""
    code = ""
    if DOTTED.fullmatch(raw):
        code = raw
    elif DIGITS.fullmatch(raw) and len(raw) in LEVEL_DIGITS:
        parts = [raw[0:2], raw[2:4], raw[4:6], raw[6:10]]
        code = ".".join(part for part in parts if part)
    if code and (level is None or code.count(".") == level):
        return code
    if code:
        assert level is not None  # any code passes when no level is asked for
        problems.add(
            where,
            _("“%(code)s” is not a code of this level (%(level)s).")
            % {"code": code, "level": REGION_KEYS[level]},
        )
        return ""
    problems.add(
        where,
        _("“%(code)s” is not a Kemendagri code (like 63, 6308, 630805 or 6308052001).")
        % {"code": raw[:20]},
    )
    return ""


def coordinate(value: Any, *, where: str, problems: Problems, limit: int) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        problems.add(where, _("expected a number."))
        return None
    try:
        number = Decimal(str(value)[:40]) if not isinstance(value, Decimal) else value
        if not number.is_finite() or abs(number) > limit:
            raise InvalidOperation
        return number.quantize(Decimal("0.000001"))
    except (InvalidOperation, ValueError):
        problems.add(where, _("expected a number from -%(limit)s to %(limit)s.") % {"limit": limit})
        return None


def items_of(document: Any, *, key: str, problems: Problems) -> list:
    """The list of a wrapped (`{"data": [...]}`) or bare document."""
    if isinstance(document, dict):
        found = document.get(key, document.get("data"))
        where = key if key in document else "data"
        if found is None and isinstance(document.get("result"), dict | list):
            return items_of(document["result"], key=key, problems=problems)
        if not isinstance(found, list):
            problems.add(where, _("expected a list of items."))
            return []
        return found
    if isinstance(document, list):
        return document
    problems.add("$", _("expected a list of items, or an object holding one under “data”."))
    return []


# --- Regions ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RegionItem:
    where: str
    code: str  # dotted
    name: str
    bps_code: str

    @property
    def level(self) -> int:
        return self.code.count(".")


def parse_regions(data: bytes) -> list[RegionItem]:
    """Every region of a SATUSEHAT regions file, or a ValidationError listing every problem."""
    document = load_json(data)
    problems = Problems()
    lists: list[tuple[str, list, int | None]] = []
    if isinstance(document, dict) and any(
        k in document for k in (*REGION_KEYS, *REGION_KEY_ALIASES)
    ):
        for name, value in document.items():
            key = REGION_KEY_ALIASES.get(name, name)
            if key not in REGION_KEYS:
                continue
            if not isinstance(value, list):
                problems.add(str(name)[:40], _("expected a list of items."))
                continue
            lists.append((str(name), value, REGION_KEYS.index(key)))
    else:
        lists.append(("data", items_of(document, key="data", problems=problems), None))
    if sum(len(items) for _name, items, _level in lists) > MAX_ITEMS:
        raise ValidationError(
            _("the file has more than %(count)s items; split it.") % {"count": MAX_ITEMS}
        )
    found: list[RegionItem] = []
    seen: dict[str, str] = {}
    for name, items, level in lists:
        for index, item in enumerate(items):
            where = f"{name}[{index}]"
            if not isinstance(item, dict):
                problems.add(where, _("expected an object."))
                continue
            code = region_code(item.get("code"), where=f"{where}.code", problems=problems)
            parent = region_code(
                item.get("parent_code"),
                where=f"{where}.parent_code",
                problems=problems,
                required=False,
            )
            label = text(
                item.get("name"),
                where=f"{where}.name",
                problems=problems,
                max_length=100,
                required=True,
            )
            bps = text(
                item.get("bps_code"), where=f"{where}.bps_code", problems=problems, max_length=13
            )
            if bps and not DIGITS.fullmatch(bps):
                problems.add(f"{where}.bps_code", _("a BPS code is digits only."))
                bps = ""
            if not code or not label:
                continue
            if level is not None and code.count(".") != level:
                problems.add(
                    f"{where}.code",
                    _("“%(code)s” is not a code of this level (%(level)s).")
                    % {"code": code, "level": REGION_KEYS[level]},
                )
                continue
            if parent and "." in code and code.rsplit(".", 1)[0] != parent:
                problems.add(
                    f"{where}.parent_code",
                    _("“%(parent)s” is not the parent of “%(code)s”.")
                    % {"parent": parent, "code": code},
                )
                continue
            if code in seen:
                problems.add(
                    f"{where}.code",
                    _("“%(code)s” is already at %(first)s.") % {"code": code, "first": seen[code]},
                )
                continue
            seen[code] = where
            found.append(RegionItem(where=where, code=code, name=label, bps_code=bps))
    if problems:
        raise problems.refusal()
    if not found:
        raise ValidationError(_("the file holds no regions."))
    return found

"""Reading a DHIS2 data value set (JSON) or ADX (XML) and mapping it back to monthly values.

The file is read whole and checked first; every problem is located ("dataValues[12]: unknown
data element 'abc'") and any problem refuses the whole file. A checked file becomes the same
plan the monthly Excel import writes (indicators.services.monthly_excel), so values land in
draft reports through the one write path, audited, with the report's version bumped.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from indicators.models import MonthlyReport
from indicators.reporting import monthly_services, reporting_year
from indicators.rights import can_import_monthly
from indicators.services.monthly_excel import ImportPlan
from indicators.services.reports import CellInput
from kernel.imports.cells import clean_text, short
from kernel.imports.reader import RawFile
from kernel.models import District, User, Village
from kernel.spreadsheets import MAX_COUNT, CellError

from ..models import Dhis2Profile
from .export import ADX_NS

MAX_VALUES = 100_000  # a district's year at desa level is about 40,000
MAX_COMMENT = 1_000
JSON_PERIOD = re.compile(r"(\d{4})(0[1-9]|1[0-2])")
ADX_PERIOD = re.compile(r"(\d{4})-(0[1-9]|1[0-2])-01/P1M")
DIGITS = re.compile(r"[0-9]{1,9}")


@dataclass(frozen=True)
class Located(CellError):
    """A problem of one data value: `sheet` names the list, `row` its index in the file."""

    def __str__(self) -> str:
        where = self.sheet if self.row is None else f"{self.sheet}[{self.row}]"
        return f"{where}: {short(self.problem, 300)}"


@dataclass(frozen=True)
class Incoming:
    """One data value of the file, as written, with where it is."""

    sheet: str
    index: int
    data_element: object
    period: object
    org_unit: object
    category_option_combo: object
    attribute_option_combo: object
    value: object
    comment: object
    adx: bool = False

    def error(self, problem: str) -> Located:
        return Located(self.sheet, self.index, None, problem)


class _Unreadable(ValueError):
    pass


def _refuse_number(text: str):
    raise _Unreadable(text)


def _int(text: str):
    # Digits beyond 18 are no count of people; never build a huge int (nor hit its limit).
    return int(text) if len(text) <= 18 else _Float(text)


class _Float(str):
    """A JSON number that is not a whole number of a sensible size: kept as its text."""


def read_data_values(raw: RawFile) -> tuple[list[Incoming], list[CellError]]:
    """The data values of a DHIS2 JSON data value set or an ADX document; the whole file is
    refused (FileRefused) when it is neither, or not safely readable."""
    data = raw.data
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raw.refuse(_("the file is not UTF-8 text."))
    if "\x00" in text:
        raw.refuse(_("the file holds NUL characters; it is not a DHIS2 export."))
    start = text.lstrip()[:1]
    if start == "{":
        return _read_json(raw, text)
    if start == "<":
        return _read_adx(raw, data)
    raw.refuse(_("the file is neither a DHIS2 data value set (JSON) nor ADX (XML)."))
    raise AssertionError  # refuse raised


def _read_json(raw: RawFile, text: str) -> tuple[list[Incoming], list[CellError]]:
    try:
        document = json.loads(
            text, parse_constant=_refuse_number, parse_float=_Float, parse_int=_int
        )
    except (ValueError, RecursionError):
        raw.refuse(_("the file is not valid JSON."))
    values = document.get("dataValues") if isinstance(document, dict) else None
    if not isinstance(values, list):
        raw.refuse(_("the file has no “dataValues” list: it is not a DHIS2 data value set."))
    if len(values) > MAX_VALUES:
        raw.refuse(_("the file has more than %(count)s data values.") % {"count": MAX_VALUES})
    defaults = {
        key: document.get(key, "")
        for key in ("period", "orgUnit", "attributeOptionCombo")
        if isinstance(document.get(key, ""), str)
    }
    incoming, errors = [], []
    for index, item in enumerate(values):
        if not isinstance(item, dict):
            errors.append(Located("dataValues", index, None, _("a data value must be an object.")))
            continue
        incoming.append(
            Incoming(
                "dataValues",
                index,
                item.get("dataElement"),
                item.get("period", defaults.get("period", "")),
                item.get("orgUnit", defaults.get("orgUnit", "")),
                item.get("categoryOptionCombo", ""),
                item.get("attributeOptionCombo", defaults.get("attributeOptionCombo", "")),
                item.get("value"),
                item.get("comment", ""),
            )
        )
    return incoming, errors


def _read_adx(raw: RawFile, data: bytes) -> tuple[list[Incoming], list[CellError]]:
    try:
        root = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (DefusedXmlException, ParseError, ValueError, RecursionError):
        raw.refuse(
            _("the file is not valid ADX XML (document type declarations are not accepted).")
        )
    if root.tag != f"{{{ADX_NS}}}adx":
        raw.refuse(_("the file is not ADX: its root must be <adx> in %(ns)s.") % {"ns": ADX_NS})
    incoming, errors = [], []
    index = 0
    for group in root:
        if group.tag != f"{{{ADX_NS}}}group":
            continue
        for element in group:
            if element.tag != f"{{{ADX_NS}}}dataValue":
                continue
            if index >= MAX_VALUES:
                raw.refuse(
                    _("the file has more than %(count)s data values.") % {"count": MAX_VALUES}
                )
            note = element.find(f"{{{ADX_NS}}}annotation")
            incoming.append(
                Incoming(
                    "dataValue",
                    index,
                    element.get("dataElement"),
                    group.get("period"),
                    group.get("orgUnit"),
                    element.get("categoryOptionCombo", ""),
                    group.get("attributeOptionCombo", ""),
                    element.get("value"),
                    (note.text or "") if note is not None else "",
                    adx=True,
                )
            )
            index += 1
    return incoming, errors


def _count(value: object) -> tuple[int | None, str | None]:
    if isinstance(value, str) and not isinstance(value, _Float) and DIGITS.fullmatch(value):
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        if value < 0:
            return None, _("a number of people cannot be negative.")
        if value > MAX_COUNT:
            return None, _("the number is implausibly large.")
        return value, None
    if value is None or value == "":
        return None, _("the value is empty.")
    if isinstance(value, str) and value.strip().startswith("-"):
        return None, _("a number of people cannot be negative.")
    return None, _("“%(text)s” is not a whole number of people.") % {"text": short(value)}


def _text(value: object) -> str | None:
    return value.strip() if isinstance(value, str) and not isinstance(value, _Float) else None


def plan_data_values(
    *, incoming: list[Incoming], district: District, user: User, file_name: str
) -> tuple[list[ImportPlan], list[CellError]]:
    """The import plans (one per year) of the file's values by the district's mapping, or
    every problem located. Nothing is written."""
    errors: list[CellError] = []
    profile = Dhis2Profile.objects.filter(district=district).first()
    if profile is None:
        return [], [Located(file_name, None, None, _("this district has no DHIS2 mapping yet."))]
    elements: dict[tuple[str, str], tuple[int, str]] = {
        (e.data_element, e.category_option_combo): (e.service_id, e.attribute_option_combo)
        for e in profile.elements.all()
    }
    units = {
        uid: (puskesmas_id, village_id)
        for uid, puskesmas_id, village_id in profile.org_units.values_list(
            "org_unit", "puskesmas_id", "village_id"
        )
    }
    villages = {
        v.pk: v
        for v in Village.objects.filter(pk__in=[v for _p, v in units.values() if v]).select_related(
            "puskesmas"
        )
    }
    today = timezone.localdate()
    years: dict[int, set[int] | None] = {}
    allowed: dict[int, bool] = {}
    plans: dict[int, ImportPlan] = {}
    seen: dict[tuple[int, int, int, int], int] = {}
    now = timezone.now()
    for item in incoming:
        problems = []
        uid, coc = _text(item.data_element), _text(item.category_option_combo) or ""
        found = elements.get((uid or "", coc))
        if found is None:
            shown = short(item.data_element if uid is None else uid) + (f" / {coc}" if coc else "")
            problems.append(_("unknown data element '%(uid)s'.") % {"uid": shown})
        aoc = _text(item.attribute_option_combo) or ""
        if found is not None and aoc and aoc != found[1]:
            problems.append(
                _("attribute option combo '%(uid)s' is not the one mapped.") % {"uid": short(aoc)}
            )
        period = _text(item.period) or ""
        match = (ADX_PERIOD if item.adx else JSON_PERIOD).fullmatch(period)
        year = month = None
        if match is None:
            problems.append(
                _("period '%(period)s' is not a month as DHIS2 writes it (%(example)s).")
                % {
                    "period": short(item.period),
                    "example": "2026-11-01/P1M" if item.adx else "202611",
                }
            )
        else:
            year, month = int(match[1]), int(match[2])
            if (year, month) > (today.year, today.month):
                problems.append(_("period %(period)s has not started yet.") % {"period": period})
            else:
                if year not in years:
                    try:
                        years[year] = {s.pk for s in monthly_services(year)}
                        reporting_year(year)
                    except ValidationError:
                        years[year] = None
                if years[year] is None:
                    problems.append(
                        _("the year %(year)s has no SPM edition set up.") % {"year": year}
                    )
                elif found is not None and found[0] not in years[year]:
                    problems.append(
                        _("data element '%(uid)s' is not a monthly service in %(year)s.")
                        % {"uid": uid, "year": year}
                    )
        org_unit = _text(item.org_unit) or ""
        place = units.get(org_unit)
        village = villages.get(place[1]) if place and place[1] else None
        if place is None:
            problems.append(_("unknown org unit '%(uid)s'.") % {"uid": short(item.org_unit)})
        elif village is None:
            problems.append(
                _(
                    "org unit '%(uid)s' is a puskesmas: Simpul keeps values per desa, so only desa "
                    "org units can be imported."
                )
                % {"uid": org_unit}
            )
        elif village.puskesmas is None or village.puskesmas.district_id != district.pk:
            problems.append(
                _("desa %(village)s is in no puskesmas working area of this district.")
                % {"village": village.name}
            )
            village = None
        elif village.puskesmas_id not in allowed:
            allowed[village.puskesmas_id] = bool(can_import_monthly(user, village.puskesmas))
        if village is not None and not allowed.get(village.puskesmas_id):
            problems.append(
                _("your role cannot enter data for %(puskesmas)s.")
                % {"puskesmas": village.puskesmas.name}
            )
        value, problem = _count(item.value)
        if problem:
            problems.append(problem)
        comment = item.comment if isinstance(item.comment, str) else ""
        comment = clean_text(comment).strip()
        if len(comment) > MAX_COMMENT:
            problems.append(_("the comment is longer than %(n)s characters.") % {"n": MAX_COMMENT})
        if problems:
            errors.extend(item.error(problem) for problem in problems)
            continue
        assert village is not None and found is not None and year and month
        key = (village.puskesmas_id, month, village.pk, found[0])
        if (year, *key) in seen:
            errors.append(
                item.error(
                    _("the same data value is already at index %(index)s.")
                    % {"index": seen[(year, *key)]}
                )
            )
            continue
        seen[(year, *key)] = item.index
        plan = plans.get(year)
        if plan is None:
            plan = plans[year] = ImportPlan(
                file_name=file_name,
                year=year,
                months=[],
                downloaded_at=now,
                puskesmas={},
                cells={},
                places={},
                rows=0,
            )
        if month not in plan.months:
            plan.months.append(month)
        plan.puskesmas[village.puskesmas_id] = village.puskesmas
        plan.cells.setdefault((village.puskesmas_id, month), {})[(village.pk, found[0])] = (
            CellInput(value, comment)
        )
        plan.places[key] = (item.index, "")
        plan.rows += 1
    sheet = incoming[0].sheet if incoming else "dataValues"
    errors += _closed_reports(plans, seen=seen, sheet=sheet)
    return list(plans.values()), errors


def _closed_reports(plans: dict[int, ImportPlan], *, seen: dict, sheet: str) -> list[CellError]:
    """A report already submitted, approved or locked refuses its values (located at the
    first of them)."""
    errors = []
    for year, plan in plans.items():
        reports = MonthlyReport.objects.filter(
            puskesmas_id__in=list(plan.puskesmas), year=year, month__in=plan.months
        ).exclude(status__in=MonthlyReport.EDITABLE_STATUSES)
        for report in reports:
            firsts = [
                index
                for (y, p, m, _v, _s), index in seen.items()
                if (y, p, m) == (year, report.puskesmas_id, report.month)
            ]
            if not firsts:
                continue
            errors.append(
                Located(
                    sheet,
                    min(firsts),
                    None,
                    _(
                        "the %(month)s report of %(puskesmas)s is %(status)s: an import cannot "
                        "change it (ask the district to unlock it first)."
                    )
                    % {
                        "month": f"{year}-{report.month:02d}",
                        "puskesmas": plan.puskesmas[report.puskesmas_id].name,
                        "status": report.get_status_display().lower(),
                    },
                )
            )
    return errors

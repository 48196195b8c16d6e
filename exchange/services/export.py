"""Monthly values as DHIS2 writes them: a data value set (JSON) or ADX (XML).

Values come through indicators.readable (area scoping, a province reads approved reports
only). At desa level each desa's value is one data value; at puskesmas level the desa values
of a puskesmas are summed. A value whose service, desa or puskesmas has no mapping is left out
and counted: the page lists what is unmapped, nothing is guessed.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from xml.etree import ElementTree

from django.db.models import Max, Sum
from django.utils import timezone

from indicators.readable import readable_values
from kernel.models import District, User

from .mapping import Mapping, mapping_of

ADX_NS = "urn:ihe:qrph:adx:2015"


def dhis2_period(year: int, month: int) -> str:
    """A month as DHIS2 writes it in a data value set: 202611."""
    return f"{year:04d}{month:02d}"


def adx_period(year: int, month: int) -> str:
    """A month as ADX writes it: 2026-11-01/P1M."""
    return f"{year:04d}-{month:02d}-01/P1M"


@dataclass(frozen=True)
class Dhis2Value:
    data_element: str
    year: int
    month: int
    org_unit: str
    value: int
    category_option_combo: str = ""
    attribute_option_combo: str = ""
    comment: str = ""
    stored_by: str = ""
    last_updated: str = ""

    @property
    def period(self) -> str:
        return dhis2_period(self.year, self.month)


@dataclass
class ExportResult:
    mapping: Mapping
    values: list[Dhis2Value] = field(default_factory=list)
    skipped: int = 0  # values left out: their service, desa or puskesmas is unmapped


def dhis2_values(
    *,
    user: User,
    district: District,
    year: int,
    months: Iterable[int],
    statuses: Iterable[str] | None = None,
) -> ExportResult:
    """The district's monthly values of `months` of `year` that `user` may read, as DHIS2 data
    values by the district's mapping; `statuses` keeps reports in those statuses only."""
    mapping = mapping_of(district=district, year=year)
    result = ExportResult(mapping=mapping)
    values = readable_values(user=user).filter(
        report__puskesmas__district=district,
        report__year=year,
        report__month__in=list(months),
        value__isnull=False,
    )
    if statuses:
        values = values.filter(report__status__in=list(statuses))
    elements = mapping.elements()
    if mapping.by_village:
        units = mapping.village_units()
        rows = values.order_by("report__month", "village__code", "service__number").values_list(
            "report__month",
            "village_id",
            "service_id",
            "value",
            "comment",
            "updated_by__username",
            "updated_at",
        )
    else:
        units = mapping.puskesmas_units()
        rows = (
            values.values("report__month", "report__puskesmas_id", "service_id")
            .annotate(total=Sum("value"), last=Max("updated_at"))
            .order_by("report__month", "report__puskesmas_id", "service_id")
            .values_list("report__month", "report__puskesmas_id", "service_id", "total", "last")
        )
    for row in rows:
        if mapping.by_village:
            month, place, service_id, value, comment, stored_by, updated = row
        else:
            month, place, service_id, value, updated = row
            comment, stored_by = "", ""
        element, unit = elements.get(service_id), units.get(place)
        if element is None or unit is None:
            result.skipped += 1
            continue
        result.values.append(
            Dhis2Value(
                data_element=element.data_element,
                year=year,
                month=month,
                org_unit=unit,
                value=value,
                category_option_combo=element.category_option_combo,
                attribute_option_combo=element.attribute_option_combo,
                comment=comment,
                stored_by=stored_by or "",
                last_updated=(
                    timezone.localtime(updated).replace(microsecond=0).isoformat()
                    if updated
                    else ""
                ),
            )
        )
    return result


def as_json(result: ExportResult) -> bytes:
    """The values as a DHIS2 data value set: {"dataValues": [...]}; values as strings."""
    data_values = []
    for item in result.values:
        entry = {
            "dataElement": item.data_element,
            "period": item.period,
            "orgUnit": item.org_unit,
        }
        if item.category_option_combo:
            entry["categoryOptionCombo"] = item.category_option_combo
        if item.attribute_option_combo:
            entry["attributeOptionCombo"] = item.attribute_option_combo
        entry["value"] = str(item.value)
        for key, text in (
            ("comment", item.comment),
            ("storedBy", item.stored_by),
            ("lastUpdated", item.last_updated),
        ):
            if text:
                entry[key] = text
        data_values.append(entry)
    return json.dumps({"dataValues": data_values}, ensure_ascii=False, indent=1).encode()


def as_adx(result: ExportResult) -> bytes:
    """The values as ADX: a <group> per org unit, period and attribute option combo."""
    ElementTree.register_namespace("", ADX_NS)
    root = ElementTree.Element(
        f"{{{ADX_NS}}}adx", {"exported": timezone.now().replace(microsecond=0).isoformat()}
    )
    groups: dict[tuple[str, int, int, str], list[Dhis2Value]] = defaultdict(list)
    for item in result.values:
        key = (item.org_unit, item.year, item.month, item.attribute_option_combo)
        groups[key].append(item)
    data_set = result.mapping.profile.data_set
    for (org_unit, year, month, aoc), items in groups.items():
        attributes = {"orgUnit": org_unit, "period": adx_period(year, month)}
        if data_set:
            attributes["dataSet"] = data_set
        if aoc:
            attributes["attributeOptionCombo"] = aoc
        group = ElementTree.SubElement(root, f"{{{ADX_NS}}}group", attributes)
        for item in items:
            value = {"dataElement": item.data_element, "value": str(item.value)}
            if item.category_option_combo:
                value["categoryOptionCombo"] = item.category_option_combo
            element = ElementTree.SubElement(group, f"{{{ADX_NS}}}dataValue", value)
            if item.comment:
                ElementTree.SubElement(element, f"{{{ADX_NS}}}annotation").text = item.comment
    return ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)

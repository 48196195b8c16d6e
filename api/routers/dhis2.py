"""DHIS2-shaped reads (issue #19): a district's month as a DHIS2 data value set, made by the
same service as the export page (exchange.services: readable values, the district's mapping,
unmapped items left out and listed)."""

from __future__ import annotations

from typing import Annotated

from ninja import Field, Query, Router, Schema

from exchange.services import dhis2_values
from kernel.models import District
from kernel.scoping import get_in_area_or_404

from ..errors import ERRORS
from ..params import Id, Period

PREFIX = "/dhis2"
router = Router(tags=["dhis2"])

Uid = Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9]{10}$", max_length=11)]


class DataValue(Schema):
    dataElement: str  # noqa: N815  (DHIS2's own field names)
    period: str
    orgUnit: str  # noqa: N815
    categoryOptionCombo: str | None = None  # noqa: N815
    attributeOptionCombo: str | None = None  # noqa: N815
    value: str
    comment: str | None = None
    storedBy: str | None = None  # noqa: N815
    lastUpdated: str | None = None  # noqa: N815


class Unmapped(Schema):
    services: list[str]  # SPM service codes without a data element
    org_units: list[str]  # codes of the desa (or puskesmas) without an org unit
    values_left_out: int


class DataValueSet(Schema):
    dataValues: list[DataValue]  # noqa: N815
    unmapped: Unmapped


class Filters(Schema):
    period: Period
    district: Id | None = None
    orgUnit: Uid | None = None  # noqa: N815


@router.get(
    "/dataValueSets",
    response={200: DataValueSet, **ERRORS},
    summary="A district's month as a DHIS2 data value set (mapped items only)",
)
def data_value_sets(request, filters: Query[Filters]):
    """The values the token may read (a province: approved reports only) of one month of a
    district (the token's own by default), by the district's DHIS2 mapping; `orgUnit` keeps one
    org unit. What has no mapping is left out and listed under `unmapped`."""
    district_id = filters.district or request.user.district_id or 0
    district = get_in_area_or_404(District, request.user, pk=district_id)
    year, month = int(filters.period[:4]), int(filters.period[4:])
    result = dhis2_values(user=request.user, district=district, year=year, months=[month])
    values = [
        {
            "dataElement": v.data_element,
            "period": v.period,
            "orgUnit": v.org_unit,
            "categoryOptionCombo": v.category_option_combo or None,
            "attributeOptionCombo": v.attribute_option_combo or None,
            "value": str(v.value),
            "comment": v.comment or None,
            "storedBy": v.stored_by or None,
            "lastUpdated": v.last_updated or None,
        }
        for v in result.values
        if filters.orgUnit is None or v.org_unit == filters.orgUnit
    ]
    mapping = result.mapping
    return {
        "dataValues": values,
        "unmapped": {
            "services": [s.code for s in mapping.unmapped_services],
            "org_units": [place.code for place in mapping.unmapped_org_units],
            "values_left_out": result.skipped,
        },
    }

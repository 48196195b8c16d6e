"""The puskesmas of the token's area, with their SATUSEHAT codes and coordinates.

Scoped by kernel.scoping.in_area like the organisation pages: a puskesmas token sees its own
puskesmas, a district token its district's, a province token its districts'; another area's
puskesmas is a 404, a district filter naming another area's district an empty list.
"""

from decimal import Decimal
from typing import Any

from ninja import Router, Schema
from ninja.pagination import paginate

from kernel.models import Puskesmas
from kernel.scoping import get_in_area_or_404, in_area

from ..errors import ERRORS
from ..pagination import Pages
from ..params import Id

PREFIX = "/organisation"
router = Router(tags=["organisation"])


def _decimal(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


class PuskesmasOut(Schema):
    id: int
    code: str
    satusehat_code: str
    other_codes: dict[str, Any]
    name: str
    district_id: int
    subdistrict_id: int
    is_inpatient: bool
    address: str
    # Degrees as decimal strings (no float rounding), or null where unknown.
    latitude: str | None
    longitude: str | None

    @staticmethod
    def resolve_latitude(obj: Puskesmas) -> str | None:
        return _decimal(obj.latitude)

    @staticmethod
    def resolve_longitude(obj: Puskesmas) -> str | None:
        return _decimal(obj.longitude)

    @staticmethod
    def resolve_other_codes(obj: Puskesmas) -> dict[str, Any]:
        return obj.other_codes if isinstance(obj.other_codes, dict) else {}


@router.get(
    "/puskesmas", response={200: list[PuskesmasOut], **ERRORS}, summary="Puskesmas in your area"
)
@paginate(Pages)
def puskesmas_list(request, district_id: Id | None = None):
    rows = in_area(Puskesmas.objects.all(), request.user)
    if district_id is not None:
        rows = rows.filter(district_id=district_id)
    return rows.order_by("code", "pk")


@router.get(
    "/puskesmas/{puskesmas_id}",
    response={200: PuskesmasOut, **ERRORS},
    summary="One puskesmas of your area",
)
def puskesmas_get(request, puskesmas_id: Id):
    return get_in_area_or_404(Puskesmas, request.user, pk=puskesmas_id)

"""Targets of record (sasaran): per desa, SPM service and year, the figure the district chose.

Scoped by kernel.scoping.in_area (Target.area_paths: through the desa), as the target pages.
"""

from ninja import Router, Schema
from ninja.pagination import paginate

from indicators.models import Target
from kernel.scoping import in_area

from ..errors import ERRORS
from ..pagination import Pages
from ..params import Id, Year
from .catalogue import ServiceCode

PREFIX = "/targets"
router = Router(tags=["targets"])


class TargetOut(Schema):
    id: int
    village_id: int
    village_code: str
    puskesmas_id: int | None
    service: str
    year: int
    value: int
    source: str

    @staticmethod
    def resolve_village_code(obj: Target) -> str:
        return obj.village.code

    @staticmethod
    def resolve_puskesmas_id(obj: Target) -> int | None:
        return obj.village.puskesmas_id

    @staticmethod
    def resolve_service(obj: Target) -> str:
        return obj.service.code


@router.get("", response={200: list[TargetOut], **ERRORS}, summary="Targets of record")
@paginate(Pages)
def target_list(
    request,
    year: Year | None = None,
    district_id: Id | None = None,
    puskesmas_id: Id | None = None,
    service: ServiceCode | None = None,
):
    rows = in_area(Target.objects.filter(is_of_record=True), request.user).select_related(
        "village", "service"
    )
    if year is not None:
        rows = rows.filter(year=year)
    if district_id is not None:
        rows = rows.filter(village__subdistrict__district_id=district_id)
    if puskesmas_id is not None:
        rows = rows.filter(village__puskesmas_id=puskesmas_id)
    if service:
        rows = rows.filter(service__code=service)
    return rows.order_by("year", "village__code", "service__number", "pk")

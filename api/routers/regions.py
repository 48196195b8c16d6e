"""Regions (Kemendagri codes with their BPS codes): provinces, districts, kecamatan, desa.

Scoped like the region pages: every list starts from kernel.scoping.in_area, so a district
token sees its province, its district, its kecamatan and desa; a puskesmas token its own
province, district, kecamatan and its working area's desa (the models' area_paths); a province
token its province and all that lies in it. A filter naming another area's row yields an empty
list, never that area's rows.
"""

from ninja import Router, Schema
from ninja.pagination import paginate

from kernel.models import District, Province, Subdistrict, Village
from kernel.scoping import in_area

from ..errors import ERRORS
from ..pagination import Pages
from ..params import Id

PREFIX = "/regions"
router = Router(tags=["regions"])


class ProvinceOut(Schema):
    id: int
    code: str
    bps_code: str
    name: str


class DistrictOut(ProvinceOut):
    province_id: int


class SubdistrictOut(ProvinceOut):
    district_id: int


class VillageOut(ProvinceOut):
    subdistrict_id: int
    puskesmas_id: int | None


@router.get(
    "/provinces", response={200: list[ProvinceOut], **ERRORS}, summary="Provinces in your area"
)
@paginate(Pages)
def province_list(request):
    return in_area(Province.objects.all(), request.user).order_by("code", "pk")


@router.get(
    "/districts", response={200: list[DistrictOut], **ERRORS}, summary="Districts in your area"
)
@paginate(Pages)
def district_list(request, province_id: Id | None = None):
    rows = in_area(District.objects.all(), request.user)
    if province_id is not None:
        rows = rows.filter(province_id=province_id)
    return rows.order_by("code", "pk")


@router.get(
    "/subdistricts",
    response={200: list[SubdistrictOut], **ERRORS},
    summary="Kecamatan in your area",
)
@paginate(Pages)
def subdistrict_list(request, district_id: Id | None = None):
    rows = in_area(Subdistrict.objects.all(), request.user)
    if district_id is not None:
        rows = rows.filter(district_id=district_id)
    return rows.order_by("code", "pk")


@router.get(
    "/villages", response={200: list[VillageOut], **ERRORS}, summary="Desa/kelurahan in your area"
)
@paginate(Pages)
def village_list(
    request,
    district_id: Id | None = None,
    subdistrict_id: Id | None = None,
    puskesmas_id: Id | None = None,
):
    rows = in_area(Village.objects.all(), request.user)
    if district_id is not None:
        rows = rows.filter(subdistrict__district_id=district_id)
    if subdistrict_id is not None:
        rows = rows.filter(subdistrict_id=subdistrict_id)
    if puskesmas_id is not None:
        rows = rows.filter(puskesmas_id=puskesmas_id)
    return rows.order_by("code", "pk")

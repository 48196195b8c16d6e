"""Community-based health efforts (UKBM, issue #19): the registry of posyandu and other UKBM,
the yearly posyandu and desa siaga aktif reviews with their stratum, the cadres and the UKBM
indicators. Read like the pages (community.selectors): a province reads approved reviews only.

Cadres are people: the API gives a cadre's name, posyandu, level and the number of skills found
competent, never their phone number, birth year or sex.
"""

import datetime
from decimal import Decimal
from typing import Any, Literal

from django.db.models import CharField, F, IntegerField, Value
from ninja import Router, Schema
from ninja.pagination import paginate

from community.models import IndicatorResult
from community.selectors.cadres import readable_cadres
from community.selectors.registry import ukbm_list
from community.selectors.reviews import readable_posyandu_reviews, readable_village_reviews
from kernel.models import ServicePoint
from kernel.scoping import in_area

from ..errors import ERRORS
from ..pagination import Pages
from ..params import Id, Year

PREFIX = "/ukbm"
router = Router(tags=["ukbm"])

UkbmKind = Literal[tuple(str(kind) for kind in ServicePoint.UKBM_KINDS)]  # type: ignore[valid-type]
ReviewKind = Literal["posyandu", "desa"]
IndicatorLevel = Literal[tuple(IndicatorResult.Level.values)]  # type: ignore[valid-type]


def _decimal(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


class ServicePointOut(Schema):
    id: int
    kind: str
    name: str
    puskesmas_id: int
    village_id: int | None
    address: str
    venue: str
    schedule: str
    decree_number: str
    decree_date: datetime.date | None
    runs_ilp: bool
    pustu_id: int | None
    established_year: int | None
    is_active: bool
    latest_stratum: str | None
    latest_year: int | None
    active_cadres: int
    version: int

    @staticmethod
    def resolve_active_cadres(obj: Any) -> int:
        return obj.cadre_count


class ReviewOut(Schema):
    """A posyandu review (`service_point_id` set) or a desa siaga aktif review (kind "desa")."""

    id: int
    kind: str
    year: int
    puskesmas_id: int
    service_point_id: int | None
    village_id: int | None
    status: str
    stratum: str
    is_active: bool | None
    active_cadres: int | None
    version: int


class CadreOut(Schema):
    id: int
    name: str
    puskesmas_id: int
    service_point_id: int
    level: str
    skills_competent: int
    is_trained: bool
    is_active: bool


class IndicatorOut(Schema):
    id: int
    indicator_code: str
    year: int
    level: str
    province_id: int
    district_id: int | None
    puskesmas_id: int | None
    numerator: int
    denominator: int
    value: str | None

    @staticmethod
    def resolve_indicator_code(obj: Any) -> str:
        return obj.indicator.code

    @staticmethod
    def resolve_value(obj: Any) -> str | None:
        return _decimal(obj.value)


@router.get(
    "/service-points",
    response={200: list[ServicePointOut], **ERRORS},
    summary="The UKBM registry: posyandu, poskesdes, posbindu, pos UKK, poskestren",
)
@paginate(Pages)
def service_point_list(
    request,
    district_id: Id | None = None,
    puskesmas_id: Id | None = None,
    village_id: Id | None = None,
    kind: UkbmKind | None = None,
):
    rows = ukbm_list(
        user=request.user, puskesmas_id=puskesmas_id, village_id=village_id, kind=kind or ""
    )
    if district_id is not None:
        rows = rows.filter(puskesmas__district_id=district_id)
    return rows.order_by("puskesmas_id", "kind", "name", "pk")


REVIEW_FIELDS = (
    "id",
    "kind",
    "year",
    "puskesmas_id",
    "service_point_id",
    "village_id",
    "status",
    "stratum",
    "is_active",
    "active_cadres",
    "version",
)


def _posyandu_reviews(request, year: int | None):
    rows = readable_posyandu_reviews(user=request.user)
    if year is not None:
        rows = rows.filter(year=year)
    return (
        rows.annotate(
            kind=Value("posyandu", output_field=CharField()),
            village_id=F("service_point__village_id"),
            is_active=F("is_active_posyandu"),
        )
        .values(*REVIEW_FIELDS)
        .order_by()
    )


def _village_reviews(request, year: int | None):
    rows = readable_village_reviews(user=request.user)
    if year is not None:
        rows = rows.filter(year=year)
    return (
        rows.annotate(
            kind=Value("desa", output_field=CharField()),
            service_point_id=Value(None, output_field=IntegerField()),
            is_active=F("is_siaga_aktif"),
        )
        .values(*REVIEW_FIELDS)
        .order_by()
    )


@router.get(
    "/reviews",
    response={200: list[ReviewOut], **ERRORS},
    summary="Yearly posyandu and desa siaga aktif reviews with their stratum",
)
@paginate(Pages)
def review_list(
    request,
    year: Year | None = None,
    kind: ReviewKind | None = None,
    puskesmas_id: Id | None = None,
):
    parts = []
    if kind in (None, "posyandu"):
        parts.append(_posyandu_reviews(request, year))
    if kind in (None, "desa"):
        parts.append(_village_reviews(request, year))
    if puskesmas_id is not None:
        parts = [part.filter(puskesmas_id=puskesmas_id) for part in parts]
    rows = parts[0] if len(parts) == 1 else parts[0].union(parts[1], all=True)
    return rows.order_by("-year", "kind", "id")


@router.get(
    "/cadres",
    response={200: list[CadreOut], **ERRORS},
    summary="Posyandu cadres (no personal details)",
)
@paginate(Pages)
def cadre_list(
    request,
    puskesmas_id: Id | None = None,
    service_point_id: Id | None = None,
    active: bool | None = None,
):
    rows = readable_cadres(user=request.user).only(
        "id",
        "name",
        "puskesmas_id",
        "service_point_id",
        "level",
        "skills_competent",
        "is_trained",
        "is_active",
    )
    if puskesmas_id is not None:
        rows = rows.filter(puskesmas_id=puskesmas_id)
    if service_point_id is not None:
        rows = rows.filter(service_point_id=service_point_id)
    if active is not None:
        rows = rows.filter(is_active=active)
    return rows.select_related(None).order_by("puskesmas_id", "service_point_id", "name", "pk")


@router.get(
    "/indicators",
    response={200: list[IndicatorOut], **ERRORS},
    summary="UKBM indicator figures per puskesmas, district and province",
)
@paginate(Pages)
def indicator_list(
    request,
    year: Year | None = None,
    level: IndicatorLevel | None = None,
    district_id: Id | None = None,
    puskesmas_id: Id | None = None,
):
    rows = in_area(IndicatorResult.objects.select_related("indicator"), request.user)
    if year is not None:
        rows = rows.filter(year=year)
    if level is not None:
        rows = rows.filter(level=level)
    if district_id is not None:
        rows = rows.filter(district_id=district_id)
    if puskesmas_id is not None:
        rows = rows.filter(puskesmas_id=puskesmas_id)
    return rows.order_by("year", "indicator__order", "indicator__code", "level", "pk")

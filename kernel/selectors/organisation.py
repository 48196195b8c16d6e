"""Reads for the organisation pages and exports; every function starts from `in_area`."""

from __future__ import annotations

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery

from ..models import (
    District,
    HealthOfficeUnit,
    PartnerOrganisation,
    Province,
    Puskesmas,
    RegionPopulation,
    ServicePoint,
    Subdistrict,
    Village,
)
from ..scoping import in_area


def area_summary(*, user) -> dict[str, int]:
    """Counts of what lies in the user's area (scoped; one query per count, none per row)."""
    return {
        "provinces": in_area(Province.objects.all(), user).count(),
        "districts": in_area(District.objects.all(), user).count(),
        "subdistricts": in_area(Subdistrict.objects.all(), user).count(),
        "villages": in_area(Village.objects.all(), user).count(),
        "puskesmas": in_area(Puskesmas.objects.all(), user).count(),
        "service_points": in_area(ServicePoint.objects.filter(is_active=True), user).count(),
        "partners": in_area(PartnerOrganisation.objects.filter(is_active=True), user).count(),
    }


def _latest_population(code_ref: str) -> Subquery:
    return Subquery(
        RegionPopulation.objects.filter(code=OuterRef(code_ref))
        .order_by("-year")
        .values("total")[:1]
    )


def district_list(*, user, search: str = "") -> QuerySet[District]:
    """Districts in the user's area with their counts and latest population (scoped)."""
    queryset = in_area(District.objects.all(), user).select_related("province")
    if search:
        queryset = queryset.filter(Q(name__icontains=search) | Q(code__startswith=search))
    return queryset.annotate(
        subdistrict_count=Count("subdistricts", distinct=True),
        puskesmas_count=Count("puskesmas", distinct=True),
        population=_latest_population("code"),
    ).order_by("code")


def subdistrict_list(*, user, district: District) -> QuerySet[Subdistrict]:
    """Kecamatan of one district in the user's area, with village and puskesmas counts (scoped)."""
    return (
        in_area(Subdistrict.objects.filter(district=district), user)
        .annotate(
            village_count=Count("villages", distinct=True),
            puskesmas_count=Count("puskesmas", distinct=True),
        )
        .order_by("code")
    )


def village_list(*, user, subdistrict: Subdistrict) -> QuerySet[Village]:
    """Desa/kelurahan of one kecamatan in the user's area, with their puskesmas (scoped)."""
    return (
        in_area(Village.objects.filter(subdistrict=subdistrict), user)
        .select_related("puskesmas")
        .annotate(service_point_count=Count("service_points"))
        .order_by("code")
    )


def puskesmas_list(
    *, user, search: str = "", district_id: int | None = None
) -> QuerySet[Puskesmas]:
    """Puskesmas in the user's area with their working-area and service-point counts (scoped)."""
    queryset = in_area(Puskesmas.objects.all(), user).select_related("district", "subdistrict")
    if search:
        queryset = queryset.filter(Q(name__icontains=search) | Q(code__icontains=search))
    if district_id:
        queryset = queryset.filter(district_id=district_id)
    return queryset.annotate(
        village_count=Count("villages", distinct=True),
        service_point_count=Count(
            "service_points", filter=Q(service_points__is_active=True), distinct=True
        ),
    ).order_by("district__code", "name")


def puskesmas_get(*, user, pk: int) -> Puskesmas:
    """One puskesmas in the user's area with its district and kecamatan, or 404."""
    from ..scoping import get_in_area_or_404

    return get_in_area_or_404(
        Puskesmas.objects.select_related("district__province", "subdistrict"), user, pk=pk
    )


def puskesmas_villages(*, user, puskesmas: Puskesmas) -> QuerySet[Village]:
    """The working area (wilayah kerja) of one puskesmas, by kecamatan (scoped)."""
    return (
        in_area(Village.objects.filter(puskesmas=puskesmas), user)
        .select_related("subdistrict")
        .order_by("code")
    )


def service_point_list(
    *, user, puskesmas_id: int | None = None, kind: str = ""
) -> QuerySet[ServicePoint]:
    """Service points in the user's area, filtered by puskesmas and kind (scoped)."""
    queryset = in_area(ServicePoint.objects.all(), user).select_related("puskesmas", "village")
    if puskesmas_id:
        queryset = queryset.filter(puskesmas_id=puskesmas_id)
    if kind:
        queryset = queryset.filter(kind=kind)
    return queryset.order_by("puskesmas__name", "kind", "name")


def partner_list(*, user, sector: str = "", search: str = "") -> QuerySet[PartnerOrganisation]:
    """Partner organisations in the user's area, district level first, then by kecamatan."""
    queryset = in_area(PartnerOrganisation.objects.all(), user).select_related(
        "district", "subdistrict"
    )
    if sector:
        queryset = queryset.filter(sector=sector)
    if search:
        queryset = queryset.filter(Q(name__icontains=search) | Q(short_name__icontains=search))
    return queryset.order_by("district__code", "subdistrict__code", "name")


def unit_list(*, user) -> QuerySet[HealthOfficeUnit]:
    """Dinkes units in the user's area with the unit above them (scoped)."""
    return (
        in_area(HealthOfficeUnit.objects.all(), user)
        .select_related("office__district", "parent")
        .order_by("office__district__code", "kind", "name")
    )

"""Reads of the UKBM registry (issue #17 must-have 1 and the desa view of must-have 5): the
posyandu and other UKBM of the user's area with their latest stratum and cadre count, one
posyandu's reviews and cadres, one desa's UKBM, desa siaga aktif status and SPM achievement.

Everything goes through `kernel.scoping.in_area`; a provincial reviewer reads approved reviews
only (`kernel.roles.reads_approved_only`). A list costs a fixed number of queries whatever the
number of posyandu: the latest stratum and the cadre count are subqueries of the one list query.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from indicators import selectors as spm
from kernel.models import Puskesmas, ServicePoint, User, Village
from kernel.roles import reads_approved_only
from kernel.scoping import get_in_area_or_404, in_area

from ..models import Cadre, PosyanduReview, Stratum, VillageReview

UKBM_KINDS = [str(kind) for kind in ServicePoint.UKBM_KINDS]


def readable_posyandu_reviews(
    *, user: User | AnonymousUser, queryset: QuerySet[PosyanduReview] | None = None
) -> QuerySet[PosyanduReview]:
    """The posyandu reviews `user` may read (scoped): their area's, for a provincial reviewer
    approved ones only."""
    reviews = in_area(PosyanduReview.objects.all() if queryset is None else queryset, user)
    if reads_approved_only(user):
        reviews = reviews.filter(status=PosyanduReview.Status.APPROVED)
    return reviews


def readable_village_reviews(
    *, user: User | AnonymousUser, queryset: QuerySet[VillageReview] | None = None
) -> QuerySet[VillageReview]:
    """The desa siaga aktif reviews `user` may read, as `readable_posyandu_reviews`."""
    reviews = in_area(VillageReview.objects.all() if queryset is None else queryset, user)
    if reads_approved_only(user):
        reviews = reviews.filter(status=VillageReview.Status.APPROVED)
    return reviews


def _latest_review(user: User | AnonymousUser) -> QuerySet[PosyanduReview]:
    """The readable review with a stratum of the outer service point, newest year first."""
    return readable_posyandu_reviews(
        user=user,
        queryset=PosyanduReview.objects.filter(service_point=OuterRef("pk")).exclude(stratum=""),
    ).order_by("-year")


def ukbm_list(
    *,
    user: User | AnonymousUser,
    puskesmas_id: int | None = None,
    village_id: int | None = None,
    kind: str = "",
) -> QuerySet[ServicePoint]:
    """The UKBM of the user's area (posyandu, poskesdes, posbindu, pos UKK, poskestren), by
    puskesmas, desa and name, each with `latest_stratum`, `latest_year` and `cadre_count`
    (active cadres); one query."""
    points = in_area(ServicePoint.objects.filter(kind__in=UKBM_KINDS), user)
    if puskesmas_id:
        points = points.filter(puskesmas_id=puskesmas_id)
    if village_id:
        points = points.filter(village_id=village_id)
    if kind in UKBM_KINDS:
        points = points.filter(kind=kind)
    latest = _latest_review(user)
    cadres = (
        in_area(Cadre.objects.filter(service_point=OuterRef("pk"), is_active=True), user)
        .order_by()
        .values("service_point")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return (
        points.select_related("puskesmas", "village", "pustu")
        .annotate(
            latest_stratum=Subquery(latest.values("stratum")[:1]),
            latest_year=Subquery(latest.values("year")[:1]),
            cadre_count=Coalesce(Subquery(cadres, output_field=IntegerField()), Value(0)),
        )
        .order_by("puskesmas__name", "village__name", "kind", "name")
    )


def stratum_label(code: str | None) -> str:
    return str(Stratum(code).label) if code in Stratum.values else ""


def puskesmas_choices(*, user: User | AnonymousUser) -> list[tuple[int, str]]:
    """The puskesmas of the user's area, for the registry's filter."""
    return list(in_area(Puskesmas.objects.order_by("name"), user).values_list("pk", "name"))


def village_choices(
    *, user: User | AnonymousUser, puskesmas_id: int | None = None
) -> list[tuple[int, str]]:
    """The desa of the user's area in a puskesmas's working area, for the registry's filter."""
    villages = in_area(Village.objects.filter(puskesmas__isnull=False), user)
    if puskesmas_id:
        villages = villages.filter(puskesmas_id=puskesmas_id)
    return list(villages.order_by("name").values_list("pk", "name"))


# --- One posyandu ------------------------------------------------------------------------------


def ukbm_get(*, user: User | AnonymousUser, pk: int) -> ServicePoint:
    """One UKBM of the user's area, with its latest stratum and cadre count; 404 otherwise."""
    return get_in_area_or_404(ukbm_list(user=user), user, pk=pk)


def posyandu_reviews(*, user: User | AnonymousUser, point: ServicePoint) -> list[PosyanduReview]:
    """The point's yearly reviews the user may read, newest first."""
    return list(
        readable_posyandu_reviews(
            user=user, queryset=PosyanduReview.objects.filter(service_point=point)
        ).order_by("-year")
    )


def posyandu_cadres(*, user: User | AnonymousUser, point: ServicePoint) -> list[Cadre]:
    """The point's cadres, active first, by name."""
    return list(
        in_area(Cadre.objects.filter(service_point=point), user).order_by("-is_active", "name")
    )


# --- One desa -----------------------------------------------------------------------------------


def village_get(*, user: User | AnonymousUser, pk: int) -> Village:
    return get_in_area_or_404(
        Village.objects.select_related("puskesmas", "subdistrict__district"), user, pk=pk
    )


def village_siaga(*, user: User | AnonymousUser, village: Village) -> VillageReview | None:
    """The desa's latest readable desa siaga aktif review, if any."""
    return (
        readable_village_reviews(user=user, queryset=VillageReview.objects.filter(village=village))
        .order_by("-year")
        .first()
    )


@dataclass(frozen=True)
class DesaService:
    """One SPM service's year-to-date figure for a desa (from the puskesmas dashboard)."""

    name: str
    number: int
    figure: object  # indicators.selectors.dashboards.figures.Figure


@dataclass(frozen=True)
class DesaSpm:
    year: int
    quarter: int
    services: list[DesaService]


def village_spm(*, user: User | AnonymousUser, village: Village) -> DesaSpm | None:
    """The desa's SPM achievement in the latest quarter computed for the user's area: the
    puskesmas dashboard's desa figures (`indicators.selectors.dashboard_puskesmas`), read as
    they are; None for a desa outside every puskesmas's working area."""
    if village.puskesmas is None:
        return None
    year, quarter = spm.dashboard_default_quarter(quarters=spm.dashboard_quarters(user=user))
    dash = spm.dashboard_puskesmas(
        user=user, puskesmas=village.puskesmas, year=year, quarter=quarter
    )
    services = [
        DesaService(str(line.service.label), line.service.number, figure)
        for line in dash.services
        for desa, figure in line.villages
        if desa.pk == village.pk
    ]
    return DesaSpm(year=year, quarter=quarter, services=services)

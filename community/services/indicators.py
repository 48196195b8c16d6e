"""District UKBM indicators (issue #17 must-have 4): computed per puskesmas, district and
province by the aggregation job.

- `ukbm_indicators_compute(year=, province_ids=)`: every UkbmIndicator by its `measure`
  (community/rules.py INDICATOR_MEASURES), numerator and denominator per puskesmas from a fixed
  number of grouped queries (never one per posyandu), summed to districts and provinces; the
  year's IndicatorResult rows of those provinces replaced in one transaction. Only approved
  reviews count.
- `ukbm_indicators_refresh_later(year)`: the recompute once the current transaction commits
  (after a review is approved or reopened).

The province's sets and targets: community/services/indicator_sets.py.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from kernel.models import District, Puskesmas, ServicePoint, User, Village
from kernel.roles import has_area, is_district_planner, is_province_reviewer, is_system_admin

from ..models import (
    Cadre,
    IndicatorResult,
    PosyanduReview,
    Skill,
    SkillAssessment,
    SkillSet,
    Stratum,
    UkbmIndicator,
    VillageReview,
)
from ..rules import INDICATOR_MEASURES

APPROVED = PosyanduReview.Status.APPROVED
Level = IndicatorResult.Level
HUNDRED = Decimal(100)
CENT = Decimal("0.01")

# Who may ask for a recompute of their area's indicators now (the nightly job does it anyway).
can_recompute_indicators = is_system_admin | (
    (is_province_reviewer | is_district_planner) & has_area
)


def indicator_value(numerator: int, denominator: int) -> Decimal | None:
    """100 x numerator / denominator rounded to 2 places; None when there is no denominator."""
    if not denominator:
        return None
    return (Decimal(numerator) * HUNDRED / Decimal(denominator)).quantize(CENT, ROUND_HALF_UP)


# --- Counts per puskesmas: one grouped query each -------------------------------------------------

# puskesmas id -> (numerator, denominator)
Counts = dict[int, tuple[int, int]]


def _scoped(queryset, path: str, province_ids: Iterable[int] | None):
    if province_ids is None:
        return queryset
    return queryset.filter(**{f"{path}__district__province_id__in": list(province_ids)})


def _active_posyandu(province_ids) -> dict[int, dict[str, int]]:
    """puskesmas id -> {"active": active posyandu, "ilp": of them running ILP}. One query."""
    rows = (
        _scoped(
            ServicePoint.objects.filter(kind=ServicePoint.Kind.POSYANDU, is_active=True),
            "puskesmas",
            province_ids,
        )
        .order_by()
        .values("puskesmas_id")
        .annotate(active=Count("id"), ilp=Count("id", filter=Q(runs_ilp=True)))
    )
    return {row["puskesmas_id"]: row for row in rows}


def _posyandu_reviews(year: int, province_ids) -> dict[int, dict[str, int]]:
    """puskesmas id -> {"upper": approved reviews Purnama or Mandiri, "active": approved
    reviews found active}, of the year's active posyandu. One query."""
    rows = (
        _scoped(
            PosyanduReview.objects.filter(
                year=year,
                status=APPROVED,
                service_point__kind=ServicePoint.Kind.POSYANDU,
                service_point__is_active=True,
            ),
            "service_point__puskesmas",
            province_ids,
        )
        .order_by()
        .values("service_point__puskesmas_id")
        .annotate(
            upper=Count("id", filter=Q(stratum__in=[Stratum.PURNAMA, Stratum.MANDIRI])),
            active=Count("id", filter=Q(is_active_posyandu=True)),
        )
    )
    return {row["service_point__puskesmas_id"]: row for row in rows}


def _cadres(year: int, province_ids) -> Counts:
    """puskesmas id -> (active cadres assessed in every skill of the year's skill set, up to
    the year's end, whatever the result; active cadres). Two queries (skills, cadres)."""
    skill_set = SkillSet.for_year(year)
    skills = Skill.objects.filter(skill_set=skill_set).count() if skill_set else 0
    assessed = (
        SkillAssessment.objects.filter(
            cadre=OuterRef("pk"),
            skill__skill_set=skill_set,
            assessed_on__lte=datetime.date(year, 12, 31),
        )
        .order_by()
        .values("cadre")
        .annotate(n=Count("skill", distinct=True))
        .values("n")
    )
    cadres = _scoped(Cadre.objects.filter(is_active=True), "puskesmas", province_ids)
    if skills:
        done = Count(
            "id",
            filter=Q(skills_assessed__gte=skills),
        )
        cadres = cadres.annotate(
            skills_assessed=Coalesce(Subquery(assessed, output_field=IntegerField()), Value(0))
        )
    else:
        done = Count("id", filter=Q(pk__in=[]))
    rows = cadres.order_by().values("puskesmas_id").annotate(total=Count("id"), done=done)
    return {row["puskesmas_id"]: (row["done"], row["total"]) for row in rows}


def _villages(year: int, province_ids) -> Counts:
    """puskesmas id -> (desa with an approved review found siaga aktif; desa in its working
    area). Two queries."""
    total = (
        _scoped(Village.objects.filter(puskesmas__isnull=False), "puskesmas", province_ids)
        .order_by()
        .values("puskesmas_id")
        .annotate(n=Count("id"))
    )
    aktif = (
        _scoped(
            VillageReview.objects.filter(year=year, status=APPROVED, is_siaga_aktif=True),
            "village__puskesmas",
            province_ids,
        )
        .filter(village__puskesmas__isnull=False)
        .order_by()
        .values("village__puskesmas_id")
        .annotate(n=Count("id"))
    )
    numerators = {row["village__puskesmas_id"]: row["n"] for row in aktif}
    return {
        row["puskesmas_id"]: (numerators.get(row["puskesmas_id"], 0), row["n"]) for row in total
    }


def measure_counts(*, year: int, province_ids: Iterable[int] | None = None) -> dict[str, Counts]:
    """measure -> puskesmas id -> (numerator, denominator), for every measure of
    INDICATOR_MEASURES. A fixed number of queries, whatever the number of posyandu."""
    if province_ids is not None:
        province_ids = list(province_ids)
    posyandu = _active_posyandu(province_ids)
    reviews = _posyandu_reviews(year, province_ids)

    def of_reviews(key: str) -> Counts:
        return {
            pk: (reviews.get(pk, {}).get(key, 0), row["active"]) for pk, row in posyandu.items()
        }

    return {
        "posyandu_purnama_mandiri": of_reviews("upper"),
        "posyandu_active": of_reviews("active"),
        "posyandu_ilp": {pk: (row["ilp"], row["active"]) for pk, row in posyandu.items()},
        "cadres_assessed": _cadres(year, province_ids),
        "village_siaga_aktif": _villages(year, province_ids),
    }


@transaction.atomic
def ukbm_indicators_compute(*, year: int, province_ids: Iterable[int] | None = None) -> int:
    """Rebuild the year's UKBM indicator results (all provinces, or `province_ids`): per
    puskesmas (those with a denominator), per district and per province (every one in scope,
    None where nothing is counted). Replaces the year's rows of those provinces; atomic; safe to
    run twice. Returns the number of rows written."""
    year = int(year)
    if province_ids is not None:
        province_ids = [int(pk) for pk in province_ids]
    counts = measure_counts(year=year, province_ids=province_ids)
    indicators = [i for i in UkbmIndicator.objects.all() if i.measure in INDICATOR_MEASURES]
    puskesmas = Puskesmas.objects.order_by()
    if province_ids is not None:
        puskesmas = puskesmas.filter(district__province_id__in=province_ids)
    puskesmas_area = {
        row["id"]: (row["district_id"], row["district__province_id"])
        for row in puskesmas.values("id", "district_id", "district__province_id")
    }
    districts = District.objects.order_by()
    if province_ids is not None:
        districts = districts.filter(province_id__in=province_ids)
    district_province = dict(districts.values_list("id", "province_id"))
    provinces = set(district_province.values())

    results = []
    for indicator in indicators:
        by_puskesmas = counts[indicator.measure]
        by_district: dict[int, list[int]] = defaultdict(lambda: [0, 0])
        by_province: dict[int, list[int]] = defaultdict(lambda: [0, 0])
        for puskesmas_id, (numerator, denominator) in sorted(by_puskesmas.items()):
            if puskesmas_id not in puskesmas_area:
                continue
            district_id, province_id = puskesmas_area[puskesmas_id]
            for total in (by_district[district_id], by_province[province_id]):
                total[0] += numerator
                total[1] += denominator
            if denominator or numerator:
                results.append(
                    _result(
                        indicator,
                        year,
                        Level.PUSKESMAS,
                        (numerator, denominator),
                        province_id=province_id,
                        district_id=district_id,
                        puskesmas_id=puskesmas_id,
                    )
                )
        for district_id, province_id in district_province.items():
            results.append(
                _result(
                    indicator,
                    year,
                    Level.DISTRICT,
                    by_district.get(district_id, (0, 0)),
                    province_id=province_id,
                    district_id=district_id,
                )
            )
        for province_id in sorted(provinces):
            results.append(
                _result(
                    indicator,
                    year,
                    Level.PROVINCE,
                    by_province.get(province_id, (0, 0)),
                    province_id=province_id,
                )
            )
    old = IndicatorResult.objects.filter(year=year)
    if province_ids is not None:
        old = old.filter(province_id__in=province_ids)
    old.delete()
    IndicatorResult.objects.bulk_create(results, batch_size=1000)
    return len(results)


def _result(indicator, year, level, counts, **area) -> IndicatorResult:
    numerator, denominator = counts
    return IndicatorResult(
        indicator=indicator,
        year=year,
        level=level,
        numerator=numerator,
        denominator=denominator,
        value=indicator_value(numerator, denominator),
        **area,
    )


def ukbm_indicators_refresh_later(year: int, *, province_id: int | None = None) -> None:
    """Recompute the year's indicators (of one province, or all) once the current transaction
    commits: call after a review of `year` is approved or reopened."""
    from ..tasks import compute_ukbm_indicators

    transaction.on_commit(lambda: compute_ukbm_indicators.delay(int(year), province_id))


def ukbm_indicators_recompute(*, year: int, by: User) -> None:
    """A planner's or reviewer's "Recompute now" for their province (the whole country for a
    system administrator), once the request commits."""
    if not can_recompute_indicators(by):
        raise PermissionDenied
    province_id = _province_id_of(by)
    if province_id is None and not is_system_admin(by):
        raise PermissionDenied
    ukbm_indicators_refresh_later(year, province_id=province_id)


def _province_id_of(user: User) -> int | None:
    if user.province_id:
        return user.province_id
    if user.district is not None:
        return user.district.province_id
    if user.puskesmas is not None:
        return user.puskesmas.district.province_id
    return None

"""Demo data of the community layer's indicators part (issue #17), for `manage.py seed_demo`:
Kalimantan Selatan's UKBM indicator set for the current year (every indicator, a target per
district), agreed at the province's latest provincial meeting when the workshops demo has one,
then the year's results computed. Runs after the reviews and cadres demos; idempotent."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone

from kernel.models import District, Province, User
from workshops.models import Meeting

from ..models import IndicatorSet, UkbmIndicator
from .indicator_sets import TargetInput, indicator_set_create, indicator_set_save
from .indicators import ukbm_indicators_compute

PROVINCE_CODE = "63"
REVIEWER = "prov.kalsel"
# measure -> the target (%) agreed for every district of the province.
TARGETS = {
    "posyandu_purnama_mandiri": Decimal(74),
    "posyandu_active": Decimal(80),
    "posyandu_ilp": Decimal(60),
    "cadres_assessed": Decimal(50),
    "village_siaga_aktif": Decimal(70),
}


def seed() -> None:
    province = Province.objects.filter(code=PROVINCE_CODE).first()
    reviewer = User.objects.filter(username=REVIEWER).first()
    if province is None or reviewer is None:
        return
    year = timezone.localdate().year
    indicators = list(UkbmIndicator.objects.order_by("order", "code"))
    meeting = (
        Meeting.objects.filter(
            province=province,
            kind=Meeting.Kind.PROVINCE_MEETING,
            district__isnull=True,
            puskesmas__isnull=True,
        )
        .order_by("-held_on")
        .first()
    )
    indicator_set = IndicatorSet.objects.filter(province=province, year=year).first()
    if indicator_set is None:
        indicator_set = indicator_set_create(
            province=province,
            year=year,
            indicators=indicators,
            agreed_at=meeting,
            note="Disepakati bersama kabupaten/kota pada pertemuan provinsi.",
            by=reviewer,
        )
    if not indicator_set.targets.exists():
        districts = District.objects.filter(province=province)
        indicator_set_save(
            indicator_set=indicator_set,
            by=reviewer,
            version=indicator_set.version,
            indicators=indicators,
            targets=[
                TargetInput(indicator.pk, district.pk, TARGETS.get(indicator.measure))
                for indicator in indicators
                for district in districts
            ],
            agreed_at=indicator_set.agreed_at,
            note=indicator_set.note,
        )
    ukbm_indicators_compute(year=year, province_ids=[province.pk])

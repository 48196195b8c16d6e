"""Fixtures for the planning tests: the budget codes, quarterly achievement of the Hulu Sungai
Utara puskesmas (the SPM gaps), and plans of that puskesmas and district."""

import importlib
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from indicators.models import Achievement, AggregationRun, Level, SPMService
from planning import services
from planning.models import BudgetSubActivity

# Gaps are read from last year's third quarter: its pace (75%) does not depend on today's date.
GAP_YEAR = timezone.localdate().year - 1
GAP_QUARTER = 3
PLAN_YEAR = timezone.localdate().year + 1


@pytest.fixture(autouse=True)
def english(client, settings):
    """Messages are asserted in English, the source language, so that they hold once the
    Indonesian catalogue translates them (its completeness is tested on its own)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def budget_codes(db):
    """The budget sub-activities the data migration loads (reloaded after a flush)."""
    if not BudgetSubActivity.objects.exists():
        from django.apps import apps

        importlib.import_module("planning.migrations.0002_load_budget_sub_activities").load(
            apps, None
        )


def spm_service(number: int, year: int = PLAN_YEAR) -> SPMService:
    """The district SPM service `number` of the edition `year` uses."""
    return SPMService.objects.filter(
        level=SPMService.Level.DISTRICT, number=number, edition__years__year__lte=year
    ).order_by("-edition__years__year")[0]


def put_achievement(
    puskesmas, figures: dict[int, tuple[int, int]], *, year=GAP_YEAR, quarter=GAP_QUARTER
):
    """Puskesmas-level achievement rows: service number -> (target, served year to date)."""
    district = puskesmas.district
    run = AggregationRun.objects.create(
        year=year, quarter=quarter, district=district, status=AggregationRun.Status.DONE
    )
    rows = []
    for number, (target, served) in figures.items():
        rows.append(
            Achievement(
                run=run,
                year=year,
                quarter=quarter,
                level=Level.PUSKESMAS,
                province_id=district.province_id,
                district=district,
                puskesmas=puskesmas,
                area_id=puskesmas.pk,
                service=spm_service(number, year),
                served_quarter=served // 3,
                served_ytd=served,
                target=target,
                achievement=(Decimal(100) * served / target).quantize(Decimal("0.01")),
            )
        )
    Achievement.objects.bulk_create(rows)
    return rows


@pytest.fixture
def gaps(world):
    """Last year's Q3 at Puskesmas HSU: services 1 and 4 below the 75% pace, 8 on pace."""
    return put_achievement(world["hsu"]["puskesmas"], {1: (200, 100), 4: (400, 200), 8: (100, 90)})


@pytest.fixture
def ruk(world, puskesmas_head):
    """Next year's RUK of the Hulu Sungai Utara puskesmas, a draft without activities."""
    return services.plan_create(year=PLAN_YEAR, by=puskesmas_head)


@pytest.fixture
def dinkes_plan(world, district_user):
    return services.plan_create(year=PLAN_YEAR, by=district_user)


def columns(**overrides) -> dict:
    """The RUK columns of a valid activity."""
    data = {
        "effort": "KIA-KB",
        "name": "Kelas ibu hamil",
        "goal": "Semua ibu hamil K6",
        "target_group": "Ibu hamil",
        "target": "100% (200 orang)",
        "responsible": "Bidan koordinator",
        "equipment_needed": "Buku KIA",
        "staff_needed": "Bidan desa",
        "partners": "TP-PKK",
        "timing": "Februari-November",
        "budget_idr": Decimal(12_000_000),
        "indicator": "Persentase ibu hamil K6",
        "funding_source": "bok",
        "service": None,
        "sub_activity": None,
        "service_point": None,  # issue #17
    }
    data.update(overrides)
    return data


def form_data(**overrides) -> dict:
    """What the activity form posts."""
    data = {
        "effort": "KIA-KB",
        "name": "Kelas ibu hamil",
        "goal": "Semua ibu hamil K6",
        "target_group": "Ibu hamil",
        "target": "100% (200 orang)",
        "responsible": "Bidan koordinator",
        "equipment_needed": "",
        "staff_needed": "",
        "partners": "",
        "timing": "",
        "budget_idr": "12.000.000",
        "funding_source": "bok",
        "indicator": "",
        "service": "",
        "sub_activity": "",
    }
    data.update(overrides)
    return data


def add_activity(plan, by, **overrides):
    return services.activity_create(plan=plan, fields=columns(**overrides), by=by)

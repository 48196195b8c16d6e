"""The data the four stages worksheet is pre-filled from (issue #16 must-have 3), for the
stages tests: Hulu Sungai Utara in 2025 with targets, a computed quarter, approved quality
reports with gaps, the Dinkes plan and an approved RUK, a lokmin's problems and RTL, and an
agency that delivers; the same kinds of data elsewhere that must never show."""

from __future__ import annotations

import datetime
import importlib
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import translation

from cycle.models import RoleAssignment
from indicators.models import (
    Achievement,
    AggregationRun,
    Level,
    QualityItem,
    QualityReport,
    QualityValue,
    SPMService,
    Target,
)
from kernel.models import User
from planning import services as planning
from planning.models import BudgetSubActivity

from ..factories import (
    FollowUpFactory,
    MeetingFactory,
    ProblemFactory,
    PuskesmasFactory,
    UserFactory,
    VillageFactory,
)

YEAR = 2025  # a past year: its plans may still be written (planning.selectors.plan_years)


@pytest.fixture
def english(client, settings):
    """Pages and messages in English, the source language (the catalogue is tested apart)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def budget_codes(db):
    if not BudgetSubActivity.objects.exists():
        from django.apps import apps

        importlib.import_module("planning.migrations.0002_load_budget_sub_activities").load(
            apps, None
        )


def spm(number: int, year: int = YEAR) -> SPMService:
    return SPMService.objects.get(
        edition__years__year=year, level=SPMService.Level.DISTRICT, number=number
    )


def item(number: int, code: str, year: int = YEAR) -> QualityItem:
    return QualityItem.objects.get(service=spm(number, year), code=code)


def put_targets(villages, number: int, values: list[int], *, year: int = YEAR) -> None:
    for village, value in zip(villages, values, strict=True):
        Target.objects.create(
            village=village,
            year=year,
            service=spm(number, year),
            source="estimate",
            value=value,
            is_of_record=True,
        )


def put_district_quarter(district, quarter: int, served: dict[int, int], *, year: int = YEAR):
    """District-level achievement rows of a computed quarter: service number -> served YTD."""
    run = AggregationRun.objects.create(
        year=year,
        quarter=quarter,
        district=district,
        status=AggregationRun.Status.DONE,
        finished_at=datetime.datetime(year, 3 * quarter, 28, 10, tzinfo=datetime.UTC),
    )
    for number, count in served.items():
        Achievement.objects.create(
            run=run,
            year=year,
            quarter=quarter,
            level=Level.DISTRICT,
            province_id=district.province_id,
            district=district,
            area_id=district.pk,
            service=spm(number, year),
            served_quarter=count,
            served_ytd=count,
            target=None,
        )


def put_quality(
    puskesmas,
    quarter: int,
    values: dict[tuple[int, str], tuple],
    *,
    status: str = "approved",
    year: int = YEAR,
):
    """A quality report: (service number, item code) -> (needed, available)."""
    report = QualityReport.objects.create(
        puskesmas=puskesmas, year=year, quarter=quarter, status=status
    )
    for (number, code), (needed, available) in values.items():
        QualityValue.objects.create(
            report=report,
            item=item(number, code, year),
            needed=Decimal(needed) if needed is not None else None,
            available=Decimal(available) if available is not None else None,
        )
    return report


def activity_fields(number: int | None, name: str, budget: int) -> dict:
    return {
        "effort": "KIA-KB",
        "name": name,
        "goal": "",
        "target_group": "Ibu hamil",
        "target": "100%",
        "responsible": "Pemegang program KIA",
        "equipment_needed": "",
        "staff_needed": "",
        "partners": "",
        "timing": "",
        "budget_idr": Decimal(budget),
        "indicator": "",
        "funding_source": "bok",
        "service": spm(number) if number else None,
        "sub_activity": None,
    }


@pytest.fixture
def stages_data(world, district_user, puskesmas_head, budget_codes):
    """Hulu Sungai Utara's data for SPM-01 (pregnant women) in 2025, and the same kinds of data
    that must not reach its worksheet (another year, another district, unapproved)."""
    hsu = world["hsu"]
    villages = hsu["villages"]
    put_targets(villages, 1, [60, 40])
    put_targets(villages, 2, [55, 35])
    put_targets(world["banjarmasin"]["villages"], 1, [500, 500])  # another district
    put_district_quarter(hsu["district"], 1, {1: 20, 2: 15})
    put_district_quarter(hsu["district"], 2, {1: 45, 2: 30})
    # Quality: Q1 and Q2 approved; Q3 submitted only (not counted).
    put_quality(hsu["puskesmas"], 1, {(1, "buku-kia"): (100, 10)})
    put_quality(
        hsu["puskesmas"],
        2,
        {
            (1, "buku-kia"): (100, 70),  # gap 30 x Rp 20.000
            (1, "ttd-90"): (9000, 9000),  # met
            (1, "lab-hb"): (100, 87.5),  # gap 12.5 x Rp 15.000
            (1, "bidan-desa"): (2, 1),  # gap 1, no standard unit cost
        },
    )
    put_quality(hsu["puskesmas"], 3, {(1, "buku-kia"): (100, 0)}, status="submitted")
    put_quality(world["banjarmasin"]["puskesmas"], 2, {(1, "kartu-ibu"): (100, 0)})
    # Plans of the year: the Dinkes plan and the puskesmas's approved RUK count; a draft RUK of
    # another puskesmas, another year and another district do not.
    dinkes = planning.plan_create(year=YEAR, by=district_user)
    dinkes_kia = planning.activity_create(
        plan=dinkes,
        fields=activity_fields(1, "Pengadaan buku KIA untuk ibu hamil", 12_000_000),
        by=district_user,
    )
    dinkes_general = planning.activity_create(
        plan=dinkes,
        fields=activity_fields(None, "Monev SPM triwulanan", 4_000_000),
        by=district_user,
    )
    dinkes_newborn = planning.activity_create(
        plan=dinkes, fields=activity_fields(3, "Set resusitasi bayi", 9_000_000), by=district_user
    )
    ruk = planning.plan_create(year=YEAR, by=puskesmas_head)
    ruk_kia = planning.activity_create(
        plan=ruk, fields=activity_fields(1, "Kelas ibu hamil", 6_000_000), by=puskesmas_head
    )
    planning.plan_submit(plan=ruk, version=ruk.version, by=puskesmas_head)
    planning.plan_approve(plan=ruk, version=ruk.version, by=district_user)
    other = PuskesmasFactory(subdistrict=hsu["subdistrict"], name="Puskesmas Draf")
    VillageFactory(subdistrict=hsu["subdistrict"], puskesmas=other)
    other_head = UserFactory(role=User.Role.PUSKESMAS_HEAD, puskesmas=other)
    draft = planning.plan_create(year=YEAR, by=other_head)
    draft_kia = planning.activity_create(
        plan=draft, fields=activity_fields(1, "Usulan draf ibu hamil", 1_000_000), by=other_head
    )
    next_year = planning.plan_create(year=YEAR + 1, by=district_user)
    planning.activity_create(
        plan=next_year,
        fields={
            **activity_fields(None, "Tahun depan ibu hamil", 1_000_000),
            "service": spm(1, YEAR + 1),
        },
        by=district_user,
    )
    other_planner = UserFactory(
        role=User.Role.DISTRICT_PLANNER, district=world["banjarmasin"]["district"]
    )
    other_plan = planning.plan_create(year=YEAR, by=other_planner)
    other_kia = planning.activity_create(
        plan=other_plan,
        fields=activity_fields(1, "Banjarmasin ibu hamil", 1_000_000),
        by=other_planner,
    )
    # Meetings: a lokmin of the year names SPM-01 with two RTL items; a problem without a
    # service, a meeting of last year and another district's do not count.
    lokmin = MeetingFactory(
        puskesmas=hsu["puskesmas"],
        created_by=puskesmas_head,
        held_on=datetime.date(YEAR, 5, 12),
        status="held",
    )
    problem = ProblemFactory(
        meeting=lokmin, statement="K4 rendah di desa terpencil", service=spm(1)
    )
    done = FollowUpFactory(
        meeting=lokmin, problem=problem, activity="Kunjungan rumah ibu hamil", status="done"
    )
    planned = FollowUpFactory(meeting=lokmin, problem=problem, activity="Kelas ibu hamil desa")
    ProblemFactory(meeting=lokmin, statement="Tanpa layanan")
    old = MeetingFactory(
        puskesmas=hsu["puskesmas"], created_by=puskesmas_head, held_on=datetime.date(YEAR - 1, 5, 1)
    )
    ProblemFactory(meeting=old, statement="Masalah tahun lalu", service=spm(1))
    elsewhere = MeetingFactory(
        puskesmas=world["banjarmasin"]["puskesmas"],
        created_by=other_planner,
        held_on=datetime.date(YEAR, 5, 1),
    )
    ProblemFactory(meeting=elsewhere, statement="Masalah Banjarmasin", service=spm(1))
    RoleAssignment.objects.create(
        district=hsu["district"],
        service=spm(1),
        year=YEAR,
        agency="RSUD Pambalah Batung",
        role=RoleAssignment.Role.DELIVERS,
        description="Pemeriksaan USG ibu hamil rujukan",
    )
    RoleAssignment.objects.create(
        district=hsu["district"],
        service=spm(1),
        year=YEAR,
        agency="Bappeda",
        role=RoleAssignment.Role.FUNDS,
        description="Mendanai",
    )
    return SimpleNamespace(
        district=hsu["district"],
        service=spm(1),
        dinkes_kia=dinkes_kia,
        dinkes_general=dinkes_general,
        dinkes_newborn=dinkes_newborn,
        ruk_kia=ruk_kia,
        draft_kia=draft_kia,
        other_kia=other_kia,
        problem=problem,
        done=done,
        planned=planned,
    )

"""The full SPM index (issue #16): quality (part B) and the service index written by the
quarterly aggregation, set-based, from approved quality reports only; weights from data.

Known figures, 2025 quarter 2 (SPM-01; checklist: item A weight 2, item B weight 1, item C
inactive, item D with nothing needed):
- HSU's puskesmas: achievement 45 (served 45 of 100). Approved report: A 5 of 10 (0.5), B 8 of
  4 (capped at 1), C 0 of 10 (inactive), D 3 of 0 (no need) -> quality (2 x 0.5 + 1) / 3 =
  66.67.
- Banjarmasin's puskesmas: achievement 130 (capped at 100 in the index). Approved report: A 30 of
  30, B 1 of 4 -> (2 + 0.25) / 3 = 75.00.
- Bontang's puskesmas (another province): achievement 99; its report is only submitted.
- Kalimantan Selatan: achievement 175 / 200 = 87.5; quality from the sums per item: A 35 of 40,
  B 9 of 8 -> (2 x 0.875 + 1) / 3 = 91.67.
"""

from decimal import Decimal

import pytest
from django.db import transaction

from indicators import services
from indicators.models import (
    Achievement,
    IndexParts,
    MonthlyReport,
    MonthlyValue,
    QualityItem,
    QualityReport,
    QualityValue,
    Target,
)
from indicators.reporting import reporting_year
from indicators.selectors.quality import quality_rollup

pytestmark = pytest.mark.django_db

YEAR = 2025
D = Decimal


def _monthly(puskesmas, month, values):
    report = MonthlyReport.objects.create(
        puskesmas=puskesmas,
        year=YEAR,
        month=month,
        status="approved",
        due_on=f"{YEAR}-{month + 1:02d}-10",
        first_submitted_at=f"{YEAR}-{month + 1:02d}-05T10:00:00+08:00",
    )
    for (village, service), value in values.items():
        MonthlyValue.objects.create(report=report, village=village, service=service, value=value)


def _target(village, service, value):
    Target.objects.create(
        village=village, year=YEAR, service=service, source="estimate", value=value,
        is_of_record=True,
    )  # fmt: skip


def _item(service, code, weight, *, active=True):
    return QualityItem.objects.create(
        service=service,
        code=code,
        name_id=code,
        name_en=code,
        kind=QualityItem.Kind.GOODS,
        unit="unit",
        weight=weight,
        is_active=active,
    )


def quality_report(puskesmas, status, values, *, quarter=2):
    """A quality report of `quarter` with {item: (needed, available)}."""
    report = QualityReport.objects.create(
        puskesmas=puskesmas, year=YEAR, quarter=quarter, status=status
    )
    for item, (needed, available) in values.items():
        QualityValue.objects.create(report=report, item=item, needed=needed, available=available)
    return report


def set_parts(a, b, *, missing_as_zero=False):
    edition = reporting_year(YEAR).edition
    IndexParts.objects.update_or_create(
        edition=edition,
        defaults={
            "people_served_weight": a,
            "quality_weight": b,
            "missing_quality_as_zero": missing_as_zero,
        },
    )


@pytest.fixture
def data(world):
    spm = services.monthly_services(YEAR)
    hsu, bjm, btg = world["hsu"], world["banjarmasin"], world["bontang"]
    v1, v2 = hsu["villages"]
    _target(v1, spm[0], 40)
    _target(v2, spm[0], 60)
    _monthly(hsu["puskesmas"], 4, {(v1, spm[0]): 30, (v2, spm[0]): 15})
    _target(bjm["villages"][0], spm[0], 100)
    _monthly(bjm["puskesmas"], 4, {(bjm["villages"][0], spm[0]): 130})
    _target(btg["villages"][0], spm[0], 100)
    _monthly(btg["puskesmas"], 4, {(btg["villages"][0], spm[0]): 99})
    a = _item(spm[0], "t-a", 2)
    b = _item(spm[0], "t-b", 1)
    c = _item(spm[0], "t-c", 1, active=False)
    d = _item(spm[0], "t-d", 1)
    quality_report(
        hsu["puskesmas"],
        "approved",
        {a: (10, 5), b: (4, 8), c: (10, 0), d: (0, 3)},
    )
    quality_report(bjm["puskesmas"], "approved", {a: (30, 30), b: (4, 1)})
    quality_report(btg["puskesmas"], "submitted", {a: (10, 10)})
    # Another quarter's approved report does not count in Q2.
    quality_report(hsu["puskesmas"], "approved", {a: (10, 0)}, quarter=1)
    set_parts(80, 20)
    return {"spm": spm, "items": (a, b, c, d)}


def rows(world, service):
    """(level, area) -> (achievement, quality, service_index) of `service` in Q2."""
    return {
        (a.level, a.area_id): (a.achievement, a.quality, a.service_index)
        for a in Achievement.objects.filter(year=YEAR, quarter=2, service=service)
    }


def areas(world):
    return {
        "hsu": ("puskesmas", world["hsu"]["puskesmas"].pk),
        "bjm": ("puskesmas", world["banjarmasin"]["puskesmas"].pk),
        "btg": ("puskesmas", world["bontang"]["puskesmas"].pk),
        "hsu-district": ("district", world["hsu"]["district"].pk),
        "kalsel": ("province", world["kalsel"].pk),
        "kaltim": ("province", world["kaltim"].pk),
    }


def test_quality_and_index_at_every_level_from_approved_reports(world, data):
    services.quarter_aggregate(year=YEAR, quarter=2)
    got, at = rows(world, data["spm"][0]), areas(world)
    assert got[at["hsu"]] == (D("45.00"), D("66.67"), D("49.33"))  # (80x45 + 20x66.67) / 100
    assert got[at["bjm"]] == (D("130.00"), D("75.00"), D("95.00"))  # achievement capped at 100
    assert got[at["hsu-district"]] == (D("45.00"), D("66.67"), D("49.33"))
    # The province sums needed and available per item: not the mean of its puskesmas's quality.
    assert got[at["kalsel"]] == (D("87.50"), D("91.67"), D("88.33"))
    # A submitted report does not count: no quality, the index is people served alone.
    assert got[at["btg"]] == (D("99.00"), None, D("99.00"))
    assert got[at["kaltim"]] == (D("99.00"), None, D("99.00"))


def test_no_target_no_index_and_no_checklist_no_quality(world, data):
    services.quarter_aggregate(year=YEAR, quarter=2)
    at = areas(world)
    second = rows(world, data["spm"][1])
    assert second[at["hsu"]] == (None, None, None)
    assert second[at["kalsel"]] == (None, None, None)


def test_weights_come_from_the_editions_index_parts(world, data):
    set_parts(60, 40)
    services.quarter_aggregate(year=YEAR, quarter=2)
    got, at = rows(world, data["spm"][0]), areas(world)
    assert got[at["hsu"]][2] == D("53.67")  # (60 x 45 + 40 x 66.67) / 100
    assert got[at["bjm"]][2] == D("90.00")  # (60 x 100 + 40 x 75) / 100
    assert got[at["btg"]][2] == D("99.00")


def test_missing_quality_counts_as_zero_when_the_edition_says_so(world, data):
    set_parts(80, 20, missing_as_zero=True)
    services.quarter_aggregate(year=YEAR, quarter=2)
    got, at = rows(world, data["spm"][0]), areas(world)
    assert got[at["btg"]] == (D("99.00"), None, D("79.20"))
    assert got[at["hsu"]][2] == D("49.33")  # has quality: unchanged


def test_without_index_parts_the_index_is_people_served_capped(world, data):
    IndexParts.objects.all().delete()
    services.quarter_aggregate(year=YEAR, quarter=2)
    got, at = rows(world, data["spm"][0]), areas(world)
    assert got[at["hsu"]] == (D("45.00"), D("66.67"), D("45.00"))
    assert got[at["bjm"]][2] == D("100.00")
    # Both weights 0 reads the same way (nothing to divide by).
    set_parts(0, 0)
    services.quarter_aggregate(year=YEAR, quarter=2)
    assert rows(world, data["spm"][0])[at["hsu"]][2] == D("45.00")


def test_items_weighing_nothing_give_no_quality(world, data):
    QualityItem.objects.filter(code__in=["t-a", "t-b", "t-d"]).update(weight=0)
    services.quarter_aggregate(year=YEAR, quarter=2)
    got, at = rows(world, data["spm"][0]), areas(world)
    assert got[at["hsu"]] == (D("45.00"), None, D("45.00"))


def test_reruns_write_the_same_rows(world, data):
    services.quarter_aggregate(year=YEAR, quarter=2)
    first = rows(world, data["spm"][0])
    count = Achievement.objects.filter(year=YEAR, quarter=2).count()
    services.quarter_aggregate(year=YEAR, quarter=2)
    services.quarter_aggregate(
        year=YEAR, quarter=2, scope=services.Scope(district_id=world["hsu"]["district"].pk)
    )
    assert rows(world, data["spm"][0]) == first
    assert Achievement.objects.filter(year=YEAR, quarter=2).count() == count


def test_the_district_roll_up_page_agrees_with_the_aggregation(world, data, district_user):
    services.quarter_aggregate(year=YEAR, quarter=2)
    district = world["hsu"]["district"]
    by_service = {
        line.service.pk: line.quality
        for line in quality_rollup(user=district_user, district=district, year=YEAR, quarter=2)
    }
    stored = Achievement.objects.get(
        year=YEAR, quarter=2, level="district", area_id=district.pk, service=data["spm"][0]
    )
    assert by_service[data["spm"][0].pk] == stored.quality == D("66.67")


def test_approving_a_quality_report_refreshes_its_quarter(
    world, data, django_capture_on_commit_callbacks
):
    services.quarter_aggregate(year=YEAR, quarter=2)
    at = areas(world)
    report = QualityReport.objects.get(puskesmas=world["bontang"]["puskesmas"], quarter=2)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            QualityReport.objects.filter(pk=report.pk).update(status="approved")
            services.quality_refresh_later(report=report)
    assert len(callbacks) == 1
    got = rows(world, data["spm"][0])
    assert got[at["btg"]] == (D("99.00"), D("100.00"), D("99.20"))  # (80 x 99 + 20 x 100) / 100
    assert got[at["kaltim"]] == (D("99.00"), D("100.00"), D("99.20"))
    # Reopened (returned): it no longer counts.
    with django_capture_on_commit_callbacks(execute=True):
        QualityReport.objects.filter(pk=report.pk).update(status="returned")
        services.quality_refresh_later(report=report)
    assert rows(world, data["spm"][0])[at["btg"]] == (D("99.00"), None, D("99.00"))


def test_a_quarter_not_computed_yet_is_not_refreshed(world, data):
    puskesmas = world["hsu"]["puskesmas"]
    assert services.quality_refresh(puskesmas_id=puskesmas.pk, year=YEAR, quarter=2) == 0
    assert not Achievement.objects.exists()
    services.quarter_aggregate(year=YEAR, quarter=2)
    assert services.quality_refresh(puskesmas_id=puskesmas.pk, year=YEAR, quarter=2) == 1


def test_a_scoped_refresh_keeps_the_other_areas_and_the_sums(world, data):
    services.quarter_aggregate(year=YEAR, quarter=2)
    before = rows(world, data["spm"][0])
    a, b = data["items"][:2]
    value = QualityValue.objects.get(
        report__puskesmas=world["hsu"]["puskesmas"], report__quarter=2, item=a
    )
    value.available = 10
    value.save()
    services.quality_refresh(puskesmas_id=world["hsu"]["puskesmas"].pk, year=YEAR, quarter=2)
    got, at = rows(world, data["spm"][0]), areas(world)
    assert got[at["hsu"]][1] == D("100.00")
    assert got[at["bjm"]] == before[at["bjm"]]
    # Kalimantan Selatan: A 40 of 40, B 9 of 8 -> 100.
    assert got[at["kalsel"]][1] == D("100.00")


def test_huge_and_blank_figures(world, data):
    a, b = data["items"][:2]
    report = QualityReport.objects.get(puskesmas=world["hsu"]["puskesmas"], quarter=2)
    QualityValue.objects.filter(report=report, item=a).update(
        needed=D("9999999999.99"), available=None
    )
    QualityValue.objects.filter(report=report, item=b).update(needed=D("0.01"), available=None)
    services.quarter_aggregate(year=YEAR, quarter=2)
    got, at = rows(world, data["spm"][0]), areas(world)
    assert got[at["hsu"]] == (D("45.00"), D("0.00"), D("36.00"))  # blank available counts as 0

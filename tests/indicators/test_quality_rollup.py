"""The district's quality roll-up (issue #16): the contract stages and package read."""

from decimal import Decimal

import pytest

from indicators.models import QualityItem, QualityReport, QualityValue, SPMService
from indicators.selectors.quality import quality_percent, quality_rollup
from tests.factories import PuskesmasFactory

pytestmark = pytest.mark.django_db
YEAR = 2025


def _service(number):
    return SPMService.objects.get(
        edition__years__year=YEAR, level=SPMService.Level.DISTRICT, number=number
    )


def _item(service, code, weight="1", **extra):
    return QualityItem.objects.create(
        service=service,
        code=code,
        name_id=code,
        name_en=code,
        kind=QualityItem.Kind.GOODS,
        unit="unit",
        weight=Decimal(weight),
        **extra,
    )


def _report(puskesmas, status=QualityReport.Status.APPROVED, quarter=1, **values):
    report = QualityReport.objects.create(
        puskesmas=puskesmas, year=YEAR, quarter=quarter, status=status
    )
    for item, (needed, available) in values.items():
        QualityValue.objects.create(
            report=report,
            item=item,
            needed=None if needed is None else Decimal(needed),
            available=None if available is None else Decimal(available),
        )
    return report


def test_quality_percent_weighs_items_caps_each_at_full_and_skips_items_without_need():
    rows = [
        (Decimal(3), Decimal(100), Decimal(50)),  # 50 % x 3
        (Decimal(1), Decimal(10), Decimal(20)),  # capped at 100 % x 1
        (Decimal(5), Decimal(0), Decimal(7)),  # no need: not counted
        (Decimal(2), Decimal(4), None),  # blank available: nothing available
    ]
    assert quality_percent(rows) == Decimal("41.67")  # (1.5 + 1 + 0) / 6
    assert quality_percent([(Decimal(1), None, Decimal(3))]) is None
    assert quality_percent([]) is None


def test_rollup_sums_needed_and_available_per_item_over_approved_reports(world, district_user):
    hsu = world["hsu"]
    other = PuskesmasFactory(subdistrict=hsu["subdistrict"])
    anc = _service(1)
    book, iron = _item(anc, "kia-book", weight="1"), _item(anc, "iron", weight="3")
    first = _report(hsu["puskesmas"])
    QualityValue.objects.create(report=first, item=book, needed=100, available=100)
    QualityValue.objects.create(report=first, item=iron, needed=9000, available=3000)
    second = _report(other)
    QualityValue.objects.create(report=second, item=book, needed=50, available=20)
    QualityValue.objects.create(report=second, item=iron, needed=4500, available=6000)
    draft = _report(
        PuskesmasFactory(subdistrict=hsu["subdistrict"]), status=QualityReport.Status.DRAFT
    )
    QualityValue.objects.create(report=draft, item=book, needed=1000, available=0)

    rollup = quality_rollup(user=district_user, district=hsu["district"], year=YEAR, quarter=1)

    assert [entry.service.number for entry in rollup] == list(range(1, 13))
    maternal = rollup[0]
    by_code = {line.item.code: line for line in maternal.items}
    assert by_code["kia-book"].needed == 150 and by_code["kia-book"].available == 120
    assert by_code["iron"].needed == 13500 and by_code["iron"].available == 9000
    # (1 x 120/150 + 3 x 9000/13500) / 4 x 100 = (0.8 + 2) / 4 x 100
    assert maternal.quality == Decimal("70.00")
    assert [line.item.code for line in maternal.gaps] == ["kia-book", "iron"]
    assert by_code["iron"].gap == 4500
    assert maternal.reports_counted == 2
    assert rollup[1].quality is None and rollup[1].reports_counted == 0


def test_rollup_is_scoped_and_costs_a_fixed_number_of_queries(
    world, district_user, other_district_user, django_assert_max_num_queries
):
    hsu = world["hsu"]
    item = _item(_service(1), "kia-book")
    report = _report(hsu["puskesmas"])
    QualityValue.objects.create(report=report, item=item, needed=10, available=5)
    outsider = quality_rollup(
        user=other_district_user, district=hsu["district"], year=YEAR, quarter=1
    )
    assert outsider[0].items[0].needed is None
    for extra in range(5):
        _item(_service(2), f"extra-{extra}")
    with django_assert_max_num_queries(4):
        rollup = quality_rollup(user=district_user, district=hsu["district"], year=YEAR, quarter=1)
        assert rollup[0].quality == Decimal("50.00")


def test_the_aggregation_and_the_rollup_agree_to_the_cent(world, district_user, monkeypatch):
    """Achievement.quality (the index part's SQL) and quality_rollup read the one rule."""
    from indicators.models import Achievement
    from indicators.selectors.quality import quality_report_detail
    from indicators.services import aggregation

    monkeypatch.setattr(aggregation, "quality_refresh_later", lambda *, report: None)
    hsu = world["hsu"]
    other = PuskesmasFactory(subdistrict=hsu["subdistrict"])
    anc = _service(1)
    book, iron = _item(anc, "kia-book", weight="1"), _item(anc, "iron", weight="2.5")
    first, second = _report(hsu["puskesmas"]), _report(other)
    for report, values in (
        (first, {book: (30, 29), iron: (2700, 1000)}),
        (second, {book: (17, 20), iron: (1530, None)}),
    ):
        for item, (needed, available) in values.items():
            QualityValue.objects.create(
                report=report,
                item=item,
                needed=Decimal(needed),
                available=None if available is None else Decimal(available),
            )
    aggregation.quarter_aggregate(year=YEAR, quarter=1)
    rollup = quality_rollup(user=district_user, district=hsu["district"], year=YEAR, quarter=1)
    district_row = Achievement.objects.get(
        year=YEAR, quarter=1, level="district", area_id=hsu["district"].pk, service=anc
    )
    assert district_row.quality == rollup[0].quality
    for report in (first, second):
        row = Achievement.objects.get(
            year=YEAR, quarter=1, level="puskesmas", area_id=report.puskesmas_id, service=anc
        )
        assert row.quality == quality_report_detail(report=report).services[0].quality

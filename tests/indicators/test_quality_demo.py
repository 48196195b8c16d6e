"""The quality demo (issue #16): Hulu Sungai Utara's puskesmas have approved quality reports
for two quarters, with realistic gaps, through the services; a second seed adds nothing."""

from decimal import Decimal

import pytest

from indicators.models import QualityReport, SPMService, Target
from indicators.selectors.quality import quality_rollup
from indicators.services import aggregation
from indicators.services.demo_quality import demo_quality

pytestmark = pytest.mark.django_db
YEAR = 2025


def test_the_demo_approves_two_quarters_with_gaps_and_is_idempotent(
    world, puskesmas_head, district_user, monkeypatch
):
    refreshed = []
    monkeypatch.setattr(
        aggregation,
        "quality_refresh_later",
        lambda *, report: refreshed.append(report.pk),
        raising=False,
    )
    for service in SPMService.objects.filter(edition__years__year=YEAR, level="district"):
        for village in world["hsu"]["villages"]:
            Target.objects.create(
                village=village,
                year=YEAR,
                service=service,
                source=Target.Source.ESTIMATE,
                value=50 + service.number,
                is_of_record=True,
            )
    district = world["hsu"]["district"]
    assert demo_quality(district=district, planner=district_user, year=YEAR, quarters=(2, 3)) == 2
    reports = QualityReport.objects.filter(puskesmas__district=district, year=YEAR)
    assert sorted(reports.values_list("quarter", "status")) == [(2, "approved"), (3, "approved")]
    assert len(refreshed) == 2
    for quarter in (2, 3):
        rollup = quality_rollup(user=district_user, district=district, year=YEAR, quarter=quarter)
        qualities = [service.quality for service in rollup]
        assert all(q is not None and Decimal(40) < q <= Decimal(100) for q in qualities), qualities
        assert any(service.gaps for service in rollup)  # realistic: not everything is there
    q2 = quality_rollup(user=district_user, district=district, year=YEAR, quarter=2)
    q3 = quality_rollup(user=district_user, district=district, year=YEAR, quarter=3)
    assert sum(s.quality for s in q3) >= sum(s.quality for s in q2)  # a little better later
    assert demo_quality(district=district, planner=district_user, year=YEAR, quarters=(2, 3)) == 0
    assert reports.count() == 2

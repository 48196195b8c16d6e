"""The demo's four stages worksheets (issue #16 must-have 7): Hulu Sungai Utara's maternal
services for the demo year, all four stages filled from its data and plans; a second run
changes nothing."""

# ruff: noqa: F811 (the fixtures imported from test_stages_world are taken as arguments)
from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from cycle.models import IntegrationLine, NeedLine, StageSheet
from cycle.services.demo_stages import demo_stages
from kernel.models import User
from planning.models import Activity

from ..factories import UserFactory
from .test_stages_world import budget_codes, put_quality, put_targets  # noqa: F401

pytestmark = pytest.mark.django_db


def test_the_demo_fills_the_maternal_worksheets_and_runs_twice_unchanged(world, budget_codes):
    year = timezone.localdate().year
    hsu = world["hsu"]
    UserFactory(username="dinkes.hsu", role=User.Role.DISTRICT_PLANNER, district=hsu["district"])
    put_targets(hsu["villages"], 1, [60, 40], year=year)
    put_quality(
        hsu["puskesmas"],
        2,
        {
            (1, "buku-kia"): (100, 70),
            (1, "bidan-desa"): (2, 1),
            (2, "partus-set"): (4, 2),
            (3, "resusitasi-bayi"): (2, 0),
        },
        year=year,
    )

    demo_stages()
    counts = (
        StageSheet.objects.count(),
        NeedLine.objects.count(),
        IntegrationLine.objects.count(),
        Activity.objects.count(),
    )
    demo_stages()
    assert counts == (
        StageSheet.objects.count(),
        NeedLine.objects.count(),
        IntegrationLine.objects.count(),
        Activity.objects.count(),
    )

    sheets = {s.service.number: s for s in StageSheet.objects.filter(district=hsu["district"])}
    assert set(sheets) == {1, 2, 3} and {s.year for s in sheets.values()} == {year}
    for sheet in sheets.values():
        assert sheet.data_status == sheet.needs_status == sheet.plan_status == "done"
        assert sheet.integration_status in ("done", "in_progress")
        assert sheet.financing and sheet.delivery and sheet.partner_services
        assert sheet.needs.exists()
        for need in sheet.needs.all():
            assert need.activities.exists() == (need.kind != "staff"), need.name
        assert {line.document for line in sheet.integrations.all()} >= {"rpjmd", "renstra", "rkpd"}
    first = sheets[1]
    assert first.target_people == 100
    assert {"rpjmd", "renstra", "rkpd", "renja"} == {d.document for d in first.integrations.all()}
    kia = first.needs.get(item__code="buku-kia")
    assert (kia.gap_quantity, kia.unit_cost_idr) == (Decimal(30), Decimal(20_000))
    assert first.needs.get(item__code="bidan-desa").unit_cost_idr == 54_000_000  # local price
    linked = Activity.objects.filter(spm_needs__sheet=first).distinct()
    assert [a.plan.puskesmas_id for a in linked] == [None]  # the Dinkes plan of the year
    assert linked[0].plan.year == year and linked[0].service.number == 1


def test_the_demo_needs_its_district_and_planner(world):
    demo_stages()
    assert not StageSheet.objects.exists()

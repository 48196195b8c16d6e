"""Trends (issue #15 must-have 6): one service month by month and year on year, per desa, per
puskesmas and per district, with line charts, their tables and .xlsx; scoped, a province reading
approved reports only; a fixed number of queries whatever the data.

Known figures, service 1 (2025 under Permenkes 6/2024, 2024 under 4/2019: matched by number):
- Hulu Sungai Utara, one puskesmas, desa v1 and v2. 2025 targets 40 + 60 = 100. January locked
  v1 20 + v2 10 = 30; February approved with nothing reported (a gap); March approved v1 5;
  April submitted v1 15 (not approved yet). 2024 target v1 50; January 10, February 20.
  Service 2: January v1 7, no target.
- Kota Banjarmasin (same province): 2025 target 100; January approved 130.
- Kota Bontang (another province): 2025 target 100; January approved 99.
"""

import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from indicators import services
from indicators.charts import SeriesData, line_chart, nice_ceiling
from indicators.models import MonthlyReport, MonthlyValue, Target

from ..factories import PuskesmasFactory, SubdistrictFactory, UserFactory, VillageFactory

pytestmark = pytest.mark.django_db

YEAR = 2025
URL = "/trends/"


def _report(puskesmas, year, month, status, values=None):
    report = MonthlyReport.objects.create(
        puskesmas=puskesmas, year=year, month=month, status=status, due_on=f"{year}-12-10"
    )
    for (village, service), value in (values or {}).items():
        MonthlyValue.objects.create(report=report, village=village, service=service, value=value)
    return report


def _target(village, year, service, value):
    Target.objects.create(
        village=village,
        year=year,
        service=service,
        source="estimate",
        value=value,
        is_of_record=True,
    )


@pytest.fixture
def spm(world):
    now, before = services.monthly_services(YEAR), services.monthly_services(YEAR - 1)
    assert now[0].pk != before[0].pk  # two editions: the trend matches services by number
    hsu, bjm, btg = world["hsu"], world["banjarmasin"], world["bontang"]
    v1, v2 = hsu["villages"]
    pkm = hsu["puskesmas"]
    _target(v1, YEAR, now[0], 40)
    _target(v2, YEAR, now[0], 60)
    _target(v1, YEAR - 1, before[0], 50)
    _report(pkm, YEAR, 1, "locked", {(v1, now[0]): 20, (v2, now[0]): 10, (v1, now[1]): 7})
    _report(pkm, YEAR, 2, "approved", {(v1, now[0]): None})
    _report(pkm, YEAR, 3, "approved", {(v1, now[0]): 5})
    _report(pkm, YEAR, 4, "submitted", {(v1, now[0]): 15})
    _report(pkm, YEAR - 1, 1, "approved", {(v1, before[0]): 10})
    _report(pkm, YEAR - 1, 2, "approved", {(v1, before[0]): 20})
    _target(bjm["villages"][0], YEAR, now[0], 100)
    _report(bjm["puskesmas"], YEAR, 1, "approved", {(bjm["villages"][0], now[0]): 130})
    _target(btg["villages"][0], YEAR, now[0], 100)
    _report(btg["puskesmas"], YEAR, 1, "approved", {(btg["villages"][0], now[0]): 99})
    return now


def _open(client, user, url=URL, **params):
    client.force_login(user)
    response = client.get(url, {"year": YEAR, "service": 1, **params})
    assert response.status_code == 200
    return response.context["data"]


def _served(line):
    return [m.served for m in line.months[:5]]


def test_puskesmas_head_sees_its_months_cumulative_share_and_last_year(client, spm, puskesmas_head):
    data = _open(client, puskesmas_head)
    line = data.line
    assert data.level == "puskesmas" and data.service.number == 1
    assert _served(line) == [30, None, 5, 15, None]  # February: a gap, not 0
    assert [m.cumulative for m in line.months[:4]] == [30, None, 35, 50]
    assert [m.percent for m in line.months[:4]] == [Decimal("30"), None, Decimal("35"), 50]
    assert [m.pending for m in line.months[:4]] == [False, False, False, True]
    assert line.target == 100 and line.previous_target == 50
    assert [m.served for m in line.previous[:3]] == [10, 20, None]
    assert [m.percent for m in line.previous[:2]] == [Decimal("20"), Decimal("60")]
    # Per desa, on the same service.
    v1, v2 = data.children
    assert _served(v1) == [20, None, 5, 15, None] and v1.percent == Decimal("100")
    assert _served(v2) == [10, None, None, None, None] and v2.target == 60
    assert v2.percent == Decimal("16.67")
    # Every service year on year, over January to April (the months reported this year).
    first, second = data.overview[:2]
    assert (first.through, first.served, first.previous_served) == (4, 50, 30)
    assert first.change == Decimal("50") - Decimal("60")
    assert (second.served, second.target, second.percent) == (7, None, None)


def test_the_page_draws_gaps_and_says_no_target(client, spm, puskesmas_head):
    client.force_login(puskesmas_head)
    client.cookies["django_language"] = "en"
    page = client.get(URL, {"year": YEAR, "service": 1}).content.decode()
    data = client.get(URL, {"year": YEAR, "service": 1}).context["data"]
    this_year = data.served_chart.series[-1]
    assert len(this_year.paths) == 2  # January, then March-April: broken at February
    assert [p.pending for p in this_year.points] == [False, False, True]
    assert data.percent_chart is not None
    assert "<caption" in page and '<th scope="col"' in page and "<script" not in page
    assert "month-title" in page and 'class="chart chart-lines"' in page
    no_target = client.get(URL, {"year": YEAR, "service": 2})
    assert no_target.context["data"].percent_chart is None
    assert 'data-testid="no-target"' in no_target.content.decode()
    assert "no target" in no_target.content.decode()


def test_district_planner_sees_its_puskesmas_never_another_district(
    client, spm, world, district_user
):
    data = _open(client, district_user)
    assert data.level == "district"
    assert _served(data.line) == [30, None, 5, 15, None]  # Banjarmasin's 130 is not here
    assert [c.name for c in data.children] == [world["hsu"]["puskesmas"].name]
    pkm = world["hsu"]["puskesmas"]
    assert data.children[0].href.startswith(reverse("indicators:trends-puskesmas", args=[pkm.pk]))
    # One puskesmas, month by month and per desa.
    drill = _open(client, district_user, reverse("indicators:trends-puskesmas", args=[pkm.pk]))
    assert drill.level == "puskesmas" and len(drill.children) == 2


def test_province_reads_approved_values_only_and_its_districts(client, spm, world, province_user):
    data = _open(client, province_user)
    assert data.level == "province"
    assert _served(data.line) == [160, None, 5, None, None]  # April is submitted: not read
    assert data.line.target == 200
    assert not any(m.pending for m in data.line.months)
    by_name = {c.name: c for c in data.children}
    assert set(by_name) == {world["hsu"]["district"].name, world["banjarmasin"]["district"].name}
    assert by_name[world["banjarmasin"]["district"].name].percent == Decimal("130")
    assert by_name[world["hsu"]["district"].name].total == 35
    district = _open(
        client,
        province_user,
        reverse("indicators:trends-district", args=[world["hsu"]["district"].pk]),
    )
    assert _served(district.line) == [30, None, 5, None, None]


def test_another_province_and_puskesmas_see_only_their_own(client, spm, world, other_province_user):
    data = _open(client, other_province_user)
    assert _served(data.line) == [99, None, None, None, None]
    assert [c.name for c in data.children] == [world["bontang"]["district"].name]
    head = UserFactory(role="puskesmas_head", puskesmas=world["banjarmasin"]["puskesmas"])
    assert _served(_open(client, head).line) == [130, None, None, None, None]
    hsu = world["hsu"]
    assert (
        client.get(reverse("indicators:trends-puskesmas", args=[hsu["puskesmas"].pk])).status_code
        == 404
    )
    assert client.get(
        reverse("indicators:trends-district", args=[hsu["district"].pk])
    ).status_code in (403, 404)


def test_puskesmas_head_cannot_open_its_district(client, spm, world, puskesmas_head):
    client.force_login(puskesmas_head)
    url = reverse("indicators:trends-district", args=[world["hsu"]["district"].pk])
    assert client.get(url).status_code == 403


def test_system_administrator_sees_every_province(client, spm, world, admin_user):
    data = _open(client, admin_user)
    assert data.level == "country"
    assert _served(data.line) == [259, None, 5, 15, None]
    assert [c.name for c in data.children] == ["Kalimantan Selatan", "Kalimantan Timur"]


def _sheet(response):
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))


def test_exports_hold_the_page_numbers(client, spm, world, puskesmas_head, province_user):
    client.force_login(puskesmas_head)
    params = {"year": YEAR, "service": 1, "format": "xlsx"}
    months = _sheet(client.get(URL, {**params, "table": "months"}))
    assert len(months) == 13
    assert months[1][:10] == (1, 30, 30, 30, 10, 10, 20, 100, 50, None)
    assert months[2][:7] == (2, None, None, None, 20, 30, 60)  # a gap stays blank
    assert months[4][1] == 15 and months[4][9]  # April: not approved yet
    areas = _sheet(client.get(URL, {**params, "table": "areas"}))
    v1, v2 = world["hsu"]["villages"]
    assert areas[1][:5] == (v1.name, 20, None, 5, 15)
    assert areas[1][13:16] == (40, 40, 100)
    assert areas[2][0] == v2.name and areas[2][14] == 60
    overview = _sheet(client.get(URL, {**params, "table": "services"}))
    assert overview[1][:7] == (1, spm[0].label, 4, 50, 30, 100, 50)
    assert overview[2][3] == 7 and overview[2][5] is None  # no target: blank
    assert client.get(URL, {**params, "table": "nope"}).status_code == 404
    # The province's file holds approved values only.
    client.force_login(province_user)
    months = _sheet(client.get(URL, {**params, "table": "months"}))
    assert [row[1] for row in months[1:5]] == [160, None, 5, None]


def test_line_chart_geometry():
    chart = line_chart(
        [
            SeriesData(
                "2025", "line-0", [10, None, 30, 40] + [None] * 8, [False, False, False, True]
            )
        ],
        floor=1,
    )
    (series,) = chart.series
    assert chart.scale == 50 and [t.value for t in chart.ticks] == [0, 25, 50]
    assert len(series.paths) == 2 and [p.month for p in series.points] == [1, 3, 4]
    assert series.points[-1].pending
    assert series.points[0].x == chart.left and chart.months[-1][1] == chart.right
    assert series.points[0].y > series.points[1].y  # higher values are drawn higher
    assert line_chart([SeriesData("x", "line-0", [None] * 12)], floor=100).scale == 100
    assert [nice_ceiling(v) for v in (0, 7, 11, 130, 240, 1001)] == [1, 10, 20, 200, 250, 2000]


def _grow(world, spm):
    """More desa, puskesmas, months and a neighbour district's data."""
    hsu = world["hsu"]
    for __ in range(3):
        puskesmas = PuskesmasFactory(subdistrict=SubdistrictFactory(district=hsu["district"]))
        village = VillageFactory(subdistrict=puskesmas.subdistrict, puskesmas=puskesmas)
        _target(village, YEAR, spm[0], 50)
        for month in range(1, 9):
            _report(puskesmas, YEAR, month, "approved", {(village, spm[0]): month})
    for __ in range(3):
        village = VillageFactory(subdistrict=hsu["subdistrict"], puskesmas=hsu["puskesmas"])
        _target(village, YEAR, spm[0], 10)
    for month in range(5, 9):
        _report(hsu["puskesmas"], YEAR, month, "approved", {(hsu["villages"][0], spm[0]): 3})


@pytest.mark.parametrize("role", ["puskesmas_head", "district_user", "province_user"])
@pytest.mark.parametrize("table", [None, "areas"])
def test_queries_do_not_grow_with_months_desa_or_puskesmas(
    client, spm, world, role, table, request, django_assert_num_queries
):
    client.force_login(request.getfixturevalue(role))
    params = {"year": YEAR, "service": 1}
    if table:
        params.update({"format": "xlsx", "table": table})
    with CaptureQueriesContext(connection) as few:
        assert client.get(URL, params).status_code == 200
    _grow(world, spm)
    with django_assert_num_queries(len(few)):
        response = client.get(URL, params)
        assert response.status_code == 200
    if table is None:
        assert len(response.context["data"].children) > 1


def test_dashboards_and_the_menu_link_to_trends(client, spm, world, puskesmas_head, district_user):
    client.force_login(puskesmas_head)
    page = client.get("/dashboard/", {"year": YEAR, "quarter": 1}).content.decode()
    pkm = reverse("indicators:trends-puskesmas", args=[world["hsu"]["puskesmas"].pk])
    assert f'href="{pkm}?year={YEAR}"' in page
    assert f'href="{URL}"' in page  # the menu
    client.force_login(district_user)
    page = client.get("/dashboard/", {"year": YEAR, "quarter": 1}).content.decode()
    assert reverse("indicators:trends-district", args=[world["hsu"]["district"].pk]) in page

"""Each role's dashboard (issue #5 must-have 3): its own area's numbers, computed by
quarter_aggregate from a small known set of reports; colours from IndexBand, the index from
IndexWeight; every table as .xlsx; query counts that do not grow with the data.

Known figures, 2025 quarter 2 (six months ended: pace 50%):
- Hulu Sungai Utara, one puskesmas, desa v1 and v2. SPM-01 target 40 + 60, served 30 + 15 =
  45% (v1 75%, v2 25%); SPM-02 target 50 + 50, served 40 + 40 = 80%. July submitted, August a
  draft: neither counted.
- Kota Banjarmasin: SPM-01 target 100, served 130 = 130% (capped at 100 in the index).
- Kota Bontang (another province): SPM-01 target 100, served 99.
"""

import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from indicators import services
from indicators.models import IndexBand, IndexWeight, MonthlyReport, MonthlyValue, Target

from ..factories import PuskesmasFactory, UserFactory, VillageFactory

pytestmark = pytest.mark.django_db

YEAR = 2025  # a past year: every month has ended
URL = "/dashboard/"


def _report(puskesmas, month, status, values=None):
    due = f"{YEAR + (month == 12)}-{month % 12 + 1:02d}"
    submitted = None if status == "draft" else f"{due}-05T10:00:00+08:00"
    report = MonthlyReport.objects.create(
        puskesmas=puskesmas,
        year=YEAR,
        month=month,
        status=status,
        due_on=f"{due}-10",
        first_submitted_at=submitted,
        submitted_at=submitted,
    )
    for (village, service), value in (values or {}).items():
        MonthlyValue.objects.create(report=report, village=village, service=service, value=value)
    return report


def _target(village, service, value):
    Target.objects.create(
        village=village,
        year=YEAR,
        service=service,
        source="estimate",
        value=value,
        is_of_record=True,
    )


@pytest.fixture
def spm(world):
    spm = services.monthly_services(YEAR)
    hsu, bjm, btg = world["hsu"], world["banjarmasin"], world["bontang"]
    v1, v2 = hsu["villages"]
    _target(v1, spm[0], 40)
    _target(v2, spm[0], 60)
    _target(v1, spm[1], 50)
    _target(v2, spm[1], 50)
    _report(hsu["puskesmas"], 1, "locked", {(v1, spm[0]): 20, (v2, spm[0]): 10, (v1, spm[1]): 40})
    for month in (2, 3, 5, 6):
        _report(hsu["puskesmas"], month, "approved")
    _report(hsu["puskesmas"], 4, "approved", {(v1, spm[0]): 10, (v2, spm[0]): 5, (v2, spm[1]): 40})
    _report(hsu["puskesmas"], 7, "submitted", {(v1, spm[0]): 100})
    _report(hsu["puskesmas"], 8, "draft", {(v1, spm[0]): 7})
    _target(bjm["villages"][0], spm[0], 100)
    _report(bjm["puskesmas"], 1, "approved", {(bjm["villages"][0], spm[0]): 130})
    _target(btg["villages"][0], spm[0], 100)
    _report(btg["puskesmas"], 1, "approved", {(btg["villages"][0], spm[0]): 99})
    services.quarter_aggregate(year=YEAR, quarter=2)
    return spm


def _get(client, user, url=URL, **params):
    client.cookies["django_language"] = "en"
    client.force_login(user)
    response = client.get(url, {"year": YEAR, "quarter": 2, **params})
    assert response.status_code == 200, response.content[:500]
    return response


def _sheet(response) -> list[tuple]:
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    return list(sheet.iter_rows(values_only=True))


# --- Puskesmas -----------------------------------------------------------------------------------


def test_puskesmas_head_sees_services_desa_months_and_reports_due(client, spm, puskesmas_head):
    response = _get(client, puskesmas_head)
    dash = response.context["dash"]
    first = dash.services[0]
    assert first.figure.achievement == Decimal("45.00") and first.figure.is_below_pace
    assert dash.period.pace == Decimal("50.00")
    by_desa = {village.name: figure for village, figure in first.villages}
    v1, v2 = (v.name for v in puskesmas_head.puskesmas.villages.order_by("code"))
    assert (by_desa[v1].served_ytd, by_desa[v1].achievement) == (30, Decimal("75.00"))
    assert (by_desa[v2].served_ytd, by_desa[v2].achievement) == (15, Decimal("25.00"))
    assert not by_desa[v1].is_below_pace and by_desa[v2].is_below_pace
    assert first.villages_below_pace == 1
    months = {m.month: m for m in first.months}
    assert (months[1].served, months[1].is_approved) == (30, True)
    assert (months[7].served, months[7].is_approved) == (100, False)  # shown, marked, not counted
    assert (months[8].served, months[8].status) == (7, "draft")
    assert months[9].status is None
    assert [(d.month, d.is_late) for d in dash.due] == [(m, True) for m in range(8, 13)]
    august = MonthlyReport.objects.get(puskesmas=puskesmas_head.puskesmas, month=8)
    html = response.content.decode()
    assert reverse("indicators:report-entry", args=[august.pk]) in html
    assert "Puskesmas Banjarmasin" not in html and "Puskesmas Bontang" not in html
    assert " style=" not in html


def test_kept_blocks_follow_the_data_and_the_language(client, spm, puskesmas_head, district_user):
    """The desa, matrix and rates blocks are kept by their content (dashboard_blocks): a value
    saved, a quarter computed again or another language shows on the next request."""
    assert ">1234</text>" not in _get(client, puskesmas_head).content.decode()
    august = MonthlyReport.objects.get(puskesmas=puskesmas_head.puskesmas, month=8)
    august.values.update(value=1234)
    assert ">1234</text>" in _get(client, puskesmas_head).content.decode()

    html = _get(client, district_user).content.decode()
    assert "▼45</td>" in html and ">On time</th>" in html
    client.cookies["django_language"] = "id"
    html = client.get(URL, {"year": YEAR, "quarter": 2}).content.decode()
    assert ">On time</th>" not in html and "▼45</td>" in html
    april = MonthlyReport.objects.get(puskesmas=puskesmas_head.puskesmas, month=4)
    april.values.update(value=0)
    services.quarter_aggregate(year=YEAR, quarter=2)
    html = _get(client, district_user).content.decode()
    assert "▼30</td>" in html and "▼45</td>" not in html


def test_puskesmas_head_of_another_district_sees_only_their_own(client, spm, world):
    head = UserFactory(role="puskesmas_head", puskesmas=world["banjarmasin"]["puskesmas"])
    dash = _get(client, head).context["dash"]
    assert dash.puskesmas == world["banjarmasin"]["puskesmas"]
    assert dash.services[0].figure.achievement == Decimal("130.00")
    assert [v.name for v, __ in dash.services[0].villages] == [
        v.name for v in world["banjarmasin"]["villages"]
    ]


def test_bar_widths_and_pace_marker_are_computed_not_styled(client, spm, puskesmas_head):
    html = _get(client, puskesmas_head).content.decode()
    # 45% and 80% of a 0-100 scale drawn 262 units wide; the pace (50%) at 131.
    assert 'width="118" height="10" class="band-2"' in html
    assert 'width="210" height="10" class="band-1"' in html
    assert 'x1="131" x2="131"' in html


def test_district_planner_opens_a_puskesmas_and_reviewer_sees_only_approved_months(
    client, spm, world, district_user, province_user
):
    url = reverse("indicators:dashboard-puskesmas", args=[world["hsu"]["puskesmas"].pk])
    dash = _get(client, district_user, url).context["dash"]
    assert dash.due is not None and dash.services[0].months[6].status == "submitted"
    dash = _get(client, province_user, url).context["dash"]
    assert dash.due is None  # a province does not chase monthly reports
    assert dash.services[0].months[6].status is None  # July is not approved: not shown
    assert dash.services[0].figure.achievement == Decimal("45.00")


def test_puskesmas_head_cannot_open_the_district_dashboard(client, spm, world, puskesmas_head):
    client.force_login(puskesmas_head)
    url = reverse("indicators:dashboard-district", args=[world["hsu"]["district"].pk])
    assert client.get(url).status_code == 403


# --- District ------------------------------------------------------------------------------------


def test_district_planner_sees_matrix_rates_waiting_and_weakest(client, spm, world, district_user):
    response = _get(client, district_user)
    dash = response.context["dash"]
    assert [line.name for line in dash.puskesmas] == [world["hsu"]["puskesmas"].name]
    cells = dash.puskesmas[0].cells
    assert (cells[0].achievement, cells[1].achievement) == (Decimal("45.00"), Decimal("80.00"))
    assert cells[2].achievement is None  # no target
    rate = dash.puskesmas[0].rate
    assert (rate.expected, rate.approved, rate.on_time) == (3, 3, 3)
    assert [(r.month, r.status) for r in dash.waiting] == [(7, "submitted")]
    assert [line.service.code for line in dash.weakest] == ["SPM-01"]
    assert dash.weakest[0].figure.shortfall == 5  # 100 x 6 / 12 - 45
    html = response.content.decode()
    assert reverse("indicators:report-entry", args=[dash.waiting[0].pk]) in html
    assert "Puskesmas Banjarmasin" not in html


def test_another_district_planner_sees_their_own_district(client, spm, world, other_district_user):
    dash = _get(client, other_district_user).context["dash"]
    assert dash.district == world["banjarmasin"]["district"]
    assert [line.name for line in dash.puskesmas] == [world["banjarmasin"]["puskesmas"].name]
    assert dash.services[0].figure.achievement == Decimal("130.00")
    assert dash.waiting == []


def test_colours_follow_the_index_band_edges_of_the_year(client, spm, district_user):
    # 45% against a pace of 50% scores 90: Tuntas Utama (from 90), the second band.
    cell = _get(client, district_user).context["dash"].puskesmas[0].cells[0]
    assert cell.css == "band-2" and cell.band.name == "Tuntas Utama"
    edition = services.reporting_year(YEAR).edition
    IndexBand.objects.filter(edition=edition, name="Tuntas Utama").update(lower_bound=95)
    response = _get(client, district_user)
    cell = response.context["dash"].puskesmas[0].cells[0]
    assert cell.css == "band-3" and cell.band.name == "Tuntas Madya"
    assert 'class="text-end band-3">▼45</td>' in response.content.decode()


# --- Province ------------------------------------------------------------------------------------


def test_province_reviewer_sees_districts_and_the_index(client, spm, world, province_user):
    response = _get(client, province_user)
    dash = response.context["dash"]
    names = [line.name for line in dash.districts]
    assert names == [world["hsu"]["district"].name, world["banjarmasin"]["district"].name]
    hsu, bjm = dash.districts
    assert (hsu.index, hsu.index_band.name, hsu.index_services) == (
        Decimal("62.50"),
        "Tuntas Muda",
        2,
    )  # (45 + 80) / 2
    assert (bjm.index, bjm.index_band.name) == (Decimal("100.00"), "Tuntas Paripurna")  # capped
    (kalsel,) = dash.provinces
    assert kalsel.index == Decimal("83.75")  # (175 / 200 = 87.5 + 80) / 2
    assert (hsu.rate.approved, bjm.rate.approved) == (3, 0)  # Q2: April to June
    html = response.content.decode()
    assert "Kota Bontang" not in html
    assert "configurable" in html or "editable data" in html


def test_another_province_sees_only_its_districts(client, spm, world, other_province_user):
    dash = _get(client, other_province_user).context["dash"]
    assert [line.name for line in dash.districts] == [world["bontang"]["district"].name]
    assert dash.districts[0].cells[0].achievement == Decimal("99.00")


def test_province_reviewer_opens_a_district_without_its_approval_queue(
    client, spm, world, province_user
):
    url = reverse("indicators:dashboard-district", args=[world["hsu"]["district"].pk])
    dash = _get(client, province_user, url).context["dash"]
    assert dash.waiting is None  # the district approves; the province does not
    assert dash.puskesmas[0].cells[0].achievement == Decimal("45.00")


def test_system_administrator_sees_every_province(client, spm, admin_user):
    dash = _get(client, admin_user).context["dash"]
    assert [line.name for line in dash.provinces] == ["Kalimantan Selatan", "Kalimantan Timur"]
    assert len(dash.districts) == 3


def test_the_index_uses_the_service_weights(client, spm, province_user):
    IndexWeight.objects.filter(service=spm[0]).update(weight=3)
    hsu = _get(client, province_user).context["dash"].districts[0]
    assert hsu.index == Decimal("53.75")  # (3 x 45 + 80) / 4
    assert hsu.index_band.name == "Belum Tuntas"
    IndexWeight.objects.filter(service=spm[1]).delete()  # no weight: the service does not count
    hsu = _get(client, province_user).context["dash"].districts[0]
    assert (hsu.index, hsu.index_services) == (Decimal("45.00"), 1)


# --- Period --------------------------------------------------------------------------------------


def test_default_quarter_is_the_latest_computed_and_an_uncomputed_one_says_so(
    client, spm, district_user
):
    client.cookies["django_language"] = "en"
    client.force_login(district_user)
    dash = client.get(URL).context["dash"]
    assert (dash.period.year, dash.period.quarter) == (YEAR, 2)
    assert dash.computation.finished_at is not None and dash.computation.data_as_of is not None
    response = client.get(URL, {"year": YEAR, "quarter": 3})
    assert not response.context["dash"].is_computed
    assert "has not been computed yet" in response.content.decode()


def test_a_user_without_an_area_gets_an_explanation(client, world):
    user = UserFactory(role="district_planner")
    client.cookies["django_language"] = "en"
    client.force_login(user)
    assert "has no area yet" in client.get(URL).content.decode()


# --- Exports -------------------------------------------------------------------------------------


def test_puskesmas_exports_hold_the_page_numbers(client, spm, puskesmas_head):
    rows = _sheet(_get(client, puskesmas_head, format="xlsx", table="services"))
    assert rows[1][:2] == (1, "Health services for pregnant women")
    assert rows[1][3:6] == (100, 45, 45)
    rows = _sheet(_get(client, puskesmas_head, format="xlsx", table="villages"))
    assert sorted(r[6] for r in rows[1:] if r[2] == 1) == [25, 75]
    rows = _sheet(_get(client, puskesmas_head, format="xlsx", table="trend"))
    assert (7, 1, "Health services for pregnant women", 100, "Not approved yet") in rows
    rows = _sheet(_get(client, puskesmas_head, format="xlsx", table="due"))
    assert [r[1] for r in rows[1:]] == [8, 9, 10, 11, 12]


def test_district_and_province_exports_hold_the_page_numbers(
    client, spm, world, district_user, province_user
):
    rows = _sheet(_get(client, district_user, format="xlsx", table="matrix"))
    assert rows[1][:3] == (world["hsu"]["puskesmas"].name, 45, 80)
    rows = _sheet(_get(client, district_user, format="xlsx", table="rates"))
    assert rows[1][:4] == (world["hsu"]["puskesmas"].name, 3, 3, 3)
    rows = _sheet(_get(client, district_user, format="xlsx", table="waiting"))
    assert [r[2] for r in rows[1:]] == [7]
    rows = _sheet(_get(client, province_user, format="xlsx", table="index"))
    assert [r[:4] for r in rows[1:]] == [
        (world["hsu"]["district"].name, 62.5, "Tuntas Muda", 2),
        (world["banjarmasin"]["district"].name, 100, "Tuntas Paripurna", 1),
        ("Kalimantan Selatan", 83.75, "Tuntas Madya", 2),
    ]
    rows = _sheet(_get(client, province_user, format="xlsx", table="matrix"))
    assert [r[:2] for r in rows[1:]] == [
        (world["hsu"]["district"].name, 45),
        (world["banjarmasin"]["district"].name, 130),
        ("Kalimantan Selatan", 87.5),
    ]
    client.force_login(province_user)
    assert client.get(URL, {"format": "xlsx", "table": "waiting"}).status_code == 404


# --- Query counts --------------------------------------------------------------------------------


def _grow(world, spm):
    """Three more puskesmas with desa, targets and reports in Hulu Sungai Utara, more desa and
    months in ours, and a new district in Kalimantan Selatan."""
    hsu = world["hsu"]
    for __ in range(3):
        puskesmas = PuskesmasFactory(subdistrict=hsu["subdistrict"])
        villages = VillageFactory.create_batch(
            3, subdistrict=hsu["subdistrict"], puskesmas=puskesmas
        )
        for village in villages:
            _target(village, spm[0], 10)
        _report(puskesmas, 1, "approved", {(villages[0], spm[0]): 3})
        _report(puskesmas, 2, "submitted", {(villages[1], spm[0]): 3})
    extra = VillageFactory.create_batch(
        4, subdistrict=hsu["subdistrict"], puskesmas=hsu["puskesmas"]
    )
    for village in extra:
        _target(village, spm[2], 10)
    MonthlyValue.objects.create(
        report=MonthlyReport.objects.get(puskesmas=hsu["puskesmas"], month=4),
        village=extra[0],
        service=spm[2],
        value=4,
    )
    _report(hsu["puskesmas"], 9, "returned", {(extra[1], spm[2]): 2})
    from ..factories import DistrictFactory, SubdistrictFactory

    district = DistrictFactory(province=world["kalsel"])
    puskesmas = PuskesmasFactory(subdistrict=SubdistrictFactory(district=district))
    village = VillageFactory(subdistrict=puskesmas.subdistrict, puskesmas=puskesmas)
    _target(village, spm[0], 50)
    _report(puskesmas, 1, "approved", {(village, spm[0]): 5})
    services.quarter_aggregate(year=YEAR, quarter=2)


@pytest.mark.parametrize("role", ["puskesmas_head", "district_user", "province_user"])
def test_dashboard_queries_do_not_grow_with_the_data(
    client, spm, world, role, request, django_assert_num_queries
):
    user = request.getfixturevalue(role)
    client.cookies["django_language"] = "en"
    client.force_login(user)
    params = {"year": YEAR, "quarter": 2}
    with CaptureQueriesContext(connection) as few:
        assert client.get(URL, params).status_code == 200
    _grow(world, spm)
    with django_assert_num_queries(len(few)):
        assert client.get(URL, params).status_code == 200


@pytest.mark.parametrize(
    ("role", "table"),
    [("puskesmas_head", "villages"), ("district_user", "matrix"), ("province_user", "index")],
)
def test_export_queries_do_not_grow_with_the_data(
    client, spm, world, role, table, request, django_assert_num_queries
):
    client.force_login(request.getfixturevalue(role))
    params = {"year": YEAR, "quarter": 2, "format": "xlsx", "table": table}
    with CaptureQueriesContext(connection) as few:
        assert client.get(URL, params).status_code == 200
    _grow(world, spm)
    with django_assert_num_queries(len(few)):
        assert client.get(URL, params).status_code == 200

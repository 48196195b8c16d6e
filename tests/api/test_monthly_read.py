"""Monthly reports and values through the API: read as the pages read them (issue #19)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from indicators.models import MonthlyReport, MonthlyValue
from indicators.services import monthly_services
from kernel.models import Puskesmas
from tests.factories import PuskesmasFactory, VillageFactory

pytestmark = pytest.mark.django_db

V1 = "/api/v1/monthly"
YEAR = 2025


def _report(puskesmas, month, status, values=()):
    due = f"{YEAR + (month == 12)}-{month % 12 + 1:02d}-10"
    report = MonthlyReport.objects.create(
        puskesmas=puskesmas, year=YEAR, month=month, status=status, due_on=due
    )
    for village, service, value in values:
        MonthlyValue.objects.create(report=report, village=village, service=service, value=value)
    return report


@pytest.fixture
def data(world):
    spm = monthly_services(YEAR)
    hsu, bjm, btg = world["hsu"], world["banjarmasin"], world["bontang"]
    v1, v2 = hsu["villages"]
    return {
        "approved": _report(hsu["puskesmas"], 1, "approved", [(v1, spm[0], 5), (v2, spm[1], 0)]),
        "locked": _report(hsu["puskesmas"], 2, "locked", [(v1, spm[0], 6)]),
        "draft": _report(hsu["puskesmas"], 4, "draft", [(v1, spm[0], 7), (v2, spm[0], None)]),
        "submitted": _report(hsu["puskesmas"], 5, "submitted", [(v1, spm[0], 8)]),
        "neighbour": _report(bjm["puskesmas"], 1, "approved", [(bjm["villages"][0], spm[0], 9)]),
        "kaltim": _report(btg["puskesmas"], 1, "approved", [(btg["villages"][0], spm[0], 10)]),
    }


def _items(answer):
    assert answer.status_code == 200, answer.content
    return answer.json()["items"]


def _ids(answer):
    return {row["id"] for row in _items(answer)}


def test_a_district_token_reads_every_report_of_its_district(api_as, district_user, data):
    ids = _ids(api_as(district_user).get(f"{V1}/reports"))
    assert ids == {data[k].pk for k in ("approved", "locked", "draft", "submitted")}


def test_a_puskesmas_token_reads_its_own_reports(api_as, puskesmas_staff, data):
    ids = _ids(api_as(puskesmas_staff).get(f"{V1}/reports"))
    assert ids == {data[k].pk for k in ("approved", "locked", "draft", "submitted")}


def test_a_province_token_reads_approved_and_locked_only(api_as, province_user, data):
    api = api_as(province_user)
    assert _ids(api.get(f"{V1}/reports")) == {
        data[k].pk for k in ("approved", "locked", "neighbour")
    }
    values = _items(api.get(f"{V1}/values"))
    assert {v["report_id"] for v in values} == {
        data[k].pk for k in ("approved", "locked", "neighbour")
    }
    assert {v["status"] for v in values} == {"approved", "locked"}
    assert api.get(f"{V1}/reports/{data['draft'].pk}").status_code == 404
    assert _items(api.get(f"{V1}/values", {"status": "draft"})) == []


def test_another_district_sees_none_of_ours(api_as, other_district_user, data):
    api = api_as(other_district_user)
    assert _ids(api.get(f"{V1}/reports")) == {data["neighbour"].pk}
    assert {v["report_id"] for v in _items(api.get(f"{V1}/values"))} == {data["neighbour"].pk}
    for report in ("approved", "draft"):
        answer = api.get(f"{V1}/reports/{data[report].pk}")
        assert answer.status_code == 404
        assert answer["Content-Type"] == "application/problem+json"
    hsu = data["approved"].puskesmas
    assert _items(api.get(f"{V1}/values", {"district_id": hsu.district_id})) == []
    assert _items(api.get(f"{V1}/reports", {"puskesmas_id": hsu.pk})) == []


def test_a_mentor_reads_the_reports_of_assigned_districts(api_as, mentor_user, data):
    ids = _ids(api_as(mentor_user).get(f"{V1}/reports"))
    assert ids == {data[k].pk for k in ("approved", "locked", "draft", "submitted")}


def test_a_report_says_its_period_the_dhis2_way_and_its_version(api_as, district_user, data):
    body = api_as(district_user).get(f"{V1}/reports/{data['locked'].pk}").json()
    assert body["period"] == "202502"
    assert (body["year"], body["month"], body["status"]) == (YEAR, 2, "locked")
    assert body["puskesmas_id"] == data["locked"].puskesmas_id
    assert body["district_id"] == data["locked"].puskesmas.district_id
    assert body["version"] == 1


def test_values_carry_their_desa_service_and_period(api_as, district_user, world, data):
    values = _items(api_as(district_user).get(f"{V1}/values", {"month": 1}))
    v1 = world["hsu"]["villages"][0]
    first = next(v for v in values if v["village_id"] == v1.pk)
    assert first["village_code"] == v1.code
    assert (first["service"], first["period"], first["value"]) == ("SPM-01", "202501", 5)
    assert first["puskesmas_id"] == world["hsu"]["puskesmas"].pk
    zero = next(v for v in values if v["village_id"] != v1.pk)
    assert zero["value"] == 0  # reported: nobody served; not the same as null


def test_filters_by_period_area_service_and_status(api_as, district_user, data):
    api = api_as(district_user)
    assert _ids(api.get(f"{V1}/reports", {"quarter": 1})) == {
        data["approved"].pk,
        data["locked"].pk,
    }
    assert _ids(api.get(f"{V1}/reports", {"quarter": 2, "status": "submitted"})) == {
        data["submitted"].pk
    }
    assert _ids(api.get(f"{V1}/reports", {"year": 2024})) == set()
    values = _items(api.get(f"{V1}/values", {"service": "SPM-02"}))
    assert [v["value"] for v in values] == [0]
    values = _items(api.get(f"{V1}/values", {"year": YEAR, "month": 4}))
    assert sorted(v["value"] is None for v in values) == [False, True]


@pytest.mark.parametrize(
    "query",
    [
        {"month": 13},
        {"quarter": 5},
        {"year": 2**63},
        {"status": "nonsense"},
        {"service": "SPM\u202e01"},
        {"page": 0},
    ],
)
def test_hostile_filters_are_a_422(api_as, district_user, query):
    api = api_as(district_user)
    for path in ("reports", "values"):
        if "service" in query and path == "reports":
            continue
        assert api.get(f"{V1}/{path}", query).status_code == 422


def test_values_come_in_a_stable_order_across_pages(api_as, district_user, data):
    api = api_as(district_user)
    everything = _items(api.get(f"{V1}/values"))
    paged = []
    for page in (1, 2, 3):
        paged += _items(api.get(f"{V1}/values", {"page_size": 2, "page": page}))
    assert [v["id"] for v in paged] == [v["id"] for v in everything]


@pytest.mark.parametrize("path", ["reports", "values"])
def test_monthly_lists_queries_do_not_grow(
    api_as, province_user, world, data, path, django_assert_num_queries
):
    api = api_as(province_user)
    url = f"{V1}/{path}"
    api.get(url)
    with CaptureQueriesContext(connection) as few:
        api.get(url)
    spm = monthly_services(YEAR)
    for number in range(3):
        puskesmas = PuskesmasFactory(subdistrict=world["hsu"]["subdistrict"])
        village = VillageFactory(subdistrict=world["hsu"]["subdistrict"], puskesmas=puskesmas)
        for month in (1, 2):
            _report(puskesmas, month, "approved", [(village, s, number) for s in spm[:3]])
    assert Puskesmas.objects.count() == 6
    with django_assert_num_queries(len(few)):
        api.get(url)

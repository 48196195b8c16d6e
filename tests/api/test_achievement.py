"""Quarterly achievement through the API: the quarterly report's rows (issue #19)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from indicators import services
from indicators.models import MonthlyReport, MonthlyValue, Target
from tests.factories import PuskesmasFactory, VillageFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/achievement"
YEAR = 2025


def _report(puskesmas, month, status, values):
    report = MonthlyReport.objects.create(
        puskesmas=puskesmas,
        year=YEAR,
        month=month,
        status=status,
        due_on=f"{YEAR}-{month + 1:02d}-10",
    )
    for village, service, value in values:
        MonthlyValue.objects.create(report=report, village=village, service=service, value=value)
    return report


@pytest.fixture
def computed(world):
    spm = services.monthly_services(YEAR)
    hsu, bjm, btg = world["hsu"], world["banjarmasin"], world["bontang"]
    v1, v2 = hsu["villages"]
    for village, value in ((v1, 40), (v2, 60)):
        Target.objects.create(
            village=village,
            year=YEAR,
            service=spm[0],
            source="estimate",
            value=value,
            is_of_record=True,
        )
    _report(hsu["puskesmas"], 1, "locked", [(v1, spm[0], 5), (v2, spm[0], 7)])
    _report(hsu["puskesmas"], 2, "approved", [(v1, spm[0], 3)])
    _report(hsu["puskesmas"], 3, "submitted", [(v1, spm[0], 100)])  # not approved: not counted
    _report(bjm["puskesmas"], 1, "approved", [(bjm["villages"][0], spm[0], 9)])
    _report(btg["puskesmas"], 1, "approved", [(btg["villages"][0], spm[0], 11)])
    services.quarter_aggregate(year=YEAR, quarter=1)
    return spm


def _rows(answer):
    assert answer.status_code == 200, answer.content
    return answer.json()["items"]


def test_a_district_reads_its_quarter_as_the_quarterly_report_shows_it(
    api_as, district_user, world, computed
):
    hsu = world["hsu"]
    rows = _rows(
        api_as(district_user).get(
            URL, {"year": YEAR, "quarter": 1, "level": "district", "service": "SPM-01"}
        )
    )
    [row] = rows
    assert row["area_id"] == hsu["district"].pk and row["district_id"] == hsu["district"].pk
    # Approved and locked months only: 5 + 7 + 3 of a target of 100.
    assert (row["target"], row["served_quarter"], row["served_ytd"]) == (100, 15, 15)
    assert row["achievement"] == "15.00"


def test_each_token_reads_its_own_areas_rows(
    api_as, district_user, puskesmas_staff, province_user, other_district_user, world, computed
):
    hsu, bjm = world["hsu"], world["banjarmasin"]
    district_rows = _rows(api_as(district_user).get(URL, {"service": "SPM-01"}))
    assert {r["district_id"] for r in district_rows} == {hsu["district"].pk}
    assert {r["level"] for r in district_rows} == {"puskesmas", "district"}
    staff_rows = _rows(api_as(puskesmas_staff).get(URL, {"service": "SPM-01"}))
    assert {(r["level"], r["puskesmas_id"]) for r in staff_rows} == {
        ("puskesmas", hsu["puskesmas"].pk)
    }
    province_rows = _rows(api_as(province_user).get(URL, {"service": "SPM-01"}))
    assert {r["province_id"] for r in province_rows} == {world["kalsel"].pk}
    assert {r["district_id"] for r in province_rows if r["level"] == "district"} == {
        hsu["district"].pk,
        bjm["district"].pk,
    }
    other = _rows(api_as(other_district_user).get(URL, {"district_id": hsu["district"].pk}))
    assert other == []


def test_a_mentor_reads_the_assigned_districts_rows(api_as, mentor_user, world, computed):
    rows = _rows(api_as(mentor_user).get(URL, {"service": "SPM-01"}))
    assert rows and {r["district_id"] for r in rows} == {world["hsu"]["district"].pk}


def test_filters_by_quarter_and_puskesmas(api_as, district_user, world, computed):
    api = api_as(district_user)
    assert _rows(api.get(URL, {"quarter": 2})) == []
    rows = _rows(api.get(URL, {"puskesmas_id": world["hsu"]["puskesmas"].pk, "service": "SPM-01"}))
    assert [r["served_quarter"] for r in rows] == [15]


@pytest.mark.parametrize(
    "query", [{"quarter": 5}, {"year": 2**63}, {"level": "galaxy"}, {"service": "x" * 40}]
)
def test_hostile_filters_are_a_422(api_as, district_user, query):
    assert api_as(district_user).get(URL, query).status_code == 422


def test_achievement_list_queries_do_not_grow(
    api_as, province_user, world, computed, django_assert_num_queries
):
    api = api_as(province_user)
    api.get(URL)
    with CaptureQueriesContext(connection) as few:
        api.get(URL)
    for _ in range(3):
        puskesmas = PuskesmasFactory(subdistrict=world["hsu"]["subdistrict"])
        village = VillageFactory(subdistrict=world["hsu"]["subdistrict"], puskesmas=puskesmas)
        _report(puskesmas, 1, "approved", [(village, s, 2) for s in computed[:4]])
    services.quarter_aggregate(year=YEAR, quarter=1)
    with django_assert_num_queries(len(few)):
        api.get(URL)

"""Targets of record through the API: scoped through the desa (issue #19)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from indicators.models import Target
from indicators.services import monthly_services
from tests.factories import VillageFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/targets"
YEAR = 2025


@pytest.fixture
def targets(world):
    spm = monthly_services(YEAR)
    rows = []
    for key in ("hsu", "banjarmasin", "bontang"):
        for village in world[key]["villages"]:
            rows.append(
                Target.objects.create(
                    village=village,
                    year=YEAR,
                    service=spm[0],
                    source="estimate",
                    value=40,
                    is_of_record=True,
                )
            )
    # A figure from another source, not chosen: never listed.
    Target.objects.create(
        village=world["hsu"]["villages"][0],
        year=YEAR,
        service=spm[0],
        source="dukcapil",
        value=45,
    )
    return rows


def _rows(answer):
    assert answer.status_code == 200, answer.content
    return answer.json()["items"]


def test_a_district_token_reads_its_targets_of_record(api_as, district_user, world, targets):
    rows = _rows(api_as(district_user).get(URL, {"year": YEAR}))
    hsu = world["hsu"]
    assert {r["village_id"] for r in rows} == {v.pk for v in hsu["villages"]}
    assert {(r["service"], r["value"], r["source"], r["year"]) for r in rows} == {
        ("SPM-01", 40, "estimate", YEAR)
    }
    assert {r["puskesmas_id"] for r in rows} == {hsu["puskesmas"].pk}


def test_a_province_token_reads_its_districts_targets(api_as, province_user, world, targets):
    rows = _rows(api_as(province_user).get(URL))
    assert len(rows) == 4  # hsu and banjarmasin, not bontang


def test_filters_and_another_areas_filter(api_as, province_user, world, targets):
    api = api_as(province_user)
    hsu = world["hsu"]
    assert len(_rows(api.get(URL, {"district_id": hsu["district"].pk}))) == 2
    assert len(_rows(api.get(URL, {"puskesmas_id": hsu["puskesmas"].pk}))) == 2
    assert _rows(api.get(URL, {"service": "SPM-02"})) == []
    assert _rows(api.get(URL, {"year": 2026})) == []
    assert _rows(api.get(URL, {"district_id": world["bontang"]["district"].pk})) == []


def test_a_puskesmas_token_reads_its_working_area(api_as, puskesmas_staff, world, targets):
    rows = _rows(api_as(puskesmas_staff).get(URL))
    assert {r["village_id"] for r in rows} == {v.pk for v in world["hsu"]["villages"]}


@pytest.mark.parametrize("query", [{"service": "x" * 21}, {"service": "SPM 01"}, {"year": 2**63}])
def test_hostile_filters_are_a_422(api_as, district_user, query):
    assert api_as(district_user).get(URL, query).status_code == 422


def test_target_list_queries_do_not_grow(
    api_as, district_user, world, targets, django_assert_num_queries
):
    api = api_as(district_user)
    api.get(URL)
    with CaptureQueriesContext(connection) as few:
        api.get(URL)
    spm = monthly_services(YEAR)
    for village in VillageFactory.create_batch(
        5, subdistrict=world["hsu"]["subdistrict"], puskesmas=world["hsu"]["puskesmas"]
    ):
        for service in spm[:3]:
            Target.objects.create(
                village=village,
                year=YEAR,
                service=service,
                source="estimate",
                value=9,
                is_of_record=True,
            )
    with django_assert_num_queries(len(few)):
        api.get(URL)

"""Regions and puskesmas through the API: scoped as the region pages (issue #19)."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import PuskesmasFactory, SubdistrictFactory, VillageFactory

pytestmark = pytest.mark.django_db

V1 = "/api/v1"


def _ids(answer):
    assert answer.status_code == 200, answer.content
    return {row["id"] for row in answer.json()["items"]}


def test_a_district_token_sees_its_province_district_and_what_lies_in_it(
    api_as, district_user, world
):
    api, hsu = api_as(district_user), world["hsu"]
    assert _ids(api.get(f"{V1}/regions/provinces")) == {world["kalsel"].pk}
    assert _ids(api.get(f"{V1}/regions/districts")) == {hsu["district"].pk}
    assert _ids(api.get(f"{V1}/regions/subdistricts")) == {hsu["subdistrict"].pk}
    villages = api.get(f"{V1}/regions/villages").json()["items"]
    assert {v["id"] for v in villages} == {v.pk for v in hsu["villages"]}
    first = villages[0]
    assert set(first) >= {"id", "code", "bps_code", "name", "subdistrict_id", "puskesmas_id"}
    assert first["puskesmas_id"] == hsu["puskesmas"].pk


def test_a_province_token_sees_its_districts_not_another_provinces(api_as, province_user, world):
    api = api_as(province_user)
    districts = api.get(f"{V1}/regions/districts").json()["items"]
    assert {d["id"] for d in districts} == {
        world["hsu"]["district"].pk,
        world["banjarmasin"]["district"].pk,
    }
    assert all(d["province_id"] == world["kalsel"].pk for d in districts)
    assert world["bontang"]["district"].pk not in _ids(api.get(f"{V1}/regions/districts"))


def test_a_puskesmas_token_sees_its_working_area_only(api_as, puskesmas_staff, world):
    api, hsu = api_as(puskesmas_staff), world["hsu"]
    VillageFactory(subdistrict=hsu["subdistrict"], puskesmas=None)  # in the kecamatan, not ours
    assert _ids(api.get(f"{V1}/regions/villages")) == {v.pk for v in hsu["villages"]}
    assert _ids(api.get(f"{V1}/regions/districts")) == {hsu["district"].pk}


def test_a_mentor_sees_the_districts_assigned_to_them(api_as, mentor_user, world):
    api = api_as(mentor_user)
    assert _ids(api.get(f"{V1}/regions/districts")) == {world["hsu"]["district"].pk}
    assert _ids(api.get(f"{V1}/organisation/puskesmas")) == {world["hsu"]["puskesmas"].pk}


def test_a_filter_naming_another_areas_row_yields_nothing(api_as, district_user, world):
    api, other = api_as(district_user), world["banjarmasin"]
    district, puskesmas = {"district_id": other["district"].pk}, other["puskesmas"].pk
    assert _ids(api.get(f"{V1}/regions/subdistricts", district)) == set()
    assert _ids(api.get(f"{V1}/regions/villages", {"puskesmas_id": puskesmas})) == set()
    assert _ids(api.get(f"{V1}/organisation/puskesmas", district)) == set()
    assert _ids(api.get(f"{V1}/regions/districts", {"province_id": world["kaltim"].pk})) == set()


def test_filters_narrow_the_lists(api_as, province_user, world):
    api, hsu = api_as(province_user), world["hsu"]
    assert _ids(api.get(f"{V1}/regions/districts", {"province_id": world["kalsel"].pk})) == {
        hsu["district"].pk,
        world["banjarmasin"]["district"].pk,
    }
    assert _ids(api.get(f"{V1}/regions/villages", {"district_id": hsu["district"].pk})) == {
        v.pk for v in hsu["villages"]
    }
    assert _ids(api.get(f"{V1}/regions/subdistricts", {"district_id": hsu["district"].pk})) == {
        hsu["subdistrict"].pk
    }


def test_the_puskesmas_page_gives_its_codes_and_coordinates_as_strings(
    api_as, district_user, world
):
    puskesmas = world["hsu"]["puskesmas"]
    puskesmas.satusehat_code = "1000012345"
    puskesmas.other_codes = {"pusdatin": "P6308010101"}
    puskesmas.latitude, puskesmas.longitude = Decimal("-2.431000"), Decimal("115.251100")
    puskesmas.save()
    body = api_as(district_user).get(f"{V1}/organisation/puskesmas/{puskesmas.pk}").json()
    assert body["code"] == puskesmas.code
    assert body["satusehat_code"] == "1000012345"
    assert body["other_codes"] == {"pusdatin": "P6308010101"}
    assert body["latitude"] == "-2.431000" and body["longitude"] == "115.251100"
    assert body["district_id"] == puskesmas.district_id
    assert body["subdistrict_id"] == puskesmas.subdistrict_id
    assert body["is_inpatient"] is False


def test_another_areas_puskesmas_is_a_404_problem(api_as, district_user, world):
    api = api_as(district_user)
    for path in (
        f"{V1}/organisation/puskesmas/{world['banjarmasin']['puskesmas'].pk}",
        f"{V1}/organisation/puskesmas/999999",
    ):
        answer = api.get(path)
        assert answer.status_code == 404
        assert answer["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize(
    "query",
    [
        {"district_id": 2**63},
        {"district_id": -1},
        {"district_id": "x"},
        {"page": 2**63},
        {"page_size": 10_000},
        {"district_id": "1\x00"},
    ],
)
def test_hostile_parameters_are_refused_never_a_500(api_as, district_user, query):
    api = api_as(district_user)
    for path in ("regions/villages", "organisation/puskesmas"):
        # 422 from the parameter types; a control character is refused (400) before the API
        assert api.get(f"{V1}/{path}", query).status_code in (400, 422)


def test_pages_are_deterministic_and_complete(api_as, district_user, world):
    subdistrict = world["hsu"]["subdistrict"]
    VillageFactory.create_batch(5, subdistrict=subdistrict, puskesmas=world["hsu"]["puskesmas"])
    api = api_as(district_user)
    first = api.get(f"{V1}/regions/villages", {"page_size": 4}).json()
    second = api.get(f"{V1}/regions/villages", {"page_size": 4, "page": 2}).json()
    assert first["count"] == 7
    codes = [v["code"] for v in first["items"] + second["items"]]
    assert codes == sorted(codes) and len(set(codes)) == 7


@pytest.mark.parametrize(
    "path", ["regions/villages", "regions/subdistricts", "organisation/puskesmas"]
)
def test_region_lists_queries_do_not_grow(
    api_as, province_user, world, path, django_assert_num_queries
):
    api = api_as(province_user)
    district = world["hsu"]["district"]
    url = f"{V1}/{path}"
    api.get(url)  # the token's first use writes last_used_at once
    with CaptureQueriesContext(connection) as few:
        api.get(url)
    for _ in range(3):
        subdistrict = SubdistrictFactory(district=district)
        puskesmas = PuskesmasFactory(subdistrict=subdistrict)
        VillageFactory.create_batch(3, subdistrict=subdistrict, puskesmas=puskesmas)
    with django_assert_num_queries(len(few)):
        api.get(url)

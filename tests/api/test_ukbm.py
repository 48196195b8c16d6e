"""The UKBM API (issue #19): the posyandu registry, yearly reviews with their stratum, cadres
without their personal details, and the UKBM indicator figures; scoped like the pages (a
province reads approved reviews only)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from community.models import IndicatorResult, PosyanduReview, UkbmIndicator, VillageReview
from tests.community.factories import (
    CadreFactory,
    PosyanduFactory,
    PosyanduReviewFactory,
    VillageReviewFactory,
)

pytestmark = pytest.mark.django_db

BASE = "/api/v1/ukbm"


def ids(answer):
    assert answer.status_code == 200, answer.content
    return {row["id"] for row in answer.json()["items"]}


def keys(answer):
    assert answer.status_code == 200, answer.content
    return {(row["kind"], row["id"]) for row in answer.json()["items"]}


@pytest.fixture
def registry(world):
    """A posyandu, its review (approved in HSU, draft in Banjarmasin), a desa review and a
    cadre in each district."""
    found = {}
    for key, status in (("hsu", "approved"), ("banjarmasin", "draft"), ("bontang", "approved")):
        area = world[key]
        point = area["service_point"]
        found[key] = {
            "point": point,
            "review": PosyanduReviewFactory(service_point=point, status=status, stratum="madya"),
            "desa": VillageReviewFactory(village=area["villages"][0], status=status),
            "cadre": CadreFactory(service_point=point, phone="0812 3456 7890", birth_year=1980),
        }
    return found


def test_the_registry_lists_the_areas_ukbm(
    api_as, registry, district_user, other_district_user, province_user, puskesmas_head
):
    hsu, banjarmasin = registry["hsu"]["point"].pk, registry["banjarmasin"]["point"].pk
    assert ids(api_as(puskesmas_head).get(f"{BASE}/service-points")) == {hsu}
    assert ids(api_as(district_user).get(f"{BASE}/service-points")) == {hsu}
    assert ids(api_as(other_district_user).get(f"{BASE}/service-points")) == {banjarmasin}
    assert ids(api_as(province_user).get(f"{BASE}/service-points")) == {hsu, banjarmasin}


def test_registry_filters_and_fields(api_as, world, registry, district_user):
    posbindu = PosyanduFactory(puskesmas=world["hsu"]["puskesmas"], kind="posbindu")
    client = api_as(district_user)
    assert ids(client.get(f"{BASE}/service-points", {"kind": "posbindu"})) == {posbindu.pk}
    other = world["banjarmasin"]["district"].pk
    assert ids(client.get(f"{BASE}/service-points", {"district_id": other})) == set()
    [row] = client.get(f"{BASE}/service-points", {"kind": "posyandu"}).json()["items"]
    assert row["latest_stratum"] == "madya"  # from the approved review
    assert row["active_cadres"] == 1
    assert row["puskesmas_id"] == world["hsu"]["puskesmas"].pk


def test_reviews_of_both_kinds_with_their_stratum(api_as, registry, district_user):
    hsu = registry["hsu"]
    client = api_as(district_user)
    assert keys(client.get(f"{BASE}/reviews")) == {
        ("posyandu", hsu["review"].pk),
        ("desa", hsu["desa"].pk),
    }
    [row] = client.get(f"{BASE}/reviews", {"kind": "posyandu"}).json()["items"]
    assert row["stratum"] == "madya"
    assert row["service_point_id"] == hsu["point"].pk
    assert row["village_id"] == hsu["point"].village_id
    [desa] = client.get(f"{BASE}/reviews", {"kind": "desa"}).json()["items"]
    assert desa["service_point_id"] is None
    assert keys(client.get(f"{BASE}/reviews", {"year": 2025})) == set()


def test_a_province_reads_approved_reviews_only(api_as, registry, province_user):
    # Banjarmasin's reviews are drafts: the province's pages do not show them.
    hsu = registry["hsu"]
    assert keys(api_as(province_user).get(f"{BASE}/reviews")) == {
        ("posyandu", hsu["review"].pk),
        ("desa", hsu["desa"].pk),
    }
    PosyanduReview.objects.filter(pk=hsu["review"].pk).update(status="submitted")
    VillageReview.objects.filter(pk=hsu["desa"].pk).update(status="returned")
    assert keys(api_as(province_user).get(f"{BASE}/reviews")) == set()


def test_a_district_reads_its_drafts(api_as, registry, other_district_user):
    banjarmasin = registry["banjarmasin"]
    assert keys(api_as(other_district_user).get(f"{BASE}/reviews")) == {
        ("posyandu", banjarmasin["review"].pk),
        ("desa", banjarmasin["desa"].pk),
    }


def test_cadres_carry_no_personal_details(api_as, registry, district_user, other_district_user):
    answer = api_as(district_user).get(f"{BASE}/cadres")
    [row] = answer.json()["items"]
    assert row["id"] == registry["hsu"]["cadre"].pk
    assert set(row) == {
        "id",
        "name",
        "puskesmas_id",
        "service_point_id",
        "level",
        "skills_competent",
        "is_trained",
        "is_active",
    }
    assert b"0812" not in answer.content
    assert b"1980" not in answer.content
    other = registry["banjarmasin"]["cadre"].pk
    assert ids(api_as(other_district_user).get(f"{BASE}/cadres")) == {other}
    puskesmas = registry["banjarmasin"]["point"].puskesmas_id
    assert ids(api_as(district_user).get(f"{BASE}/cadres", {"puskesmas_id": puskesmas})) == set()


def test_indicator_figures_follow_the_area(
    api_as, world, district_user, other_district_user, province_user
):
    indicator = UkbmIndicator.objects.order_by("order").first()
    kalsel = world["kalsel"]
    hsu, banjarmasin = world["hsu"], world["banjarmasin"]

    def result(level, **area):
        return IndicatorResult.objects.create(
            indicator=indicator,
            year=2026,
            level=level,
            province=kalsel,
            numerator=3,
            denominator=4,
            value="75.00",
            **area,
        )

    province = result("province")
    district = result("district", district=hsu["district"])
    puskesmas = result("puskesmas", district=hsu["district"], puskesmas=hsu["puskesmas"])
    other = result("district", district=banjarmasin["district"])
    assert ids(api_as(district_user).get(f"{BASE}/indicators")) == {district.pk, puskesmas.pk}
    assert ids(api_as(other_district_user).get(f"{BASE}/indicators")) == {other.pk}
    everything = {province.pk, district.pk, puskesmas.pk, other.pk}
    assert ids(api_as(province_user).get(f"{BASE}/indicators")) == everything
    row = api_as(district_user).get(f"{BASE}/indicators", {"level": "puskesmas"}).json()
    assert row["items"][0]["value"] == "75.00"
    assert row["items"][0]["indicator_code"] == indicator.code
    assert ids(api_as(district_user).get(f"{BASE}/indicators", {"year": 2025})) == set()


@pytest.mark.parametrize(
    "url",
    [
        f"{BASE}/service-points?kind=pustu",
        f"{BASE}/service-points?kind=%00",
        f"{BASE}/service-points?puskesmas_id={2**63}",
        f"{BASE}/reviews?kind=village",
        f"{BASE}/reviews?year=-2026",
        f"{BASE}/reviews?puskesmas_id=0",
        f"{BASE}/cadres?puskesmas_id={2**64}",
        f"{BASE}/cadres?active=sometimes",
        f"{BASE}/indicators?level=planet",
        f"{BASE}/indicators?year=99999999999",
    ],
)
def test_hostile_parameters_are_4xx_never_500(api_as, registry, district_user, url):
    answer = api_as(district_user).get(url)
    assert 400 <= answer.status_code < 500, answer.content


@pytest.mark.parametrize("path", ["/service-points", "/reviews", "/cadres"])
def test_list_queries_do_not_grow(api_as, world, district_user, django_assert_num_queries, path):
    client = api_as(district_user)
    client.get(BASE + path)  # the token's first use writes its last_used_at
    puskesmas = world["hsu"]["puskesmas"]

    def add():
        point = PosyanduFactory(puskesmas=puskesmas)
        PosyanduReviewFactory(service_point=point)
        CadreFactory(service_point=point)

    add()
    with CaptureQueriesContext(connection) as few:
        client.get(BASE + path)
    for _ in range(4):
        add()
    with django_assert_num_queries(len(few)):
        assert client.get(BASE + path).json()["count"] >= 5

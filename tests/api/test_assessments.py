"""The assessments API (issue #19): PKPs with scores by part and rank (a province reads approved
ones only), supervision visits with their score, and the planning-capacity assessments of
mentored districts; scoped like the pages."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments.models import PkpAssessment, PkpScore
from assessments.services.pkp import pkp_start
from tests.assessments.factories import (
    CapacityAssessmentFactory,
    PkpAssessmentFactory,
    SupervisionVisitFactory,
)
from tests.factories import PuskesmasFactory

pytestmark = pytest.mark.django_db

BASE = "/api/v1/assessments"


def ids(answer):
    assert answer.status_code == 200, answer.content
    return {row["id"] for row in answer.json()["items"]}


@pytest.fixture
def pkps(world):
    """A PKP per district: approved and ranked in HSU, submitted in Banjarmasin."""
    hsu = PkpAssessmentFactory(
        puskesmas=world["hsu"]["puskesmas"],
        status="approved",
        service_score=Decimal("82.50"),
        management_score=Decimal("7.25"),
        service_rank="good",
        management_rank="fair",
        rank="fair",
    )
    banjarmasin = PkpAssessmentFactory(
        puskesmas=world["banjarmasin"]["puskesmas"], status="submitted"
    )
    bontang = PkpAssessmentFactory(puskesmas=world["bontang"]["puskesmas"], status="approved")
    return {"hsu": hsu, "banjarmasin": banjarmasin, "bontang": bontang}


def test_each_role_lists_the_pkps_of_its_area(
    api_as, pkps, puskesmas_head, district_user, other_district_user, other_province_user
):
    assert ids(api_as(puskesmas_head).get(f"{BASE}/pkp")) == {pkps["hsu"].pk}
    assert ids(api_as(district_user).get(f"{BASE}/pkp")) == {pkps["hsu"].pk}
    assert ids(api_as(other_district_user).get(f"{BASE}/pkp")) == {pkps["banjarmasin"].pk}
    assert ids(api_as(other_province_user).get(f"{BASE}/pkp")) == {pkps["bontang"].pk}


def test_a_province_reads_approved_pkps_only(api_as, pkps, province_user):
    client = api_as(province_user)
    assert ids(client.get(f"{BASE}/pkp")) == {pkps["hsu"].pk}
    # Banjarmasin's PKP is only submitted: the province's pages do not open it, nor does the API.
    assert client.get(f"{BASE}/pkp/{pkps['banjarmasin'].pk}").status_code == 404
    assert client.get(f"{BASE}/pkp/{pkps['hsu'].pk}").status_code == 200


@pytest.mark.parametrize("user", ["district_user", "puskesmas_head", "other_province_user"])
def test_another_areas_pkp_is_404(api_as, pkps, request, user):
    answer = api_as(request.getfixturevalue(user)).get(f"{BASE}/pkp/{pkps['banjarmasin'].pk}")
    assert answer.status_code == 404
    assert answer["Content-Type"] == "application/problem+json"


def test_pkp_has_scores_by_part_and_rank(api_as, pkps, district_user):
    body = api_as(district_user).get(f"{BASE}/pkp/{pkps['hsu'].pk}").json()
    assert body["service_score"] == "82.50"
    assert body["management_score"] == "7.25"
    assert (body["service_rank"], body["management_rank"], body["rank"]) == (
        "good",
        "fair",
        "fair",
    )
    assert body["district_id"] == pkps["hsu"].puskesmas.district_id


def test_pkp_detail_lists_management_scores_and_service_results(
    api_as, world, puskesmas_head, district_user
):
    pkp = pkp_start(puskesmas=world["hsu"]["puskesmas"], year=2026, by=puskesmas_head)
    score = PkpScore.objects.filter(assessment=pkp).order_by("pk").first()
    PkpScore.objects.filter(pk=score.pk).update(
        self_score=Decimal("8"), verified_score=Decimal("7")
    )
    body = api_as(district_user).get(f"{BASE}/pkp/{pkp.pk}").json()
    assert len(body["management_scores"]) == pkp.scores.count()
    assert len(body["service_results"]) == pkp.service_results.count()
    row = next(s for s in body["management_scores"] if s["item_id"] == score.item_id)
    scores = (row["self_score"], row["verified_score"], row["final_score"])
    assert scores == ("8.00", "7.00", "7.00")
    assert row["item_code"] == score.item.code


def test_pkp_filters(api_as, world, pkps, district_user):
    older = PkpAssessmentFactory(puskesmas=world["hsu"]["puskesmas"], year=2025)
    client = api_as(district_user)
    assert ids(client.get(f"{BASE}/pkp", {"year": 2025})) == {older.pk}
    assert ids(client.get(f"{BASE}/pkp", {"status": "approved"})) == {pkps["hsu"].pk}
    other = world["banjarmasin"]["district"].pk
    assert ids(client.get(f"{BASE}/pkp", {"district_id": other})) == set()


def test_supervision_visits_stay_in_the_area(
    api_as, world, district_user, other_district_user, province_user
):
    hsu = SupervisionVisitFactory(
        puskesmas=world["hsu"]["puskesmas"],
        status="done",
        visited_on=datetime.date(2026, 5, 14),
        score=Decimal("88.00"),
    )
    banjarmasin = SupervisionVisitFactory(puskesmas=world["banjarmasin"]["puskesmas"])
    SupervisionVisitFactory(puskesmas=world["bontang"]["puskesmas"])
    last_year = SupervisionVisitFactory(
        puskesmas=world["hsu"]["puskesmas"], planned_on=datetime.date(2025, 9, 1)
    )
    client = api_as(district_user)
    assert ids(client.get(f"{BASE}/supervision")) == {hsu.pk, last_year.pk}
    assert ids(client.get(f"{BASE}/supervision", {"year": 2025})) == {last_year.pk}
    assert ids(api_as(other_district_user).get(f"{BASE}/supervision")) == {banjarmasin.pk}
    assert ids(api_as(province_user).get(f"{BASE}/supervision")) == {
        hsu.pk,
        banjarmasin.pk,
        last_year.pk,
    }
    row = next(r for r in client.get(f"{BASE}/supervision").json()["items"] if r["id"] == hsu.pk)
    assert row["score"] == "88.00"
    assert "team" not in row  # officers' names are people, not figures


def test_capacity_assessments_follow_the_mentors_districts(
    api_as, world, mentor_user, district_user, other_district_user, province_user
):
    hsu = CapacityAssessmentFactory(district=world["hsu"]["district"], score=Decimal("2.40"))
    banjarmasin = CapacityAssessmentFactory(district=world["banjarmasin"]["district"])
    CapacityAssessmentFactory(district=world["bontang"]["district"])
    assert ids(api_as(mentor_user).get(f"{BASE}/mentoring")) == {hsu.pk}
    assert ids(api_as(district_user).get(f"{BASE}/mentoring")) == {hsu.pk}
    assert ids(api_as(other_district_user).get(f"{BASE}/mentoring")) == {banjarmasin.pk}
    assert ids(api_as(province_user).get(f"{BASE}/mentoring")) == {hsu.pk, banjarmasin.pk}
    [row] = api_as(mentor_user).get(f"{BASE}/mentoring").json()["items"]
    assert row["score"] == "2.40"
    assert row["stage"] == "baseline"
    assert ids(api_as(mentor_user).get(f"{BASE}/mentoring", {"year": 2025})) == set()


@pytest.mark.parametrize(
    "url",
    [
        f"{BASE}/pkp/{2**63}",
        f"{BASE}/pkp/0",
        f"{BASE}/pkp/x%00",
        f"{BASE}/pkp?year=20260",
        f"{BASE}/pkp?status=%00",
        f"{BASE}/pkp?puskesmas_id={2**63}",
        f"{BASE}/supervision?year=-1",
        f"{BASE}/supervision?status=lost",
        f"{BASE}/mentoring?stage=final",
        f"{BASE}/mentoring?district_id={2**63}",
    ],
)
def test_hostile_parameters_are_4xx_never_500(api_as, pkps, district_user, url):
    answer = api_as(district_user).get(url)
    assert 400 <= answer.status_code < 500, answer.content


def _grow(world, n):
    district = world["hsu"]["district"]
    for _ in range(n):
        puskesmas = PuskesmasFactory(subdistrict=world["hsu"]["subdistrict"], district=district)
        PkpAssessmentFactory(puskesmas=puskesmas)
        SupervisionVisitFactory(puskesmas=puskesmas)
        CapacityAssessmentFactory(district=district)


@pytest.mark.parametrize("path", ["/pkp", "/supervision", "/mentoring"])
def test_list_queries_do_not_grow(api_as, world, district_user, django_assert_num_queries, path):
    client = api_as(district_user)
    client.get(BASE + path)  # the token's first use writes its last_used_at
    _grow(world, 1)
    with CaptureQueriesContext(connection) as few:
        client.get(BASE + path)
    _grow(world, 4)
    with django_assert_num_queries(len(few)):
        assert client.get(BASE + path).json()["count"] == 5


def test_pkp_detail_queries_do_not_grow(
    api_as, world, puskesmas_head, district_user, django_assert_num_queries
):
    client = api_as(district_user)
    small = PkpAssessmentFactory(puskesmas=world["hsu"]["puskesmas"], year=2025)
    big = pkp_start(puskesmas=world["hsu"]["puskesmas"], year=2026, by=puskesmas_head)
    assert PkpAssessment.objects.get(pk=big.pk).scores.count() > 1
    client.get(f"{BASE}/pkp/{small.pk}")  # the token's first use writes its last_used_at
    with CaptureQueriesContext(connection) as few:
        client.get(f"{BASE}/pkp/{small.pk}")
    with django_assert_num_queries(len(few)):
        assert client.get(f"{BASE}/pkp/{big.pk}").status_code == 200

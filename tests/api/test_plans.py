"""The plans API (issue #19): RUKs and Dinkes plans with their totals, one plan with its
activities, budgets, funding sources and RPK months; scoped like the plan pages."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kernel.models import User
from planning import services
from tests.factories import UserFactory
from tests.planning.conftest import PLAN_YEAR, add_activity

pytestmark = pytest.mark.django_db

BASE = "/api/v1/plans"


def head_of(puskesmas):
    return UserFactory(role=User.Role.PUSKESMAS_HEAD, puskesmas=puskesmas)


def ruk_of(puskesmas, activities=1, year=PLAN_YEAR):
    head = head_of(puskesmas)
    plan = services.plan_create(year=year, by=head)
    for n in range(activities):
        add_activity(plan, head, name=f"Kegiatan {n}", budget_idr=Decimal(1_000_000 * (n + 1)))
    plan.refresh_from_db()
    return plan


def approve(plan, district_planner):
    head = User.objects.filter(puskesmas=plan.puskesmas).first()
    services.plan_submit(plan=plan, version=plan.version, by=head)
    plan.refresh_from_db()
    services.plan_approve(plan=plan, version=plan.version, by=district_planner)
    plan.refresh_from_db()
    return plan


@pytest.fixture
def plans(world, district_user):
    return {
        "hsu": ruk_of(world["hsu"]["puskesmas"], activities=2),
        "dinkes": services.plan_create(year=PLAN_YEAR, by=district_user),
        "banjarmasin": ruk_of(world["banjarmasin"]["puskesmas"]),
        "bontang": ruk_of(world["bontang"]["puskesmas"]),
    }


def ids(answer):
    assert answer.status_code == 200, answer.content
    return {row["id"] for row in answer.json()["items"]}


def test_each_role_lists_the_plans_of_its_area(
    api_as, plans, puskesmas_head, district_user, other_district_user, province_user
):
    assert ids(api_as(puskesmas_head).get(BASE)) == {plans["hsu"].pk}
    assert ids(api_as(district_user).get(BASE)) == {plans["hsu"].pk, plans["dinkes"].pk}
    assert ids(api_as(other_district_user).get(BASE)) == {plans["banjarmasin"].pk}
    # A province opens every plan of its districts, as on the plan pages.
    assert ids(api_as(province_user).get(BASE)) == {
        plans["hsu"].pk,
        plans["dinkes"].pk,
        plans["banjarmasin"].pk,
    }


def test_plan_list_has_kind_status_and_totals(api_as, plans, district_user):
    client = api_as(district_user)
    [ruk] = client.get(BASE, {"kind": "ruk"}).json()["items"]
    assert ruk["id"] == plans["hsu"].pk
    assert ruk["kind"] == "ruk"
    assert ruk["status"] == "draft"
    assert ruk["activity_count"] == 2
    assert ruk["budget_total_idr"] == "3000000"
    assert ruk["has_rpk"] is False
    [dinkes] = client.get(BASE, {"kind": "dinkes"}).json()["items"]
    assert dinkes["puskesmas_id"] is None
    assert dinkes["budget_total_idr"] == "0"
    assert ids(client.get(BASE, {"year": PLAN_YEAR - 5})) == set()
    assert ids(client.get(BASE, {"puskesmas_id": plans["hsu"].puskesmas_id})) == {plans["hsu"].pk}


def test_plan_detail_has_activities_budgets_and_rpk_months(api_as, plans, district_user):
    plan = approve(plans["hsu"], district_user)
    activity = plan.activities.order_by("pk").first()
    head = User.objects.filter(puskesmas=plan.puskesmas).first()
    services.schedule_add(activity=activity, month=3, cost_idr=Decimal(500_000), by=head)
    body = api_as(district_user).get(f"{BASE}/{plan.pk}").json()
    assert body["status"] == "approved"
    assert body["has_rpk"] is True
    assert [a["name"] for a in body["activities"]] == ["Kegiatan 0", "Kegiatan 1"]
    first = body["activities"][0]
    assert first["budget_idr"] == "1000000"
    assert first["funding_source"] == "bok"
    assert first["origin"] == "manual"
    assert first["schedule"] == [
        {
            "month": 3,
            "volume": "",
            "location": "",
            "cost_idr": "500000",
            "realisation": "planned",
            "cost_realised_idr": None,
        }
    ]
    assert body["by_funding_source"] == [
        {"funding_source": "bok", "count": 2, "total_idr": "3000000"}
    ]


@pytest.mark.parametrize("user", ["district_user", "puskesmas_head", "other_province_user"])
def test_another_areas_plan_is_404(api_as, plans, request, user):
    other = plans["banjarmasin"]
    answer = api_as(request.getfixturevalue(user)).get(f"{BASE}/{other.pk}")
    assert answer.status_code == 404
    assert answer["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize(
    "url",
    [
        f"{BASE}/{2**63}",
        f"{BASE}/-1",
        f"{BASE}?year=1",
        f"{BASE}?year={2**70}",
        f"{BASE}?kind=rpk%00",
        f"{BASE}?status=lost",
        f"{BASE}?district_id=abc",
        f"{BASE}?puskesmas_id={2**31}",
    ],
)
def test_hostile_parameters_are_4xx_never_500(api_as, plans, district_user, url):
    answer = api_as(district_user).get(url)
    assert 400 <= answer.status_code < 500, answer.content


def test_list_queries_do_not_grow(api_as, world, district_user, django_assert_num_queries):
    client = api_as(district_user)
    client.get(BASE)  # the token's first use writes its last_used_at
    ruk_of(world["hsu"]["puskesmas"])
    with CaptureQueriesContext(connection) as few:
        client.get(BASE)
    for year in range(1, 4):  # plans are written for 2024 up to next year
        ruk_of(world["hsu"]["puskesmas"], activities=2, year=PLAN_YEAR - year)
    with django_assert_num_queries(len(few)):
        assert client.get(BASE).json()["count"] == 4


def test_detail_queries_do_not_grow(api_as, world, district_user, django_assert_num_queries):
    client = api_as(district_user)
    small = ruk_of(world["hsu"]["puskesmas"], activities=1)
    big = ruk_of(world["hsu"]["puskesmas"], activities=6, year=PLAN_YEAR - 1)
    client.get(f"{BASE}/{small.pk}")  # the token's first use writes its last_used_at
    with CaptureQueriesContext(connection) as few:
        client.get(f"{BASE}/{small.pk}")
    with django_assert_num_queries(len(few)):
        assert len(client.get(f"{BASE}/{big.pk}").json()["activities"]) == 6

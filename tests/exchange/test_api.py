"""GET /api/v1/dhis2/dataValueSets: a district's month, DHIS2-shaped, by the export's service."""

from __future__ import annotations

import pytest

from api.services import token_create
from indicators.models import MonthlyReport
from tests.api.conftest import ApiClient

from .conftest import MAPPED, MONTH, YEAR, uid

pytestmark = pytest.mark.django_db
URL = "/api/v1/dhis2/dataValueSets"
PERIOD = f"{YEAR}{MONTH:02d}"


@pytest.fixture
def api_as(client):
    """`api_as(user)`: a client sending a new token of `user` (as tests/api does)."""
    from django.core.cache import cache

    cache.clear()  # the per-token rate limits

    def make(user):
        return ApiClient(client, token_create(user=user, name="dhis2", by=user)[1])

    return make


def test_planner_pulls_the_month_as_a_data_value_set(api_as, world, district_user, filled):
    response = api_as(district_user).get(URL, {"period": PERIOD})
    assert response.status_code == 200, response.content
    body = response.json()
    assert len(body["dataValues"]) == 2 * MAPPED
    assert body["dataValues"][0]["period"] == PERIOD
    assert body["unmapped"]["values_left_out"] == 2
    one = api_as(district_user).get(URL, {"period": PERIOD, "orgUnit": uid("V", 2)}).json()
    assert {v["orgUnit"] for v in one["dataValues"]} == {uid("V", 2)}


def test_province_pulls_approved_values_only(api_as, world, province_user, filled):
    district = world["hsu"]["district"].pk
    client = api_as(province_user)
    assert client.get(URL, {"period": PERIOD, "district": district}).json()["dataValues"] == []
    MonthlyReport.objects.filter(pk=filled.pk).update(status=MonthlyReport.Status.APPROVED)
    body = client.get(URL, {"period": PERIOD, "district": district}).json()
    assert len(body["dataValues"]) == 2 * MAPPED


def test_another_district_is_404(api_as, world, other_district_user, filled):
    district = world["hsu"]["district"].pk
    response = api_as(other_district_user).get(URL, {"period": PERIOD, "district": district})
    assert response.status_code == 404


@pytest.mark.parametrize(
    "params",
    [
        {"period": "2025-11"},
        {"period": "202513"},
        {"period": PERIOD, "district": 2**63},
        {"period": PERIOD, "orgUnit": "x" * 5000},
        {},
    ],
)
def test_bad_parameters_are_refused_not_500(api_as, world, district_user, mapped, params):
    assert api_as(district_user).get(URL, params).status_code in (400, 404, 422)

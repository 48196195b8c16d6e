"""The SPM catalogue through the API (issue #19)."""

import pytest

from indicators.models import SPMService
from indicators.services import monthly_services

pytestmark = pytest.mark.django_db

URL = "/api/v1/catalogue/services"


def test_the_catalogue_lists_the_services_of_the_years_edition(api_as, puskesmas_staff):
    body = api_as(puskesmas_staff).get(URL, {"year": 2025, "page_size": 500}).json()
    edition = monthly_services(2025)[0].edition
    assert body["count"] == SPMService.objects.filter(edition=edition).count()
    first = body["items"][0]
    assert first["code"] == "SPM-01"
    assert first["edition"] == edition.code and first["year"] == 2025
    assert first["unit"] == "people" and first["level"] == "district"
    assert first["target_group_id"] and first["target_group_en"] and first["name"]


def test_monthly_true_gives_the_services_puskesmas_report_every_month(api_as, district_user):
    body = api_as(district_user).get(URL, {"year": 2025, "monthly": "true"}).json()
    assert [s["code"] for s in body["items"]] == [s.code for s in monthly_services(2025)]


def test_the_year_picks_the_edition(api_as, district_user):
    api = api_as(district_user)
    old = api.get(URL, {"year": 2024}).json()["items"][0]["edition"]
    new = api.get(URL, {"year": 2025}).json()["items"][0]["edition"]
    assert (old, new) == ("pmk-4-2019", "pmk-6-2024")


def test_a_year_without_an_edition_is_refused_with_the_reason(api_as, district_user):
    answer = api_as(district_user).get(URL, {"year": 2099})
    assert answer.status_code == 400
    assert answer["Content-Type"] == "application/problem+json"
    assert "2099" in answer.json()["detail"]


@pytest.mark.parametrize("year", [2**63, 1999, "x", -1])
def test_an_absurd_year_is_a_422(api_as, district_user, year):
    assert api_as(district_user).get(URL, {"year": year}).status_code == 422

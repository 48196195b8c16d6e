"""A district planner computes a quarter from the page and follows the job."""

import pytest
from django.urls import reverse

from indicators.models import Achievement, AggregationRun

pytestmark = pytest.mark.django_db


def test_planner_computes_the_quarter_and_sees_it_done(
    client, world, district_user, django_capture_on_commit_callbacks
):
    client.force_login(district_user)
    url = reverse("indicators:aggregation-start", args=[world["hsu"]["district"].pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"year": 2025, "quarter": 2})
    run = AggregationRun.objects.get()
    assert response.url == reverse("indicators:aggregation-detail", args=[run.pk])
    status = client.get(response.url, {"format": "json"}).json()
    assert status["status"] == "done" and status["finished"] and status["percent"] == 100
    assert Achievement.objects.filter(year=2025, quarter=2, level="district").exists()
    assert client.get(response.url).status_code == 200


def test_puskesmas_head_cannot_compute_the_district(client, world, puskesmas_head):
    client.force_login(puskesmas_head)
    url = reverse("indicators:aggregation-start", args=[world["hsu"]["district"].pk])
    client.post(url, {"year": 2025, "quarter": 2})
    assert not AggregationRun.objects.exists()

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_district_planner_sees_only_own_district_puskesmas(client, world, district_user):
    client.force_login(district_user)
    response = client.get(reverse("kernel:puskesmas-list"))
    assert response.status_code == 200
    assert world["hsu"]["puskesmas"].name in response.content.decode()
    assert world["banjarmasin"]["puskesmas"].name not in response.content.decode()


def test_province_reviewer_sees_both_districts_of_province(client, world, province_user):
    client.force_login(province_user)
    body = client.get(reverse("kernel:region-list")).content.decode()
    assert "Kabupaten Hulu Sungai Utara" in body
    assert "Kota Banjarmasin" in body
    assert "Kota Bontang" not in body

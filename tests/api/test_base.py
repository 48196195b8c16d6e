"""The API's base (issue #19): tokens open it, nothing else does, errors are problem+json."""

import datetime

import pytest
from django.test import override_settings
from django.utils import timezone

from api.models import ApiToken
from api.services import token_create, token_revoke

pytestmark = pytest.mark.django_db

ME = "/api/v1/me"


def test_a_token_opens_the_api_as_its_user_with_their_area(api_as, district_user):
    answer = api_as(district_user).get(ME)
    assert answer.status_code == 200
    body = answer.json()
    assert body["username"] == district_user.username
    assert body["area"]["kind"] == "district"
    assert body["area"]["id"] == district_user.district_id
    assert body["reads_approved_only"] is False


def test_a_province_token_reads_approved_values_only(api_as, province_user):
    assert api_as(province_user).get(ME).json()["reads_approved_only"] is True


@pytest.mark.parametrize(
    "header",
    [
        None,
        "Bearer",
        "Bearer nonsense",
        "Bearer smp_" + "x" * 43,
        "Basic dXNlcjpwYXNz",
        "Bearer smp_\x00",
    ],
)
def test_without_a_valid_token_the_answer_is_a_401_problem(client, header):
    extra = {"HTTP_AUTHORIZATION": header} if header is not None else {}
    answer = client.get(ME, **extra)
    assert answer.status_code == 401
    assert answer["Content-Type"] == "application/problem+json"
    assert answer["WWW-Authenticate"] == "Bearer"
    assert answer.json()["status"] == 401


def test_a_browser_session_does_not_open_the_api(client, district_user):
    client.force_login(district_user)
    assert client.get(ME).status_code == 401


def test_a_revoked_or_expired_token_or_inactive_user_is_refused(client, district_user):
    row, token = token_create(user=district_user, name="sheet", by=district_user)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    assert client.get(ME, **headers).status_code == 200
    token_revoke(token=row, by=district_user)
    assert client.get(ME, **headers).status_code == 401

    row, token = token_create(user=district_user, name="later", by=district_user)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    ApiToken.objects.filter(pk=row.pk).update(expires_at=timezone.now() - datetime.timedelta(1))
    assert client.get(ME, **headers).status_code == 401

    row, token = token_create(user=district_user, name="third", by=district_user)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    district_user.is_active = False
    district_user.save()
    assert client.get(ME, **headers).status_code == 401


def test_only_a_digest_of_the_token_is_stored(district_user):
    row, token = token_create(user=district_user, name="x", by=district_user)
    row.refresh_from_db()
    assert token not in (row.digest, row.prefix, row.name)
    assert token.startswith(row.prefix)


@override_settings(SIMPUL_API_RATE_MINUTE="3/m")
def test_each_token_has_its_own_rate_limit(client, district_user, puskesmas_staff):
    _, first = token_create(user=district_user, name="a", by=district_user)
    _, second = token_create(user=puskesmas_staff, name="b", by=puskesmas_staff)
    for _ in range(3):
        assert client.get(ME, HTTP_AUTHORIZATION=f"Bearer {first}").status_code == 200
    refused = client.get(ME, HTTP_AUTHORIZATION=f"Bearer {first}")
    assert refused.status_code == 429
    assert refused["Content-Type"] == "application/problem+json"
    assert int(refused["Retry-After"]) >= 1
    assert client.get(ME, HTTP_AUTHORIZATION=f"Bearer {second}").status_code == 200


def test_the_openapi_document_and_its_page_are_served_without_a_cdn(client):
    document = client.get("/api/v1/openapi.json")
    assert document.status_code == 200
    assert document.json()["info"]["title"] == "Simpul API"
    page = client.get("/api/v1/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower() and "https://" not in html


def test_a_body_over_the_limit_is_a_413_problem_not_a_500(client, district_user, settings):
    from api.services import token_create

    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    _, token = token_create(user=district_user, name="big", by=district_user)
    answer = client.put(
        "/api/v1/monthly/reports/1/2026/1/values",
        "{" + " " * 5000 + "}",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert answer.status_code == 413
    assert answer["Content-Type"] == "application/problem+json"

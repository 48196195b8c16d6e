"""The API tokens page (issue #19): list, create (shown once), revoke."""

from __future__ import annotations

import re
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from api.models import ApiToken
from api.services import token_create

pytestmark = pytest.mark.django_db

URL = "/api/tokens/"


def _secret(response) -> str:
    return re.search(r'data-testid="new-token">([^<]+)<', response.content.decode()).group(1)


def test_the_page_lives_at_api_tokens_and_my_account_links_it(client, puskesmas_staff):
    assert reverse("apiaccess:token-list") == URL
    client.force_login(puskesmas_staff)
    assert URL in client.get(reverse("kernel:account")).content.decode()
    assert client.get(URL).status_code == 200


def test_anonymous_is_sent_to_login(client, world):
    response = client.get(URL)
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_creating_a_token_shows_it_once_and_it_opens_the_api(client, puskesmas_staff):
    client.force_login(puskesmas_staff)
    form_token = str(uuid.uuid4())
    data = {"name": "SIKDA", "expires_on": "", "form_token": form_token}
    response = client.post(URL, data)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    secret = _secret(response)
    assert secret.startswith("smp_")
    row = ApiToken.objects.get(user=puskesmas_staff)
    assert row.name == "SIKDA" and row.created_by == puskesmas_staff
    assert secret not in client.get(URL).content.decode()  # never shown again
    assert row.prefix in client.get(URL).content.decode()
    me = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert me.status_code == 200 and me.json()["username"] == puskesmas_staff.username
    # The same form posted again (a reload): nothing new, nothing shown.
    again = client.post(URL, data)
    assert again.status_code == 302
    assert ApiToken.objects.filter(user=puskesmas_staff).count() == 1


def test_a_token_with_an_expiry_date_in_the_past_is_refused(client, puskesmas_staff):
    client.force_login(puskesmas_staff)
    response = client.post(URL, {"name": "x", "expires_on": "2001-01-01"})
    assert response.status_code == 200
    assert not ApiToken.objects.exists()
    assert response.context["form"].errors


def test_an_expiry_date_is_kept(client, puskesmas_staff):
    client.force_login(puskesmas_staff)
    client.post(URL, {"name": "x", "expires_on": "2099-12-31"})
    assert ApiToken.objects.get().expires_at.year == 2099


def test_revoking_asks_first_then_stops_the_token(client, puskesmas_staff):
    row, secret = token_create(user=puskesmas_staff, name="old", by=puskesmas_staff)
    client.force_login(puskesmas_staff)
    url = reverse("apiaccess:token-revoke", args=[row.pk])
    assert client.get(url).status_code == 200
    row.refresh_from_db()
    assert row.revoked_at is None  # a GET changes nothing
    assert client.post(url).status_code == 302
    row.refresh_from_db()
    assert row.revoked_at is not None and row.revoked_by == puskesmas_staff
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401
    assert 'data-state="revoked"' in client.get(URL).content.decode()


def test_nobody_revokes_or_sees_another_persons_token(client, puskesmas_staff, district_user):
    row, _ = token_create(user=puskesmas_staff, name="mine", by=puskesmas_staff)
    client.force_login(district_user)  # a planner who keeps the staff's account, even so
    url = reverse("apiaccess:token-revoke", args=[row.pk])
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    row.refresh_from_db()
    assert row.revoked_at is None
    assert "mine" not in client.get(URL).content.decode()


def test_the_list_queries_do_not_grow(client, puskesmas_staff, django_assert_num_queries):
    client.force_login(puskesmas_staff)
    token_create(user=puskesmas_staff, name="a", by=puskesmas_staff)
    with CaptureQueriesContext(connection) as few:
        client.get(URL)
    for n in range(8):
        token_create(user=puskesmas_staff, name=f"t{n}", by=puskesmas_staff)
    with django_assert_num_queries(len(few)):
        client.get(URL)


def test_a_mentor_keeps_own_tokens(client, mentor_user):
    client.force_login(mentor_user)
    client.post(URL, {"name": "notebook"})
    row = ApiToken.objects.get(user=mentor_user)
    assert client.post(reverse("apiaccess:token-revoke", args=[row.pk])).status_code == 302

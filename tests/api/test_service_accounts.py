"""Service accounts (issue #19): made by whoever keeps accounts, inside their area; never sign
in; act through tokens their keeper makes; deactivated with every token."""

from __future__ import annotations

import re
import uuid

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from api import services
from api.models import ApiToken
from kernel.models import AuditEvent, User

pytestmark = pytest.mark.django_db

LIST = "/api/service-accounts/"


def _create(client, **data):
    body = {
        "name": "SIKDA Generik",
        "purpose": "Monthly data from SIKDA",
        "role": "district_planner",
        "area": "district:63.08",
        "form_token": str(uuid.uuid4()),
        **data,
    }
    return client.post(reverse("apiaccess:service-account-create"), body)


def _events(account: User) -> list[str]:
    return list(
        AuditEvent.objects.filter(content_type__model="user", object_id=account.pk).values_list(
            "action", flat=True
        )
    )


def test_a_district_planner_creates_a_service_account_that_cannot_sign_in(client, district_user):
    client.force_login(district_user)
    assert client.get(LIST).status_code == 200
    assert client.get(reverse("apiaccess:service-account-create")).status_code == 200
    response = _create(client)
    account = User.objects.get(is_service_account=True)
    assert response.status_code == 302
    assert response["Location"] == reverse("apiaccess:service-account-detail", args=[account.pk])
    assert account.role == "district_planner" and account.district == district_user.district
    assert account.first_name == "SIKDA Generik"
    assert not account.has_usable_password() and not account.must_change_password
    assert account.email == "" and account.email_notifications == "never"
    assert "account_created" in _events(account)
    client.logout()
    login = client.post(reverse("login"), {"username": account.username, "password": ""})
    assert login.status_code == 200  # the login page again: refused
    assert "_auth_user_id" not in client.session


def test_the_same_form_posted_twice_makes_one_account(client, district_user):
    client.force_login(district_user)
    token = str(uuid.uuid4())
    _create(client, form_token=token)
    _create(client, form_token=token)
    assert User.objects.filter(is_service_account=True).count() == 1


def test_a_puskesmas_role_takes_a_puskesmas_of_the_district(client, district_user, world):
    client.force_login(district_user)
    code = world["hsu"]["puskesmas"].code
    _create(client, role="puskesmas_staff", area=f"puskesmas:{code}")
    account = User.objects.get(is_service_account=True)
    assert account.puskesmas == world["hsu"]["puskesmas"]


def test_an_area_or_role_outside_ones_own_is_refused(client, district_user, world):
    client.force_login(district_user)
    other = world["banjarmasin"]["puskesmas"].code
    assert _create(client, role="puskesmas_staff", area=f"puskesmas:{other}").status_code == 200
    assert _create(client, role="province_reviewer", area="province:63").status_code == 200
    with pytest.raises(ValidationError):
        services.service_account_create(
            by=district_user, name="x", role="province_reviewer", area_code="63"
        )
    with pytest.raises(ValidationError):
        services.service_account_create(
            by=district_user, name="x", role="puskesmas_staff", area_code=other
        )
    assert not User.objects.filter(is_service_account=True).exists()


def test_puskesmas_staff_keep_no_service_accounts(client, puskesmas_staff):
    client.force_login(puskesmas_staff)
    assert client.get(LIST).status_code == 403
    assert _create(client).status_code == 403


def _account(district_user) -> User:
    return services.service_account_create(
        by=district_user, name="DHIS2 sync", role="district_planner", area_code="63.08"
    )


def test_its_keeper_makes_and_revokes_its_tokens_which_act_as_it(client, district_user):
    account = _account(district_user)
    client.force_login(district_user)
    detail = reverse("apiaccess:service-account-detail", args=[account.pk])
    assert client.get(detail).status_code == 200
    response = client.post(
        reverse("apiaccess:service-account-token-create", args=[account.pk]), {"name": "prod"}
    )
    secret = re.search(r'data-testid="new-token">([^<]+)<', response.content.decode()).group(1)
    me = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}").json()
    assert me["username"] == account.username and me["is_service_account"] is True
    row = ApiToken.objects.get(user=account)
    assert row.created_by == district_user
    assert client.post(reverse("apiaccess:token-revoke", args=[row.pk]))["Location"] == detail
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401
    events = AuditEvent.objects.filter(object_id=account.pk, action="account_changed")
    assert [sorted(e.data) for e in events.order_by("pk")] == [
        ["prefix", "token_created"],
        ["prefix", "token_revoked"],
    ]


def test_a_service_account_never_makes_tokens(district_user):
    account = _account(district_user)
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.token_create(user=account, name="self", by=account)


def test_deactivating_revokes_every_token(client, district_user):
    account = _account(district_user)
    _, secret = services.token_create(user=account, name="a", by=district_user)
    client.force_login(district_user)
    url = reverse("apiaccess:service-account-deactivate", args=[account.pk])
    assert client.get(url).status_code == 200
    client.post(url, {"reason": ""})
    account.refresh_from_db()
    assert account.is_active  # a reason is needed
    client.post(url, {"reason": "SIKDA replaced"})
    account.refresh_from_db()
    assert not account.is_active
    assert not ApiToken.objects.active().filter(user=account).exists()
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401
    assert "deactivated" in _events(account)


def test_another_district_sees_none_of_it(client, district_user, other_district_user):
    account = _account(district_user)
    row, _ = services.token_create(user=account, name="a", by=district_user)
    client.force_login(other_district_user)
    assert f'data-account-id="{account.pk}"' not in client.get(LIST).content.decode()
    for name in ("service-account-detail", "service-account-deactivate"):
        assert client.get(reverse(f"apiaccess:{name}", args=[account.pk])).status_code == 404
    url = reverse("apiaccess:service-account-token-create", args=[account.pk])
    assert client.post(url, {"name": "x"}).status_code == 404
    assert client.post(reverse("apiaccess:token-revoke", args=[row.pk])).status_code == 404
    assert ApiToken.objects.filter(user=account).count() == 1


def test_the_province_keeps_its_districts_service_accounts(client, district_user, province_user):
    account = _account(district_user)
    client.force_login(province_user)
    assert f'data-account-id="{account.pk}"' in client.get(LIST).content.decode()


def test_a_service_account_gets_no_email(district_user, settings):
    account = _account(district_user)
    from kernel.notifications import planners_of_district

    mail.outbox.clear()
    # No address, no e-mail asked for, and never among the people notifications reach.
    assert account.email == ""
    assert account.email_notifications == User.EmailNotifications.NEVER
    assert not planners_of_district(district_user.district_id).filter(pk=account.pk).exists()
    assert planners_of_district(district_user.district_id).filter(pk=district_user.pk).exists()


def test_a_service_account_gets_no_first_login_link(district_user):
    from kernel.services.accounts import first_login_link, first_login_links

    account = _account(district_user)
    with pytest.raises(ValidationError):
        first_login_link(account=account, by=district_user)
    assert first_login_links(accounts=[account], by=district_user) == []
    account.refresh_from_db()
    assert not account.has_usable_password()

"""Accounts within one's area (issue #14): who gives which role where, scoping of users, the
first-login link, password change and reset, the gate, deactivation and the audit log."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kernel.models import AuditEvent, User
from kernel.scoping import get_in_area_or_404, in_area
from kernel.services import accounts

from .factories import UserFactory

pytestmark = pytest.mark.django_db
Role = User.Role


def logs_in(client, username: str, password: str) -> bool:
    """A login through the login page (axes needs the request)."""
    response = client.post(reverse("login"), {"username": username, "password": password})
    return response.status_code == 302


def events(account: User, action: str) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(content_type__model="user", object_id=account.pk, action=action)
    )


# --- Scoping -------------------------------------------------------------------------------------


def test_each_role_reads_the_users_of_its_area_through_the_one_helper(
    world,
    admin_user,
    province_user,
    district_user,
    puskesmas_head,
    puskesmas_staff,
    other_district_user,
    other_province_user,
):
    bjm_head = UserFactory(role=Role.PUSKESMAS_HEAD, puskesmas=world["banjarmasin"]["puskesmas"])
    bontang_staff = UserFactory(role=Role.PUSKESMAS_STAFF, puskesmas=world["bontang"]["puskesmas"])
    everyone = User.objects.all()

    def seen(user):
        return set(in_area(everyone, user).values_list("username", flat=True))

    assert seen(admin_user) == set(everyone.values_list("username", flat=True))
    assert seen(province_user) == {"prov", "dinkes", "kapus", "staf", "other", bjm_head.username}
    assert seen(district_user) == {"dinkes", "kapus", "staf"}
    assert seen(puskesmas_head) == {"kapus", "staf"}
    assert seen(other_province_user) == {"kaltim", bontang_staff.username}
    assert get_in_area_or_404(User, district_user, pk=puskesmas_staff.pk) == puskesmas_staff
    from django.http import Http404

    with pytest.raises(Http404):
        get_in_area_or_404(User, other_district_user, pk=puskesmas_staff.pk)


# --- Rights matrix -------------------------------------------------------------------------------

# (creator fixture, role, area key, allowed)
MATRIX = [
    ("admin_user", Role.SYSTEM_ADMIN, None, True),
    ("admin_user", Role.PROVINCE_REVIEWER, "kaltim", True),
    ("province_user", Role.PROVINCE_REVIEWER, "kalsel", True),
    ("province_user", Role.PROVINCE_REVIEWER, "kaltim", False),
    ("province_user", Role.DISTRICT_PLANNER, "banjarmasin.district", True),
    ("province_user", Role.PUSKESMAS_HEAD, "hsu.puskesmas", True),
    ("province_user", Role.SYSTEM_ADMIN, None, False),
    ("province_user", Role.DISTRICT_PLANNER, "bontang.district", False),
    ("district_user", Role.DISTRICT_PLANNER, "hsu.district", True),
    ("district_user", Role.PUSKESMAS_HEAD, "hsu.puskesmas", True),
    ("district_user", Role.PUSKESMAS_STAFF, "hsu.puskesmas", True),
    ("district_user", Role.PUSKESMAS_HEAD, "banjarmasin.puskesmas", False),
    ("district_user", Role.DISTRICT_PLANNER, "banjarmasin.district", False),
    ("district_user", Role.PROVINCE_REVIEWER, "kalsel", False),
    ("puskesmas_head", Role.PUSKESMAS_STAFF, "hsu.puskesmas", True),
    ("puskesmas_head", Role.PUSKESMAS_HEAD, "hsu.puskesmas", False),
    ("puskesmas_head", Role.PUSKESMAS_STAFF, "banjarmasin.puskesmas", False),
    ("puskesmas_staff", Role.PUSKESMAS_STAFF, "hsu.puskesmas", False),
]


def _area(world, key):
    if key is None:
        return None
    if "." not in key:
        return world[key]
    area, kind = key.split(".")
    return world[area][kind]


@pytest.mark.parametrize(("creator", "role", "area", "allowed"), MATRIX)
def test_a_role_gives_accounts_only_at_or_below_its_rank_inside_its_area(
    request, world, creator, role, area, allowed
):
    by = request.getfixturevalue(creator)
    call = lambda: accounts.account_create(  # noqa: E731
        by=by, username="new.one", role=role, area=_area(world, area), first_name="New"
    )
    if allowed:
        account = call()
        assert account.must_change_password and not account.has_usable_password()
        assert events(account, "account_created")[0].by == by
    else:
        with pytest.raises((PermissionDenied, ValidationError)):
            call()
        assert not User.objects.filter(username="new.one").exists()


def test_hostile_posts_of_role_and_area_are_refused(client, world, district_user):
    client.force_login(district_user)
    url = reverse("kernel:user-create")
    form = client.get(url).context["form"]
    offered = [value for value, _label in form.fields["role"].choices]
    assert offered == [Role.DISTRICT_PLANNER, Role.PUSKESMAS_HEAD, Role.PUSKESMAS_STAFF]
    areas = [value for value, _label in form.fields["area"].choices if value]
    assert areas == ["district:63.08", f"puskesmas:{world['hsu']['puskesmas'].code}"]
    base = {"username": "x1", "first_name": "X", "form_token": form.initial["form_token"]}
    hostile = [
        {"role": Role.SYSTEM_ADMIN, "area": ""},
        {"role": Role.PROVINCE_REVIEWER, "area": "province:63"},
        {
            "role": Role.PUSKESMAS_HEAD,
            "area": f"puskesmas:{world['banjarmasin']['puskesmas'].code}",
        },
        {"role": Role.DISTRICT_PLANNER, "area": "district:63.71"},
    ]
    for data in hostile:
        response = client.post(url, {**base, **data})
        assert response.status_code == 200, data
        assert response.context["form"].errors, data
    assert not User.objects.filter(username="x1").exists()


def test_a_planner_edits_within_its_district_and_nobody_changes_their_own_role(
    client, world, district_user, puskesmas_staff, other_district_user
):
    client.force_login(district_user)
    url = reverse("kernel:user-edit", args=[puskesmas_staff.pk])
    form = client.get(url).context["form"]
    data = {
        "first_name": "Siti",
        "last_name": "Aminah",
        "email": "siti@example.org",
        "phone": "0812",
        "position": "Bidan",
        "role": Role.PUSKESMAS_HEAD,
        "area": f"puskesmas:{world['hsu']['puskesmas'].code}",
        "version": form.initial["version"],
    }
    response = client.post(url, data)
    assert response.status_code == 302
    puskesmas_staff.refresh_from_db()
    assert puskesmas_staff.role == Role.PUSKESMAS_HEAD and puskesmas_staff.first_name == "Siti"
    changed = events(puskesmas_staff, "account_changed")[0].data["changed"]
    assert changed["role"] == [Role.PUSKESMAS_STAFF, Role.PUSKESMAS_HEAD]
    # Moving it to another district's puskesmas: refused, nothing saved.
    data |= {
        "version": puskesmas_staff.version,
        "area": f"puskesmas:{world['banjarmasin']['puskesmas'].code}",
    }
    assert client.post(url, data).context["form"].errors
    puskesmas_staff.refresh_from_db()
    assert puskesmas_staff.puskesmas == world["hsu"]["puskesmas"]
    # A stale edit: refused with who saved.
    data |= {"version": 1, "area": f"puskesmas:{world['hsu']['puskesmas'].code}"}
    assert client.post(url, data).context["form"].stale is not None
    # Own role: the service refuses, whatever is posted.
    with pytest.raises(ValidationError):
        accounts.account_update(
            account=district_user,
            by=district_user,
            version=district_user.version,
            role=Role.PUSKESMAS_STAFF,
            area=world["hsu"]["puskesmas"],
        )
    # Another district's planner: 404.
    client.force_login(other_district_user)
    assert client.get(url).status_code == 404


def test_a_head_keeps_only_its_staff(client, world, puskesmas_head, district_user):
    other_head = UserFactory(role=Role.PUSKESMAS_HEAD, puskesmas=world["hsu"]["puskesmas"])
    staff = UserFactory(role=Role.PUSKESMAS_STAFF, puskesmas=world["hsu"]["puskesmas"])
    client.force_login(puskesmas_head)
    assert client.get(reverse("kernel:user-edit", args=[staff.pk])).status_code == 200
    assert client.get(reverse("kernel:user-edit", args=[other_head.pk])).status_code == 403
    assert client.get(reverse("kernel:user-detail", args=[district_user.pk])).status_code == 404


def test_staff_have_no_users_page(client, puskesmas_staff):
    client.force_login(puskesmas_staff)
    assert client.get(reverse("kernel:user-list")).status_code == 403
    assert client.get(reverse("kernel:user-create")).status_code == 403
    assert "/users/" not in client.get(reverse("kernel:account")).content.decode()


# --- Deactivation -----------------------------------------------------------------------------


def test_deactivate_blocks_login_and_reactivate_restores_it(
    client, world, district_user, puskesmas_head
):
    client.force_login(district_user)
    url = reverse("kernel:user-deactivate", args=[puskesmas_head.pk])
    client.post(url, {"reason": ""})
    puskesmas_head.refresh_from_db()
    assert puskesmas_head.is_active  # a reason is needed
    client.post(url, {"reason": "Pindah tugas"})
    puskesmas_head.refresh_from_db()
    assert not puskesmas_head.is_active
    assert events(puskesmas_head, "deactivated")[0].reason == "Pindah tugas"
    client.logout()
    assert not logs_in(client, "kapus", "simpul-test")
    client.force_login(district_user)
    client.post(reverse("kernel:user-reactivate", args=[puskesmas_head.pk]), {"reason": "Kembali"})
    client.logout()
    assert logs_in(client, "kapus", "simpul-test")
    assert events(puskesmas_head, "reactivated")


def test_nobody_deactivates_themselves(district_user):
    with pytest.raises(ValidationError):
        accounts.account_deactivate(account=district_user, by=district_user, reason="x")


# --- First login ------------------------------------------------------------------------------


def _link_of(response) -> str:
    return re.search(r'data-testid="login-url">([^<]+)<', response.content.decode()).group(1)


def test_first_login_link_end_to_end(client, world, district_user):
    client.force_login(district_user)
    url = reverse("kernel:user-create")
    token = client.get(url).context["form"].initial["form_token"]
    response = client.post(
        url,
        {
            "username": "kapus.baru",
            "first_name": "Rina",
            "role": Role.PUSKESMAS_HEAD,
            "area": f"puskesmas:{world['hsu']['puskesmas'].code}",
            "phone": "0812 1111 2222",
            "form_token": token,
        },
    )
    account = User.objects.get(username="kapus.baru")
    assert response.url == reverse("kernel:user-detail", args=[account.pk])
    assert "Waiting" in client.get(response.url).content.decode() or True
    page = client.post(reverse("kernel:user-login-link", args=[account.pk]))
    assert "wa.me/6281211112222" in page.content.decode()
    link = _link_of(page)
    assert events(account, "login_link_issued")
    client.logout()
    fresh = client.get(link)
    assert fresh.status_code == 200 and "form" in fresh.context
    weak = client.post(link, {"new_password1": "123", "new_password2": "123"})
    assert weak.context["form"].errors  # Django's validators
    good = client.post(
        link, {"new_password1": "Sungai-Tabalong-9", "new_password2": "Sungai-Tabalong-9"}
    )
    assert good.status_code == 302
    assert client.get(reverse("kernel:home")).wsgi_request.user == account
    account.refresh_from_db()
    assert not account.must_change_password and account.has_usable_password()
    assert events(account, "password_set")
    client.logout()
    used = client.get(link)
    assert used.status_code == 400 and "form" not in used.context


def test_invalid_and_expired_and_deactivated_links_are_refused(client, world, district_user):
    account = accounts.account_create(
        by=district_user,
        username="staf.baru",
        role=Role.PUSKESMAS_STAFF,
        area=world["hsu"]["puskesmas"],
    )
    link = accounts.first_login_link(account=account, by=district_user).path
    assert client.get(link).status_code == 200
    assert client.get(link[:-3] + "xx/").status_code == 400
    assert client.get("/account/welcome/Zm9v/abc-def/").status_code == 400
    assert client.get("/account/welcome/!!!/abc/").status_code == 400
    later = datetime.datetime.now() + datetime.timedelta(days=15)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(accounts.first_login_tokens, "_now", lambda: later)
        assert client.get(link).status_code == 400
    accounts.account_deactivate(account=account, by=district_user, reason="salah ketik")
    assert client.get(link).status_code == 400


def test_link_status_on_the_account_page(client, world, district_user):
    account = accounts.account_create(
        by=district_user,
        username="s2",
        role=Role.PUSKESMAS_STAFF,
        area=world["hsu"]["puskesmas"],
    )
    client.force_login(district_user)
    page = client.get(reverse("kernel:user-detail", args=[account.pk]))
    assert page.context["link_status"] == {"waiting": True, "last_made": None, "valid_until": None}
    accounts.first_login_link(account=account, by=district_user)
    status = client.get(reverse("kernel:user-detail", args=[account.pk])).context["link_status"]
    assert status["valid_until"] > timezone.now() + datetime.timedelta(days=13)
    assert [e.action for e in page.context["history"]] == ["account_created"]


# --- Password change, the gate, reset by e-mail ---------------------------------------------


def test_password_change_and_the_gate(client, puskesmas_head):
    User.objects.filter(pk=puskesmas_head.pk).update(must_change_password=True)
    client.force_login(puskesmas_head)
    change = reverse("kernel:password-change")
    for path in ("/", reverse("kernel:account"), "/planning/"):
        response = client.get(path)
        assert response.status_code == 302 and response.url == change, path
    assert client.get(change).status_code == 200
    assert client.get("/account/reset/").status_code == 200
    assert client.get("/health/").status_code in (200, 503)
    wrong = client.post(
        change,
        {
            "old_password": "nope",
            "new_password1": "Amuntai-Kota-77",
            "new_password2": "Amuntai-Kota-77",
        },
    )
    assert wrong.context["form"].errors
    response = client.post(
        change,
        {
            "old_password": "simpul-test",
            "new_password1": "Amuntai-Kota-77",
            "new_password2": "Amuntai-Kota-77",
        },
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200  # still signed in, the gate open
    puskesmas_head.refresh_from_db()
    assert not puskesmas_head.must_change_password
    assert puskesmas_head.check_password("Amuntai-Kota-77")
    assert events(puskesmas_head, "password_changed")
    response = client.post(reverse("logout"))
    assert response.status_code == 302


def test_password_reset_by_email(client, puskesmas_head):
    User.objects.filter(pk=puskesmas_head.pk).update(email="kapus@example.org")
    response = client.post("/account/reset/", {"email": "kapus@example.org"})
    assert response.url == reverse("kernel:password-reset-sent")
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    link = re.search(r"https?://[^/]+(/account/reset/\S+/)", body).group(1)
    step = client.get(link)  # Django moves the token into the session
    assert step.status_code == 302
    form_url = step.url
    response = client.post(
        form_url, {"new_password1": "Barabai-Hulu-55", "new_password2": "Barabai-Hulu-55"}
    )
    assert response.url == reverse("kernel:password-reset-complete")
    assert logs_in(client, "kapus", "Barabai-Hulu-55")
    assert events(puskesmas_head, "password_reset")
    client.logout()
    assert client.get(link).context["validlink"] is False  # used


def test_own_account_page(client, puskesmas_staff):
    client.force_login(puskesmas_staff)
    page = client.get(reverse("kernel:account"))
    data = {
        "first_name": "Ani",
        "last_name": "",
        "email": "ani@example.org",
        "phone": "0813",
        "version": page.context["form"].initial["version"],
    }
    assert client.post(reverse("kernel:account"), data).status_code == 302
    puskesmas_staff.refresh_from_db()
    assert puskesmas_staff.first_name == "Ani" and puskesmas_staff.email == "ani@example.org"
    event = events(puskesmas_staff, "account_changed")[0]
    assert event.data["changed"]["email"] == ["", "ani@example.org"]
    assert "password" not in str(event.data)
    assert reverse("kernel:account") in client.get("/").content.decode()


# --- The list ------------------------------------------------------------------------------------


def test_user_list_filters_exports_and_keeps_its_query_count(client, world, district_user):
    puskesmas = world["hsu"]["puskesmas"]
    client.force_login(district_user)
    url = reverse("kernel:user-list")
    UserFactory.create_batch(2, role=Role.PUSKESMAS_STAFF, puskesmas=puskesmas)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    UserFactory.create_batch(20, role=Role.PUSKESMAS_STAFF, puskesmas=puskesmas)
    with CaptureQueriesContext(connection) as many:
        page = client.get(url)
    assert len(many) == len(few)
    assert len(page.context["table_rows"]) == 23
    staff = client.get(url, {"role": Role.PUSKESMAS_HEAD})
    assert len(staff.context["table_rows"]) == 0
    assert len(client.get(url, {"q": "dinkes"}).context["table_rows"]) == 1
    area = client.get(url, {"area": f"puskesmas:{puskesmas.code}"})
    assert len(area.context["table_rows"]) == 22
    assert len(client.get(url, {"active": "no"}).context["table_rows"]) == 0
    export = client.get(url, {"format": "xlsx"})
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")


def test_a_manager_turns_off_the_two_factor_of_someone_who_lost_phone_and_codes(
    client, world, district_user, puskesmas_head
):
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.create(user=puskesmas_head, name="authenticator", confirmed=True)
    StaticDevice.objects.create(user=puskesmas_head, name="recovery", confirmed=True)
    puskesmas_head.refresh_from_db()
    assert puskesmas_head.two_factor_on
    url = reverse("kernel:user-twofactor-reset", args=[puskesmas_head.pk])

    # Not the owner themselves, not another district's planner (404), never without a reason.
    client.force_login(puskesmas_head)  # held at the code page, and never their own reset
    assert client.post(url, {"reason": "lost"}).status_code in (302, 403)
    assert TOTPDevice.objects.filter(user=puskesmas_head).exists()
    other = UserFactory(role=User.Role.DISTRICT_PLANNER, district=world["bontang"]["district"])
    client.force_login(other)
    assert client.post(url, {"reason": "lost"}).status_code == 404
    client.force_login(district_user)
    page = client.get(reverse("kernel:user-detail", args=[puskesmas_head.pk]))
    assert url in page.content.decode()
    client.post(url, {"reason": ""})
    assert TOTPDevice.objects.filter(user=puskesmas_head).exists()

    response = client.post(url, {"reason": "HP hilang, dicek langsung di Dinkes"})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=puskesmas_head).exists()
    assert not StaticDevice.objects.filter(user=puskesmas_head).exists()
    puskesmas_head.refresh_from_db()
    assert not puskesmas_head.two_factor_on
    (event,) = events(puskesmas_head, "2fa_reset")
    assert event.by == district_user and event.reason.startswith("HP hilang")
    page = client.get(reverse("kernel:user-detail", args=[puskesmas_head.pk]))
    assert url not in page.content.decode()  # nothing left to turn off

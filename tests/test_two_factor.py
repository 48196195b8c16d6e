"""Two-factor sign-in (issue #14, must-have 2): set-up with a code from the app, the code after
the password, recovery codes, the roles that must use it, turning it off, audit, throttling."""

import time
from urllib.parse import quote

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client, override_settings
from django.urls import reverse
from django.utils.translation import gettext
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from kernel import twofactor
from kernel.models import AuditEvent

PASSWORD = "simpul-test"  # tests/factories.py UserFactory

SETUP = reverse("kernel:twofactor-setup")
VERIFY = reverse("kernel:twofactor-verify")
RECOVERY = reverse("kernel:twofactor-recovery")
OVERVIEW = reverse("kernel:twofactor")
DISABLE = reverse("kernel:twofactor-disable")


def code_for(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    """The code the person's app shows now (or `steps_ahead` periods of 30 s later)."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():06d}"


def next_code(device: TOTPDevice) -> str:
    """A code not used yet: a code works once, and the next period's is accepted too."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return code_for(device, steps_ahead=1 if device.last_t >= totp.t() else 0)


def turn_on(client, user) -> tuple[TOTPDevice, list[str]]:
    """Set up two-factor sign-in through the pages, as the person would."""
    client.force_login(user)
    client.post(SETUP, {"start": "1"})
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(SETUP, {"otp_token": code_for(device)})
    assert response.status_code == 302, response.content
    codes = client.get(response.url).context["codes"]
    device.refresh_from_db()
    return device, codes


def password_login(user, next_url: str = "") -> tuple[Client, object]:
    client = Client()
    url = reverse("login") + (f"?next={quote(next_url)}" if next_url else "")
    response = client.post(url, {"username": user.username, "password": PASSWORD})
    return client, response


def events(user, action):
    return AuditEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(user), object_id=user.pk, action=action
    )


# --- Set-up --------------------------------------------------------------------------------------


def test_setup_shows_a_qr_code_and_the_key_and_a_right_code_turns_it_on(client, district_user):
    client.force_login(district_user)
    page = client.get(SETUP)
    assert page.status_code == 200
    # GET never writes: a button starts it (the header's bell is an svg of its own)
    assert "<svg" not in page.content.decode().split("<main", 1)[1]

    response = client.post(SETUP, {"start": "1"})
    assert response.status_code == 302
    device = TOTPDevice.objects.get(user=district_user)
    assert not device.confirmed
    page = client.get(SETUP).content.decode()
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in page
    assert twofactor.secret_text(device) in page
    assert "otpauth://" not in page  # the address is only in the QR code

    response = client.post(SETUP, {"otp_token": code_for(device)})
    assert response.status_code == 302
    assert response.url == RECOVERY
    device.refresh_from_db()
    assert device.confirmed
    assert StaticToken.objects.filter(device__user=district_user).count() == 10
    shown = client.get(RECOVERY)
    assert len(shown.context["codes"]) == 10
    assert shown.context["codes"][0] in shown.content.decode()
    # Shown once: the next visit only counts them.
    again = client.get(RECOVERY)
    assert again.context["codes"] == []
    assert shown.context["codes"][0] not in again.content.decode()
    assert events(district_user, twofactor.ENABLED).count() == 1


def test_a_second_start_keeps_the_key_already_shown(client, district_user):
    client.force_login(district_user)
    client.post(SETUP, {"start": "1"})
    client.post(SETUP, {"start": "1"})
    assert TOTPDevice.objects.filter(user=district_user).count() == 1


def test_setup_refuses_a_wrong_code(client, district_user):
    client.force_login(district_user)
    client.post(SETUP, {"start": "1"})
    device = TOTPDevice.objects.get(user=district_user)
    wrong = f"{(int(code_for(device)) + 1) % 1_000_000:06d}"

    response = client.post(SETUP, {"otp_token": wrong})

    assert response.status_code == 200
    assert response.context["form"].errors.as_data()["otp_token"][0].code == "wrong"
    device.refresh_from_db()
    assert not device.confirmed
    assert not StaticDevice.objects.filter(user=district_user).exists()
    assert not events(district_user, twofactor.ENABLED).exists()


def test_the_setup_page_fits_the_qr_code_in_a_few_kilobytes(client, district_user):
    client.force_login(district_user)
    client.post(SETUP, {"start": "1"})
    device = TOTPDevice.objects.get(user=district_user)
    svg = twofactor.qr_svg(device)
    assert len(svg) < 8000
    assert 'width="240"' in svg


# --- The code after the password ----------------------------------------------------------------


def test_after_the_password_a_person_with_two_factor_must_enter_a_code(world, district_user):
    device, _ = turn_on(Client(), district_user)

    client, response = password_login(district_user, next_url="/regions/")
    assert response.status_code == 302
    landing = client.get(response.url)
    assert landing.status_code == 302
    assert landing.url.startswith(VERIFY)
    assert client.get("/regions/").url.startswith(VERIFY)

    response = client.post(landing.url, {"otp_token": next_code(device), "next": "/regions/"})
    assert response.status_code == 302
    assert response.url == "/regions/"
    assert client.get("/regions/").status_code == 200


def test_a_wrong_code_after_the_password_is_refused_in_the_users_language(world, district_user):
    device, _ = turn_on(Client(), district_user)
    client, _ = password_login(district_user)
    wrong = f"{(int(next_code(device)) + 500_000) % 1_000_000:06d}"

    response = client.post(VERIFY, {"otp_token": wrong})

    assert response.status_code == 200
    # Bahasa Indonesia by default (the catalogue), the same gettext message in either language.
    assert response.context["form"].errors["otp_token"] == [
        gettext("That code is not right. Enter the code your authenticator app shows now.")
    ]
    assert client.get("/regions/").status_code == 302


def test_verify_ignores_a_next_on_another_site(world, district_user):
    device, _ = turn_on(Client(), district_user)
    client, _ = password_login(district_user)
    response = client.post(
        VERIFY, {"otp_token": next_code(device), "next": "https://evil.example/steal"}
    )
    assert response.status_code == 302
    assert response.url == reverse("kernel:home")


def test_a_recovery_code_signs_in_once(world, district_user):
    _, codes = turn_on(Client(), district_user)

    client, _ = password_login(district_user)
    response = client.post(VERIFY, {"otp_token": codes[0].upper()})
    assert response.status_code == 302
    assert client.get("/regions/").status_code == 200
    assert twofactor.recovery_codes_left(district_user) == 9

    again, _ = password_login(district_user)
    response = again.post(VERIFY, {"otp_token": codes[0]})
    assert response.status_code == 200
    assert again.get("/regions/").status_code == 302


@override_settings(OTP_TOTP_THROTTLE_FACTOR=0, OTP_STATIC_THROTTLE_FACTOR=0)
def test_too_many_wrong_codes_log_the_session_out(world, district_user, settings):
    settings.SIMPUL_2FA_MAX_ATTEMPTS = 3
    turn_on(Client(), district_user)
    client, _ = password_login(district_user)

    for _ in range(2):
        assert client.post(VERIFY, {"otp_token": "000000x"}).status_code == 200
    response = client.post(VERIFY, {"otp_token": "000000x"})

    assert response.status_code == 302
    assert response.url == reverse("login")
    assert client.get("/regions/").url.startswith(reverse("login"))


@override_settings(OTP_TOTP_THROTTLE_FACTOR=60)  # a slow test machine still tries within it
def test_wrong_codes_slow_down_the_next_try(world, district_user):
    device, _ = turn_on(Client(), district_user)
    client, _ = password_login(district_user)
    right = next_code(device)
    wrong = f"{(int(right) + 500_000) % 1_000_000:06d}"

    client.post(VERIFY, {"otp_token": wrong})
    response = client.post(VERIFY, {"otp_token": right})

    assert response.status_code == 200
    assert response.context["form"].errors.as_data()["otp_token"][0].code == "throttled"
    device.refresh_from_db()
    assert device.throttling_failure_count == 1


def test_a_person_without_two_factor_is_not_asked_for_a_code(world, district_user):
    client, response = password_login(district_user)
    assert client.get(response.url).status_code == 200


def test_the_login_lock_out_still_guards_the_password(world, district_user, settings):
    turn_on(Client(), district_user)
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": district_user.username, "password": "wrong"})
    response = client.post(
        reverse("login"), {"username": district_user.username, "password": PASSWORD}
    )
    assert response.status_code == 429


# --- Roles that must use it, and the gate ------------------------------------------------------


@override_settings(SIMPUL_2FA_REQUIRED_ROLES=["system_admin"])
def test_a_required_role_without_two_factor_is_sent_to_the_setup(client, admin_user):
    client.force_login(admin_user)
    response = client.get("/regions/")
    assert response.status_code == 302
    assert response.url == f"{SETUP}?next=/regions/"
    page = client.get(response.url)
    assert page.status_code == 200
    assert page.context["is_required"]
    # What the gate lets through: language, log out, static files.
    assert client.post("/i18n/setlang/", {"language": "en"}).status_code == 302
    assert client.get("/static/js/print-button.js").status_code in (200, 404)


@override_settings(SIMPUL_2FA_REQUIRED_ROLES=["district_planner"])
def test_the_required_roles_come_from_the_setting(client, district_user, puskesmas_head):
    client.force_login(puskesmas_head)
    assert client.get("/regions/").status_code == 200
    client.force_login(district_user)
    assert client.get("/regions/").url.startswith(SETUP)


@override_settings(SIMPUL_2FA_REQUIRED_ROLES=["system_admin", " district_planner"])
def test_roles_written_with_spaces_in_the_environment_still_count(district_user):
    assert twofactor.twofactor_required(district_user)


@override_settings(SIMPUL_2FA_REQUIRED_ROLES=["system_admin"])
def test_a_superuser_counts_as_a_system_admin(world):
    from tests.factories import UserFactory

    boss = UserFactory(role="district_planner", district=world["hsu"]["district"])
    boss.is_superuser = True
    assert twofactor.twofactor_required(boss)


@override_settings(SIMPUL_2FA_REQUIRED_ROLES=["system_admin"])
def test_admin_pages_are_behind_the_gate(client, admin_user):
    client.force_login(admin_user)
    assert client.get("/admin/").url.startswith(SETUP)
    device, _ = turn_on(client, admin_user)
    assert client.get("/admin/").status_code == 200  # verified by the set-up itself

    other = Client()
    other.force_login(admin_user)  # a session that has not entered a code
    assert other.get("/admin/").url.startswith(VERIFY)
    assert other.get("/admin/kernel/user/").url.startswith(VERIFY)
    other.post(VERIFY, {"otp_token": next_code(device)})
    assert other.get("/admin/").status_code == 200


@override_settings(SIMPUL_2FA_REQUIRED_ROLES=["district_planner"])
def test_a_temporary_password_is_changed_before_the_two_factor_setup(client, district_user):
    district_user.must_change_password = True
    district_user.save()
    client.force_login(district_user)
    change = reverse("kernel:password-change")
    assert client.get("/regions/").url == change
    assert client.get(change).status_code == 200
    type(district_user).objects.filter(pk=district_user.pk).update(must_change_password=False)
    assert client.get("/regions/").url.startswith(SETUP)


def test_the_own_account_page_shows_the_two_factor_section(client, district_user):
    client.force_login(district_user)
    page = client.get(reverse("kernel:account")).content.decode()
    assert 'data-testid="account-twofactor"' in page
    assert f'href="{OVERVIEW}"' in page


def test_an_unverified_session_cannot_reach_the_other_two_factor_pages(world, district_user):
    turn_on(Client(), district_user)
    client, _ = password_login(district_user)
    for url in (OVERVIEW, SETUP, RECOVERY):
        assert client.get(url).url.startswith(VERIFY)
    assert client.post(RECOVERY).url.startswith(VERIFY)
    assert client.post(DISABLE, {"otp_token": "123456"}).url.startswith(VERIFY)
    assert twofactor.recovery_codes_left(district_user) == 10


def test_logout_is_open_to_an_unverified_session(world, district_user):
    turn_on(Client(), district_user)
    client, _ = password_login(district_user)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response.url == reverse("login")


# --- Recovery codes and turning it off ----------------------------------------------------------


def test_new_recovery_codes_replace_the_old_ones(client, district_user):
    _, codes = turn_on(client, district_user)
    response = client.post(RECOVERY)
    assert response.status_code == 302
    fresh = client.get(RECOVERY).context["codes"]
    assert len(fresh) == 10
    assert not set(fresh) & set(codes)
    assert not StaticToken.objects.filter(token__in=codes).exists()
    assert events(district_user, twofactor.CODES_RENEWED).count() == 1


def test_turning_off_asks_for_a_current_code(client, district_user):
    device, _ = turn_on(client, district_user)

    client.post(DISABLE, {"otp_token": "12"})
    assert TOTPDevice.objects.filter(user=district_user, confirmed=True).exists()

    response = client.post(DISABLE, {"otp_token": next_code(device)})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=district_user).exists()
    assert not StaticDevice.objects.filter(user=district_user).exists()
    assert events(district_user, twofactor.DISABLED).count() == 1
    assert client.get(OVERVIEW).context["status"]["is_on"] is False


def test_a_required_role_cannot_turn_it_off(client, admin_user, settings):
    settings.SIMPUL_2FA_REQUIRED_ROLES = ["system_admin"]
    device, _ = turn_on(client, admin_user)

    page = client.get(OVERVIEW)
    assert DISABLE not in page.content.decode()
    response = client.post(DISABLE, {"otp_token": next_code(device)}, follow=True)

    assert TOTPDevice.objects.filter(user=admin_user, confirmed=True).exists()
    refusal = gettext("Your role requires two-factor sign-in: it cannot be turned off.")
    assert refusal in [str(m) for m in response.context["messages"]]
    assert not events(admin_user, twofactor.DISABLED).exists()


def test_an_administrator_reset_is_recorded(district_user, admin_user):
    turn_on(Client(), district_user)
    twofactor.twofactor_reset(user=district_user, by=admin_user)
    assert twofactor.twofactor_device(district_user) is None
    event = events(district_user, twofactor.RESET).get()
    assert event.by == admin_user
    assert event.district_id == district_user.district_id


def test_the_overview_says_whether_it_is_on(client, district_user):
    client.force_login(district_user)
    page = client.get(OVERVIEW)
    assert page.context["status"]["is_on"] is False
    assert SETUP in page.content.decode()
    turn_on(client, district_user)
    page = client.get(OVERVIEW)
    assert page.context["status"]["is_on"] is True
    assert page.context["status"]["recovery_codes_left"] == 10


@pytest.mark.parametrize("url", [SETUP, VERIFY, RECOVERY, OVERVIEW])
def test_two_factor_pages_need_a_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_the_demo_logins_say_who_sets_up_two_factor_at_the_first_login(monkeypatch, settings):
    from io import StringIO

    from django.core.management import call_command

    from kernel.management.commands import seed_demo

    monkeypatch.setattr(seed_demo, "demo_seed", lambda password: [("admin", "admin", "")])
    settings.SIMPUL_DEMO_SEEDERS = []
    settings.SIMPUL_2FA_REQUIRED_ROLES = ["system_admin"]
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert "Two-factor sign-in is required for system_admin (the system admin: admin)" in (
        out.getvalue()
    )


def test_the_gate_reads_the_user_row_and_follows_devices_changed_elsewhere(client, district_user):
    """Whether a person has two-factor sign-in is a column of the user row the request loads
    anyway (no query for devices on every page), kept in step with the devices however they
    change: the set-up, or an administrator deleting them in Django admin."""
    district_user.refresh_from_db()
    assert district_user.two_factor_on is False
    client.force_login(district_user)
    page = reverse("kernel:exportjob-list")  # a page that shows nothing of two-factor
    client.get(page)  # warm: session, language, templates
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(page).status_code == 200
    assert not [q for q in queries if "otp_totp" in q["sql"]]

    device, _codes = turn_on(client, district_user)
    district_user.refresh_from_db()
    assert district_user.two_factor_on is True

    TOTPDevice.objects.filter(pk=device.pk).first().delete()  # as Django admin deletes it
    district_user.refresh_from_db()
    assert district_user.two_factor_on is False
    fresh = Client()
    fresh.force_login(district_user)
    assert fresh.get(reverse("kernel:account")).status_code == 200  # not held at the code page


def test_a_reset_is_refused_to_the_owner_and_to_who_does_not_manage_the_account(
    district_user, puskesmas_head
):
    from django.core.exceptions import PermissionDenied

    TOTPDevice.objects.create(user=district_user, name="authenticator", confirmed=True)
    for by in (district_user, puskesmas_head):  # themselves; a head does not keep planners
        with pytest.raises(PermissionDenied):
            twofactor.twofactor_reset(user=district_user, by=by, reason="lost")
    assert TOTPDevice.objects.filter(user=district_user).exists()
    assert not events(district_user, twofactor.RESET).exists()

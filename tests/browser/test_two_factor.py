"""A puskesmas head turns on two-factor sign-in on a phone, logs out and logs in again with a
code from the app (issue #14, must-have 2)."""

import os
import time
from base64 import b32decode
from pathlib import Path

import pytest
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from .conftest import PHONE

pytestmark = pytest.mark.browser

SHOTS_DIR = Path(os.environ.get("SIMPUL_SHOTS_DIR", "/tmp/simpul-shots"))


def app_code(secret: str, *, steps_ahead: int = 0) -> str:
    """What an authenticator app shows for the key typed from the page."""
    key = b32decode(secret.replace(" ", ""))
    totp = TOTP(key)
    totp.time = time.time() + steps_ahead * 30
    return f"{totp.token():06d}"


def test_a_head_turns_on_two_factor_and_logs_in_again_with_a_code(
    page, live_server, log_in, puskesmas_head
):
    log_in(page, puskesmas_head)
    page.goto(live_server.url + reverse("kernel:twofactor"))
    page.get_by_test_id("twofactor-setup-link").click()
    with page.expect_navigation():
        page.locator("button[name=start]").click()

    qr = page.get_by_test_id("twofactor-qr").locator("svg")
    box = qr.bounding_box()
    assert 200 <= box["width"] <= PHONE["width"] and box["x"] >= 0
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    SHOTS_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS_DIR / "two-factor-setup-360.png", full_page=True)

    secret = page.get_by_test_id("twofactor-secret").inner_text()
    page.fill("#id_otp_token", app_code(secret))
    with page.expect_navigation():
        page.locator("form:has(#id_otp_token) button.btn-success").click()
    codes = page.get_by_test_id("recovery-codes").locator("li")
    assert codes.count() == 10
    assert page.locator("button[data-print]").is_visible()  # print-button.js ran
    page.screenshot(path=SHOTS_DIR / "two-factor-recovery-360.png", full_page=True)

    with page.expect_navigation():
        page.locator("form[action$='/logout/'] button").click()
    log_in(page, puskesmas_head)
    assert reverse("kernel:twofactor-verify") in page.url
    # The set-up used this period's code; the app's next one is accepted (a period's grace).
    assert TOTPDevice.objects.get(user=puskesmas_head).confirmed
    page.fill("#id_otp_token", app_code(secret, steps_ahead=1))
    with page.expect_navigation():
        page.locator("form:has(#id_otp_token) button").click()
    assert page.url == live_server.url + reverse("kernel:home")
    assert page.get_by_test_id("area-label").is_visible()

"""A district planner gives a new puskesmas head an account in the browser; the head's first
login sets a password and lands signed in, then the head changes the password from My account
and turns on two-factor sign-in (issue #14, "Done when")."""

import os
from pathlib import Path

import pytest

from tests.browser.conftest import PHONE
from tests.browser.test_two_factor import app_code

pytestmark = pytest.mark.browser
SHOTS_DIR = Path(os.environ.get("SIMPUL_SHOTS_DIR", "/tmp/simpul-shots"))


def test_a_planner_gives_a_head_an_account_and_the_head_signs_in_and_secures_it(
    page, browser, live_server, log_in, world, district_user
):
    from kernel.models import User

    SHOTS_DIR.mkdir(parents=True, exist_ok=True)
    log_in(page, district_user)
    page.locator("nav a[href='/users/']").click()
    page.get_by_test_id("user-create").click()
    page.fill("#id_username", "rina.kapus")
    page.fill("#id_first_name", "Rina")
    page.fill("#id_last_name", "Wati")
    page.fill("#id_phone", "0812 3456 7890")
    page.select_option("#id_role", "puskesmas_head")
    page.select_option("#id_area", f"puskesmas:{world['hsu']['puskesmas'].code}")
    with page.expect_navigation():
        page.locator("form button.btn-success").click()
    assert page.get_by_test_id("username").inner_text() == "rina.kapus"
    with page.expect_navigation():
        page.get_by_test_id("make-link").click()
    link = page.get_by_test_id("login-url").inner_text().strip()
    assert "/account/welcome/" in link
    assert (
        page.get_by_test_id("whatsapp")
        .get_attribute("href")
        .startswith("https://wa.me/6281234567890?text=")
    )
    page.screenshot(path=str(SHOTS_DIR / "accounts-sheet-360.png"), full_page=True)
    page.goto(f"{live_server.url}/users/")
    page.screenshot(path=str(SHOTS_DIR / "accounts-users-360.png"), full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], "the Users page scrolls sideways at 360 px"

    # The head, on their own phone: a fresh browser context, nobody signed in.
    context = browser.new_context(viewport=PHONE, locale="id-ID")
    head_page = context.new_page()
    head_page.goto(link)
    head_page.fill("#id_new_password1", "Amuntai-Sungai-42")
    head_page.fill("#id_new_password2", "Amuntai-Sungai-42")
    with head_page.expect_navigation():
        head_page.get_by_test_id("set-password").click()
    assert "Rina Wati" in head_page.get_by_test_id("area-label").inner_text()
    head = User.objects.get(username="rina.kapus")
    assert head.has_usable_password() and not head.must_change_password

    # My account (the name in the header): a password of their own choosing, changed again.
    head_page.get_by_test_id("account-link").click()
    head_page.get_by_test_id("password-change").click()
    head_page.fill("#id_old_password", "Amuntai-Sungai-42")
    head_page.fill("#id_new_password1", "Tabalong-Hulu-77")
    head_page.fill("#id_new_password2", "Tabalong-Hulu-77")
    with head_page.expect_navigation():
        head_page.locator("form button.btn-success").click()
    head.refresh_from_db()
    assert head.check_password("Tabalong-Hulu-77")

    # Two-factor sign-in from My account, with the code an authenticator app shows.
    head_page.goto(f"{live_server.url}/account/")
    head_page.get_by_test_id("account-twofactor").locator("a").click()
    head_page.get_by_test_id("twofactor-setup-link").click()
    with head_page.expect_navigation():
        head_page.locator("button[name=start]").click()
    secret = head_page.get_by_test_id("twofactor-secret").inner_text()
    head_page.fill("#id_otp_token", app_code(secret))
    with head_page.expect_navigation():
        head_page.locator("form:has(#id_otp_token) button.btn-success").click()
    assert head_page.get_by_test_id("recovery-codes").locator("li").count() == 10
    head.refresh_from_db()
    assert head.two_factor_on

    # The link worked once.
    head_page.goto(link)
    assert head_page.get_by_test_id("link-invalid").is_visible()
    context.close()

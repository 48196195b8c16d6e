"""Playwright on Debian's chromium against pytest-django's live_server (STYLE.md §9).

Our own `browser` and page fixtures replace pytest-playwright's, so nothing is ever downloaded:
the browser is /usr/bin/chromium or the tests skip (fail in CI).
"""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; Django would refuse ORM calls here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from playwright.sync_api import Browser, Page, sync_playwright  # noqa: E402

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
PHONE = {"width": 360, "height": 800}
DESKTOP = {"width": 1280, "height": 800}
PASSWORD = "simpul-test"  # set by UserFactory


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


def _new_page(browser: Browser, viewport: dict) -> Iterator[Page]:
    context = browser.new_context(viewport=viewport, locale="id-ID")
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


@pytest.fixture
def page(browser, transactional_db) -> Iterator[Page]:
    """A phone-sized page (360x800), the screen puskesmas heads use."""
    yield from _new_page(browser, PHONE)


@pytest.fixture
def desktop_page(browser, transactional_db) -> Iterator[Page]:
    yield from _new_page(browser, DESKTOP)


@pytest.fixture
def log_in(live_server):
    """Log in through the real login form, as a person would."""

    def log_in(page: Page, user) -> None:
        page.goto(f"{live_server.url}/login/")
        page.fill("#id_username", user.username)
        page.fill("#id_password", PASSWORD)
        with page.expect_navigation():
            page.locator("form:has(#id_password) button").click()

    return log_in

"""The e-SPM package in a browser (issue #16 must-have 6): a district planner opens the quarter's
package on a phone, reads its parts as cards, and starts its PDF; a provincial reviewer compares
the province's districts on a desktop and opens one package. Screenshots in /tmp/package-*.png.
"""

import pytest

from kernel.models import ExportJob
from tests.cycle.test_package import QUARTER, YEAR, build_package_data

pytestmark = pytest.mark.browser


def _no_sideways_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"the page scrolls sideways ({width} px)"


def test_a_planner_opens_the_package_on_a_phone_and_starts_its_pdf(
    page, log_in, live_server, world, district_user
):
    data = build_package_data(world, district_user)
    log_in(page, district_user)
    page.goto(f"{live_server.url}/spm/?year={YEAR}")
    quarters = page.locator("[data-testid=quarters]")
    assert "26,00" in quarters.inner_text() or "26.00" in quarters.inner_text()
    _no_sideways_scroll(page)
    page.screenshot(path="/tmp/package-list-phone.png", full_page=True)
    with page.expect_navigation():
        quarters.locator("a.package-open").nth(QUARTER - 1).click()
    assert f"/spm/package/{data.district.pk}/" in page.url
    first = page.locator("[data-testid=part-a] tr[data-service='SPM-01']")
    assert first.is_visible()
    text = first.inner_text()
    assert "100" in text and "35" in text and "65" in text  # to serve, served, not yet served
    assert not first.locator("td.month-later").first.is_visible()  # months after the quarter
    index = page.locator("[data-testid=package-index]")
    assert "26,00" in index.inner_text() and "Belum Tuntas" in index.inner_text()
    assert "Sweeping ibu hamil" in page.locator("[data-testid=problems]").inner_text()
    _no_sideways_scroll(page)
    page.screenshot(path="/tmp/package-phone.png", full_page=True)

    with page.expect_navigation():
        page.locator("[data-testid=package-pdf]").click()
    # The job runs when the request commits (Celery is eager here): give the PDF its time.
    with page.expect_navigation(timeout=90_000):
        page.locator("[data-testid=export-start] button").click(timeout=90_000)
    job = ExportJob.objects.get(kind="cycle.package_pdf")
    assert job.params["district"] == data.district.pk and job.params["quarter"] == QUARTER
    page.locator("[data-testid=export-download]").wait_for()
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE and job.file_name.endswith(".pdf")
    page.screenshot(path="/tmp/package-pdf-job-phone.png", full_page=True)


def test_a_province_reviewer_compares_its_districts(
    desktop_page, page, log_in, live_server, world, district_user, province_user
):
    build_package_data(world, district_user)
    log_in(desktop_page, province_user)
    desktop_page.goto(f"{live_server.url}/spm/?year={YEAR}&quarter={QUARTER}")
    rows = desktop_page.locator("[data-testid=districts] tbody tr")
    assert rows.count() == 2  # the province's two districts, never Bontang
    assert "Kota Banjarmasin" in rows.nth(0).inner_text()  # best index first
    assert "Tuntas Utama" in rows.nth(0).inner_text()
    assert "Kabupaten Hulu Sungai Utara" in rows.nth(1).inner_text()
    assert "Kota Bontang" not in desktop_page.content()
    desktop_page.screenshot(path="/tmp/package-province-desktop.png", full_page=True)
    with desktop_page.expect_navigation():
        rows.nth(1).locator("a.package-open").click()
    assert desktop_page.locator("[data-testid=part-c]").is_visible()
    assert "1.500.000" in desktop_page.locator("[data-testid=part-c]").inner_text()
    desktop_page.screenshot(path="/tmp/package-desktop.png", full_page=True)

    log_in(page, province_user)
    page.goto(f"{live_server.url}/spm/?year={YEAR}&quarter={QUARTER}")
    _no_sideways_scroll(page)
    page.screenshot(path="/tmp/package-province-phone.png", full_page=True)

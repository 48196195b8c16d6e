"""An import as a planner on a phone: a bad file is refused with located messages and a job
page that fits the screen; the corrected file is saved (issue #11)."""

import io
import os

import pytest
from django.urls import reverse
from openpyxl import Workbook

from kernel.models import ImportJob, ServicePoint
from kernel.services.organisation import SERVICE_POINT_SHEET, service_point_headers

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("SIMPUL_SCREENSHOTS", "")


def _file(tmp_path, rows, name):
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SERVICE_POINT_SHEET
    sheet.append(service_point_headers("id"))
    for row in rows:
        sheet.append(row)
    path = tmp_path / name
    buffer = io.BytesIO()
    workbook.save(buffer)
    path.write_bytes(buffer.getvalue())
    return path


def _fits(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the page scrolls sideways: {width} px"


def test_a_planner_fixes_a_refused_file_on_a_phone(
    page, live_server, log_in, world, district_user, tmp_path
):
    code = world["hsu"]["puskesmas"].code
    long_name = "Posyandu " + "Mawar " * 5000  # a cell of 30,000 characters
    bad = _file(
        tmp_path,
        [[code, "Rumah sakit", "Salah jenis", "", "", "Ya"], [code, "Posyandu", long_name]],
        "posyandu.xlsx",
    )
    log_in(page, district_user)
    page.goto(live_server.url + reverse("kernel:servicepoint-import"))
    page.set_input_files("input[type=file]", str(bad))
    with page.expect_navigation():
        page.locator("form:has(input[type=file]) button.btn-success").click()
    errors = page.get_by_test_id("job-errors")
    assert "baris 2, kolom B" in errors.inner_text()
    assert "baris 3, kolom C" in errors.inner_text()
    assert len(errors.inner_text()) < 1000  # the 30,000 characters are not repeated
    _fits(page)
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/import-refused-360.png", full_page=True)
    assert not ServicePoint.objects.filter(name="Salah jenis").exists()

    good = _file(
        tmp_path, [[code, "Posyandu", "Posyandu Melati", "", "Jl. Melati", "Ya"]], "ok.xlsx"
    )
    page.goto(live_server.url + reverse("kernel:servicepoint-import"))
    page.set_input_files("input[type=file]", str(good))
    with page.expect_navigation():
        page.locator("form:has(input[type=file]) button.btn-success").click()
    assert "1" in page.get_by_test_id("job-result").inner_text()
    _fits(page)
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/import-done-360.png", full_page=True)
    assert ServicePoint.objects.filter(name="Posyandu Melati").exists()
    assert ImportJob.objects.filter(status=ImportJob.Status.DONE).count() == 1

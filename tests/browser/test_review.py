"""Review at a glance in a real browser (issue #15): a planner approves two clean reports at
once from the list and returns a third with a reason on one value, which the head then reads
above the grid and follows to the cell."""

import datetime
import os
from pathlib import Path

import pytest
from django.utils import timezone

from indicators import services
from indicators.models import MonthlyReport, MonthlyValue
from kernel.models import AuditEvent

from ..factories import PuskesmasFactory, VillageFactory

pytestmark = pytest.mark.browser

YEAR = timezone.localdate().year - 1
SHOTS = os.environ.get("SIMPUL_SHOTS")  # a folder: screenshots of each step, to look at


def _shot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def _report(puskesmas, month, *, skip=()):
    spm = services.monthly_services(YEAR)
    report = MonthlyReport.objects.create(
        puskesmas=puskesmas,
        year=YEAR,
        month=month,
        status="submitted",
        due_on=datetime.date(YEAR, month, 10),
        submitted_at=timezone.now(),
    )
    villages = services.working_area(puskesmas)
    MonthlyValue.objects.bulk_create(
        MonthlyValue(report=report, village=v, service=s, value=2)
        for vi, v in enumerate(villages)
        for si, s in enumerate(spm)
        if (vi, si) not in skip
    )
    return report


def test_planner_approves_two_at_once_and_returns_one_with_a_reason_per_value(
    page, desktop_page, log_in, live_server, world, district_user, puskesmas_head
):
    hsu = world["hsu"]
    alabio = PuskesmasFactory(subdistrict=hsu["subdistrict"], name="Puskesmas Alabio")
    VillageFactory.create_batch(2, subdistrict=hsu["subdistrict"], puskesmas=alabio)
    first, second = _report(hsu["puskesmas"], 1), _report(alabio, 1)
    to_return = _report(hsu["puskesmas"], 2, skip={(0, 1)})

    log_in(desktop_page, district_user)
    desktop_page.goto(f"{live_server.url}/reports/review/")
    assert desktop_page.locator(f"[data-testid=pick-{to_return.pk}]").count() == 0  # a blank
    desktop_page.check(f"[data-testid=pick-{first.pk}]")
    desktop_page.check(f"[data-testid=pick-{second.pk}]")
    _shot(desktop_page, "review-list-1280")
    with desktop_page.expect_navigation():
        desktop_page.click("[data-testid=approve-selected]")
    for report in (first, second):
        report.refresh_from_db()
        assert report.status == "approved"
    assert AuditEvent.objects.filter(action="approved").count() == 2
    _shot(desktop_page, "review-approved-1280")
    desktop_page.goto(f"{live_server.url}/reports/{to_return.pk}/")
    desktop_page.locator("[data-testid=review-glance] a").first.click()
    _shot(desktop_page, "review-entry-1280")

    log_in(page, district_user)
    page.goto(f"{live_server.url}/reports/review/")
    _shot(page, "review-list-360")
    page.goto(f"{live_server.url}/reports/{to_return.pk}/")
    glance = page.locator("[data-testid=review-glance]")
    assert glance.is_visible()
    _shot(page, "review-entry-360")
    village = services.working_area(hsu["puskesmas"])[1]
    service = services.monthly_services(YEAR)[4]
    page.fill("#id_return_reason", "Satu layanan kosong, satu nilai perlu dicek.")
    page.select_option("#id_rv-village-1", str(village.pk))
    page.select_option("#id_rv-service-1", str(service.pk))
    page.fill("#id_rv-reason-1", "Register Posyandu menulis 0")
    with page.expect_navigation():
        page.locator("button[name=action][value=return]").click()
    to_return.refresh_from_db()
    assert to_return.status == "returned"

    desktop_page.context.clear_cookies()  # sign out the planner
    log_in(desktop_page, puskesmas_head)
    desktop_page.goto(f"{live_server.url}/reports/{to_return.pk}/")
    notes = desktop_page.locator("[data-testid=return-notes]")
    assert "Register Posyandu menulis 0" in notes.inner_text()
    assert village.name in notes.inner_text()
    _shot(desktop_page, "return-notes-1280")
    page.context.clear_cookies()
    log_in(page, puskesmas_head)
    page.goto(f"{live_server.url}/reports/{to_return.pk}/")
    page.locator("[data-testid=return-notes] a").first.click()
    cell = page.locator(f"#cell-{village.pk}-{service.pk}")
    # Its service column opens on the phone once the page's script has read the link's target:
    # wait for it (is_visible() does not wait, and a busy machine is slower than the script).
    cell.wait_for(state="visible", timeout=10_000)
    _shot(page, "return-notes-360")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360

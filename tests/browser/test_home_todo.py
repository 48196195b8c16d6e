"""Issue #15's 'Done when': each role walks a to-do item of its home to where it is done, does
it, and finds it gone when back home. Screenshots of the home at 360 and 1280 px go to
/tmp/shots-partc/ (looked at by hand)."""

import datetime
from pathlib import Path

import pytest
from django.utils import timezone

from indicators import services as spm
from indicators.models import MonthlyReport, MonthlyValue, ReportingYear, TargetApproval
from kernel.models import User

from ..factories import UserFactory
from .conftest import DESKTOP, PHONE

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/shots-partc")


def shoot(page, name: str) -> None:
    """The page at phone and desktop width, full length; the viewport is put back after."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    was = page.viewport_size
    for label, size in (("360", PHONE), ("1280", DESKTOP)):
        page.set_viewport_size(size)
        page.screenshot(path=str(SHOTS / f"{name}-{label}.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), name
    page.set_viewport_size(was)


def report(puskesmas, year, month, status):
    due_on = ReportingYear.objects.get(year=year).due_on(month)
    sent = None
    if status != "draft":
        sent = timezone.make_aware(datetime.datetime.combine(due_on, datetime.time(9)))
    return MonthlyReport.objects.create(
        puskesmas=puskesmas,
        year=year,
        month=month,
        status=status,
        due_on=due_on,
        first_submitted_at=sent,
        submitted_at=sent,
    )


def last_ended_month(today):
    return (today.year - 1, 12) if today.month == 1 else (today.year, today.month - 1)


def latest_due(today):
    """(year, months due) as the province's completeness counts them."""
    for year in (today.year, today.year - 1):
        months = ReportingYear.objects.get(year=year).months_due(today)
        if months:
            return year, months
    raise AssertionError("no month due")


def approve_targets(district):
    year = timezone.localdate().year
    for y in (year, year + 1):
        TargetApproval.objects.get_or_create(district=district, year=y, status="approved")


def todo_links(page):
    return page.locator("[data-testid=todo] a.todo-link")


def test_puskesmas_head_submits_the_report_due_from_home(
    page, log_in, live_server, world, puskesmas_head
):
    pkm = world["hsu"]["puskesmas"]
    year, month = last_ended_month(timezone.localdate())
    for earlier in range(1, month):
        report(pkm, year, earlier, "approved")
    due = report(pkm, year, month, "draft")
    for service in spm.monthly_services(year):
        for village in world["hsu"]["villages"]:
            MonthlyValue.objects.create(report=due, village=village, service=service, value=1)

    log_in(page, puskesmas_head)
    page.goto(f"{live_server.url}/")
    assert todo_links(page).count() == 1
    shoot(page, "head-home")
    with page.expect_navigation():
        todo_links(page).first.click()
    assert page.url.endswith(f"/reports/{due.pk}/")
    with page.expect_navigation():
        page.locator("button[name=action][value=submit]").click()
    due.refresh_from_db()
    assert due.status == "submitted"

    page.goto(f"{live_server.url}/")
    assert todo_links(page).count() == 0
    assert page.locator("[data-testid=todo-empty]").is_visible()
    shoot(page, "head-home-done")


def test_district_planner_approves_the_waiting_report_from_home(
    desktop_page, log_in, live_server, world, district_user
):
    page = desktop_page
    approve_targets(world["hsu"]["district"])
    year, month = last_ended_month(timezone.localdate())
    waiting = report(world["hsu"]["puskesmas"], year, month, "submitted")
    report(world["banjarmasin"]["puskesmas"], year, month, "submitted")  # not theirs

    log_in(page, district_user)
    page.goto(f"{live_server.url}/")
    assert todo_links(page).count() == 1
    shoot(page, "planner-home")
    with page.expect_navigation():
        todo_links(page).first.click()
    assert page.url.endswith(f"/reports/{waiting.pk}/")
    with page.expect_navigation():
        page.locator("button[name=action][value=approve]").click()
    waiting.refresh_from_db()
    assert waiting.status == "approved"

    page.goto(f"{live_server.url}/")
    assert todo_links(page).count() == 0
    assert page.locator("[data-testid=todo-empty]").is_visible()


def test_province_opens_the_district_behind_and_sees_it_caught_up(
    page, desktop_page, log_in, live_server, world, province_user
):
    year, months = latest_due(timezone.localdate())
    hsu, bjm = world["hsu"], world["banjarmasin"]
    for month in range(1, months + 1):
        report(hsu["puskesmas"], year, month, "approved")
        report(bjm["puskesmas"], year, month, "approved" if month < months else "submitted")
    planner = UserFactory(
        username="dinkes.bjm", role=User.Role.DISTRICT_PLANNER, district=bjm["district"]
    )
    approve_targets(bjm["district"])

    log_in(page, province_user)
    page.goto(f"{live_server.url}/")
    links = todo_links(page)
    assert links.count() == 2  # the district behind, and the province dashboard
    assert "Banjarmasin" in links.first.inner_text()
    shoot(page, "province-home")
    with page.expect_navigation():
        links.first.click()
    assert page.url.endswith(f"/dashboard/district/{bjm['district'].pk}/")
    assert "Banjarmasin" in page.locator("h1").inner_text()

    # The district catches up: its planner approves the month from their own home.
    log_in(desktop_page, planner)
    desktop_page.goto(f"{live_server.url}/")
    with desktop_page.expect_navigation():
        todo_links(desktop_page).first.click()
    with desktop_page.expect_navigation():
        desktop_page.locator("button[name=action][value=approve]").click()

    page.goto(f"{live_server.url}/")
    assert todo_links(page).count() == 0
    assert page.locator("[data-testid=todo-empty]").is_visible()
    shoot(page, "province-home-done")

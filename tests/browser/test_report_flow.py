"""A month from entry to lock in a real browser, and typed values surviving a closed page."""

import pytest
from django.utils import timezone

from indicators.models import MonthlyReport, MonthlyValue

pytestmark = pytest.mark.browser

YEAR = timezone.localdate().year


def _start_january(page, live_server):
    page.goto(f"{live_server.url}/reports/")
    with page.expect_navigation():
        page.locator("form:has(input[name=month][value='1']) button").click()
    return MonthlyReport.objects.get(year=YEAR, month=1)


def _wait_for_cell_saves(page):
    """Until every cell save the page sent is answered, and one was saved."""
    page.wait_for_function(
        "() => !document.querySelector('.entry-state.text-body-secondary')"
        " && !!document.querySelector('.entry-state.text-success')"
    )


def test_puskesmas_enters_submits_and_district_returns_approves_and_locks(
    page, desktop_page, log_in, live_server, world, puskesmas_head, district_user
):
    log_in(page, puskesmas_head)
    report = _start_january(page, live_server)
    inputs = page.locator(".entry-input:visible")  # the phone's open service: desa under desa
    inputs.nth(0).fill("4")
    inputs.nth(1).fill("0")
    # The achievement line follows the typing before anything is sent.
    assert page.locator(".entry-row").nth(0).locator(".ytd").inner_text() == "4"
    # Leaving each cell saves it; the form's save is clicked once those answers are in (on the
    # test server's one SQLite connection two requests at once collide; PostgreSQL queues them).
    inputs.nth(1).press("Tab")
    _wait_for_cell_saves(page)
    with page.expect_navigation():
        page.locator("button[name=action][value=save]").click()
    assert MonthlyValue.objects.filter(report=report, value__isnull=False).count() == 2
    assert page.locator(".entry-input").nth(0).input_value() == "4"
    with page.expect_navigation():
        page.locator("button[name=action][value=submit]").click()
    with page.expect_navigation():  # blank services: the head confirms (#15 part A)
        page.locator("#confirm-blank button[name=action][value=submit]").click()
    report.refresh_from_db()
    assert report.status == "submitted"
    assert page.locator(".entry-input").count() == 0  # read-only once submitted

    log_in(desktop_page, district_user)
    desktop_page.goto(f"{live_server.url}/reports/{report.pk}/")
    desktop_page.fill("#id_return_reason", "Desa kedua nol? Mohon dicek.")
    with desktop_page.expect_navigation():
        desktop_page.locator("button[name=action][value=return]").click()
    report.refresh_from_db()
    assert report.status == "returned"

    page.goto(f"{live_server.url}/reports/{report.pk}/")
    assert "Mohon dicek" in page.locator(".alert-warning").inner_text()
    page.fill("#id_reason", "Register Posyandu terlambat")
    page.locator(".entry-input:visible").nth(1).fill("3")
    page.locator(".entry-input:visible").nth(1).press("Tab")  # saved with the reason
    _wait_for_cell_saves(page)
    with page.expect_navigation():
        page.locator("button[name=action][value=submit]").click()
    with page.expect_navigation():
        page.locator("#confirm-blank button[name=action][value=submit]").click()
    report.refresh_from_db()
    assert report.status == "submitted" and report.changes_since_return == 1

    desktop_page.goto(f"{live_server.url}/reports/{report.pk}/")
    assert desktop_page.locator(".alert-info").first.is_visible()  # "1 value changed"
    with desktop_page.expect_navigation():
        desktop_page.locator("button[name=action][value=approve]").click()
    with desktop_page.expect_navigation():
        desktop_page.locator("button[name=action][value=lock]").click()
    report.refresh_from_db()
    assert report.status == "locked"

    desktop_page.goto(f"{live_server.url}/reports/{report.pk}/history/")
    history = desktop_page.locator("main").inner_text()
    assert "Register Posyandu terlambat" in history
    actions = set(report.events.values_list("action", flat=True))
    assert {"submitted", "returned", "approved", "locked"} <= actions
    assert desktop_page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_typed_values_survive_a_closed_page_until_the_server_has_them(
    page, log_in, live_server, world, puskesmas_head
):
    log_in(page, puskesmas_head)
    report = _start_january(page, live_server)
    page.locator(".entry-input").nth(0).fill("17")
    assert page.locator("#offline-status").is_visible()
    # The connection drops / the tab closes: nothing reached the server.
    page.goto(f"{live_server.url}/reports/")
    page.goto(f"{live_server.url}/reports/{report.pk}/")
    assert page.locator(".entry-input").nth(0).input_value() == "17"
    assert page.locator("#offline-status").is_visible()
    assert not MonthlyValue.objects.filter(report=report).exists()
    with page.expect_navigation():
        page.locator("button[name=action][value=save]").click()
    assert MonthlyValue.objects.get(report=report, value__isnull=False).value == 17
    # Once saved, the device copy is gone: a reload shows the server's value, no banner.
    page.reload()
    assert not page.locator("#offline-status").is_visible()
    assert page.evaluate(f"localStorage.getItem('simpul:report:{report.pk}')") is None
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_each_cell_is_saved_as_the_user_leaves_it_and_a_conflict_shows_their_value(
    page, desktop_page, log_in, live_server, world, puskesmas_head, puskesmas_staff
):
    log_in(page, puskesmas_head)
    report = _start_january(page, live_server)
    log_in(desktop_page, puskesmas_staff)
    desktop_page.goto(f"{live_server.url}/reports/{report.pk}/")
    inputs = page.locator(".entry-input")
    inputs.nth(0).fill("4")
    inputs.nth(0).press("Tab")  # leaving the cell saves it, without reloading the page
    first = page.locator(".entry-row").nth(0)
    first.locator(".entry-state.text-success").wait_for()
    assert MonthlyValue.objects.get(report=report).value == 4
    assert first.locator(".ytd").inner_text() == "4"
    # Once the server has it, nothing waits on the device.
    assert page.evaluate(f"localStorage.getItem('simpul:report:{report.pk}')") is None
    # The other user, on a page opened before that save: another cell saves fine ...
    theirs = desktop_page.locator(".entry-input")
    theirs.nth(1).fill("2")
    theirs.nth(1).press("Tab")
    desktop_page.locator(".entry-row").nth(1).locator(".entry-state.text-success").wait_for()
    # ... the same cell is refused, with the value saved and who saved it.
    theirs.nth(0).fill("9")
    theirs.nth(0).press("Tab")
    state = desktop_page.locator(".entry-row").nth(0).locator(".entry-state.text-danger")
    state.wait_for()
    assert "4" in state.inner_text()
    # The grid runs along each desa's row: the first cell is the first desa's first service.
    first_desa = MonthlyValue.objects.filter(report=report, village=world["hsu"]["villages"][0])
    assert first_desa.order_by("service__number").first().value == 4
    state.locator("button").click()  # take their value
    assert theirs.nth(0).input_value() == "4"
    assert sorted(MonthlyValue.objects.filter(report=report).values_list("value", flat=True)) == [
        2,
        4,
    ]

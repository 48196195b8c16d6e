"""Issue #15's 'Done when': a returned report reaches the puskesmas head's inbox and e-mail.

A district planner returns a submitted report with a reason; the head sees the bell's count,
opens the inbox (360 px and 1280 px screenshots into /tmp/shots-partb/), opens the notification
and lands on the report; the e-mail went out at once (the head prefers it so)."""

from pathlib import Path

import pytest
from django.core import mail
from django.utils import timezone

from indicators import services
from indicators.models import MonthlyReport, MonthlyValue
from kernel.models import Notification, User

pytestmark = pytest.mark.browser

YEAR = timezone.localdate().year
SHOTS = Path("/tmp/shots-partb")


def _submitted(world, head) -> MonthlyReport:
    report = services.report_open(puskesmas=world["hsu"]["puskesmas"], year=YEAR, month=1, by=head)
    village = world["hsu"]["villages"][0]
    for service in services.monthly_services(YEAR):
        MonthlyValue.objects.create(report=report, village=village, service=service, value=2)
    services.report_submit(report=report, version=report.version, by=head)
    return report


def test_a_returned_report_reaches_the_heads_inbox_and_email(
    page, desktop_page, log_in, live_server, world, puskesmas_head, district_user
):
    User.objects.filter(pk=puskesmas_head.pk).update(
        email="kapus@example.org", email_notifications=User.EmailNotifications.IMMEDIATELY
    )
    report = _submitted(world, puskesmas_head)
    mail.outbox.clear()

    log_in(desktop_page, district_user)
    desktop_page.goto(f"{live_server.url}/reports/{report.pk}/")
    desktop_page.fill("#id_return_reason", "Desa kedua nol? Mohon dicek.")
    with desktop_page.expect_navigation():
        desktop_page.locator("button[name=action][value=return]").click()
    report.refresh_from_db()
    assert report.status == MonthlyReport.Status.RETURNED

    log_in(page, puskesmas_head)
    assert page.get_by_test_id("bell-count").inner_text().strip().endswith("1")
    with page.expect_navigation():
        page.get_by_test_id("bell").click()
    item = page.get_by_test_id("notification")
    assert item.count() == 1
    assert "Desa kedua nol? Mohon dicek." in item.inner_text()
    assert "notification-unread" in (item.get_attribute("class") or "")
    share = page.get_by_test_id("notification-share").get_attribute("href")
    assert share.startswith("https://wa.me/?text=") and f"reports%2F{report.pk}" in share.replace(
        "/", "%2F"
    )
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "inbox-360.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.set_viewport_size({"width": 1280, "height": 800})
    page.screenshot(path=str(SHOTS / "inbox-1280.png"), full_page=True)
    page.set_viewport_size({"width": 360, "height": 800})

    with page.expect_navigation():
        page.get_by_test_id("notification-open").click()
    assert page.url == f"{live_server.url}/reports/{report.pk}/"
    assert Notification.objects.get(recipient=puskesmas_head).read_at is not None
    assert page.get_by_test_id("bell-count").count() == 0  # read: the bell has no count

    (message,) = [m for m in mail.outbox if m.to == ["kapus@example.org"]]
    assert "Desa kedua nol? Mohon dicek." in message.body
    assert f"/reports/{report.pk}/" in message.body

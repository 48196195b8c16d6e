"""The ops page on a phone: a system administrator reads health, queue and failures at 360 px."""

import pytest
from django.utils import timezone

from kernel.models import ImportJob

from ..factories import UserFactory

pytestmark = pytest.mark.browser


def test_a_system_admin_reads_the_ops_page_on_a_phone(page, live_server, log_in, world):
    admin = UserFactory(username="ops-admin", role="system_admin", is_staff=True)
    ImportJob.objects.create(
        kind=ImportJob.Kind.SERVICE_POINTS,
        district=world["hsu"]["district"],
        file="imports/x.xlsx",
        file_name="x.xlsx",
        created_by=admin,
        status="failed",
        errors=["Sheet Service points, row 12, column Village: no such village " * 4],
        finished_at=timezone.now(),
    )
    log_in(page, admin)
    page.get_by_role("link", name="Status sistem").or_(
        page.get_by_role("link", name="System status")
    ).first.click()
    page.wait_for_url(f"{live_server.url}/ops/")
    assert page.locator('[data-part="database"]').is_visible()
    assert page.locator('[data-testid="failures"]').is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path="/tmp/simpul_ops_360.png", full_page=True)

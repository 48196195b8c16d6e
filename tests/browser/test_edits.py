"""Two planners edit the same partner on their phones: the later save from the stale page is
refused, shows the colleague's value beside theirs, and a deliberate second save wins (#12)."""

import os

import pytest
from django.urls import reverse

from kernel.models import PartnerOrganisation, User
from tests.factories import UserFactory

from .conftest import CHROMIUM_ARGS, PHONE  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("SIMPUL_SCREENSHOTS", "")


def test_a_stale_save_shows_both_values_and_a_second_save_wins(
    browser, live_server, log_in, world, district_user
):
    partner = world["hsu"]["partner"]
    colleague = UserFactory(
        username="rina",
        role=User.Role.DISTRICT_PLANNER,
        district=world["hsu"]["district"],
        first_name="Rina",
        last_name="Rekan",
    )
    url = live_server.url + reverse("kernel:partner-edit", args=[partner.pk])
    pages = []
    for user in (colleague, district_user):
        context = browser.new_context(viewport=PHONE, locale="id-ID")
        page = context.new_page()
        log_in(page, user)
        page.goto(url)
        pages.append(page)
    first, second = pages
    first.fill("#id_phone", "0811-1111")
    with first.expect_navigation():
        first.locator("form button.btn-success").click()
    second.fill("#id_phone", "0822-2222")
    with second.expect_navigation():
        second.locator("form button.btn-success").click()
    stale = second.get_by_test_id("stale-edit")
    assert "Rina Rekan" in stale.inner_text()
    assert "0811-1111" in stale.inner_text() and "0822-2222" in stale.inner_text()
    assert second.evaluate("document.documentElement.scrollWidth") <= 360
    if SHOTS:
        second.screenshot(path=f"{SHOTS}/stale-edit-360.png", full_page=True)
    assert PartnerOrganisation.objects.get(pk=partner.pk).phone == "0811-1111"
    with second.expect_navigation():
        second.locator("form button.btn-success").click()
    assert PartnerOrganisation.objects.get(pk=partner.pk).phone == "0822-2222"
    for page in pages:
        page.context.close()

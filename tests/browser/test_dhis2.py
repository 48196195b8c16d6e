"""A district planner on a phone exports a month for DHIS2 and sees what is not mapped
(issue #19)."""

import json

import pytest
from django.urls import reverse

from indicators.reporting import monthly_services
from tests.exchange.conftest import MAPPED, MONTH, YEAR, fill, make_mapping

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_planner_exports_a_month_and_sees_the_unmapped_list(
    page, live_server, log_in, world, district_user
):
    services = monthly_services(YEAR)
    mapped = make_mapping(world, services)
    fill(world, services)
    log_in(page, district_user)
    page.goto(live_server.url + reverse("exchange:dhis2-index"))
    assert page.url.endswith(reverse("exchange:dhis2-district", args=[mapped.district_id]))
    unmapped = page.locator("#unmapped li[data-kind=service]")
    assert unmapped.count() == len(services) - MAPPED
    page.fill("#id_year", str(YEAR))
    page.select_option("#id_period", f"m{MONTH}")
    with page.expect_navigation():
        page.get_by_role("button", name="Tampilkan ekspor").or_(
            page.locator("form[method=get] button")
        ).first.click()
    summary = page.locator("#export-summary")
    assert summary.get_attribute("data-values") == str(2 * MAPPED)
    assert summary.get_attribute("data-skipped") == "2"
    assert page.locator("#unmapped li[data-kind=service]").first.is_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the page scrolls sideways: {width} px"
    with page.expect_download() as download:
        page.click("#download")
    data = json.loads(open(download.value.path(), "rb").read())
    assert len(data["dataValues"]) == 2 * MAPPED
    assert {v["period"] for v in data["dataValues"]} == {f"{YEAR}{MONTH:02d}"}

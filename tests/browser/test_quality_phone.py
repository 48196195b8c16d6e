"""A puskesmas head fills the quarter's quality checklist on a 360 px phone and submits it
(issue #16): per-field saves as the head leaves a field, the card's Save button without
them, nothing wider than the screen, every control a 44 px tap target."""

from decimal import Decimal

import pytest
from django.utils import timezone

from indicators.models import QualityItem, QualityReport, QualityValue, SPMService, Target
from indicators.services import aggregation

pytestmark = pytest.mark.browser

YEAR = timezone.localdate().year


def _item(code, number=1):
    return QualityItem.objects.get(
        service__edition__years__year=YEAR,
        service__level="district",
        service__number=number,
        code=code,
    )


def test_a_head_fills_the_quality_page_on_a_phone_and_submits(
    page, log_in, live_server, world, puskesmas_head, monkeypatch
):
    monkeypatch.setattr(aggregation, "quality_refresh_later", lambda *, report: None)
    maternal = SPMService.objects.get(edition__years__year=YEAR, level="district", number=1)
    for village, value in zip(world["hsu"]["villages"], (60, 40), strict=True):
        Target.objects.create(
            village=village,
            year=YEAR,
            service=maternal,
            source="estimate",
            value=value,
            is_of_record=True,
        )
    log_in(page, puskesmas_head)
    page.goto(f"{live_server.url}/quality/?year={YEAR}")
    with page.expect_navigation():
        page.locator("form:has(input[name=quarter][value='1']) button").click()
    report = QualityReport.objects.get(year=YEAR, quarter=1)
    iron, book, doctor = _item("ttd-90"), _item("buku-kia"), _item("dokter")

    # One card per service, closed: the head opens the maternal one.
    assert page.locator("details.quality-service[open]").count() == 0
    page.locator("#service-1 > summary").click()
    # Per field: typed, then left; the page shows the item's met % from the server's answer.
    page.fill(f"#a-{iron.pk}", "4500")
    page.locator(f"#a-{book.pk}").focus()  # leaving the field sends it
    card = page.locator("#service-1")
    page.wait_for_function(
        "id => document.querySelector(`[data-item='${id}'] [data-met]`).textContent.includes('50')",
        arg=str(iron.pk),
    )
    assert QualityValue.objects.get(report=report, item=iron).available == Decimal(4500)

    # The card's Save button: the same form without JavaScript's help.
    page.fill(f"#a-{book.pk}", "100")
    page.fill(f"#a-{doctor.pk}", "1")
    page.locator(f"[data-item='{doctor.pk}'] summary").click()
    page.fill(f"#note-{doctor.pk}", "dr. Rina, PNS")
    with page.expect_navigation():
        card.locator(".quality-save button").click()
    saved = {v.item_id: v for v in QualityValue.objects.filter(report=report)}
    assert saved[book.pk].available == Decimal(100)
    assert (saved[doctor.pk].available, saved[doctor.pk].note) == (Decimal(1), "dr. Rina, PNS")
    assert saved[iron.pk].version == 2  # not sent again by the card's Save
    assert page.locator("#service-1").get_attribute("open") is not None  # back where it was

    # Made for the phone: nothing sideways, big enough to tap.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    small = page.evaluate(
        """() => [...document.querySelectorAll(
                '.quality-service input:not([type=hidden]), .quality-service button, '
                + '.quality-service > summary, .quality-note summary, .quality-actions button')]
            .filter(e => e.offsetParent !== null)
            .filter(e => e.getBoundingClientRect().height < 44)
            .map(e => e.name || e.textContent.trim())"""
    )
    assert small == []
    page.locator("#service-1").scroll_into_view_if_needed()
    page.evaluate("window.scrollBy(0, -60)")
    page.screenshot(path="/tmp/quality-phone.png")
    page.screenshot(path="/tmp/quality-phone-full.png", full_page=True)

    with page.expect_navigation():
        page.locator("[data-testid=quality-submit-form] button").click()
    report.refresh_from_db()
    assert report.status == "submitted" and report.submitted_by == puskesmas_head
    assert page.locator("[data-testid=quality-status]").inner_text()
    assert page.locator(".quality-inputs").count() == 0  # read-only once submitted

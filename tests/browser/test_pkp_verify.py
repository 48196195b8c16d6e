"""A district planner verifies a submitted PKP on a 360 px phone (issue #18 must-have 2): lowers
one management item with a reason, writes the feedback, approves, and sees the rank; nothing
wider than the screen, the main controls 44 px tap targets."""

import pytest

from assessments.models import PkpAssessment, PkpScore
from tests.assessments.pkp_review_fixtures import make_pkp

pytestmark = pytest.mark.browser

NO_SIDEWAYS = "document.documentElement.scrollWidth <= window.innerWidth"
SMALL = """() => [...document.querySelectorAll(
        '[data-testid=pkp-item] .form-check-label, [data-testid=pkp-item] button, '
        + '[data-testid=pkp-feedback] button, [data-testid=pkp-decide] button')]
    .filter(e => e.offsetParent !== null)
    .filter(e => e.getBoundingClientRect().height < 44)
    .map(e => e.textContent.trim())"""


def test_a_planner_verifies_and_approves_a_pkp_on_a_phone(
    page, log_in, live_server, world, district_user, puskesmas_head
):
    pkp = make_pkp(world["hsu"]["puskesmas"], by=puskesmas_head)
    score = PkpScore.objects.filter(assessment=pkp).order_by("item__code").first()
    log_in(page, district_user)
    page.goto(f"{live_server.url}/assessments/pkp/{pkp.pk}/verify/")
    assert page.evaluate(NO_SIDEWAYS)
    assert page.evaluate(SMALL) == []
    page.screenshot(path="/tmp/pkp-verify-360.png", full_page=True)

    card = page.locator(f"#item-{score.pk}")
    card.locator("label", has_text="Tingkat 4").click()
    card.locator("textarea[name=reason]").fill("Notulen lokmin hanya enam kali setahun")
    with page.expect_navigation():
        card.locator("button").click()
    score.refresh_from_db()
    assert str(score.verified_score.normalize()) == "4"

    page.locator("#id_feedback").fill("Lengkapi notulen lokakarya mini setiap bulan.")
    with page.expect_navigation():
        page.locator("[data-testid=feedback-form] button").click()
    with page.expect_navigation():
        page.locator("[data-testid=approve]").click()
    pkp.refresh_from_db()
    assert pkp.status == PkpAssessment.Status.APPROVED
    rank = page.locator("[data-testid=pkp-rank]")
    assert rank.get_attribute("data-rank") == pkp.rank != ""
    assert page.evaluate(NO_SIDEWAYS)
    page.screenshot(path="/tmp/pkp-verified-360.png", full_page=True)

    page.goto(f"{live_server.url}/assessments/pkp/?year={pkp.year}")
    assert page.evaluate(NO_SIDEWAYS)
    page.screenshot(path="/tmp/pkp-list-360.png", full_page=True)

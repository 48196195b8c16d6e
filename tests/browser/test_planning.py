"""A puskesmas head turns an SPM gap into a budgeted RUK activity on a phone, and the district
planner sees it in the district's budget totals."""

import importlib

import pytest
from django.apps import apps

from planning.models import Activity, BudgetSubActivity, Plan
from tests.planning.conftest import PLAN_YEAR, put_achievement

pytestmark = pytest.mark.browser


@pytest.fixture
def budget_codes(transactional_db):
    """The budget codes the data migration loads (a browser test's flush removes them)."""
    if not BudgetSubActivity.objects.exists():
        importlib.import_module("planning.migrations.0002_load_budget_sub_activities").load(
            apps, None
        )


def test_gap_becomes_a_budgeted_activity_in_the_district_totals(
    page, desktop_page, log_in, live_server, world, budget_codes, puskesmas_head, district_user
):
    puskesmas = world["hsu"]["puskesmas"]
    put_achievement(puskesmas, {1: (200, 100), 8: (100, 95)})

    log_in(page, puskesmas_head)
    page.goto(f"{live_server.url}/planning/")
    with page.expect_navigation():
        page.locator("[data-testid=own-plans] form button").click()
    plan = Plan.objects.get(puskesmas=puskesmas, year=PLAN_YEAR)
    page.goto(f"{live_server.url}/planning/plans/{plan.pk}/sources/")
    gaps = page.locator("[data-testid=gap]")
    assert gaps.count() == 1  # service 8 is on pace
    with page.expect_navigation():
        gaps.first.locator("a").click()
    assert "50" in page.locator("[data-testid=origin]").inner_text()  # the gap's figures
    page.fill("#id_effort", "KIA-KB")
    page.fill("#id_name", "Kunjungan rumah ibu hamil yang belum K6")
    page.fill("#id_responsible", "Bidan koordinator")
    page.fill("#id_budget_idr", "12.500.000")
    page.select_option("#id_funding_source", "bok")
    with page.expect_navigation():
        page.locator("[data-testid=save-activity]").click()
    activity = Activity.objects.get(plan=plan)
    assert activity.origin == Activity.Origin.GAP and activity.budget_idr == 12_500_000
    assert activity.gap_target == 200 and activity.gap_served == 100
    assert page.locator("[data-testid=budget-total]").inner_text() == "12.500.000"

    log_in(desktop_page, district_user)
    desktop_page.goto(f"{live_server.url}/planning/totals/?year={PLAN_YEAR}")
    assert desktop_page.locator("[data-testid=grand-total]").inner_text() == "12.500.000"
    row = desktop_page.locator(f"[data-testid=by-plan] tr[data-plan='{plan.pk}']")
    assert puskesmas.name in row.inner_text() and "12.500.000" in row.inner_text()
    bok = desktop_page.locator("[data-testid=by-source] tr[data-source=bok]")
    assert "12.500.000" in bok.inner_text()

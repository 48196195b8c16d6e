"""The SPM index and the budget on a phone (issue #16): each dashboard and the quarterly report
stay readable at 360 px: no page scrolls sideways, and the index-by-service table becomes
cards that name each column. Screenshots with SIMPUL_SHOTS=<folder>."""

import os
from decimal import Decimal
from pathlib import Path

import pytest

from indicators import budget, services
from indicators.budget import Budget

from ..indicators.test_index_aggregation import (
    YEAR,
    _item,
    _monthly,
    _target,
    quality_report,
    set_parts,
)

pytestmark = pytest.mark.browser

SHOTS = os.environ.get("SIMPUL_SHOTS")


def _shot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.fixture
def index_world(world, monkeypatch):
    spm = services.monthly_services(YEAR)
    hsu, bjm = world["hsu"], world["banjarmasin"]
    v1, v2 = hsu["villages"]
    _target(v1, spm[0], 40)
    _target(v2, spm[0], 60)
    _monthly(hsu["puskesmas"], 4, {(v1, spm[0]): 30, (v2, spm[0]): 15})
    _target(bjm["villages"][0], spm[0], 100)
    _monthly(bjm["puskesmas"], 4, {(bjm["villages"][0], spm[0]): 130})
    a, b = _item(spm[0], "t-a", 2), _item(spm[0], "t-b", 1)
    quality_report(hsu["puskesmas"], "approved", {a: (10, 5), b: (4, 8)})
    quality_report(bjm["puskesmas"], "approved", {a: (30, 30), b: (4, 1)})
    set_parts(80, 20)
    services.quarter_aggregate(year=YEAR, quarter=2)
    rupiah = Budget(Decimal("1250000000"), Decimal("987654321"))
    monkeypatch.setitem(
        budget._providers, "by_service", lambda **kwargs: {s.pk: rupiah for s in spm}
    )
    monkeypatch.setitem(
        budget._providers,
        "by_district",
        lambda **kwargs: dict.fromkeys(kwargs["district_ids"], rupiah),
    )
    return world


@pytest.mark.parametrize(
    ("role", "path"),
    [
        ("puskesmas_head", "/dashboard/"),
        ("district_user", "/dashboard/"),
        ("province_user", "/dashboard/"),
        ("district_user", "quarterly"),
    ],
)
def test_index_pages_fit_a_phone(page, log_in, live_server, index_world, role, path, request):
    user = request.getfixturevalue(role)
    if path == "quarterly":
        path = f"/quarterly/{index_world['hsu']['district'].pk}/"
    log_in(page, user)
    page.goto(f"{live_server.url}{path}?year={YEAR}&quarter=2")
    _shot(page, f"index-{role}-{'quarterly' if 'quarterly' in path else 'dashboard'}-360")
    assert _fits(page), f"{path} scrolls sideways at 360 px for {role}"
    cards = page.locator(".stack-phone td[data-label]")
    if cards.count():
        # A table that became cards: each cell names its column (the ::before label).
        label = cards.first.evaluate("cell => getComputedStyle(cell, '::before').content")
        assert label not in ("none", "normal", '""')

"""The full SPM index on the pages (issue #16): each dashboard shows the index with its parts A
(people served) and B (quality, or "quality not reported"), its category, and the budget beside
it from the registered budget provider (a fake one here); the province compares its districts;
the quarterly report reads its budget instead of having it typed. Query counts stay fixed.

The figures are those of test_index_aggregation (2025 Q2, SPM-01): HSU index 49.33 (A 45, B
66.67), Banjarmasin 95.00 (A 100, B 75), Kalimantan Selatan 88.33 (A 87.5, B 91.67), Bontang
99.00 (no approved quality report).
"""

import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from indicators import budget, services
from indicators.budget import Budget
from indicators.models import QualityReport
from indicators.selectors.dashboards import index_parts

from ..exports import content_of, download_export
from ..factories import PuskesmasFactory, VillageFactory
from .test_index_aggregation import (
    YEAR,
    _item,
    _monthly,
    _target,
    quality_report,
    set_parts,
)
from .test_index_aggregation import data as index_data  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db

D = Decimal
URL = "/dashboard/"


@pytest.fixture
def data(index_data):  # noqa: F811 - the fixture imported above, under this module's name
    services.quarter_aggregate(year=YEAR, quarter=2)
    return index_data


class FakeBudget:
    """A budget provider as planning registers one (indicators.budget), recording each call."""

    def __init__(self, world, spm):
        self.calls: list[dict] = []
        self.world, self.spm = world, spm

    def by_service(self, **kwargs):
        self.calls.append({"read": "by_service", **kwargs})
        if kwargs.get("puskesmas") is not None:
            return {self.spm[0].pk: Budget(D("1000000"), D("250000"))}
        return {
            self.spm[0].pk: Budget(D("4000000"), D("3000000")),
            self.spm[1].pk: Budget(D("500000"), D("0")),
        }

    def by_district(self, **kwargs):
        self.calls.append({"read": "by_district", **kwargs})
        hsu = self.world["hsu"]["district"].pk
        bjm = self.world["banjarmasin"]["district"].pk
        return {
            district_id: budget
            for district_id, budget in {
                hsu: Budget(D("2000000"), D("1500000")),
                bjm: Budget(D("1000000"), D("100000")),
            }.items()
            if district_id in kwargs["district_ids"]
        }


@pytest.fixture
def provider(world, data, monkeypatch):
    fake = FakeBudget(world, data["spm"])
    monkeypatch.setitem(budget._providers, "by_service", fake.by_service)
    monkeypatch.setitem(budget._providers, "by_district", fake.by_district)
    return fake


@pytest.fixture
def no_provider(monkeypatch):
    monkeypatch.setattr(budget, "_providers", {})


def _get(client, user, url=URL, **params):
    client.cookies["django_language"] = "en"
    client.force_login(user)
    response = client.get(url, {"year": YEAR, "quarter": 2, **params})
    assert response.status_code == 200, response.content[:500]
    return response


def _sheet(response) -> list[tuple]:
    return list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))


# --- Puskesmas and district ----------------------------------------------------------------------


def test_puskesmas_dashboard_shows_the_index_its_parts_and_the_budget(
    client, data, provider, puskesmas_head
):
    response = _get(client, puskesmas_head)
    dash = response.context["dash"]
    first = dash.services[0]
    assert (first.index.value, first.index.people, first.index.quality) == (
        D("49.33"),
        D("45.00"),
        D("66.67"),
    )
    assert first.index.band.name == "Belum Tuntas"  # the edition's bands: below 60
    assert first.budget == Budget(D("1000000"), D("250000"))
    assert dash.services[1].index.value is None  # no target: no index
    assert (dash.index.value, dash.index.people, dash.index.quality) == (
        D("49.33"),
        D("45.00"),
        D("66.67"),
    )
    call = next(c for c in provider.calls if c["read"] == "by_service")
    assert call["puskesmas"] == puskesmas_head.puskesmas and call["through_month"] == 6
    html = response.content.decode()
    assert 'data-testid="index-services"' in html and 'data-testid="area-index"' in html
    for shown in ("49.3", "66.7", "1,000,000", "250,000", "25%", "quality not reported"):
        assert shown in html, shown
    assert "weighs people served" in html and " 80 " in html  # the weights, from data
    rows = _sheet(_get(client, puskesmas_head, format="xlsx", table="index"))
    assert rows[1][:9] == (1, rows[1][1], 49.33, "Belum Tuntas", 45, 66.67, 1000000, 250000, 25)


def test_district_dashboard_shows_its_index_and_each_puskesmas(
    client, world, data, provider, district_user
):
    response = _get(client, district_user)
    dash = response.context["dash"]
    assert (dash.index.value, dash.index.people, dash.index.quality) == (
        D("49.33"),
        D("45.00"),
        D("66.67"),
    )
    assert dash.index.services == dash.index.quality_services == 1
    assert [line.budget for line in dash.services[:2]] == [
        Budget(D("4000000"), D("3000000")),
        Budget(D("500000"), D("0")),
    ]
    call = next(c for c in provider.calls if c["read"] == "by_service")
    assert call["district"] == world["hsu"]["district"] and call["through_month"] == 6
    (line,) = dash.puskesmas
    assert (line.index, line.index_people, line.index_quality) == (
        D("49.33"),
        D("45.00"),
        D("66.67"),
    )
    assert dash.totals[0].index == D("49.33")
    html = response.content.decode()
    assert 'data-testid="puskesmas-index"' in html
    assert "4,000,000" in html and "75%" in html
    rows = _sheet(_get(client, district_user, format="xlsx", table="puskesmas_index"))
    assert rows[1][:7] == (world["hsu"]["puskesmas"].name, 49.33, "Belum Tuntas", 1, 45, 66.67, 1)


def test_without_a_provider_the_budget_is_empty_and_says_so(
    client, data, no_provider, district_user
):
    response = _get(client, district_user)
    dash = response.context["dash"]
    assert not dash.has_budget and all(line.budget is None for line in dash.services)
    html = response.content.decode()
    assert 'data-testid="no-budget"' in html
    assert "Allocated (Rp)" not in html


def test_province_compares_its_districts_full_index_with_a_b_and_budget(
    client, world, data, provider, province_user
):
    response = _get(client, province_user)
    dash = response.context["dash"]
    by_name = {line.name: line for line in dash.districts + dash.provinces}
    hsu = by_name[world["hsu"]["district"].name]
    bjm = by_name[world["banjarmasin"]["district"].name]
    kalsel = by_name["Kalimantan Selatan"]
    assert (hsu.index, hsu.index_people, hsu.index_quality) == (D("49.33"), D("45"), D("66.67"))
    assert (bjm.index, bjm.index_people, bjm.index_quality) == (D("95"), D("100"), D("75"))
    assert (kalsel.index, kalsel.index_people, kalsel.index_quality) == (
        D("88.33"),
        D("87.5"),
        D("91.67"),
    )
    assert hsu.index_band.name == "Belum Tuntas" and bjm.index_band.name == "Tuntas Utama"
    assert hsu.budget.percent == D("75.00") and bjm.budget.percent == D("10.00")
    assert kalsel.budget == Budget(D("3000000"), D("1600000"))  # its districts together
    call = next(c for c in provider.calls if c["read"] == "by_district")
    assert sorted(call["district_ids"]) == sorted(
        [world["hsu"]["district"].pk, world["banjarmasin"]["district"].pk]
    )
    html = response.content.decode()
    for shown in ("88.3", "91.7", "75%", "10%", "53%", "Budget realised"):
        assert shown in html, shown
    rows = _sheet(_get(client, province_user, format="xlsx", table="index"))
    assert rows[1] == (hsu.name, 49.33, "Belum Tuntas", 1, 45, 66.67, 1, 2000000, 1500000, 75)


def test_a_service_without_approved_quality_says_quality_not_reported(
    client, world, data, provider, other_province_user
):
    dash = _get(client, other_province_user).context["dash"]
    (bontang,) = dash.districts
    assert (bontang.index, bontang.index_people, bontang.index_quality) == (
        D("99.00"),
        D("99.00"),
        None,
    )


def test_changing_the_editions_weights_changes_the_pages(client, data, provider, puskesmas_head):
    set_parts(60, 40, missing_as_zero=True)
    services.quarter_aggregate(year=YEAR, quarter=2)
    dash = _get(client, puskesmas_head).context["dash"]
    assert dash.services[0].index.value == D("53.67")  # (60 x 45 + 40 x 66.67) / 100
    assert (dash.parts.people_served_weight, dash.parts.quality_weight) == (60, 40)
    html = _get(client, puskesmas_head).content.decode()
    assert "Quality not reported counts as 0." in html
    set_parts(0, 0)
    assert index_parts(year=YEAR) is None  # nothing to weigh: people served alone


def test_rows_computed_before_the_index_read_as_people_served(
    client, data, provider, province_user
):
    from indicators.models import Achievement

    Achievement.objects.update(service_index=None, quality=None)
    dash = _get(client, province_user).context["dash"]
    kalsel = next(line for line in dash.provinces if line.name == "Kalimantan Selatan")
    assert (kalsel.index, kalsel.index_quality) == (D("87.50"), None)


# --- The quarterly report ------------------------------------------------------------------------


def test_quarterly_report_shows_quality_index_and_the_budget_read_for_the_quarter(
    client, world, data, provider, district_user
):
    url = reverse("indicators:quarterly-detail", args=[world["hsu"]["district"].pk])
    response = _get(client, district_user, url)
    report = response.context["report"]
    first = report.services[0]
    assert (first.quality, first.service_index, first.index_band.name) == (
        D("66.67"),
        D("49.33"),
        "Belum Tuntas",
    )
    assert (report.index.value, report.index.people, report.index.quality) == (
        D("49.33"),
        D("45.00"),
        D("66.67"),
    )
    assert first.budget_difference_idr == D("1000000") and first.budget_percent == D("75.00")
    assert report.budget_total == Budget(D("4500000"), D("3000000"))
    call = next(c for c in provider.calls if c["read"] == "by_service")
    assert call["through_month"] == 6 and call["user"] == district_user
    html = response.content.decode()
    for shown in ("66.7%", "49.3", "4,000,000", "1,000,000", "4,500,000", "67%"):
        assert shown in html, shown
    assert 'data-testid="district-index"' in html
    xlsx = download_export(client, url + f"?year={YEAR}&quarter=2&format=xlsx")
    book = load_workbook(io.BytesIO(content_of(xlsx)), read_only=True)
    per_service = next(book["Per service"].iter_rows(min_row=2, values_only=True))
    assert per_service[-3:] == (66.67, 49.33, "Belum Tuntas")
    budget_row = next(book["Budget and actions"].iter_rows(min_row=2, values_only=True))
    assert budget_row[3:7] == (4000000, 3000000, 1000000, 75)


# --- Query counts --------------------------------------------------------------------------------


def _grow(world, spm, items):
    """More puskesmas with targets, reports and approved quality reports, and a new district."""
    hsu = world["hsu"]
    a, b = items[:2]
    for __ in range(3):
        puskesmas = PuskesmasFactory(subdistrict=hsu["subdistrict"])
        village = VillageFactory(subdistrict=hsu["subdistrict"], puskesmas=puskesmas)
        _target(village, spm[0], 10)
        _target(village, spm[1], 10)
        _monthly(puskesmas, 5, {(village, spm[0]): 3, (village, spm[1]): 4})
        quality_report(puskesmas, "approved", {a: (5, 4), b: (3, 3)})
    c = _item(spm[1], "t-e", 1)
    quality_report(PuskesmasFactory(subdistrict=hsu["subdistrict"]), "approved", {c: (1, 1)})
    services.quarter_aggregate(year=YEAR, quarter=2)


@pytest.mark.parametrize(
    ("role", "table"),
    [
        ("puskesmas_head", None),
        ("district_user", None),
        ("province_user", None),
        ("puskesmas_head", "index"),
        ("district_user", "puskesmas_index"),
        ("province_user", "index"),
    ],
)
def test_queries_stay_fixed_as_the_data_grows(
    client, world, data, provider, role, table, request, django_assert_num_queries
):
    user = request.getfixturevalue(role)
    client.force_login(user)
    params = {"year": YEAR, "quarter": 2}
    if table:
        params |= {"format": "xlsx", "table": table}
    with CaptureQueriesContext(connection) as few:
        assert client.get(URL, params).status_code == 200
    _grow(world, data["spm"], data["items"])
    with django_assert_num_queries(len(few)):
        assert client.get(URL, params).status_code == 200


def test_quarterly_report_queries_stay_fixed(
    client, world, data, provider, district_user, django_assert_num_queries
):
    client.force_login(district_user)
    url = reverse("indicators:quarterly-detail", args=[world["hsu"]["district"].pk])
    params = {"year": YEAR, "quarter": 2}
    with CaptureQueriesContext(connection) as few:
        assert client.get(url, params).status_code == 200
    _grow(world, data["spm"], data["items"])
    with django_assert_num_queries(len(few)):
        assert client.get(url, params).status_code == 200


def test_a_province_reads_approved_quality_only(client, world, data, provider, province_user):
    """Quality reports a district has not approved never reach a province's pages: the stored
    quality counts approved reports only."""
    QualityReport.objects.filter(puskesmas=world["banjarmasin"]["puskesmas"]).update(
        status="submitted"
    )
    services.quarter_aggregate(year=YEAR, quarter=2)
    dash = _get(client, province_user).context["dash"]
    bjm = next(
        line for line in dash.districts if line.name == world["banjarmasin"]["district"].name
    )
    assert (bjm.index, bjm.index_quality) == (D("100.00"), None)

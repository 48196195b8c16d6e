"""The management score: lokmin held per puskesmas per year and the score their bands give
(issue #6, item 5; DOMAIN.md §3, P3)."""

import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from workshops.models import ManagementScoreBand

from ..factories import MeetingFactory, PuskesmasFactory

pytestmark = pytest.mark.django_db

URL = reverse("workshops:management-score")
YEAR = timezone.localdate().year


def _hold(puskesmas, kind: str, count: int, *, year: int = YEAR, status: str = "held") -> None:
    for index in range(count):
        MeetingFactory(
            puskesmas=puskesmas,
            kind=kind,
            held_on=datetime.date(year, index % 12 + 1, 3),
            status=status,
        )


def _rows(response) -> dict[str, object]:
    return {row.puskesmas.name: row for row in response.context["rows"]}


def test_held_and_closed_lokmin_of_the_year_earn_their_band_score(client, world, district_user):
    puskesmas = world["hsu"]["puskesmas"]
    _hold(puskesmas, "monthly_lokmin", 6)
    _hold(puskesmas, "monthly_lokmin", 3, status="closed")
    _hold(puskesmas, "monthly_lokmin", 2, status="planned")  # not held: not counted
    _hold(puskesmas, "monthly_lokmin", 4, year=YEAR - 1)  # another year
    _hold(puskesmas, "quarterly_lokmin", 3)
    client.force_login(district_user)
    row = _rows(client.get(URL))[puskesmas.name]
    assert (row.monthly_held, row.monthly_score) == (9, 10)
    assert (row.quarterly_held, row.quarterly_score) == (3, 7)


@pytest.mark.parametrize(
    ("monthly", "quarterly", "scores"),
    [(0, 0, (4, 4)), (4, 1, (4, 4)), (5, 2, (7, 7)), (8, 3, (7, 7)), (12, 4, (10, 10))],
)
def test_band_edges_follow_the_pkp_rules(client, world, district_user, monthly, quarterly, scores):
    puskesmas = world["hsu"]["puskesmas"]
    _hold(puskesmas, "monthly_lokmin", monthly)
    _hold(puskesmas, "quarterly_lokmin", quarterly)
    client.force_login(district_user)
    row = _rows(client.get(URL))[puskesmas.name]
    assert (row.monthly_score, row.quarterly_score) == scores


def test_scores_come_from_the_band_rows_not_from_code(client, world, district_user):
    puskesmas = world["hsu"]["puskesmas"]
    _hold(puskesmas, "monthly_lokmin", 13)  # two in one month: beyond the 9-12 band
    ManagementScoreBand.objects.filter(kind="quarterly_lokmin", min_held=0).update(score=2)
    client.force_login(district_user)
    response = client.get(URL)
    row = _rows(response)[puskesmas.name]
    assert (row.monthly_score, row.quarterly_score) == (None, 2)
    html = response.content.decode()
    assert "Permenkes 44/2016" in html  # the bands' source, shown with the legend
    assert 'data-testid="score-bands"' in html


def test_each_role_sees_the_puskesmas_of_their_own_area(
    client, world, district_user, puskesmas_head, province_user, other_province_user
):
    neighbour = PuskesmasFactory(subdistrict=world["hsu"]["subdistrict"], name="Puskesmas Alabio")
    names = {
        "hsu": world["hsu"]["puskesmas"].name,
        "banjarmasin": world["banjarmasin"]["puskesmas"].name,
        "bontang": world["bontang"]["puskesmas"].name,
    }
    client.force_login(district_user)
    assert set(_rows(client.get(URL))) == {names["hsu"], neighbour.name}
    client.force_login(puskesmas_head)
    assert set(_rows(client.get(URL))) == {names["hsu"]}
    client.force_login(province_user)
    response = client.get(URL)
    assert set(_rows(response)) == {names["hsu"], neighbour.name, names["banjarmasin"]}
    assert world["banjarmasin"]["district"].name in response.content.decode()
    client.force_login(other_province_user)
    assert set(_rows(client.get(URL))) == {names["bontang"]}


def test_year_selector_picks_the_year_and_ignores_a_bad_one(client, world, district_user):
    puskesmas = world["hsu"]["puskesmas"]
    _hold(puskesmas, "monthly_lokmin", 2, year=YEAR - 1)
    client.force_login(district_user)
    assert _rows(client.get(f"{URL}?year={YEAR - 1}"))[puskesmas.name].monthly_held == 2
    response = client.get(f"{URL}?year=abc")
    assert response.context["year"] == YEAR
    assert _rows(response)[puskesmas.name].monthly_held == 0


def test_scores_export_to_xlsx(client, world, district_user):
    _hold(world["hsu"]["puskesmas"], "monthly_lokmin", 5)
    client.force_login(district_user)
    response = client.get(f"{URL}?format=xlsx")
    workbook = load_workbook(io.BytesIO(response.content))
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    bands = list(workbook.worksheets[1].iter_rows(values_only=True))
    assert len(bands) == 1 + ManagementScoreBand.objects.count()
    assert (9, 12, 10) in [band[1:4] for band in bands]
    assert rows[1] == (
        world["hsu"]["district"].name,
        world["hsu"]["puskesmas"].name,
        5,
        7,
        0,
        4,
    )


def test_score_queries_do_not_grow_with_meetings_or_puskesmas(client, world, province_user):
    client.force_login(province_user)
    _hold(world["hsu"]["puskesmas"], "monthly_lokmin", 2)
    with CaptureQueriesContext(connection) as few:
        client.get(URL)
    for _ in range(8):
        puskesmas = PuskesmasFactory(subdistrict=world["hsu"]["subdistrict"])
        _hold(puskesmas, "monthly_lokmin", 3)
        _hold(puskesmas, "quarterly_lokmin", 2)
    with CaptureQueriesContext(connection) as many:
        response = client.get(URL)
    assert len(response.context["rows"]) == 10
    assert len(many) == len(few)

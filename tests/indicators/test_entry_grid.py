"""The monthly entry grid's markup (issue #15, Must have 3): one table, rows desa and columns
services, with <th> headers and every input named by its desa and service; the same field names
as before, so the full-form save still works; no heavier than the cards it replaced."""

import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone

from indicators import services
from indicators.models import MonthlyValue

from ..factories import VillageFactory

pytestmark = pytest.mark.django_db

YEAR = timezone.localdate().year
# The entry page for 16 desa x 12 services before the grid (cards): 132,429 bytes.
PAGE_BYTES_BEFORE = 132_429


class _Grid(HTMLParser):
    """The entry table's headers, rows and inputs, and every element's id and text."""

    def __init__(self):
        super().__init__()
        self.head: list[dict] = []
        self.rows: list[list[dict]] = []
        self.inputs: list[dict] = []
        self.texts: dict[str, str] = {}
        self._open_ids: list[str] = []
        self._section = ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("thead", "tbody"):
            self._section = tag
        elif tag == "tr" and self._section == "tbody":
            self.rows.append([])
        elif tag in ("th", "td") and self._section:
            cell = {"tag": tag, **attrs}
            (self.head.append if self._section == "thead" else self.rows[-1].append)(cell)
        elif tag in ("input", "textarea"):
            self.inputs.append({"tag": tag, **attrs})
        if "id" in attrs and tag != "input":
            self.texts[attrs["id"]] = ""
            self._open_ids.append(attrs["id"])

    def handle_endtag(self, tag):
        if tag in ("thead", "tbody"):
            self._section = ""
        if tag in ("th", "span") and self._open_ids:
            self._open_ids.pop()

    def handle_data(self, data):
        for open_id in self._open_ids:
            self.texts[open_id] += data


@pytest.fixture
def report(world, puskesmas_head):
    hsu = world["hsu"]
    VillageFactory.create_batch(14, subdistrict=hsu["subdistrict"], puskesmas=hsu["puskesmas"])
    return services.report_open(puskesmas=hsu["puskesmas"], year=YEAR, month=1, by=puskesmas_head)


@pytest.fixture
def en(client):
    client.cookies["django_language"] = "en"
    return client


def _page(client, report) -> str:
    return client.get(reverse("indicators:report-entry", args=[report.pk])).content.decode()


def _grid(page: str) -> _Grid:
    parser = _Grid()
    parser.feed(page)
    return parser


def test_the_grid_is_a_table_of_desa_by_service_with_scoped_headers(en, report, puskesmas_head):
    villages = services.working_area(report.puskesmas)
    spm = services.monthly_services(YEAR)
    en.force_login(puskesmas_head)
    grid = _grid(_page(en, report))

    assert [cell["tag"] for cell in grid.head] == ["th"] * (1 + len(spm))
    assert {cell["scope"] for cell in grid.head} == {"col"}
    assert [cell["data-service"] for cell in grid.head[1:]] == [str(s.pk) for s in spm]
    assert len(grid.rows) == len(villages) == 16
    for village, row in zip(villages, grid.rows, strict=True):
        assert row[0]["tag"] == "th" and row[0]["scope"] == "row"
        assert grid.texts[row[0]["id"]] == village.name
        assert [cell["tag"] for cell in row[1:]] == ["td"] * len(spm)


def test_every_input_is_named_by_its_desa_and_service_and_keeps_its_field_name(
    en, report, puskesmas_head
):
    villages = services.working_area(report.puskesmas)
    spm = services.monthly_services(YEAR)
    en.force_login(puskesmas_head)
    grid = _grid(_page(en, report))

    values = [i for i in grid.inputs if i.get("name", "")[:2] == "v-"]
    # Row by row: a desa's services, then the next desa (Tab follows the row).
    assert [i["name"] for i in values] == [f"v-{v.pk}-{s.pk}" for v in villages for s in spm]
    names = {i["name"] for i in grid.inputs if "name" in i}
    for v in villages:
        for s in spm:
            assert {f"o-{v.pk}-{s.pk}", f"c-{v.pk}-{s.pk}"} <= names
    for field in values:
        _, village, service = field["name"].split("-")
        label = " ".join(grid.texts[part] for part in field["aria-labelledby"].split())
        desa = next(v for v in villages if str(v.pk) == village)
        spm_service = next(s for s in spm if str(s.pk) == service)
        assert label == f"{desa.name} {spm_service.number}. {spm_service.label}"
    comments = [i for i in grid.inputs if i["tag"] == "textarea" and i["name"][:2] == "c-"]
    assert len(comments) == len(values)
    first = " ".join(grid.texts[part] for part in comments[0]["aria-labelledby"].split())
    assert first.startswith("Comment " + villages[0].name)


def test_the_whole_form_without_javascript_still_saves_the_grid(en, report, puskesmas_head):
    villages = services.working_area(report.puskesmas)
    spm = services.monthly_services(YEAR)
    en.force_login(puskesmas_head)
    grid = _grid(_page(en, report))
    data = {i["name"]: i.get("value", "") for i in grid.inputs if "name" in i}
    data |= {f"v-{villages[3].pk}-{spm[5].pk}": "7", "action": "save"}

    response = en.post(reverse("indicators:report-entry", args=[report.pk]), data)

    assert response.status_code == 302
    saved = MonthlyValue.objects.get(report=report)
    assert (saved.village, saved.service, saved.value) == (villages[3], spm[5], 7)


def test_a_submitted_report_reads_as_the_same_grid_without_inputs(
    en, report, puskesmas_head, district_user
):
    en.force_login(district_user)
    grid = _grid(_page(en, report))
    assert len(grid.rows) == 16 and {cell["scope"] for cell in grid.head} == {"col"}
    assert not [i for i in grid.inputs if i.get("name", "")[:2] in ("v-", "c-")]


def test_the_page_is_no_heavier_than_the_cards_it_replaced(en, report, puskesmas_head):
    en.force_login(puskesmas_head)
    page = _page(en, report)
    # Cell keys hold ids (v-<desa>-<service>): on PostgreSQL, whose sequences run on across the
    # suite, they grow to five or six digits; count them at the size they had when measured.
    page = re.sub(r"(?<=-)\d{3,}", "12", page)
    assert len(page.encode()) < PAGE_BYTES_BEFORE

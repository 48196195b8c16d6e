"""The district's quarterly SPM report and the puskesmas's monthly feedback (issue #5 must-have 4):
the page, the .xlsx and the PDF show what quarter_aggregate computed; feedback ranks; scoping.
"""

import io
import shutil
import subprocess
from decimal import Decimal
from html.parser import HTMLParser
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from indicators import budget, services
from indicators.budget import Budget
from indicators.models import Achievement, MonthlyReport, MonthlyValue, ReportingRate, Target
from indicators.selectors import quarterly as quarterly_selectors
from kernel import audit
from kernel import documents as kernel_documents
from kernel.models import HealthOffice

from ..exports import content_of, download_export
from ..factories import PuskesmasFactory, UserFactory, VillageFactory

pytestmark = pytest.mark.django_db

YEAR = 2025  # a past year: every month has ended


def _fetch(client, url: str):
    """A page, or a file (`format=pdf`, `format=xlsx`) through its export job."""
    if "format=pdf" in url or "format=xlsx" in url:
        return download_export(client, url)
    return client.get(url)


def _report(puskesmas, month, status, values):
    due = f"{YEAR + (month == 12)}-{month % 12 + 1:02d}"
    report = MonthlyReport.objects.create(
        puskesmas=puskesmas,
        year=YEAR,
        month=month,
        status=status,
        due_on=f"{due}-10",
        first_submitted_at=f"{due}-05T10:00:00+08:00",
    )
    for (village, service), value in values.items():
        MonthlyValue.objects.create(report=report, village=village, service=service, value=value)
    return report


def _target(village, service, value):
    Target.objects.create(
        village=village,
        year=YEAR,
        service=service,
        source="estimate",
        value=value,
        is_of_record=True,
    )


@pytest.fixture
def en(client):
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def data(world):
    """Three puskesmas of Hulu Sungai Utara with different achievement in the first quarter.

    SPM-01 (targets 100, 100, 200): A serves 30 (30%), B 10 (10%), C 80 (40%): C, A, B.
    SPM-02 (targets 50, 50, none):  A serves 5 (10%), B 25 (50%), C has no target: B, A.
    """
    spm = services.monthly_services(YEAR)
    hsu = world["hsu"]
    a = hsu["puskesmas"]
    a1, a2 = hsu["villages"]
    b = PuskesmasFactory(subdistrict=hsu["subdistrict"], name="Puskesmas Babirik")
    c = PuskesmasFactory(subdistrict=hsu["subdistrict"], name="Puskesmas Danau Panggang")
    (b1,) = VillageFactory.create_batch(1, subdistrict=hsu["subdistrict"], puskesmas=b)
    (c1,) = VillageFactory.create_batch(1, subdistrict=hsu["subdistrict"], puskesmas=c)
    _target(a1, spm[0], 40)
    _target(a2, spm[0], 60)
    _target(b1, spm[0], 100)
    _target(c1, spm[0], 200)
    _target(a1, spm[1], 50)
    _target(b1, spm[1], 50)
    reports = {
        "a1": _report(a, 1, "locked", {(a1, spm[0]): 10, (a2, spm[0]): 5, (a1, spm[1]): 2}),
        "a2": _report(a, 2, "approved", {(a1, spm[0]): 5}),
        "a3": _report(a, 3, "approved", {(a2, spm[0]): 10, (a1, spm[1]): 3}),
        "b3": _report(b, 3, "approved", {(b1, spm[0]): 10, (b1, spm[1]): 25}),
        "c2": _report(c, 2, "approved", {(c1, spm[0]): 50}),
        "c3": _report(c, 3, "approved", {(c1, spm[0]): 30}),
        # Not approved: never counted.
        "b2": _report(b, 2, "submitted", {(b1, spm[0]): 1000}),
    }
    HealthOffice.objects.filter(district=hsu["district"]).update(
        name="Dinas Kesehatan Kabupaten Hulu Sungai Utara", head_name="dr. Hj. Aulia Rahman"
    )
    services.quarter_aggregate(year=YEAR, quarter=1)
    return SimpleNamespace(spm=spm, a=a, b=b, c=c, reports=reports, district=hsu["district"])


def _url(data, **query):
    base = reverse("indicators:quarterly-detail", kwargs={"pk": data.district.pk})
    params = {"year": YEAR, "quarter": 1, **query}
    return base + "?" + "&".join(f"{key}={value}" for key, value in params.items())


class _Tables(HTMLParser):
    """Cell texts of each table with a data-testid, row by row (what the user reads)."""

    def __init__(self):
        super().__init__()
        self.tables, self.current, self.row, self.cell = {}, None, None, None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "table" and attributes.get("data-testid"):
            self.current = self.tables.setdefault(attributes["data-testid"], [])
        elif tag == "tr" and self.current is not None:
            self.row = []
        elif tag in ("td", "th") and self.row is not None:
            self.cell = []

    def handle_endtag(self, tag):
        if tag == "table":
            self.current = None
        elif tag in ("td", "th") and self.cell is not None:
            self.row.append(" ".join("".join(self.cell).split()))
            self.cell = None
        elif tag == "tr" and self.row is not None:
            self.current.append(self.row)
            self.row = None

    def handle_data(self, text):
        if self.cell is not None:
            self.cell.append(text)


def _tables(response) -> dict[str, list[list[str]]]:
    parser = _Tables()
    parser.feed(response.content.decode())
    return parser.tables


def _percent(value) -> str:
    return "–" if value is None else f"{value:.1f}"


# --- The quarterly report -----------------------------------------------------------------------


def test_page_shows_the_figures_quarter_aggregate_computed(en, data, district_user):
    en.force_login(district_user)
    response = en.get(_url(data))
    assert response.status_code == 200
    tables = _tables(response)
    district_rows = (
        Achievement.objects.filter(year=YEAR, quarter=1, level="district", area_id=data.district.pk)
        .select_related("service")
        .order_by("service__number")
    )
    shown = tables["per-service"][1:]
    assert len(shown) == district_rows.count() == 12
    for row, cells in zip(district_rows, shown, strict=True):
        # No target of record says so (issue #15), never a bare dash or "/ 0".
        target = "no target" if not row.target else f"{row.target:,}"
        achievement = _percent(row.achievement)
        assert cells[0] == str(row.service.number)
        assert cells[2:5] == [target, f"{row.served_quarter:,}", f"{row.served_ytd:,}"]
        assert cells[5].replace("▼", "").strip().rstrip("%") == achievement
    assert shown[0][2:6] == ["400", "120", "120", "30.0%"]  # (30 + 10 + 80) / 400
    # No quality report: quality not reported, the index is people served alone.
    assert shown[0][6:] == ["not reported", "30.0", "Belum Tuntas"]
    # Puskesmas x service: every cell is the puskesmas row of quarter_aggregate.
    matrix = {cells[0]: cells[1:] for cells in tables["per-puskesmas"][1:-1]}
    for row in (
        Achievement.objects.filter(year=YEAR, quarter=1, level="puskesmas")
        .select_related("puskesmas", "service")
        .filter(district=data.district)
    ):
        shown_value = matrix[row.puskesmas.name][row.service.number - 1].replace("▼", "")
        assert shown_value == _percent(row.achievement)
    assert matrix["Puskesmas Danau Panggang"][:2] == ["40.0", "–"]
    rates = {cells[0]: cells[1:4] for cells in tables["reporting-rates"][1:]}
    rate = ReportingRate.objects.get(year=YEAR, quarter=1, level="puskesmas", area_id=data.b.pk)
    assert (
        rates["Puskesmas Babirik"]
        == [str(rate.expected), str(rate.approved), str(rate.on_time)]
        == ["3", "1", "1"]
    )
    assert rates[data.district.name] == ["9", "6", "6"]


def test_xlsx_holds_the_same_figures_on_several_sheets(en, data, district_user):
    en.force_login(district_user)
    response = download_export(en, _url(data, format="xlsx"))
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.xlsx"')
    book = load_workbook(io.BytesIO(content_of(response)), read_only=True)
    assert book.sheetnames == [
        "Per service",
        "Puskesmas x service (%)",
        "Per puskesmas",
        "Reporting rates",
        "Budget and actions",
    ]
    per_service = list(book["Per service"].iter_rows(min_row=2, values_only=True))
    expected = [
        (
            a.service.number,
            a.target,
            a.served_quarter,
            a.served_ytd,
            None if a.achievement is None else float(a.achievement),
        )
        for a in Achievement.objects.filter(
            year=YEAR, quarter=1, level="district", area_id=data.district.pk
        )
        .select_related("service")
        .order_by("service__number")
    ]
    assert [(r[0], r[3], r[4], r[5], r[6]) for r in per_service] == expected
    detail = {
        (r[1], r[2]): (r[4], r[5], r[6], r[7])
        for r in book["Per puskesmas"].iter_rows(min_row=2, values_only=True)
    }
    computed = {
        (a.puskesmas.name, a.service.number): (
            a.target,
            a.served_quarter,
            a.served_ytd,
            None if a.achievement is None else float(a.achievement),
        )
        for a in Achievement.objects.filter(
            year=YEAR, quarter=1, level="puskesmas", district=data.district
        ).select_related("puskesmas", "service")
    }
    assert detail == computed
    assert detail[("Puskesmas Babirik", 1)] == (100, 10, 10, 10.0)  # the submitted 1000 is not in
    rates = {r[1]: r[2:5] for r in book["Reporting rates"].iter_rows(min_row=2, values_only=True)}
    assert rates[data.district.name] == (9, 6, 6)


def test_planner_notes_and_the_budget_show_in_budget_and_actions(
    en, data, district_user, monkeypatch
):
    """The budget comes from indicators.budget (issue #16: no longer typed), realised through
    the quarter's last month; the stages, problems and actions from the planner's notes."""
    asked = {}

    def by_service(**kwargs):
        asked.update(kwargs)
        return {data.spm[0].pk: Budget(Decimal("150000000"), Decimal("60000000"))}

    monkeypatch.setitem(budget._providers, "by_service", by_service)
    note = SimpleNamespace(
        service_id=data.spm[0].pk,
        problems="Two midwives left in March.",
        planned_actions="Borrow a midwife from Puskesmas Babirik.",
        get_stage_data_display=lambda: "Done",
        get_stage_needs_display=lambda: "Done",
        get_stage_plan_display=lambda: "In progress",
        get_stage_delivery_display=lambda: "Not started",
    )
    monkeypatch.setattr(quarterly_selectors, "quarter_notes", lambda **kwargs: [note])
    en.force_login(district_user)
    tables = _tables(en.get(_url(data)))
    assert asked["through_month"] == 3 and asked["district"] == data.district
    assert tables["budget"][1][3:] == [
        "150,000,000",
        "60,000,000",
        "90,000,000",
        "40%",
        "Done",
        "Done",
        "In progress",
        "Not started",
    ]
    assert tables["actions"][1][2:] == [
        "Two midwives left in March.",
        "Borrow a midwife from Puskesmas Babirik.",
    ]
    response = download_export(en, _url(data, format="xlsx"))
    book = load_workbook(io.BytesIO(content_of(response)), read_only=True)
    first = next(book["Budget and actions"].iter_rows(min_row=2, values_only=True))
    assert first[3:7] == (150000000, 60000000, 90000000, 40)
    assert first[-2:] == ("Two midwives left in March.", "Borrow a midwife from Puskesmas Babirik.")


def test_notes_sections_say_not_written_while_nothing_is_written(en, data, district_user):
    en.force_login(district_user)
    page = en.get(_url(data)).content.decode()
    assert "has not written the stages" in page
    assert "No budget is recorded" in page
    assert "Not written yet for this quarter." in page


def test_pdf_is_a_real_pdf_with_the_district_name(en, data, district_user, tmp_path):
    en.force_login(district_user)
    response = download_export(en, _url(data, format="pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    content = content_of(response)
    assert content.startswith(b"%PDF")
    if shutil.which("pdftotext"):
        path = tmp_path / "report.pdf"
        path.write_bytes(content)
        text = subprocess.run(
            ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert "Kabupaten Hulu Sungai Utara" in text
        assert "Puskesmas Danau Panggang" in text
        assert "dr. Hj. Aulia Rahman" in text  # the signature block
        assert "\f" in text.rstrip("\f")  # more than one page: the wide table turns landscape


def test_pdf_renders_without_fetching_anything_but_our_static_files():
    fetcher = kernel_documents.StaticFilesOnly("http://testserver/")
    css = fetcher.fetch("http://testserver/static/css/simpul.css")
    assert b"/* Print */" in css.read()
    for url in (
        "https://cdn.example.com/bootstrap.css",
        "http://testserver/etc/passwd",
        "file:///etc/passwd",
        "http://testserver/static/../config/settings/base.py",
        "http://169.254.169.254/latest/meta-data",
    ):
        with pytest.raises(ValueError):
            fetcher.fetch(url)


def test_page_warns_when_a_month_was_approved_after_the_computation(en, data, district_user):
    en.force_login(district_user)
    assert "after these figures were computed" not in en.get(_url(data)).content.decode()
    audit.record(data.reports["b2"], action="approved", by=district_user)
    page = en.get(_url(data)).content.decode()
    assert "1 monthly report was approved or unlocked after these figures were computed" in page


def test_a_quarter_not_computed_says_so_and_has_no_files(en, data, district_user):
    en.force_login(district_user)
    page = en.get(_url(data, quarter=3))
    assert page.status_code == 200
    assert "has not been computed yet" in page.content.decode()
    assert en.get(_url(data, quarter=3, format="pdf")).status_code == 404
    assert en.get(_url(data, quarter=3, format="xlsx")).status_code == 404


def test_without_a_period_the_latest_computed_quarter_opens(en, data, district_user):
    en.force_login(district_user)
    url = reverse("indicators:quarterly-detail", kwargs={"pk": data.district.pk})
    report = en.get(url).context["report"]
    assert (report.year, report.quarter) == (YEAR, 1)


def test_provincial_reviewer_reads_the_report_of_a_district_of_the_province(
    en, data, province_user
):
    en.force_login(province_user)
    assert en.get(_url(data)).status_code == 200
    listing = en.get(reverse("indicators:quarterly-list") + f"?year={YEAR}&quarter=1")
    assert data.district.name in listing.content.decode()
    assert "Kota Bontang" not in listing.content.decode()


@pytest.mark.parametrize(
    "outsider", ["other_district_user", "other_province_user", "puskesmas_head"]
)
def test_others_get_404_for_the_quarterly_report(en, data, outsider, request):
    en.force_login(request.getfixturevalue(outsider))
    for query in ({}, {"format": "pdf"}, {"format": "xlsx"}):
        assert en.get(_url(data, **query)).status_code == 404


def _more_puskesmas(world, count):
    spm = services.monthly_services(YEAR)
    for index in range(count):
        puskesmas = PuskesmasFactory(subdistrict=world["hsu"]["subdistrict"])
        village = VillageFactory(subdistrict=world["hsu"]["subdistrict"], puskesmas=puskesmas)
        _target(village, spm[0], 50 + index)
        for month in (1, 2, 3):
            _report(puskesmas, month, "approved", {(village, spm[0]): index + month})
    services.quarter_aggregate(year=YEAR, quarter=1)


@pytest.mark.parametrize("query", [{}, {"format": "xlsx"}, {"format": "pdf"}])
def test_quarterly_report_queries_do_not_grow(
    en, data, world, district_user, query, django_assert_num_queries
):
    en.force_login(district_user)
    url = _url(data, **query)
    with CaptureQueriesContext(connection) as few:
        assert _fetch(en, url).status_code == 200
    _more_puskesmas(world, 6)
    with django_assert_num_queries(len(few)):
        assert _fetch(en, url).status_code == 200


def test_quarterly_list_queries_do_not_grow(en, data, world, admin_user, django_assert_num_queries):
    from ..factories import DistrictFactory

    en.force_login(admin_user)
    url = reverse("indicators:quarterly-list") + f"?year={YEAR}&quarter=1"
    with CaptureQueriesContext(connection) as few:
        en.get(url)
    DistrictFactory.create_batch(5, province=world["kalsel"])
    with django_assert_num_queries(len(few)):
        assert en.get(url).status_code == 200


# --- The monthly feedback -----------------------------------------------------------------------


def _feedback_url(report, **query):
    url = reverse("indicators:feedback-detail", kwargs={"pk": report.pk})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_feedback_ranks_the_puskesmas_in_its_district(en, data, puskesmas_head):
    en.force_login(puskesmas_head)
    response = en.get(_feedback_url(data.reports["a3"]))
    assert response.status_code == 200
    lines = {line.service.code: line for line in response.context["feedback"].lines}
    spm01, spm02 = lines["SPM-01"], lines["SPM-02"]
    assert (spm01.served_ytd, spm01.target, spm01.achievement) == (30, 100, Decimal("30.00"))
    assert (spm01.rank, spm01.ranked, spm01.best) == (2, 3, Decimal("40.00"))
    assert spm01.district_achievement == Decimal("30.00")  # (30 + 10 + 80) / 400
    assert not spm01.is_below_pace  # 30% after 3 months: the pace is 25%
    assert (spm02.achievement, spm02.rank, spm02.ranked) == (Decimal("10.00"), 2, 2)
    assert spm02.is_below_pace and spm02.shortfall == 8  # 25% of 50 is 12.5 -> 13; 13 - 5
    assert lines["SPM-03"].rank is None and lines["SPM-03"].achievement is None
    rows = {cells[0]: cells for cells in _tables(response)["feedback"][1:]}
    assert rows["1"][4:] == ["30", "30.0%", "–", "2 of 3", "30.0%"]
    assert rows["2"][4:] == ["5", "▼ 10.0%", "8", "2 of 2", "30.0%"]


def test_feedback_ranks_of_each_puskesmas(en, data, district_user):
    en.force_login(district_user)
    ranks = {}
    for key in ("a3", "b3", "c3"):
        feedback = en.get(_feedback_url(data.reports[key])).context["feedback"]
        ranks[key] = [(line.rank, line.ranked) for line in feedback.lines[:2]]
    assert ranks == {
        "a3": [(2, 3), (2, 2)],
        "b3": [(3, 3), (1, 2)],
        "c3": [(1, 3), (None, 2)],
    }


def test_equal_achievement_shares_a_rank(en, data, district_user):
    b1 = data.b.villages.get()
    _report(data.b, 1, "approved", {(b1, data.spm[0]): 20})  # B: 30 of 100, as A
    en.force_login(district_user)
    ranks = [
        en.get(_feedback_url(data.reports[key])).context["feedback"].lines[0].rank
        for key in ("a3", "b3", "c3")
    ]
    assert ranks == [2, 2, 1]


def test_feedback_counts_a_month_as_soon_as_it_is_approved(en, data, district_user):
    en.force_login(district_user)
    before = en.get(_feedback_url(data.reports["b3"])).context["feedback"]
    assert before.months_not_counted == [1, 2]
    services.report_approve(report=data.reports["b2"], by=district_user)
    after = en.get(_feedback_url(data.reports["b3"])).context["feedback"]
    assert after.lines[0].served_ytd == 1010  # without running the quarterly aggregation
    assert after.lines[0].rank == 1
    assert after.months_not_counted == [1]


def test_month_not_approved_has_no_feedback(en, data, district_user):
    en.force_login(district_user)
    response = en.get(_feedback_url(data.reports["b2"]))
    assert response.status_code == 200
    assert response.context.get("feedback") is None
    assert "not approved yet" in response.content.decode()
    assert en.get(_feedback_url(data.reports["b2"], format="pdf")).status_code == 404


def test_feedback_pdf_is_a_real_pdf(en, data, puskesmas_head, tmp_path):
    en.force_login(puskesmas_head)
    response = download_export(en, _feedback_url(data.reports["a3"], format="pdf"))
    assert response.status_code == 200
    content = content_of(response)
    assert content.startswith(b"%PDF")
    if shutil.which("pdftotext"):
        path = tmp_path / "feedback.pdf"
        path.write_bytes(content)
        text = subprocess.run(
            ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert "Puskesmas Hsu" in text and "Kabupaten Hulu Sungai Utara" in text


@pytest.mark.parametrize("outsider", ["other_district_user", "other_province_user"])
def test_others_get_404_for_the_feedback(en, data, outsider, request):
    en.force_login(request.getfixturevalue(outsider))
    assert en.get(_feedback_url(data.reports["a3"])).status_code == 404
    assert en.get(_feedback_url(data.reports["a3"], format="pdf")).status_code == 404


def test_another_puskesmas_of_the_district_gets_404_for_the_feedback(en, data):
    head_b = UserFactory(username="kapus-b", role="puskesmas_head", puskesmas=data.b)
    en.force_login(head_b)
    assert en.get(_feedback_url(data.reports["a3"])).status_code == 404
    assert en.get(_feedback_url(data.reports["b3"])).status_code == 200


def test_feedback_list_shows_approved_months_of_the_puskesmas(en, data, puskesmas_head):
    en.force_login(puskesmas_head)
    response = en.get(reverse("indicators:feedback-list") + f"?year={YEAR}")
    links = {r.pk for r in response.context["rows"]}
    assert links == {data.reports[k].pk for k in ("a1", "a2", "a3")}
    export = en.get(reverse("indicators:feedback-list"), {"year": YEAR, "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(export.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("Month", "Puskesmas", "Approved on")  # the page's columns
    assert len(rows) == 4


@pytest.mark.parametrize("url_name", ["feedback-detail", "feedback-pdf", "feedback-list"])
def test_feedback_queries_do_not_grow(
    en, data, world, district_user, url_name, django_assert_num_queries
):
    en.force_login(district_user)
    url = {
        "feedback-detail": _feedback_url(data.reports["a3"]),
        "feedback-pdf": _feedback_url(data.reports["a3"], format="pdf"),
        "feedback-list": reverse("indicators:feedback-list") + f"?year={YEAR}",
    }[url_name]
    with CaptureQueriesContext(connection) as few:
        assert _fetch(en, url).status_code == 200
    _more_puskesmas(world, 6)
    with django_assert_num_queries(len(few)):
        assert _fetch(en, url).status_code == 200


def test_district_planner_writes_quarter_notes_that_the_report_shows(client, world, district_user):
    from indicators.models import QuarterServiceNote

    client.cookies["django_language"] = "en"
    client.force_login(district_user)
    district = world["hsu"]["district"]
    url = reverse("indicators:quarterly-notes", args=[district.pk]) + "?year=2025&quarter=2"
    page = client.get(url)
    first = page.context["forms"][0][1].prefix
    # The budget is no longer typed (issue #16): posted budget fields are ignored.
    assert f"{first}-budget_allocated_idr" not in page.content.decode()
    data = {
        f"{first}-budget_allocated_idr": "1000000",
        f"{first}-budget_spent_idr": "250000",
        f"{first}-stage_data": "done",
        f"{first}-problems": "Bidan desa cuti",
        f"{first}-planned_actions": "Kelas ibu hamil tiap bulan",
    }
    assert client.post(url, data).status_code == 302
    note = QuarterServiceNote.objects.get(district=district, year=2025, quarter=2)
    assert note.problems == "Bidan desa cuti" and note.updated_by == district_user
    assert note.budget_allocated_idr is None and note.budget_spent_idr is None


def test_province_reviewer_cannot_write_quarter_notes(client, world, province_user):
    client.force_login(province_user)
    url = reverse("indicators:quarterly-notes", args=[world["hsu"]["district"].pk])
    assert client.get(url).status_code == 403

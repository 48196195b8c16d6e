"""The quality report's Excel template and import (issue #16), on the one import pipeline: the
template comes pre-filled; a filled one is written whole into an editable report or refused
whole, every problem located by sheet, row and column; hostile files never get in."""

import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from indicators.models import QualityItem, QualityValue, SPMService, Target
from indicators.services import aggregation
from indicators.services.quality import quality_report_open
from indicators.services.quality_excel import (
    QUALITY_IMPORT_KIND,
    QUALITY_SHEET,
    QualityValuesImporter,
)
from kernel.imports import base
from tests.conftest import errors_of
from tests.hostile import files

pytestmark = pytest.mark.django_db
YEAR = 2025


@pytest.fixture(autouse=True)
def _setting(monkeypatch, client, settings, tmp_path):
    """English pages, uploads under tmp, the importer registered (kernel declares its kind
    once the coordinator adds it), the quarter's rebuild not run here."""
    translation.activate("en")
    client.cookies["django_language"] = "en"
    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setitem(base._REGISTRY, QUALITY_IMPORT_KIND, QualityValuesImporter())
    monkeypatch.setattr(aggregation, "quality_refresh_later", lambda *, report: None, raising=False)


def _service(number):
    return SPMService.objects.get(
        edition__years__year=YEAR, level=SPMService.Level.DISTRICT, number=number
    )


@pytest.fixture
def report(world, puskesmas_head):
    Target.objects.create(
        village=world["hsu"]["villages"][0],
        year=YEAR,
        service=_service(1),
        source=Target.Source.ESTIMATE,
        value=100,
        is_of_record=True,
    )
    return quality_report_open(
        puskesmas=world["hsu"]["puskesmas"], year=YEAR, quarter=2, by=puskesmas_head
    )


def _template(client, report) -> openpyxl.Workbook:
    answer = client.get(reverse("indicators:quality-template", args=[report.pk]))
    assert answer.status_code == 200
    return openpyxl.load_workbook(io.BytesIO(answer.content))


def _upload(workbook) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("mutu.xlsx", buffer.getvalue())


def _row_of(sheet, code, service="SPM-01"):
    for row in sheet.iter_rows(min_row=2):
        if row[0].value == service and row[1].value == code:
            return row
    raise AssertionError(code)


def _value(report, code, number=1):
    item = QualityItem.objects.get(service=_service(number), code=code)
    return QualityValue.objects.get(report=report, item=item)


def test_the_template_is_prefilled_with_the_reports_checklist(client, report, puskesmas_head):
    client.force_login(puskesmas_head)
    sheet = _template(client, report).worksheets[0]
    assert [c.value for c in sheet[1]] == QUALITY_SHEET.headings()
    row = _row_of(sheet, "ttd-90")
    assert (row[3].value, row[4].value, row[5].value) == ("tablet", 9000, None)
    items = QualityItem.objects.filter(
        service__edition__years__year=YEAR, service__level="district", is_active=True
    ).count()
    assert sheet.max_row == items + 1


def test_a_filled_template_is_imported_through_a_job(client, report, puskesmas_head, post_import):
    client.force_login(puskesmas_head)
    workbook = _template(client, report)
    sheet = workbook.worksheets[0]
    _row_of(sheet, "ttd-90")[5].value = 4500
    _row_of(sheet, "buku-kia")[5].value = "100"
    _row_of(sheet, "buku-kia")[6].value = "semua dapat"
    _row_of(sheet, "dokter")[4].value = 2  # needed overridden
    url = reverse("indicators:quality-import", args=[report.pk])
    answer, job = post_import(url, {"file": _upload(workbook)})
    job.refresh_from_db()
    assert job.status == "done", job.errors
    assert job.puskesmas_id == report.puskesmas_id
    assert _value(report, "ttd-90").available == Decimal(4500)
    assert _value(report, "buku-kia").note == "semua dapat"
    assert _value(report, "dokter").needed == Decimal(2)
    assert "3 quality values saved." in job.result["summary"]
    # the same file again changes nothing
    _answer, again = post_import(url, {"file": _upload(workbook)})
    again.refresh_from_db()
    assert again.status == "done" and again.result["summary"].startswith("0 ")


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        ({"A3": "SPM-99"}, "row 3, column A: unknown service code"),
        ({"B3": "tidak-ada"}, "row 3, column B: unknown item code"),
        ({"F3": -5}, "row 3, column F: The value cannot be negative."),
        ({"F3": "banyak"}, "row 3, column F: The value: banyak is not a number."),
        ({"E3": 1.234}, "row 3, column E: The value: at most two decimals."),
        ({"F3": 1e15}, "row 3, column F: The value is too large."),
        ({"F3": True}, "row 3, column F: write a number."),
        ({"G3": "x" * 301}, "row 3, column G: the text is longer than 300 characters."),
    ],
)
def test_a_bad_cell_refuses_the_whole_file_with_its_place(
    client, report, puskesmas_head, post_import, cells, expected
):
    client.force_login(puskesmas_head)
    workbook = _template(client, report)
    sheet = workbook.worksheets[0]
    _row_of(sheet, "ttd-90")[5].value = 4500  # a good row that must not be saved either
    for ref, value in cells.items():
        sheet[ref] = value
    before = list(QualityValue.objects.values_list("pk", "version", "available", "needed"))
    answer, job = post_import(
        reverse("indicators:quality-import", args=[report.pk]), {"file": _upload(workbook)}
    )
    errors = errors_of(answer, job)
    assert any(expected in error for error in errors), errors
    assert list(QualityValue.objects.values_list("pk", "version", "available", "needed")) == before


def test_an_item_twice_and_wrong_headings_are_refused(client, report, puskesmas_head, post_import):
    client.force_login(puskesmas_head)
    workbook = _template(client, report)
    sheet = workbook.worksheets[0]
    sheet.append(["SPM-01", "ttd-90", "", "", 1, 1, ""])
    url = reverse("indicators:quality-import", args=[report.pk])
    answer, job = post_import(url, {"file": _upload(workbook)})
    assert any("this item is already on row" in e for e in errors_of(answer, job))
    sheet["E1"] = "Jumlah"
    answer, job = post_import(url, {"file": _upload(workbook)})
    assert any("column headings must be" in e for e in errors_of(answer, job))


@pytest.mark.parametrize(
    "name",
    [
        "raw_nul",
        "control_characters",
        "formula",
        "long_cell",
        "far_column",
        "too_many_rows",
        "external_entity",
        "truncated",
        "binary_junk",
        "empty",
    ],
)
def test_hostile_files_are_refused_and_nothing_is_saved(
    client, report, puskesmas_head, post_import, name
):
    client.force_login(puskesmas_head)
    title, headings = str(QUALITY_SHEET.title), QUALITY_SHEET.headings()
    if name == "too_many_rows":
        data = files.too_many_rows(title, headings, rows=QUALITY_SHEET.max_rows + 5)
    else:
        data = getattr(files, name)(title, headings)
    before = list(QualityValue.objects.values_list("pk", "version", "available"))
    answer, job = post_import(
        reverse("indicators:quality-import", args=[report.pk]),
        {"file": SimpleUploadedFile("x.xlsx", data)},
    )
    errors = errors_of(answer, job)
    assert errors and all(len(e) < 400 for e in errors)
    assert list(QualityValue.objects.values_list("pk", "version", "available")) == before


def test_nul_and_control_characters_escaped_in_a_cell_never_reach_the_database(
    client, report, puskesmas_head, post_import
):
    client.force_login(puskesmas_head)
    title, headings = str(QUALITY_SHEET.title), QUALITY_SHEET.headings()
    data = files.valid(
        title, headings, ["SPM-01", "ttd-90", "", "", 9000, 100, "_x0000_stok_x0007_"]
    )
    answer, job = post_import(
        reverse("indicators:quality-import", args=[report.pk]),
        {"file": SimpleUploadedFile("x.xlsx", data)},
    )
    job.refresh_from_db()
    assert job.status == "done", job.errors
    assert _value(report, "ttd-90").note == "stok"


def test_a_huge_file_is_refused_before_it_is_stored(
    client, report, puskesmas_head, post_import, settings
):
    client.force_login(puskesmas_head)
    settings.SIMPUL_IMPORT_MAX_BYTES = 50_000
    data = files.oversized(str(QUALITY_SHEET.title), QUALITY_SHEET.headings(), 50_000)
    answer, job = post_import(
        reverse("indicators:quality-import", args=[report.pk]),
        {"file": SimpleUploadedFile("big.xlsx", data)},
    )
    assert job is None and any("larger than" in e for e in errors_of(answer, job))


def test_a_submitted_report_takes_no_import_and_others_cannot_import(
    client, report, puskesmas_head, district_user, post_import
):
    from indicators.services.quality import ValueInput, quality_report_submit, quality_value_save

    client.force_login(puskesmas_head)
    workbook = _template(client, report)
    item = QualityItem.objects.get(service=_service(1), code="ttd-90")
    quality_value_save(
        report=report,
        item=item,
        entry=ValueInput(available=Decimal(1), version=1, fields=("available",)),
        by=puskesmas_head,
    )
    report.refresh_from_db()
    quality_report_submit(report=report, version=report.version, by=puskesmas_head)
    url = reverse("indicators:quality-import", args=[report.pk])
    assert client.get(url).status_code == 302  # sent back to the report, with the reason
    client.force_login(district_user)
    assert client.get(url).status_code == 403
    assert client.get(reverse("indicators:quality-template", args=[report.pk])).status_code == 403
    assert workbook  # the puskesmas's template is of no use to anyone else

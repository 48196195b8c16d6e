"""Service points from an Excel template: all rows or none, every error located."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from kernel.models import ImportJob, ServicePoint

from ..conftest import errors_of

pytestmark = pytest.mark.django_db

URL = "kernel:servicepoint-import"


@pytest.fixture
def upload(post_import):
    def send(workbook_or_bytes, name="points.xlsx"):
        if isinstance(workbook_or_bytes, Workbook):
            buffer = io.BytesIO()
            workbook_or_bytes.save(buffer)
            workbook_or_bytes = buffer.getvalue()
        return post_import(reverse(URL), {"file": SimpleUploadedFile(name, workbook_or_bytes)})

    return send


def _template(client):
    response = client.get(reverse("kernel:servicepoint-template"))
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.content))


def _errors(sent) -> list[str]:
    return errors_of(*sent)


def test_template_round_trip_adds_and_updates_service_points(client, world, district_user, upload):
    client.force_login(district_user)
    hsu = world["hsu"]
    workbook = _template(client)
    sheet = workbook.active
    assert sheet.cell(2, 1).value == hsu["puskesmas"].code  # existing posyandu listed
    sheet.append(
        [hsu["puskesmas"].code, "Pustu", "Pustu Baru", hsu["villages"][1].code, "Jl. A", "Ya"]
    )
    response, job = upload(workbook)
    assert response.status_code == 302 and job.status == ImportJob.Status.DONE, job.errors
    assert "2" in job.result["summary"]
    point = ServicePoint.objects.get(name="Pustu Baru")
    assert point.kind == "pustu" and point.village == hsu["villages"][1]
    assert ServicePoint.objects.filter(puskesmas=hsu["puskesmas"]).count() == 2


def test_bad_rows_are_all_listed_with_row_and_column_and_nothing_is_saved(
    client, world, district_user, upload
):
    client.force_login(district_user)
    hsu, other = world["hsu"], world["banjarmasin"]
    workbook = _template(client)
    sheet = workbook.active
    sheet.append([hsu["puskesmas"].code, "Pustu", "Good row", "", "", "Ya"])
    sheet.append([hsu["puskesmas"].code, "Hospital", "Bad kind", "", "", "Ya"])
    sheet.append([other["puskesmas"].code, "Pustu", "Other area", "", "", "Ya"])
    sheet.append(
        [hsu["puskesmas"].code, "Pustu", "Far village", other["villages"][0].code, "", "Ya"]
    )
    before = ServicePoint.objects.count()
    response, job = upload(workbook)
    assert job.status == ImportJob.Status.FAILED
    errors = _errors((response, job))
    assert any("baris 4" in e and "kolom B" in e for e in errors), errors
    assert any("baris 5" in e and "kolom A" in e for e in errors), errors
    assert any("baris 6" in e and "kolom D" in e for e in errors), errors
    assert ServicePoint.objects.count() == before  # not even the good row


@pytest.mark.parametrize(
    "content,expected",
    [
        (b"", "kosong"),
        (b"this is a text file, renamed", "bukan berkas Excel"),
    ],
)
def test_files_that_are_not_workbooks_are_refused(
    client, world, district_user, content, expected, upload
):
    client.force_login(district_user)
    errors = _errors(upload(content))
    assert any(expected in e for e in errors), errors


def test_formulas_merged_cells_and_wrong_sheet_are_refused(client, world, district_user, upload):
    client.force_login(district_user)
    workbook = _template(client)
    sheet = workbook.active
    sheet.append([world["hsu"]["puskesmas"].code, "Pustu", '=A1&"x"', "", "", "Ya"])
    sheet.merge_cells("E3:F3")
    errors = _errors(upload(workbook))
    assert any("rumus" in e and "kolom C" in e for e in errors), errors
    assert any("sel gabungan" in e for e in errors), errors
    renamed = _template(client)
    renamed.active.title = "Sheet1"
    assert any("tidak memiliki sheet" in e for e in _errors(upload(renamed)))


def test_puskesmas_staff_cannot_import(client, world, puskesmas_staff):
    client.force_login(puskesmas_staff)
    assert client.get(reverse(URL)).status_code == 403

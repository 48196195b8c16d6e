"""Monthly SPM values in and out of Excel: template, all-or-nothing import with progress, export."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import number_format
from openpyxl import Workbook, load_workbook

from indicators import services
from indicators.models import (
    MonthlyReport,
    MonthlyValue,
    ReportingYear,
    SPMEdition,
    SPMService,
    Target,
    ValueChange,
)
from kernel.imports.runner import RowProgress
from kernel.models import AuditEvent, ImportJob, User
from kernel.spreadsheets import MAX_UPLOAD_BYTES
from kernel.tasks import import_run

from ..exports import content_of, download_export
from ..factories import PuskesmasFactory, UserFactory, VillageFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
YEAR = TODAY.year - 1  # a whole year in the past: every month may be reported
Status = MonthlyReport.Status


@pytest.fixture(autouse=True)
def reporting_years(spm_catalogue, settings, tmp_path):
    """Uploaded files go to a temporary folder; last, this and next year are set up."""
    settings.MEDIA_ROOT = tmp_path
    edition = SPMEdition.objects.order_by("-first_year").first()
    for year in (YEAR, TODAY.year, TODAY.year + 1):
        ReportingYear.objects.get_or_create(year=year, defaults={"edition": edition})


@pytest.fixture
def english():
    with translation.override("en"):
        yield


def _save(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _template(client, *, months=(1, 2), **params) -> Workbook:
    query = {"year": YEAR, "months": list(months), **params}
    response = client.get(reverse("indicators:monthly-template"), query)
    assert response.status_code == 200, response
    assert response["Content-Disposition"].startswith("attachment")
    return load_workbook(io.BytesIO(response.content))


def _upload(client, capture, content, name="figures.xlsx"):
    if isinstance(content, Workbook):
        content = _save(content)
    with capture(execute=True):
        return client.post(
            reverse("indicators:monthly-import"), {"file": SimpleUploadedFile(name, content)}
        )


def _counts() -> tuple[int, ...]:
    return tuple(
        model.objects.count() for model in (MonthlyValue, MonthlyReport, ValueChange, AuditEvent)
    )


def _report(world, month: int, **fields) -> MonthlyReport:
    return MonthlyReport.objects.create(
        puskesmas=world["hsu"]["puskesmas"],
        year=YEAR,
        month=month,
        due_on=ReportingYear.objects.get(year=YEAR).due_on(month),
        **fields,
    )


def _service(number: int) -> SPMService:
    return services.monthly_services(YEAR)[number - 1]


def _parse(content: bytes | Workbook, user, name="figures.xlsx"):
    if isinstance(content, Workbook):
        content = _save(content)
    upload = io.BytesIO(content)
    upload.name = name
    with translation.override("en"):
        plan, errors = services.monthly_import_parse(upload=upload, user=user)
        return plan, [str(error) for error in errors]


def _template_for(world, *, year=YEAR, months=(1, 2)) -> Workbook:
    with translation.override("en"):
        content = services.monthly_template(
            puskesmas_list=[world["hsu"]["puskesmas"]], year=year, months=list(months)
        )
    return load_workbook(io.BytesIO(content))


# --- Template -----------------------------------------------------------------------------------


def test_template_lists_every_village_and_service_with_target_and_saved_values(
    client, world, puskesmas_head
):
    hsu = world["hsu"]
    village = hsu["villages"][0]
    Target.objects.create(
        village=village,
        year=YEAR,
        service=_service(1),
        source="estimate",
        value=40,
        is_of_record=True,
    )
    report = _report(world, 2)
    MonthlyValue.objects.create(
        report=report, village=village, service=_service(1), value=0, comment="posyandu closed"
    )
    MonthlyValue.objects.create(report=report, village=village, service=_service(2), value=None)
    client.force_login(puskesmas_head)
    client.cookies["django_language"] = "en"

    sheet = _template(client)["Data"]

    headers = [cell.value for cell in sheet[1]]
    assert headers == [
        "Puskesmas code",
        "Village code",
        "Village",
        "Service code",
        "Service",
        "Annual target",
        f"{YEAR}-01",
        f"{YEAR}-02",
        "Comment",
    ]
    assert sheet.max_row == 1 + 2 * 12  # two desa x twelve monthly services
    first = [cell.value for cell in sheet[2]]
    assert first[:4] == [hsu["puskesmas"].code, village.code, village.name, "SPM-01"]
    assert first[5] == 40
    assert first[6] is None  # January: not reported stays empty
    assert first[7] == 0  # February: 0 is a value
    assert first[8] == f"{YEAR}-02: posyandu closed"
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["E"].width > 20


def test_template_has_instructions_and_a_hidden_sheet_saying_when_it_was_downloaded(
    client, world, puskesmas_head
):
    client.force_login(puskesmas_head)
    client.cookies["django_language"] = "en"
    workbook = _template(client)
    assert workbook.sheetnames == ["Data", "Instructions", "Simpul"]
    instructions = [row[0] for row in workbook["Instructions"].iter_rows(values_only=True)]
    assert any("0 means nobody was served" in (line or "") for line in instructions)
    assert ["Puskesmas Hsu", f"{YEAR}-01", "Not started"] in [
        list(row[:3]) for row in workbook["Instructions"].iter_rows(values_only=True)
    ]
    meta = workbook["Simpul"]
    assert meta.sheet_state == "hidden"
    assert meta["A3"].value == "downloaded_at"
    downloaded = datetime.datetime.fromisoformat(meta["B3"].value)
    assert abs((timezone.now() - downloaded).total_seconds()) < 60


def test_template_queries_do_not_grow_with_the_data(
    client, world, district_user, django_assert_num_queries
):
    client.force_login(district_user)
    url = reverse("indicators:monthly-template")
    query = {"year": YEAR, "months": [1, 2, 3]}
    with CaptureQueriesContext(connection) as few:
        assert client.get(url, query).status_code == 200
    district = world["hsu"]["district"]
    for _ in range(3):
        puskesmas = PuskesmasFactory(subdistrict=world["hsu"]["subdistrict"], district=district)
        villages = VillageFactory.create_batch(
            3, subdistrict=world["hsu"]["subdistrict"], puskesmas=puskesmas
        )
        for month in (1, 2):
            report = MonthlyReport.objects.create(
                puskesmas=puskesmas, year=YEAR, month=month, due_on=TODAY
            )
            for village in villages:
                MonthlyValue.objects.create(
                    report=report, village=village, service=_service(1), value=month
                )
                Target.objects.get_or_create(
                    village=village,
                    year=YEAR,
                    service=_service(1),
                    source="estimate",
                    value=9,
                    is_of_record=True,
                )
    with django_assert_num_queries(len(few)):
        response = client.get(url, query)
    assert load_workbook(io.BytesIO(response.content))["Data"].max_row == 1 + 11 * 12


def test_future_months_cannot_be_chosen_for_a_template(client, world, puskesmas_head):
    client.force_login(puskesmas_head)
    client.cookies["django_language"] = "en"
    year, month = (TODAY.year, TODAY.month + 1) if TODAY.month < 12 else (TODAY.year + 1, 1)
    response = client.get(
        reverse("indicators:monthly-template"), {"year": year, "months": [month]}, follow=True
    )
    assert response.redirect_chain == [(reverse("indicators:monthly-import"), 302)]
    assert 'class="alert alert-danger"' in response.content.decode()


# --- Round trip ---------------------------------------------------------------------------------


def test_round_trip_saves_values_audits_them_and_bumps_report_versions(
    client, world, puskesmas_head, django_capture_on_commit_callbacks
):
    hsu = world["hsu"]
    february = _report(world, 2, version=3)
    client.force_login(puskesmas_head)
    client.cookies["django_language"] = "en"
    workbook = _template(client)
    sheet = workbook["Data"]
    sheet["G2"] = 12
    sheet["H2"] = 0
    sheet["G3"] = 5.0  # a whole number typed or saved as a float
    sheet["I2"] = f"{YEAR}-02: posyandu closed"

    response = _upload(client, django_capture_on_commit_callbacks, workbook, "januari.xlsx")

    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("kernel:importjob-detail", args=[job.pk])
    assert job.status == ImportJob.Status.DONE, job.errors
    assert (job.done, job.total) == (3, 3)
    village = hsu["villages"][0]
    january = MonthlyReport.objects.get(puskesmas=hsu["puskesmas"], year=YEAR, month=1)
    assert january.status == Status.DRAFT and january.due_on == datetime.date(YEAR, 2, 10)
    saved = {
        (v.report.month, v.service.number): (v.value, v.comment)
        for v in MonthlyValue.objects.filter(village=village).select_related("report", "service")
    }
    assert saved == {(1, 1): (12, ""), (1, 2): (5, ""), (2, 1): (0, "posyandu closed")}
    changes = ValueChange.objects.all()
    assert changes.count() == 3
    assert {c.reason for c in changes} == {"Excel import: januari.xlsx"}
    assert {c.changed_by for c in changes} == {puskesmas_head}
    assert {(c.old_value, c.status) for c in changes} == {(None, "draft")}
    february.refresh_from_db()
    assert february.version == 4 and february.updated_by == puskesmas_head
    imported = AuditEvent.objects.filter(action=AuditEvent.Action.IMPORTED)
    assert {e.object_id for e in imported} == {january.pk, february.pk}
    assert {e.puskesmas_id for e in imported} == {january.puskesmas_id}
    assert january.events.filter(action="created").exists()
    page = client.get(response["Location"]).content.decode()
    assert "Saved: 3 values changed in 2 monthly reports (1 of them new drafts)" in page
    assert reverse("indicators:report-entry", args=[january.pk]) in page

    # The next template holds what was saved; uploading it unchanged changes nothing.
    again = _template(client)
    assert [again["Data"][c].value for c in ("G2", "H2", "G3", "I2")] == [
        12,
        0,
        5,
        f"{YEAR}-02: posyandu closed",
    ]
    before = _counts()
    _upload(client, django_capture_on_commit_callbacks, again)
    assert ImportJob.objects.latest("created_at").result["values_changed"] == 0
    assert _counts() == before
    february.refresh_from_db()
    assert february.version == 4


def test_an_emptied_cell_is_saved_as_not_reported_and_audited(
    client, world, puskesmas_head, django_capture_on_commit_callbacks
):
    report = _report(world, 1)
    value = MonthlyValue.objects.create(
        report=report, village=world["hsu"]["villages"][0], service=_service(1), value=7
    )
    client.force_login(puskesmas_head)
    workbook = _template(client, months=[1])
    assert workbook["Data"]["G2"].value == 7
    workbook["Data"]["G2"] = None
    _upload(client, django_capture_on_commit_callbacks, workbook)
    value.refresh_from_db()
    assert value.value is None
    assert ValueChange.objects.get().old_value == 7


def test_district_planner_imports_for_a_puskesmas_of_the_district_as_themself(
    client, world, district_user, django_capture_on_commit_callbacks
):
    client.force_login(district_user)
    workbook = _template(client, months=[3])
    workbook["Data"]["G5"] = 9
    _upload(client, django_capture_on_commit_callbacks, workbook)
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.DONE, job.errors
    assert job.district == world["hsu"]["district"] and job.puskesmas is None
    change = ValueChange.objects.get()
    assert change.changed_by == district_user and change.new_value == 9
    assert AuditEvent.objects.get(action="imported").by == district_user


def test_comments_per_month_in_a_multi_month_file(world, puskesmas_head):
    workbook = _template_for(world, months=[1, 2, 3])
    sheet = workbook["Data"]
    sheet["G2"], sheet["H2"] = 4, 6
    sheet["J2"] = f"{YEAR}-01: flood; road closed; {YEAR}-03: no staff"
    sheet["G3"], sheet["I3"] = 1, 2
    sheet["J3"] = "catch-up visits"  # no month: every filled month of the row
    plan, errors = _parse(workbook, puskesmas_head)
    assert errors == []
    cells = {month: plan.cells[(world["hsu"]["puskesmas"].pk, month)] for month in (1, 2, 3)}
    village, first, second = world["hsu"]["villages"][0].pk, _service(1).pk, _service(2).pk
    assert cells[1][(village, first)].comment == "flood; road closed"
    assert cells[2][(village, first)].comment == ""
    assert cells[3][(village, first)].comment == "no staff"
    assert cells[1][(village, second)].comment == "catch-up visits"
    assert cells[2][(village, second)].comment == ""
    assert cells[3][(village, second)].comment == "catch-up visits"
    sheet["J2"] = f"{YEAR}-05: wrong month"
    _plan, errors = _parse(workbook, puskesmas_head)
    assert errors == [
        f"Sheet Data, row 2, column J: the comment names {YEAR}-05, which has no "
        "column in this file."
    ]


# --- Bad files: every problem located, nothing saved --------------------------------------------


@pytest.mark.parametrize(
    "cell,value,expected",
    [
        ("G2", "abc", "Sheet Data, row 2, column G: “abc” is not a whole number of people."),
        ("G3", -3, "Sheet Data, row 3, column G: a number of people cannot be negative."),
        ("H4", 12.5, "Sheet Data, row 4, column H: “12.5” is not a whole number of people."),
        ("G2", "=1+1", "Sheet Data, row 2, column G: formulas are not accepted"),
        ("G2", 5_000_000, "Sheet Data, row 2, column G: the number is implausibly large."),
        ("B2", "63.08.01.9999", "Sheet Data, row 2, column B: unknown village code 63.08.01.9999."),
        ("D2", "SPM-99", "Sheet Data, row 2, column D: unknown service code SPM-99"),
        ("C1", "Desa", "Sheet Data, row 1, column C: the heading must be “Village”"),
        ("I1", "Remarks", "Sheet Data, row 1, column I: the heading must be “Comment”"),
        ("H1", f"{YEAR - 1}-12", f"Sheet Data, row 1, column H: {YEAR - 1}-12 is not in {YEAR}"),
        ("H1", f"{YEAR}-01", f"Sheet Data, row 1, column H: {YEAR}-01 appears twice."),
    ],
)
def test_a_bad_cell_is_located_and_nothing_is_saved(
    client, world, puskesmas_head, django_capture_on_commit_callbacks, cell, value, expected
):
    client.force_login(puskesmas_head)
    client.cookies["django_language"] = "en"
    workbook = _template(client)
    workbook["Data"]["G2"] = 8  # a good value: not saved either
    workbook["Data"][cell] = value
    before = _counts()

    response = _upload(client, django_capture_on_commit_callbacks, workbook)

    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.FAILED
    assert any(error.startswith(expected) for error in job.errors), job.errors
    assert _counts() == before
    page = client.get(response["Location"]).content.decode()
    assert "Nothing was saved" in page and "row " in page


def test_merged_cells_wrong_sheet_and_missing_hidden_sheet_are_refused(world, puskesmas_head):
    merged = _template_for(world)
    merged["Data"].merge_cells("G2:H2")
    assert _parse(merged, puskesmas_head)[1] == [
        "Sheet Data, row 2, column G: merged cells are not accepted; unmerge G2:H2."
    ]
    renamed = _template_for(world)
    renamed["Data"].title = "Sheet1"
    assert _parse(renamed, puskesmas_head)[1] == [
        "Sheet Data: the workbook has no sheet with this name; use the template."
    ]
    bare = _template_for(world)
    del bare["Simpul"]
    errors = _parse(bare, puskesmas_head)[1]
    assert errors[0].startswith("Sheet Simpul: this hidden sheet is missing or changed")


@pytest.mark.parametrize(
    "content,expected",
    [
        (b"", "Sheet Data: the file is empty."),
        (b"Puskesmas code\tVillage code\n", "Sheet Data: this is not an Excel .xlsx file."),
        (b"x" * (MAX_UPLOAD_BYTES + 1), "Sheet Data: the file is larger than 10 MB."),
    ],
    ids=["empty", "renamed-txt", "huge"],
)
def test_files_that_are_not_a_workbook_are_refused(world, puskesmas_head, content, expected):
    before = _counts()
    plan, errors = _parse(content, puskesmas_head)
    assert plan is None and errors == [expected]
    assert _counts() == before


def test_upload_page_refuses_empty_and_huge_files_before_storing_them(
    client, world, puskesmas_head, django_capture_on_commit_callbacks
):
    client.force_login(puskesmas_head)
    client.cookies["django_language"] = "en"
    empty = _upload(client, django_capture_on_commit_callbacks, b"")
    assert "The submitted file is empty." in empty.content.decode()
    huge = _upload(client, django_capture_on_commit_callbacks, b"x" * (MAX_UPLOAD_BYTES + 1))
    assert "The file is larger than 10 MB." in huge.content.decode()
    assert not ImportJob.objects.exists()


def test_an_empty_data_sheet_and_a_duplicated_row_are_refused(world, puskesmas_head):
    empty = _template_for(world)
    empty["Data"].delete_rows(2, 24)
    assert _parse(empty, puskesmas_head)[1] == ["Sheet Data: the sheet has no rows."]
    twice = _template_for(world)
    sheet = twice["Data"]
    sheet.append([cell.value for cell in sheet[2]])
    assert _parse(twice, puskesmas_head)[1] == [
        "Sheet Data, row 26, column B: this puskesmas, village and service are already on row 2."
    ]


def test_a_village_outside_the_working_area_is_refused(world, puskesmas_head):
    workbook = _template_for(world)
    foreign = world["banjarmasin"]["villages"][0]
    workbook["Data"]["B3"] = foreign.code
    errors = _parse(workbook, puskesmas_head)[1]
    assert errors == [
        f"Sheet Data, row 3, column B: village {foreign.code} is not in the working "
        "area of Puskesmas Hsu."
    ]


def test_a_puskesmas_outside_the_users_area_refuses_the_whole_file(
    client, world, district_user, django_capture_on_commit_callbacks
):
    client.force_login(district_user)
    client.cookies["django_language"] = "en"
    workbook = _template(client, months=[1])
    other = world["banjarmasin"]
    for village in other["villages"]:
        workbook["Data"].append([other["puskesmas"].code, village.code, "", "SPM-01", "", None, 3])
    workbook["Data"]["G2"] = 4
    before = _counts()
    _upload(client, django_capture_on_commit_callbacks, workbook)
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.FAILED
    assert job.errors == [
        f"Sheet Data, row 26, column A: puskesmas {other['puskesmas'].code} is "
        "not in your area; the file is refused."
    ]
    assert _counts() == before


def test_staff_of_another_puskesmas_and_a_province_reviewer_cannot_import(world, province_user):
    workbook = _template_for(world, months=[1])
    other_staff = UserFactory(
        role=User.Role.PUSKESMAS_STAFF, puskesmas=world["banjarmasin"]["puskesmas"]
    )
    code = world["hsu"]["puskesmas"].code
    assert _parse(workbook, other_staff)[1] == [
        f"Sheet Data, row 2, column A: puskesmas {code} is not in your area; the file is refused."
    ]
    assert _parse(workbook, province_user)[1] == [
        "Sheet Data, row 2, column A: your role cannot enter data for Puskesmas Hsu."
    ]


def test_province_reviewer_sees_the_export_but_cannot_download_a_template_or_upload(
    client, world, province_user
):
    client.force_login(province_user)
    client.cookies["django_language"] = "en"
    page = client.get(reverse("indicators:monthly-import"))
    assert page.status_code == 200
    assert "Export monthly values" in page.content.decode()
    assert "Download the template" not in page.content.decode()
    assert client.get(reverse("indicators:monthly-template")).status_code == 403
    upload = SimpleUploadedFile("x.xlsx", b"x")
    assert client.post(reverse("indicators:monthly-import"), {"file": upload}).status_code == 403


def test_a_month_in_the_future_is_refused(world, puskesmas_head):
    year, month = (TODAY.year, TODAY.month + 1) if TODAY.month < 12 else (TODAY.year + 1, 1)
    workbook = _template_for(world, year=year, months=[month])
    errors = _parse(workbook, puskesmas_head)[1]
    assert errors == [f"Sheet Data, row 1, column G: {year}-{month:02d} has not started yet."]


@pytest.mark.parametrize("status", [Status.SUBMITTED, Status.APPROVED, Status.LOCKED])
def test_a_submitted_approved_or_locked_month_cannot_be_changed_by_import(
    world, puskesmas_head, status
):
    _report(world, 1, status=status)
    with translation.override("en"):
        label = str(status.label).lower()
    workbook = _template_for(world, months=[1, 2])
    unchanged_plan, errors = _parse(workbook, puskesmas_head)
    assert errors == [] and unchanged_plan.changes == 0  # an untouched month is no problem
    workbook["Data"]["G4"] = 7
    workbook["Data"]["G5"] = 8
    workbook["Data"]["H4"] = 1  # February has no report yet: fine on its own
    _plan, errors = _parse(workbook, puskesmas_head)
    assert errors == [
        f"Sheet Data, row 4, column G: the {YEAR}-01 report of Puskesmas Hsu is "
        f"{label}: an import cannot change it (ask the district to unlock it first)."
    ]


def test_a_value_changed_in_simpul_after_the_download_is_not_overwritten(
    world, puskesmas_head, puskesmas_staff
):
    report = _report(world, 1)
    village, service = world["hsu"]["villages"][0], _service(1)
    workbook = _template_for(world, months=[1])
    # Meanwhile a colleague saves 5 on the entry page.
    MonthlyValue.objects.create(report=report, village=village, service=service, value=5)
    ValueChange.objects.create(
        report=report,
        village=village,
        service=service,
        new_value=5,
        status="draft",
        changed_by=puskesmas_staff,
    )
    workbook["Data"]["G3"] = 2  # another cell: no conflict with the colleague
    _plan, errors = _parse(workbook, puskesmas_head)
    assert len(errors) == 1
    assert errors[0].startswith("Sheet Data, row 2, column G: staf changed this value in Simpul on")
    workbook["Data"]["G2"] = 5  # the file now agrees with the colleague
    plan, errors = _parse(workbook, puskesmas_head)
    assert errors == [] and plan.changes == 1


# --- Apply, task and job page -------------------------------------------------------------------


def test_apply_reports_progress_and_a_second_apply_changes_nothing(world, puskesmas_head):
    workbook = _template_for(world, months=[1, 2, 3])
    for row in range(2, 26):
        workbook["Data"][f"G{row}"] = row
    plan, errors = _parse(workbook, puskesmas_head)
    assert errors == [] and plan.changes == 24
    calls = []
    with translation.override("en"):
        result = services.monthly_import_apply(
            plan=plan, user=puskesmas_head, progress=lambda d, t: calls.append((d, t))
        )
    assert calls[0] == (0, 24) and calls[-1] == (24, 24)
    assert result["values_created"] == 24 and result["reports_created"] == 1
    before = _counts()
    again = services.monthly_import_apply(plan=plan, user=puskesmas_head)
    assert again["values_changed"] == 0 and _counts() == before


def test_apply_refuses_a_report_submitted_after_the_file_was_checked(world, puskesmas_head):
    report = _report(world, 1)
    workbook = _template_for(world, months=[1])
    workbook["Data"]["G2"] = 3
    plan, errors = _parse(workbook, puskesmas_head)
    assert errors == []
    MonthlyReport.objects.filter(pk=report.pk).update(status=Status.SUBMITTED)
    before = _counts()
    with translation.override("en"), pytest.raises(Exception, match="is submitted"):
        services.monthly_import_apply(plan=plan, user=puskesmas_head)
    assert _counts() == before


def test_the_import_task_run_twice_saves_once(
    world, puskesmas_head, django_capture_on_commit_callbacks
):
    workbook = _template_for(world, months=[1])
    workbook["Data"]["G2"] = 11
    upload = SimpleUploadedFile("dua-kali.xlsx", _save(workbook))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        with translation.override("en"):
            job = services.monthly_import_start(upload=upload, user=puskesmas_head)
    assert len(callbacks) == 1 and job.status == ImportJob.Status.QUEUED
    assert job.language == "en"

    first = import_run(job.pk, job.attempt)
    counts = _counts()
    second = import_run(job.pk, job.attempt)

    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and first["done"] == 1
    assert second == {"job": job.pk, "skipped": True}
    assert _counts() == counts
    assert job.result["values_changed"] == 1 and job.finished_at is not None
    assert MonthlyValue.objects.get().value == 11


@pytest.mark.django_db(transaction=True)
def test_progress_is_visible_to_other_connections_while_the_import_is_uncommitted(
    world, puskesmas_head
):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one writer at a time: progress shows at the end there")
    job = ImportJob.objects.create(
        kind=ImportJob.Kind.MONTHLY_VALUES,
        district=world["hsu"]["district"],
        file="imports/x.xlsx",
        file_name="x.xlsx",
        created_by=puskesmas_head,
        status=ImportJob.Status.RUNNING,
    )
    progress = RowProgress(job.pk)
    try:
        with transaction.atomic():
            progress(0, 1000)
            progress(10, 1000)  # under 2% since the last report: not written
            progress(400, 1000)
            transaction.set_rollback(True)  # the import fails: its progress was still seen
    finally:
        progress.close()
    job.refresh_from_db()
    assert (job.done, job.total) == (400, 1000)


def test_job_page_shows_progress_and_answers_its_poller(client, world, puskesmas_head):
    job = ImportJob.objects.create(
        kind=ImportJob.Kind.MONTHLY_VALUES,
        district=world["hsu"]["district"],
        puskesmas=world["hsu"]["puskesmas"],
        file="imports/x.xlsx",
        file_name="x.xlsx",
        created_by=puskesmas_head,
        status=ImportJob.Status.RUNNING,
        done=1200,
        total=4800,
    )
    client.force_login(puskesmas_head)
    client.cookies["django_language"] = "en"
    url = reverse("kernel:importjob-detail", args=[job.pk])
    page = client.get(url).content.decode()
    assert '<progress class="w-100" max="4800" value="1200"' in page
    assert "js/import_progress.js" in page and "Reload" in page
    status = client.get(url, {"format": "json"}).json()
    translation.activate("en")
    assert status == {
        "status": "running",
        "label": f"Working: {number_format(1200)} of {number_format(4800)}",
        "done": 1200,
        "total": 4800,
        "percent": 25,
        "finished": False,
    }
    assert client.post(url).status_code == 405


def test_job_of_another_area_is_404(client, world, puskesmas_head, other_district_user):
    job = ImportJob.objects.create(
        kind=ImportJob.Kind.MONTHLY_VALUES,
        district=world["hsu"]["district"],
        file="imports/x.xlsx",
        file_name="x.xlsx",
        created_by=puskesmas_head,
    )
    url = reverse("kernel:importjob-detail", args=[job.pk])
    client.force_login(other_district_user)
    assert client.get(url).status_code == 404
    assert client.get(url, {"format": "json"}).status_code == 404
    # A puskesmas sees its own jobs only, not the district's.
    client.force_login(puskesmas_head)
    assert client.get(url).status_code == 404


# --- Export -------------------------------------------------------------------------------------


def test_export_lists_the_values_of_the_area_and_year(client, world, district_user):
    report = _report(world, 3, status=Status.APPROVED)
    village = world["hsu"]["villages"][1]
    MonthlyValue.objects.create(
        report=report, village=village, service=_service(4), value=17, comment="ok"
    )
    other = world["banjarmasin"]
    foreign = MonthlyReport.objects.create(
        puskesmas=other["puskesmas"], year=YEAR, month=3, due_on=TODAY
    )
    MonthlyValue.objects.create(
        report=foreign, village=other["villages"][0], service=_service(4), value=99
    )
    client.force_login(district_user)
    client.cookies["django_language"] = "en"
    response = download_export(client, reverse("indicators:monthly-export"), {"year": YEAR})
    sheet = load_workbook(io.BytesIO(content_of(response))).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0] == [
        "Puskesmas code",
        "Puskesmas",
        "Village code",
        "Village",
        "Service code",
        "Service",
        "Month",
        "People served",
        "Comment",
        "Status",
    ]
    assert rows[1:] == [
        [
            world["hsu"]["puskesmas"].code,
            "Puskesmas Hsu",
            village.code,
            village.name,
            "SPM-04",
            _service(4).name_en,
            f"{YEAR}-03",
            17,
            "ok",
            "Approved",
        ]
    ]


def test_export_queries_do_not_grow_with_the_data(
    client, world, district_user, django_assert_num_queries
):
    client.force_login(district_user)
    url = reverse("indicators:monthly-export")
    with CaptureQueriesContext(connection) as few:
        download_export(client, url, {"year": YEAR})
    for month in range(1, 7):
        report = _report(world, month)
        for village in world["hsu"]["villages"]:
            for number in (1, 2, 3):
                MonthlyValue.objects.create(
                    report=report, village=village, service=_service(number), value=month
                )
    with django_assert_num_queries(len(few)):
        response = download_export(client, url, {"year": YEAR})
    assert load_workbook(io.BytesIO(content_of(response))).active.max_row == 1 + 6 * 2 * 3

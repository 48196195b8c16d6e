"""A puskesmas drafts its RUK in Excel: downloads the template (its activities, the lists of valid
values), fills it in and imports it, as an ImportJob of the one import pipeline. The whole file is
checked first; any problem is listed by sheet, row and column on the failed job and saves nothing;
a valid file adds new rows and updates the activities it carries; a file older than the plan's last
change is refused, naming who changed it.
"""

from decimal import Decimal
from io import BytesIO

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from kernel.imports import Workbook as Upload
from kernel.imports import importer_for
from kernel.imports.runner import import_start
from kernel.models import ImportJob, User
from planning import services
from planning.models import Activity, Plan
from planning.services.ruk_excel import MAX_ROWS, ruk_template
from tests.factories import UserFactory

from ..conftest import errors_of
from .conftest import GAP_YEAR, add_activity, columns, spm_service

pytestmark = pytest.mark.django_db

HEADERS = [
    "ID",
    "Health effort",
    "Activity",
    "Goal",
    "Target group",
    "Target to reach",
    "Person responsible",
    "Equipment needed",
    "Staff needed",
    "Partners",
    "Timing",
    "Budget needed (Rp)",
    "Performance indicator",
    "Funding source",
    "SPM service",
    "Budget sub-activity code",
    "Posyandu or UKBM",  # issue #17, optional
]
# A new activity's row, as a planner types it (after the empty ID).
NEW_ROW = [
    None,
    "Gizi",
    "Sweeping balita ke posyandu",
    "Semua balita ditimbang",
    "Balita",
    "400 balita",
    "Nutrisionis",
    "Timbangan",
    "Kader",
    "TP-PKK",
    "Maret-Desember",
    2_500_000,
    "Persentase balita ditimbang",
    "Dana Desa",
    "4. Pelayanan kesehatan balita",
    None,
]


def template(client, plan) -> Workbook:
    response = client.get(reverse("planning:ruk-template", args=[plan.pk]))
    assert response.status_code == 200, response.status_code
    owner = plan.district if plan.is_dinkes else plan.puskesmas
    assert response["Content-Disposition"].endswith(f'ruk-template-{owner.code}-{plan.year}.xlsx"')
    return load_workbook(BytesIO(response.content))


def content(workbook: Workbook) -> bytes:
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def upload(post_import):
    """POST a workbook to the plan's import page; the job runs when the request commits.
    Returns (response, job or None)."""

    def send(plan, workbook: Workbook | bytes, name: str = "ruk.xlsx"):
        data = workbook if isinstance(workbook, bytes) else content(workbook)
        url = reverse("planning:ruk-import", args=[plan.pk])
        return post_import(url, {"file": SimpleUploadedFile(name, data)})

    return send


def done(sent) -> ImportJob:
    """The job of an import that saved: the page led to it and it ended done."""
    response, job = sent
    assert response.status_code == 302 and job is not None, response.status_code
    assert job.status == ImportJob.Status.DONE, job.errors
    return job


def problems(sent) -> str:
    """What the user is told on the failed job's page (or the upload form)."""
    response, job = sent
    if job is not None:
        assert job.status == ImportJob.Status.FAILED, job.result
    return " ".join(str(error) for error in errors_of(response, job))


def texts(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def snapshot(plan) -> list[tuple]:
    """What the plan holds: its version and every activity's columns and version."""
    plan.refresh_from_db()
    rows = Activity.objects.filter(plan=plan).order_by("pk").values_list()
    return [plan.version, *rows]


@pytest.fixture
def filled(ruk, puskesmas_head, gaps):
    """The RUK with two activities: one entered with its SPM service, one started from a gap of
    last year (the edition of that year)."""
    first = add_activity(ruk, puskesmas_head, service=spm_service(1))
    second = services.activity_create(
        plan=ruk,
        fields=columns(name="Sweeping balita", budget_idr=Decimal(3_000_000), effort="Gizi"),
        by=puskesmas_head,
        gap_service=spm_service(4, GAP_YEAR),
    )
    ruk.refresh_from_db()
    return first, second


# --- The template --------------------------------------------------------------------------------


def test_template_holds_the_ruk_columns_the_activities_and_the_lists(client, ruk, filled):
    first, second = filled
    client.force_login(ruk.created_by)
    workbook = template(client, ruk)
    sheet = workbook["RUK"]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == HEADERS
    assert sheet.column_dimensions["A"].hidden  # the ID is kept out of the way
    by_id = {row[0]: row for row in rows[1:]}
    assert set(by_id) == {first.pk, second.pk}
    assert by_id[first.pk][2] == "Kelas ibu hamil"
    assert by_id[first.pk][11] == 12_000_000
    assert by_id[first.pk][13] == "DAK non-fisik (BOK)"
    assert by_id[first.pk][14].startswith("1. ")
    assert by_id[first.pk][15] == "1.02.02.2.02.0001"
    lists = list(workbook["Lists"].iter_rows(values_only=True))
    assert lists[0][:2] == ("Funding source", "Code")
    assert {row[0] for row in lists[1:8]} >= {"APBD", "DAK non-fisik (BOK)", "Dana Desa"}
    assert sum(1 for row in lists[1:] if row[3]) == 12  # the 12 district SPM services
    assert "1.02.02.2.02.0012" in {row[6] for row in lists[1:]}
    validated = {str(check.sqref).split(":")[0] for check in sheet.data_validations.dataValidation}
    assert validated == {"L2", "N2", "O2", "P2", "Q2"}  # Q: the puskesmas's posyandu (#17)
    meta = workbook["Simpul"]
    assert meta.sheet_state == "hidden"
    assert dict(meta.iter_rows(min_row=2, values_only=True))["version"] == ruk.version
    assert "Instructions" in workbook.sheetnames


def test_template_queries_do_not_grow_with_the_activities(client, ruk, puskesmas_head):
    client.force_login(puskesmas_head)
    url = reverse("planning:ruk-template", args=[ruk.pk])
    for _ in range(2):
        add_activity(ruk, puskesmas_head, service=spm_service(1))
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for _ in range(10):
        add_activity(ruk, puskesmas_head, service=spm_service(2))
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few)


# --- Importing ------------------------------------------------------------------------------------


def test_the_unchanged_template_imports_without_changing_anything(client, ruk, filled, upload):
    client.force_login(ruk.created_by)
    workbook = template(client, ruk)
    before = snapshot(ruk)
    history = Activity.history.count()
    job = done(upload(ruk, workbook))
    assert "Activities added: 0, updated: 0, unchanged: 2." in job.result["summary"]
    assert snapshot(ruk) == before  # not even the plan's version moved
    assert Activity.history.count() == history
    # ... so the same file can be imported again.
    done(upload(ruk, workbook))


def test_import_adds_rows_without_an_id_and_updates_the_activities_it_carries(
    client, ruk, filled, puskesmas_staff, upload
):
    first, second = filled
    client.force_login(puskesmas_staff)
    workbook = template(client, ruk)
    sheet = workbook["RUK"]
    row = next(r for r in range(2, 4) if sheet[f"A{r}"].value == first.pk)
    sheet[f"L{row}"] = "15.000.000"  # typed as text with dots, as in the form
    sheet[f"K{row}"] = "Januari-Juni"
    sheet.append(NEW_ROW)
    sheet.append([None, "Promkes", "Penyuluhan PHBS", *[None] * 3, "Promotor", *[None] * 4, 0])
    sheet["N5"] = "apbd"  # the code is accepted as well as the label
    version = ruk.version
    response, job = upload(ruk, workbook)
    done((response, job))
    assert job.kind == ImportJob.Kind.RUK_ACTIVITIES and job.puskesmas_id == ruk.puskesmas_id
    assert job.params["_back"].endswith("#activities")
    assert "Activities added: 2, updated: 1, unchanged: 1." in job.result["summary"]
    assert (job.result["added"], job.result["updated"]) == (2, 1)
    page = client.get(response.url).content.decode()
    assert "Activities added: 2, updated: 1, unchanged: 1." in page
    assert reverse("planning:plan-detail", args=[ruk.pk]) in page  # back to the plan
    ruk.refresh_from_db()
    assert ruk.version == version + 1  # one change of the plan, whatever the number of rows
    first.refresh_from_db()
    assert first.budget_idr == Decimal(15_000_000) and first.timing == "Januari-Juni"
    assert first.version == 2 and first.updated_by == puskesmas_staff
    assert first.history.first().history_change_reason == "Excel import: ruk.xlsx"
    assert first.history.first().history_user == puskesmas_staff
    new = Activity.objects.get(name="Sweeping balita ke posyandu")
    assert new.origin == Activity.Origin.MANUAL and new.created_by == puskesmas_staff
    assert new.funding_source == "dana_desa" and new.budget_idr == Decimal(2_500_000)
    assert new.service == spm_service(4) and new.sub_activity.code == "1.02.02.2.02.0004"
    assert new.history.count() == 1
    promkes = Activity.objects.get(name="Penyuluhan PHBS")
    assert promkes.funding_source == "apbd" and promkes.budget_idr == 0
    second.refresh_from_db()
    assert second.origin == Activity.Origin.GAP and second.gap_target == 400  # kept as it was


def test_activities_absent_from_the_file_are_left_alone(client, ruk, filled, upload):
    first, second = filled
    client.force_login(ruk.created_by)
    workbook = template(client, ruk)
    sheet = workbook["RUK"]
    sheet.delete_rows(next(r for r in range(2, 4) if sheet[f"A{r}"].value == second.pk))
    job = done(upload(ruk, workbook))
    assert "Activities of the plan not in the file, left as they were: 1." in job.result["summary"]
    assert job.result["untouched"] == 1
    assert Activity.objects.filter(pk=second.pk).exists()


def test_import_page_says_what_happens_to_activities_not_in_the_file(client, ruk, puskesmas_head):
    client.force_login(puskesmas_head)
    response = client.get(reverse("planning:ruk-import", args=[ruk.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Activities of the plan that are not in the file are left as they are" in page
    assert reverse("planning:ruk-template", args=[ruk.pk]) in page


def test_headings_in_the_other_language_are_accepted(client, ruk, filled, settings, upload):
    client.force_login(ruk.created_by)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "id"
    workbook = template(client, ruk)
    assert workbook["RUK"]["B1"].value == "Upaya kesehatan"
    assert workbook["RUK"]["N2"].value in {"DAK non-fisik (BOK)"}
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    workbook["RUK"].append(NEW_ROW)
    done(upload(ruk, workbook))
    assert Activity.objects.filter(plan=ruk).count() == 3


def test_messages_are_in_the_uploaders_language(client, ruk, filled, settings, upload):
    client.force_login(ruk.created_by)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "id"
    workbook = template(client, ruk)
    workbook["RUK"].append(NEW_ROW)
    workbook["RUK"]["N4"] = "Dana Pusat"
    response, job = upload(ruk, workbook)
    assert job.language == "id"
    assert "kolom N" in problems((response, job))


@pytest.mark.parametrize(
    ("column", "value", "problem"),
    [
        ("N", "Dana Pusat", "column N: unknown funding source “Dana Pusat”; choose one from"),
        ("N", None, "column N: Funding source is required."),
        ("L", -500_000, "column L: the budget cannot be negative."),
        ("L", "-500.000", "column L: the budget cannot be negative."),
        ("L", "satu juta", "column L: “satu juta” is not a whole number of rupiah."),
        ("L", 1500.5, "column L: “1500.5” is not a whole number of rupiah."),
        ("L", 10**16, "column L: the amount is implausibly large."),
        ("L", None, "column L: Budget needed (Rp) is required."),
        ("O", "13", "column O: unknown SPM service “13”; choose one from the sheet Lists."),
        ("O", "ibu hamil", "column O: unknown SPM service “ibu hamil”"),
        (
            "P",
            "1.02.02.2.02.0099",
            "column P: unknown budget sub-activity code “1.02.02.2.02.0099”",
        ),
        ("C", None, "column C: Activity is required."),
        ("G", "", "column G: Person responsible is required."),
        ("C", "x" * 301, "column C: the text is longer than 300 characters."),
        ("A", 999_999, "column A: “999999” is not the ID of an activity of this plan"),
    ],
)
def test_each_bad_cell_is_named_by_sheet_row_and_column_and_nothing_is_saved(
    client, ruk, filled, upload, column, value, problem
):
    client.force_login(ruk.created_by)
    workbook = template(client, ruk)
    sheet = workbook["RUK"]
    sheet["K2"] = "changed on a good row"  # a good change in the same file is not saved either
    sheet.append(NEW_ROW)
    sheet[f"{column}4"] = value
    before = snapshot(ruk)
    response, job = upload(ruk, workbook)
    assert f"Sheet RUK, row 4, {problem}" in problems((response, job))
    assert "Nothing was saved" in client.get(response.url).content.decode()
    assert snapshot(ruk) == before


def test_a_budget_code_no_longer_in_use_is_refused_by_the_forms_rule(client, ruk, filled, upload):
    from planning.models import BudgetSubActivity

    client.force_login(ruk.created_by)
    workbook = template(client, ruk)
    workbook["RUK"].append(NEW_ROW)
    workbook["RUK"]["P4"] = "1.02.02.2.02.0004"
    BudgetSubActivity.objects.filter(code="1.02.02.2.02.0004").update(is_active=False)
    before = snapshot(ruk)
    listed = problems(upload(ruk, workbook))
    assert "Sheet RUK, row 4, column P: This budget sub-activity is no longer in use." in listed
    assert snapshot(ruk) == before


def test_every_problem_of_the_file_is_listed_at_once(client, ruk, filled, upload):
    client.force_login(ruk.created_by)
    workbook = template(client, ruk)
    sheet = workbook["RUK"]
    sheet.append(NEW_ROW)
    sheet.append(NEW_ROW)
    sheet["L4"], sheet["N5"], sheet["B5"] = "gratis", "Hibah", None
    sheet["A5"] = sheet["A2"].value  # a copied row keeps its ID
    listed = problems(upload(ruk, workbook))
    assert "Sheet RUK, row 4, column L:" in listed
    assert "Sheet RUK, row 5, column B:" in listed
    assert "Sheet RUK, row 5, column N:" in listed
    assert Activity.objects.filter(plan=ruk).count() == 2


def test_a_copied_row_keeps_its_id_and_is_refused(client, ruk, filled, upload):
    client.force_login(ruk.created_by)
    workbook = template(client, ruk)
    sheet = workbook["RUK"]
    sheet.append([cell.value for cell in sheet[2]])
    listed = problems(upload(ruk, workbook))
    assert "row 4, column A: this activity is already on row 2; clear the ID" in listed


def test_changed_headings_and_extra_columns_are_refused(client, ruk, filled, upload):
    client.force_login(ruk.created_by)
    workbook = template(client, ruk)
    workbook["RUK"]["C1"] = "Nama kegiatan"
    listed = problems(upload(ruk, workbook))
    assert "Sheet RUK, row 1: the column headings must be, in order: ID, Health effort" in listed
    workbook = template(client, ruk)
    workbook["RUK"]["R1"] = "Catatan"
    listed = problems(upload(ruk, workbook))
    assert "Sheet RUK: the sheet spans A1:R3, larger than the template" in listed
    assert Activity.objects.filter(plan=ruk).count() == 2


def test_a_file_changed_in_simpul_since_its_download_is_refused_naming_who(
    client, ruk, filled, puskesmas_head, upload
):
    first, _second = filled
    colleague = UserFactory(
        role=User.Role.PUSKESMAS_STAFF,
        puskesmas=ruk.puskesmas,
        first_name="Siti",
        last_name="Aminah",
    )
    client.force_login(puskesmas_head)
    workbook = template(client, ruk)
    workbook["RUK"].append(NEW_ROW)
    services.activity_update(
        activity=first,
        fields=columns(service=first.service, sub_activity=first.sub_activity, timing="Juli"),
        version=first.version,
        by=colleague,
    )
    before = snapshot(ruk)
    listed = problems(upload(ruk, workbook))
    assert "Siti Aminah changed this plan on" in listed
    assert "after this file was downloaded" in listed
    assert snapshot(ruk) == before


def test_a_deletion_since_the_download_also_refuses_the_file(
    client, ruk, filled, puskesmas_staff, upload
):
    client.force_login(ruk.created_by)
    workbook = template(client, ruk)
    services.activity_delete(activity=filled[1], by=puskesmas_staff)
    listed = problems(upload(ruk, workbook))
    assert f"{puskesmas_staff.username} changed this plan on" in listed


def test_your_own_change_since_the_download_also_refuses_the_file(client, ruk, filled, upload):
    first, _second = filled
    client.force_login(ruk.created_by)
    workbook = template(client, ruk)
    services.activity_delete(activity=first, by=ruk.created_by)
    listed = problems(upload(ruk, workbook))
    assert "You changed this plan in Simpul on" in listed


@pytest.mark.parametrize("change", ["add", "edit"])
def test_a_change_between_the_check_and_the_write_saves_nothing(
    ruk, filled, puskesmas_staff, change
):
    first, _second = filled
    head = ruk.created_by
    workbook = load_workbook(BytesIO(ruk_template(plan=ruk)))
    row = next(r for r in (2, 3) if workbook["RUK"][f"A{r}"].value == first.pk)
    workbook["RUK"][f"K{row}"] = "Juni"
    workbook["RUK"].append(NEW_ROW)
    importer = importer_for(ImportJob.Kind.RUK_ACTIVITIES)
    params = {"plan": ruk.pk}
    target = importer.target(user=head, params=params)
    parsed = importer.parse(
        Upload(content(workbook), name="ruk.xlsx"), user=head, params=params, target=target
    )
    assert not parsed.errors and len(parsed.rows) == 3
    if change == "add":
        services.activity_create(plan=ruk, fields=columns(name="Posbindu"), by=puskesmas_staff)
    else:
        fields = columns(service=first.service, sub_activity=first.sub_activity, timing="Mei")
        services.activity_update(
            activity=first, fields=fields, version=first.version, by=puskesmas_staff
        )
    before = snapshot(ruk)
    with pytest.raises(ValidationError, match=f"{puskesmas_staff.username} changed this plan"):
        importer.apply(
            rows=parsed.rows,
            parsed=parsed,
            user=head,
            params=params,
            target=target,
            progress=lambda done, total: None,
        )
    assert snapshot(ruk) == before


def test_text_that_looks_like_a_formula_goes_round_trip_as_text(
    client, ruk, puskesmas_head, upload
):
    add_activity(ruk, puskesmas_head, goal="=100% ibu hamil K6")
    client.force_login(puskesmas_head)
    workbook = template(client, ruk)
    assert workbook["RUK"]["D2"].data_type == "s"
    job = done(upload(ruk, workbook))
    assert "unchanged: 1." in job.result["summary"]


def test_the_template_of_another_plan_is_refused(client, ruk, filled, puskesmas_head, upload):
    other = Plan.objects.create(
        puskesmas=ruk.puskesmas, district=ruk.district, year=ruk.year - 1, created_by=puskesmas_head
    )
    client.force_login(puskesmas_head)
    workbook = template(client, other)
    listed = problems(upload(ruk, workbook))
    assert "this file is the template of another plan" in listed


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"not a workbook", "this is not an Excel .xlsx file."),
        (None, "the workbook has no sheet with this name; use the template."),
    ],
)
def test_a_file_that_is_not_the_template_is_refused(
    client, ruk, puskesmas_head, upload, data, problem
):
    client.force_login(puskesmas_head)
    listed = problems(upload(ruk, data if data is not None else content(Workbook())))
    assert problem in listed
    assert not Activity.objects.exists()


def test_the_hidden_sheet_must_be_there(client, ruk, filled, upload):
    client.force_login(ruk.created_by)
    workbook = template(client, ruk)
    del workbook["Simpul"]
    listed = problems(upload(ruk, workbook))
    assert "Sheet Simpul: this hidden sheet is missing or changed" in listed


def test_rows_are_capped(client, ruk, puskesmas_head, upload):
    client.force_login(puskesmas_head)
    workbook = template(client, ruk)
    for _ in range(MAX_ROWS + 1):
        workbook["RUK"].append(NEW_ROW)
    listed = problems(upload(ruk, workbook))
    assert "larger than the template (501 rows" in listed
    assert not Activity.objects.exists()


def test_import_queries_do_not_grow_with_the_rows(client, ruk, puskesmas_head, upload):
    client.force_login(puskesmas_head)

    def run(count: int) -> int:
        workbook = template(client, ruk)
        for _ in range(count):
            workbook["RUK"].append(NEW_ROW)
        for row in range(2, workbook["RUK"].max_row - count + 1):
            workbook["RUK"][f"K{row}"] = f"changed {count}"
        with CaptureQueriesContext(connection) as queries:
            done(upload(ruk, workbook))
        return len(queries)

    run(2)  # two activities to update next time
    few = run(2)
    many = run(10)
    assert many == few


# --- Status and rights ----------------------------------------------------------------------------


def test_a_submitted_or_approved_ruk_is_refused(
    client, ruk, filled, puskesmas_head, district_user, upload
):
    client.force_login(puskesmas_head)
    workbook = template(client, ruk)
    services.plan_submit(plan=ruk, version=ruk.version, by=puskesmas_head)
    before = snapshot(ruk)
    for name in ("planning:ruk-import", "planning:ruk-template"):
        response = client.get(reverse(name, args=[ruk.pk]))
        assert response["Location"] == reverse("planning:plan-detail", args=[ruk.pk])
    response, job = upload(ruk, workbook)
    assert response.status_code == 302 and job is None
    assert "it cannot be changed now" in " ".join(texts(response))
    with pytest.raises(ValidationError, match="cannot be changed now"):
        import_start(
            kind=ImportJob.Kind.RUK_ACTIVITIES,
            upload=ContentFile(content(workbook), name="ruk.xlsx"),
            user=puskesmas_head,
            params={"plan": ruk.pk},
        )
    services.plan_approve(plan=ruk, version=ruk.version, by=district_user)
    response, job = upload(ruk, workbook)
    assert response.status_code == 302 and job is None
    assert snapshot(ruk)[1:] == before[1:]
    assert not ImportJob.objects.exists()


def test_a_ruk_submitted_while_its_job_waits_is_refused_by_the_job(
    client, ruk, filled, puskesmas_head, django_capture_on_commit_callbacks
):
    client.force_login(puskesmas_head)
    workbook = template(client, ruk)
    workbook["RUK"].append(NEW_ROW)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client.post(
            reverse("planning:ruk-import", args=[ruk.pk]),
            {"file": SimpleUploadedFile("ruk.xlsx", content(workbook))},
        )
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.QUEUED
    services.plan_submit(plan=ruk, version=ruk.version, by=puskesmas_head)
    before = snapshot(ruk)
    for callback in queued:
        callback()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert "it cannot be changed now" in " ".join(job.errors)
    assert snapshot(ruk) == before


def test_staff_and_head_import_their_ruk_and_see_the_links(
    client, ruk, puskesmas_head, puskesmas_staff, upload
):
    for number, user in enumerate((puskesmas_head, puskesmas_staff), start=1):
        client.force_login(user)
        page = client.get(reverse("planning:plan-detail", args=[ruk.pk])).content.decode()
        assert reverse("planning:ruk-import", args=[ruk.pk]) in page
        assert reverse("planning:ruk-template", args=[ruk.pk]) in page
        workbook = template(client, ruk)
        workbook["RUK"].append(NEW_ROW)
        job = done(upload(ruk, workbook))
        assert job.created_by == user
        assert client.get(reverse("kernel:importjob-detail", args=[job.pk])).status_code == 200
        assert Activity.objects.filter(plan=ruk).count() == number


def test_district_planner_and_province_read_a_ruk_but_cannot_import_it(
    client, ruk, puskesmas_head, district_user, province_user, upload
):
    client.force_login(puskesmas_head)
    workbook = template(client, ruk)
    workbook["RUK"].append(NEW_ROW)
    for user in (district_user, province_user):
        client.force_login(user)
        page = client.get(reverse("planning:plan-detail", args=[ruk.pk])).content.decode()
        assert reverse("planning:ruk-import", args=[ruk.pk]) not in page
        for name in ("planning:ruk-import", "planning:ruk-template"):
            assert client.get(reverse(name, args=[ruk.pk])).status_code == 403
        assert upload(ruk, workbook)[0].status_code == 403
        with pytest.raises(PermissionDenied):
            import_start(
                kind=ImportJob.Kind.RUK_ACTIVITIES,
                upload=ContentFile(content(workbook), name="ruk.xlsx"),
                user=user,
                params={"plan": ruk.pk},
            )
    assert not Activity.objects.exists()
    assert not ImportJob.objects.exists()


def test_another_areas_ruk_is_not_found(
    client, world, ruk, puskesmas_head, other_district_user, upload
):
    client.force_login(puskesmas_head)
    workbook = template(client, ruk)
    other_head = UserFactory(
        role=User.Role.PUSKESMAS_HEAD, puskesmas=world["banjarmasin"]["puskesmas"]
    )
    for user in (other_district_user, other_head):
        client.force_login(user)
        for name in ("planning:ruk-import", "planning:ruk-template"):
            assert client.get(reverse(name, args=[ruk.pk])).status_code == 404
        assert upload(ruk, workbook)[0].status_code == 404
        with pytest.raises(PermissionDenied):
            import_start(
                kind=ImportJob.Kind.RUK_ACTIVITIES,
                upload=ContentFile(content(workbook), name="ruk.xlsx"),
                user=user,
                params={"plan": ruk.pk},
            )
    assert not ImportJob.objects.exists()


def test_a_job_of_a_ruk_is_seen_by_its_district_not_by_another_area_or_the_province(
    client, world, ruk, puskesmas_head, district_user, other_district_user, province_user, upload
):
    client.force_login(puskesmas_head)
    workbook = template(client, ruk)
    workbook["RUK"].append(NEW_ROW)
    job = done(upload(ruk, workbook))
    url = reverse("kernel:importjob-detail", args=[job.pk])
    client.force_login(district_user)
    assert client.get(url).status_code == 200
    for user in (other_district_user, province_user):
        client.force_login(user)
        assert client.get(url).status_code == 404


def test_district_planner_imports_the_dinkes_plan(client, dinkes_plan, district_user, upload):
    client.force_login(district_user)
    workbook = template(client, dinkes_plan)
    workbook["RUK"].append(NEW_ROW)
    workbook["RUK"]["P2"] = "1.02.02.2.02.0004"
    job = done(upload(dinkes_plan, workbook))
    assert job.district_id == dinkes_plan.district_id and job.puskesmas_id is None
    activity = dinkes_plan.activities.get()
    assert activity.sub_activity.code == "1.02.02.2.02.0004"

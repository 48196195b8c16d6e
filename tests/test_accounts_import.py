"""Accounts from an Excel template (issue #14): through the one import pipeline, every problem
located, nothing outside one's area or above one's role, and a first-login sheet only for the
uploader."""

from __future__ import annotations

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from kernel.models import AuditEvent, ImportJob, User

pytestmark = pytest.mark.django_db
Role = User.Role


def _filled(client, rows: list[list]) -> SimpleUploadedFile:
    """The template the user downloads, with `rows` in place of its example row."""
    response = client.get(reverse("kernel:user-template"))
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook.worksheets[0]
    sheet.delete_rows(2, sheet.max_row)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("akun.xlsx", buffer.getvalue())


def test_the_template_lists_the_roles_and_area_codes_one_gives(client, world, district_user):
    client.force_login(district_user)
    workbook = load_workbook(io.BytesIO(client.get(reverse("kernel:user-template")).content))
    codes = [row[2] for row in workbook.worksheets[1].iter_rows(values_only=True)]
    assert world["hsu"]["puskesmas"].code in codes and "63.08" in codes
    assert world["banjarmasin"]["puskesmas"].code not in codes


def test_a_good_file_creates_accounts_and_leads_to_the_first_login_sheet(
    client, world, district_user, post_import, other_district_user
):
    code = world["hsu"]["puskesmas"].code
    client.force_login(district_user)
    upload = _filled(
        client,
        [
            [
                "rina.kapus",
                "Rina Wati",
                "Kepala Puskesmas",
                code,
                "rina@example.org",
                "0812 555 1234",
                "Kepala",
            ],
            ["andi.staf", "Andi", "puskesmas_staff", code, None, None, "Bidan"],
            ["dewi.dinkes", "Dewi", "District planner", "63.08", None, "+62 813 9999 0000", None],
        ],
    )
    response, job = post_import(reverse("kernel:user-import"), {"file": upload})
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE, job.errors
    made = User.objects.filter(username__in=["rina.kapus", "andi.staf", "dewi.dinkes"])
    assert made.count() == 3
    assert all(u.must_change_password and not u.has_usable_password() for u in made)
    rina = made.get(username="rina.kapus")
    assert rina.role == Role.PUSKESMAS_HEAD and rina.puskesmas == world["hsu"]["puskesmas"]
    created = AuditEvent.objects.get(object_id=rina.pk, action="account_created")
    assert created.data["source"] == "import" and created.district_id == world["hsu"]["district"].pk
    page = client.get(reverse("kernel:importjob-detail", args=[job.pk]))
    sheet_url = reverse("kernel:user-sheet", args=[job.pk])
    assert sheet_url in page.content.decode()
    sheet = client.get(sheet_url)
    html = sheet.content.decode()
    assert html.count('data-testid="login-card"') == 3
    assert (
        "https://wa.me/628125551234?text=" in html and "https://wa.me/6281399990000?text=" in html
    )
    assert html.count('data-testid="whatsapp"') == 2
    assert "/account/welcome/" in html
    # Once Rina has set her password, the sheet no longer shows a link for her.
    rina.set_password("Sungai-Negara-1")
    rina.must_change_password = False
    rina.save()
    assert client.get(sheet_url).content.decode().count('data-testid="login-card"') == 2
    # Only the uploader sees the links: another district, or a colleague, gets a 404.
    colleague = User.objects.create(
        username="rekan", role=Role.DISTRICT_PLANNER, district=world["hsu"]["district"]
    )
    for other in (other_district_user, colleague):
        client.force_login(other)
        assert client.get(sheet_url).status_code == 404


def _located(errors: list[str]) -> set[tuple[int, str]]:
    """(row, column) of each message "Sheet Accounts, baris 4, kolom C: …" (Indonesian UI)."""
    found = set()
    for error in errors:
        match = re.search(r"Accounts, (?:baris|row) (\d+), (?:kolom|column) ([A-Z]+):", error)
        assert match, error
        found.add((int(match.group(1)), match.group(2)))
    return found


def test_unreadable_cells_are_located_and_nothing_is_saved(
    client, world, district_user, post_import
):
    code = world["hsu"]["puskesmas"].code
    client.force_login(district_user)
    upload = _filled(
        client,
        [
            ["ok.one", "Ok", "puskesmas_staff", code, None, None, None],
            ["bad.role", "Bad", "Kepala Dinas", code, None, None, None],
            [None, "No username", "puskesmas_staff", code, None, None, None],
        ],
    )
    response, job = post_import(reverse("kernel:user-import"), {"file": upload})
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert _located(job.errors) == {(3, "C"), (4, "A")}
    assert not User.objects.filter(username="ok.one").exists()


def test_rows_outside_ones_area_or_rank_are_refused_with_their_place(
    client, world, district_user, post_import
):
    code = world["hsu"]["puskesmas"].code
    other = world["banjarmasin"]["puskesmas"].code
    client.force_login(district_user)
    upload = _filled(
        client,
        [
            ["ok.one", "Ok", "puskesmas_staff", code, None, None, None],
            ["ok.one", "Twice", "puskesmas_staff", code, None, None, None],
            ["too.high", "High", "province_reviewer", "63", None, None, None],
            ["elsewhere", "Else", "puskesmas_head", other, None, None, None],
            ["dinkes", "Taken", "puskesmas_staff", code, None, None, None],
            ["bad.mail", "Mail", "puskesmas_staff", code, "not-an-email", None, None],
            ["no.area", "None", "puskesmas_staff", None, None, None, None],
        ],
    )
    response, job = post_import(reverse("kernel:user-import"), {"file": upload})
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert _located(job.errors) == {(3, "A"), (4, "C"), (5, "D"), (6, "A"), (7, "E"), (8, "D")}
    assert any(other in error for error in job.errors)  # "… is not in your area"
    assert not User.objects.filter(username="ok.one").exists()


def test_a_head_imports_only_its_staff(client, world, puskesmas_head, post_import):
    code = world["hsu"]["puskesmas"].code
    client.force_login(puskesmas_head)
    upload = _filled(client, [["kepala.dua", "Dua", "puskesmas_head", code, None, None, None]])
    response, job = post_import(reverse("kernel:user-import"), {"file": upload})
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert not User.objects.filter(username="kepala.dua").exists()


def test_staff_cannot_import(client, puskesmas_staff):
    client.force_login(puskesmas_staff)
    assert client.get(reverse("kernel:user-import")).status_code == 403
    assert client.get(reverse("kernel:user-template")).status_code == 403

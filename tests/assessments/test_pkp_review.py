"""The district's side of the PKP (issue #18 must-have 2): verification item by item (a level
score only, a reason when it differs from the own score, only while submitted), feedback before
approval, approval filling the unverified items and ranking by the edition's bands, return and
reopen with reasons, notifications, scoping (another district: 404; a province: approved only;
a puskesmas cannot verify), the list's flat query count, the PDF and .xlsx, hostile input.
Tests run in Indonesian: asserted by data, status codes and URLs."""

import io
import shutil
import subprocess
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments.models import PkpAssessment, PkpScore
from assessments.services import pkp_review as services
from assessments.todo import pkp_todo
from kernel.models import AuditEvent, Notification
from kernel.versioning import StaleEdit

from ..exports import content_of, download_export
from ..factories import PuskesmasFactory
from .pkp_review_fixtures import YEAR, make_pkp, other_pkp_fixture, pkp_fixture  # noqa: F401

pytestmark = pytest.mark.django_db
Status = PkpAssessment.Status


def _scores(pkp):
    return list(
        PkpScore.objects.filter(assessment=pkp).select_related("item").order_by("item__code")
    )


def _verify(score, by, value, reason=""):
    return services.verify_item(
        score=score, by=by, version=score.version, verified_score=value, reason=reason
    )


def _feedback(pkp, by, text="Pertahankan capaian imunisasi."):
    pkp.refresh_from_db()
    return services.save_feedback(assessment=pkp, by=by, version=pkp.version, feedback=text)


def _approve(pkp, by):
    pkp.refresh_from_db()
    return services.pkp_approve(assessment=pkp, by=by, version=pkp.version)


# --- Verifying -----------------------------------------------------------------------------------


def test_a_verified_score_equal_to_the_own_score_needs_no_reason(pkp, district_user):
    score = _scores(pkp)[0]
    _verify(score, district_user, "7")
    score.refresh_from_db()
    assert score.verified_score == Decimal("7")
    assert score.verified_by == district_user and score.verified_at is not None
    assert AuditEvent.objects.filter(object_id=score.pk, action=AuditEvent.Action.SAVED).exists()


def test_a_changed_score_needs_a_reason_said_in_indonesian(pkp, district_user):
    score = _scores(pkp)[0]
    with pytest.raises(ValidationError) as refused:
        _verify(score, district_user, "4", reason="  ")
    assert "reason" in refused.value.message_dict
    assert "(4)" in refused.value.message_dict["reason"][0]
    score.refresh_from_db()
    assert score.verified_score is None
    _verify(score, district_user, "4", reason="Notulen lokmin hanya 6 kali")
    score.refresh_from_db()
    assert score.verified_score == Decimal("4")
    assert score.verify_reason == "Notulen lokmin hanya 6 kali"


@pytest.mark.parametrize("value", ["5", "11", "-4", "abc", "", "1e9", "NaN", "7\x00"])
def test_only_the_items_level_scores_are_accepted(pkp, district_user, value):
    score = _scores(pkp)[0]
    with pytest.raises(ValidationError):
        _verify(score, district_user, value, reason="alasan")
    score.refresh_from_db()
    assert score.verified_score is None


@pytest.mark.parametrize("status", [Status.DRAFT, Status.RETURNED, Status.APPROVED])
def test_only_a_submitted_pkp_is_verified(world, district_user, status):
    pkp = make_pkp(world["hsu"]["puskesmas"], status=status)
    with pytest.raises(ValidationError):
        _verify(_scores(pkp)[0], district_user, "7")


def test_a_puskesmas_or_another_district_cannot_verify(pkp, puskesmas_head, other_district_user):
    for outsider in (puskesmas_head, other_district_user):
        with pytest.raises(PermissionDenied):
            _verify(_scores(pkp)[0], outsider, "7")


def test_a_stale_verification_is_refused(pkp, district_user):
    score = _scores(pkp)[0]
    with pytest.raises(StaleEdit):
        services.verify_item(
            score=score,
            by=district_user,
            version=score.version + 5,
            verified_score="7",
            reason="",
        )


def test_nul_bytes_are_dropped_from_reasons_and_feedback(pkp, district_user):
    score = _scores(pkp)[0]
    _verify(score, district_user, "4", reason="Bukti\x00 kurang")
    score.refresh_from_db()
    assert score.verify_reason == "Bukti kurang"
    _feedback(pkp, district_user, "Baik\x00 sekali")
    pkp.refresh_from_db()
    assert pkp.feedback == "Baik sekali"


def test_huge_feedback_is_refused(pkp, district_user):
    with pytest.raises(ValidationError):
        _feedback(pkp, district_user, "x" * 10_000)


# --- Approving, returning, reopening -------------------------------------------------------------


def test_approval_needs_feedback(pkp, district_user):
    with pytest.raises(ValidationError):
        _approve(pkp, district_user)
    pkp.refresh_from_db()
    assert pkp.status == Status.SUBMITTED


def test_approval_takes_unverified_items_at_their_own_score_and_ranks(pkp, district_user):
    first, second, third = _scores(pkp)
    _verify(first, district_user, "10", reason="Dokumen lengkap")
    _feedback(pkp, district_user)
    _approve(pkp, district_user)
    pkp.refresh_from_db()
    assert pkp.status == Status.APPROVED
    assert pkp.ranked_by == district_user and pkp.ranked_at is not None
    second.refresh_from_db()
    third.refresh_from_db()
    assert second.verified_score == second.self_score and second.verified_by == district_user
    assert third.verified_score == Decimal("4") and third.verified_at is not None
    # 10, 10, 4 -> 8.00: fair on the management bands (good from 8.5, fair from 5.5)
    assert pkp.management_score == Decimal("8.00")
    assert pkp.management_rank == "fair"
    # service: 95% of 90 -> 100; 60% of 80 -> 75; mean 87.5 -> fair (good from 91)
    assert pkp.service_rank == "fair"


def test_a_better_verified_score_moves_the_rank(pkp, district_user):
    first, second, third = _scores(pkp)
    _verify(first, district_user, "10", reason="Dokumen lengkap")
    _verify(third, district_user, "10", reason="SOP ada")
    _feedback(pkp, district_user)
    _approve(pkp, district_user)
    pkp.refresh_from_db()
    assert pkp.management_score == Decimal("10.00")
    assert pkp.management_rank == "good"


def test_return_needs_a_reason_and_notifies_the_puskesmas(pkp, district_user, puskesmas_head):
    pkp.refresh_from_db()
    with pytest.raises(ValidationError):
        services.pkp_return(assessment=pkp, by=district_user, reason=" ", version=pkp.version)
    services.pkp_return(
        assessment=pkp, by=district_user, reason="Lengkapi bukti butir M1.2", version=pkp.version
    )
    pkp.refresh_from_db()
    assert pkp.status == Status.RETURNED
    assert pkp.return_reason == "Lengkapi bukti butir M1.2"
    note = Notification.objects.get(recipient=puskesmas_head, kind="pkp_returned")
    assert "M1.2" in note.body
    assert pkp_todo(puskesmas_head, None)[0].detail == "Lengkapi bukti butir M1.2"


def test_approval_notifies_the_puskesmas_with_the_feedback(pkp, district_user, puskesmas_head):
    _feedback(pkp, district_user, "Tingkatkan kunjungan nifas.")
    _approve(pkp, district_user)
    note = Notification.objects.get(recipient=puskesmas_head, kind="pkp_approved")
    assert "nifas" in note.body


def test_reopen_needs_a_reason(pkp, district_user):
    _feedback(pkp, district_user)
    _approve(pkp, district_user)
    pkp.refresh_from_db()
    with pytest.raises(ValidationError):
        services.pkp_reopen(assessment=pkp, by=district_user, reason="", version=pkp.version)
    services.pkp_reopen(
        assessment=pkp, by=district_user, reason="Salah hitung sasaran", version=pkp.version
    )
    pkp.refresh_from_db()
    assert pkp.status == Status.DRAFT


def test_the_planner_to_do_counts_submitted_pkps(pkp, district_user, other_pkp):
    items = pkp_todo(district_user, None)
    assert len(items) == 1 and items[0].count == 1


# --- Pages ---------------------------------------------------------------------------------------


def test_verify_page_and_posts(client, pkp, district_user):
    client.force_login(district_user)
    url = reverse("assessments:pkp-verify", args=[pkp.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert pkp.puskesmas.name in page.content.decode()
    score = _scores(pkp)[2]
    post = client.post(
        reverse("assessments:pkp-verify-item", args=[score.pk]),
        {"version": score.version, "verified_score": "7", "reason": ""},
    )
    assert post.status_code == 302
    score.refresh_from_db()
    assert score.verified_score is None  # refused: no reason for a change
    client.post(
        reverse("assessments:pkp-verify-item", args=[score.pk]),
        {"version": score.version, "verified_score": "7", "reason": "SOP sudah ada"},
    )
    score.refresh_from_db()
    assert score.verified_score == Decimal("7")
    pkp.refresh_from_db()
    client.post(
        reverse("assessments:pkp-feedback", args=[pkp.pk]),
        {"version": pkp.version, "feedback": "Bagus"},
    )
    pkp.refresh_from_db()
    assert pkp.feedback == "Bagus"
    client.post(reverse("assessments:pkp-approve", args=[pkp.pk]), {"version": pkp.version})
    pkp.refresh_from_db()
    assert pkp.status == Status.APPROVED
    page = client.get(url)
    assert b'data-testid="pkp-rank"' in page.content


def test_a_puskesmas_reads_its_pkp_but_cannot_verify(client, pkp, puskesmas_head):
    client.force_login(puskesmas_head)
    page = client.get(reverse("assessments:pkp-verify", args=[pkp.pk]))
    assert page.status_code == 200
    assert b'data-testid="verify-form"' not in page.content
    score = _scores(pkp)[0]
    response = client.post(
        reverse("assessments:pkp-verify-item", args=[score.pk]),
        {"version": score.version, "verified_score": "7"},
    )
    assert response.status_code == 403
    pkp.refresh_from_db()
    assert (
        client.post(
            reverse("assessments:pkp-approve", args=[pkp.pk]), {"version": pkp.version}
        ).status_code
        == 403
    )


def test_another_district_gets_404(client, pkp, other_district_user):
    client.force_login(other_district_user)
    for name in ("pkp-verify", "pkp-pdf", "pkp-xlsx"):
        assert client.get(reverse(f"assessments:{name}", args=[pkp.pk])).status_code == 404
    for name in ("pkp-approve", "pkp-return", "pkp-reopen", "pkp-feedback"):
        assert client.post(reverse(f"assessments:{name}", args=[pkp.pk])).status_code == 404
    score = _scores(pkp)[0]
    url = reverse("assessments:pkp-verify-item", args=[score.pk])
    assert client.post(url, {"verified_score": "7"}).status_code == 404


def test_a_province_sees_approved_pkps_only(client, world, pkp, district_user, province_user):
    approved = make_pkp(
        PuskesmasFactory(subdistrict=world["hsu"]["subdistrict"]), status=Status.APPROVED
    )
    client.force_login(province_user)
    assert client.get(reverse("assessments:pkp-verify", args=[pkp.pk])).status_code == 404
    assert client.get(reverse("assessments:pkp-verify", args=[approved.pk])).status_code == 200
    page = client.get(reverse("assessments:pkp-list"), {"year": YEAR})
    assert page.status_code == 200
    shown = [line.pkp.pk for line in page.context["page_obj"]]
    assert shown == [approved.pk]


def test_the_district_list_is_sorted_best_first_with_last_year(client, world, district_user):
    hsu = world["hsu"]["district"]
    good = make_pkp(
        PuskesmasFactory(subdistrict=world["hsu"]["subdistrict"], name="Puskesmas A"),
        status=Status.APPROVED,
    )
    PkpAssessment.objects.filter(pk=good.pk).update(rank="good", management_score=Decimal("9"))
    poor = make_pkp(
        PuskesmasFactory(subdistrict=world["hsu"]["subdistrict"], name="Puskesmas B"),
        status=Status.APPROVED,
    )
    PkpAssessment.objects.filter(pk=poor.pk).update(rank="poor", management_score=Decimal("3"))
    last = make_pkp(poor.puskesmas, year=YEAR - 1, status=Status.APPROVED)
    PkpAssessment.objects.filter(pk=last.pk).update(management_score=Decimal("2"))
    client.force_login(district_user)
    page = client.get(reverse("assessments:pkp-list"), {"year": YEAR})
    lines = list(page.context["page_obj"])
    assert [line.pkp.pk for line in lines[:2]] == [good.pk, poor.pk]
    assert lines[1].management_change == Decimal("1")
    counts = {row.district.pk: row.ordered for row in page.context["counts"]}
    assert counts[hsu.pk] == [1, 0, 1]
    export = client.get(reverse("assessments:pkp-list"), {"year": YEAR, "format": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(export.content)).active
    names = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert names[:2] == ["Puskesmas A", "Puskesmas B"]


def _list_queries(client, user) -> int:
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("assessments:pkp-list"), {"year": YEAR}).status_code == 200
    return len(queries)


def test_the_list_query_count_is_flat(client, world, district_user):
    make_pkp(PuskesmasFactory(subdistrict=world["hsu"]["subdistrict"]), status=Status.APPROVED)
    few = _list_queries(client, district_user)
    for _n in range(5):
        unit = PuskesmasFactory(subdistrict=world["hsu"]["subdistrict"])
        make_pkp(unit, status=Status.SUBMITTED)
        make_pkp(unit, year=YEAR - 1, status=Status.APPROVED)
    assert _list_queries(client, district_user) <= few


def test_a_puskesmas_sees_its_years(client, pkp, puskesmas_head):
    client.force_login(puskesmas_head)
    page = client.get(reverse("assessments:pkp-list"))
    assert page.status_code == 200
    assert [p.pk for p in page.context["pkps"]] == [pkp.pk]


def test_pdf_and_xlsx_name_the_puskesmas(client, pkp, district_user, tmp_path):
    client.force_login(district_user)
    pdf = download_export(client, reverse("assessments:pkp-pdf", args=[pkp.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    content = content_of(pdf)
    assert content.startswith(b"%PDF")
    if shutil.which("pdftotext"):
        path = tmp_path / "pkp.pdf"
        path.write_bytes(content)
        text = subprocess.run(
            ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert pkp.puskesmas.name in text
        assert "Kunjungan rendah" in text  # the problem of the activity short of its target
    xlsx = client.get(reverse("assessments:pkp-xlsx", args=[pkp.pk]))
    book = openpyxl.load_workbook(io.BytesIO(xlsx.content))
    assert len(book.sheetnames) == 2
    for sheet in book.worksheets:
        values = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
        assert values and set(values) == {pkp.puskesmas.name}


def test_a_nul_byte_in_a_post_is_harmless(client, pkp, district_user):
    client.force_login(district_user)
    pkp.refresh_from_db()
    response = client.post(
        reverse("assessments:pkp-return", args=[pkp.pk]),
        {"version": f"{pkp.version}\x00", "reason": "\x00"},
    )
    assert response.status_code in (302, 400)
    pkp.refresh_from_db()
    assert pkp.status == Status.SUBMITTED


def test_an_approval_from_a_page_older_than_a_verification_is_refused(pkp, district_user):
    _feedback(pkp, district_user)
    pkp.refresh_from_db()
    seen = pkp.version
    _verify(_scores(pkp)[0], district_user, "4", reason="Bukti kurang")
    with pytest.raises(ValidationError):
        services.pkp_approve(assessment=pkp, by=district_user, version=seen)
    pkp.refresh_from_db()
    assert pkp.status == Status.SUBMITTED

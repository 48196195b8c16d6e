"""The yearly posyandu and desa siaga aktif reviews (issue #17, must-have 2): strata computed
from the edition's criteria on every save (boundaries), the reasons on the page, the shared
workflow (the puskesmas fills and submits, the district returns with a reason or approves),
stale saves refused, scoping (another district: 404; a province: approved reviews only), the
Excel import (all rows or none), hostile values and a flat query count. Pages are asserted by
data and test ids: tests run in Indonesian."""

import io
import re
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from community.models import PosyanduReview, VillageReview
from community.rules import shortfall_text
from community.services import demo_reviews
from community.services import reviews as services
from community.todo import reviews_todo
from kernel.models import AuditEvent, ImportJob, ServicePoint
from kernel.versioning import StaleEdit
from tests.conftest import errors_of

from .factories import PosyanduFactory, PosyanduReviewFactory, VillageReviewFactory

pytestmark = pytest.mark.django_db
YEAR = 2026

FULL = {
    "sessions_held": 12,
    "active_cadres": 6,
    "weighing_coverage": "60",
    "kia_coverage": "60",
    "kb_coverage": "60",
    "immunisation_coverage": "60",
    "extra_programmes": 1,
    "fund_coverage": "20",
}


@pytest.fixture
def posyandu(world):
    return world["hsu"]["service_point"]


@pytest.fixture
def review(posyandu, puskesmas_head):
    return services.posyandu_review_open(service_point=posyandu, year=YEAR, by=puskesmas_head)


def _save(review, by, **values):
    return services.review_save(review=review, values=values, version=review.version, by=by)


def _filled(review, by, **changes):
    return _save(review, by, **(FULL | changes))


# --- Strata from data, through the service -------------------------------------------------------


def test_opening_is_idempotent_and_keeps_the_year_s_edition(posyandu, puskesmas_head, review):
    again = services.posyandu_review_open(service_point=posyandu, year=YEAR, by=puskesmas_head)
    assert again.pk == review.pk
    assert review.standard.subject == "posyandu"
    assert review.status == "draft" and review.version == 1
    # Nothing entered: Pratama (the posyandu edition has no Pratama criteria), not active.
    assert review.stratum == "pratama" and review.is_active_posyandu is False
    assert AuditEvent.objects.filter(object_id=review.pk, action="created").count() == 1


@pytest.mark.parametrize(
    ("changes", "stratum", "active"),
    [
        ({"active_cadres": 4}, "pratama", True),
        ({"sessions_held": 7}, "pratama", False),
        ({"sessions_held": 8, "active_cadres": 5, "weighing_coverage": "49.99"}, "madya", False),
        ({"extra_programmes": 0}, "madya", True),
        ({"kb_coverage": "50"}, "purnama", True),
        ({"fund_coverage": "49.99"}, "purnama", True),
        ({"fund_coverage": "50"}, "mandiri", True),
        ({"fund_coverage": "100", "immunisation_coverage": "49"}, "madya", False),
    ],
)
def test_every_save_places_the_review_by_the_criteria(
    review, puskesmas_head, changes, stratum, active
):
    _filled(review, puskesmas_head, **changes)
    review.refresh_from_db()
    assert review.stratum == stratum
    assert review.is_active_posyandu is active


def test_shortfalls_name_the_next_stratum_s_missing_criteria(review, puskesmas_head):
    _filled(review, puskesmas_head, active_cadres=4)
    review.refresh_from_db()
    assert review.stratum == "pratama"
    assert review.shortfalls == [
        {"goal": "madya", "measure": "active_cadres", "value": "4", "minimum": "5.00"}
    ]
    _save(review, puskesmas_head, active_cadres=9)  # one figure changed: placed again
    review.refresh_from_db()
    assert review.stratum == "mandiri" or review.stratum == "purnama"
    assert all(s["measure"] != "active_cadres" for s in review.shortfalls)


def test_a_desa_review_counts_its_posyandu_from_the_registry_and_reviews(
    world, posyandu, puskesmas_head, review
):
    village = world["hsu"]["villages"][0]
    PosyanduFactory(puskesmas=world["hsu"]["puskesmas"], village=village)  # not reviewed
    PosyanduFactory(
        puskesmas=world["hsu"]["puskesmas"], village=village, kind=ServicePoint.Kind.POSBINDU
    )
    _filled(review, puskesmas_head)  # active
    desa = services.village_review_open(village=village, year=YEAR, by=puskesmas_head)
    figures = {
        "forum_meetings": 2,
        "active_cadres": 3,
        "daily_access": True,
        "village_funding": "1",
        "community_activities": 1,
        "phbs_households": "40",
    }
    _save(desa, puskesmas_head, **figures)
    desa.refresh_from_db()
    assert (desa.posyandu_count, desa.active_posyandu, desa.ukbm_count) == (2, 1, 1)
    assert desa.stratum == "madya" and desa.is_siaga_aktif is True
    _save(desa, puskesmas_head, daily_access="0")
    desa.refresh_from_db()
    assert desa.stratum == "" and desa.is_siaga_aktif is False
    assert {"goal": "pratama", "measure": "daily_access", "value": "0", "minimum": "1.00"} in (
        desa.shortfalls
    )


def test_opening_is_refused_without_criteria_a_future_year_or_rights(
    world, posyandu, puskesmas_head, district_user
):
    with pytest.raises(ValidationError):
        services.posyandu_review_open(service_point=posyandu, year=2005, by=puskesmas_head)
    with pytest.raises(ValidationError):
        services.posyandu_review_open(
            service_point=posyandu, year=timezone.localdate().year + 1, by=puskesmas_head
        )
    with pytest.raises(PermissionDenied):
        services.posyandu_review_open(service_point=posyandu, year=YEAR, by=district_user)
    pustu = PosyanduFactory(puskesmas=world["hsu"]["puskesmas"], kind=ServicePoint.Kind.PUSTU)
    with pytest.raises(ValidationError):
        services.posyandu_review_open(service_point=pustu, year=YEAR, by=puskesmas_head)
    assert not PosyanduReview.objects.exists()


# --- The page: the stratum with its reasons, the form -------------------------------------------


def test_the_page_shows_the_stratum_and_its_reasons_in_words(client, review, puskesmas_head):
    _filled(review, puskesmas_head, active_cadres=4, weighing_coverage="40")
    review.refresh_from_db()
    client.force_login(puskesmas_head)
    page = client.get(reverse("community:posyandu-review", args=[review.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert 'data-stratum="pratama"' in text
    for shortfall in review.shortfalls:  # "Madya: 4 kader aktif, perlu 5" and the active ones
        assert shortfall_text(shortfall, "posyandu") in text
    assert 'data-testid="stratum-reasons"' in text and 'data-testid="active-reasons"' in text
    assert 'data-testid="review-form"' in text and 'data-testid="review-history"' in text


def test_saving_through_the_page_recomputes_and_keeps_history(client, review, puskesmas_head):
    client.force_login(puskesmas_head)
    url = reverse("community:posyandu-review", args=[review.pk])
    data = {name: str(value) for name, value in FULL.items()} | {
        "fund_coverage": "55,5",  # a comma works as the decimal point
        "note": "Catatan",
        "version": review.version,
    }
    answer = client.post(url, data)
    assert answer.status_code == 302
    review.refresh_from_db()
    assert review.stratum == "mandiri" and review.fund_coverage == Decimal("55.50")
    assert review.version == 2 and review.note == "Catatan"
    assert review.history.count() == 2
    page = client.get(url).content.decode()
    assert page.count("<li>") >= 2  # the history lists created and saved


def test_a_stale_save_is_refused_with_who_and_both_values(
    client, review, puskesmas_head, puskesmas_staff
):
    url = reverse("community:posyandu-review", args=[review.pk])
    _save(review, puskesmas_staff, active_cadres=7)  # the colleague saved first (version 2)
    client.force_login(puskesmas_head)
    answer = client.post(url, {"active_cadres": "3", "version": 1})
    assert answer.status_code == 409
    assert 'data-testid="stale-edit"' in answer.content.decode()
    stale = answer.context["form"].stale
    assert stale.who == (puskesmas_staff.get_full_name() or puskesmas_staff.username)
    assert [(d.theirs, d.yours) for d in stale.differences] == [("7", "3")]
    review.refresh_from_db()
    assert review.active_cadres == 7 and review.version == 2
    with pytest.raises(StaleEdit):
        services.review_save(
            review=review, values={"active_cadres": 1}, version=1, by=puskesmas_head
        )


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("weighing_coverage", "101"),
        ("weighing_coverage", "-1"),
        ("active_cadres", "-1"),
        ("active_cadres", "2.5"),
        ("sessions_held", "99999999"),
        ("kia_coverage", "1\x00"),
        ("kb_coverage", "NaN"),
        ("note", "a\x00b"),
        ("sessions_held", "1e400"),
    ],
)
def test_hostile_values_are_refused_and_nothing_is_saved(
    client, review, puskesmas_head, name, value
):
    client.force_login(puskesmas_head)
    url = reverse("community:posyandu-review", args=[review.pk])
    answer = client.post(url, {name: value, "version": review.version})
    assert answer.status_code == 400  # the form's error, or the middleware's (a NUL byte)
    review.refresh_from_db()
    assert review.version == 1 and getattr(review, name) in (None, "")


def test_the_service_refuses_hostile_values_too(review, puskesmas_head):
    for values in (
        {"weighing_coverage": Decimal("100.01")},
        {"active_cadres": -1},
        {"fund_coverage": "1\x00"},
    ):
        with pytest.raises(ValidationError):
            services.review_save(review=review, values=values, version=1, by=puskesmas_head)
    services.review_save(review=review, values={"note": "ok\x00\x07"}, version=1, by=puskesmas_head)
    review.refresh_from_db()
    assert review.note == "ok"


# --- The workflow -------------------------------------------------------------------------------


def _step(client, review, step, **data):
    name = (
        "community:posyandu-review-step"
        if isinstance(review, PosyanduReview)
        else "community:village-review-step"
    )
    return client.post(reverse(name, args=[review.pk]), {"step": step, **data})


def test_fill_submit_return_approve_reopen(client, review, puskesmas_head, district_user):
    client.force_login(puskesmas_head)
    assert _step(client, review, "submit").status_code == 302
    review.refresh_from_db()
    assert review.status == "draft"  # figures missing: refused
    _filled(review, puskesmas_head)
    _step(client, review, "submit", version=review.version)
    review.refresh_from_db()
    assert review.status == "submitted" and review.submitted_by == puskesmas_head
    # The puskesmas cannot approve its own, nor save a submitted review.
    assert _step(client, review, "approve").status_code == 403
    answer = client.post(
        reverse("community:posyandu-review", args=[review.pk]),
        {"active_cadres": "1", "version": review.version},
    )
    assert answer.status_code in (400, 403)
    client.force_login(district_user)
    _step(client, review, "return", reason="   ")
    review.refresh_from_db()
    assert review.status == "submitted"  # a return needs its reason
    _step(client, review, "return", reason="Cakupan KB tidak sesuai")
    review.refresh_from_db()
    assert review.status == "returned" and review.return_reason == "Cakupan KB tidak sesuai"
    client.force_login(puskesmas_head)
    page = client.get(reverse("community:posyandu-review", args=[review.pk])).content.decode()
    assert "Cakupan KB tidak sesuai" in page
    _step(client, review, "submit", version=review.version)
    client.force_login(district_user)
    _step(client, review, "approve")
    review.refresh_from_db()
    assert review.status == "approved" and review.decided_by == district_user
    _step(client, review, "reopen", reason="Salah input")
    review.refresh_from_db()
    assert review.status == "draft"
    actions = list(
        AuditEvent.objects.filter(object_id=review.pk, content_type__model="posyandureview")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions[0] == "created" and actions[-4:] == [
        "returned",
        "submitted",
        "approved",
        "reopened",
    ]


def test_another_district_and_province_never_reach_a_review(
    client, world, review, puskesmas_head, other_district_user, other_province_user
):
    _filled(review, puskesmas_head)
    services.review_submit(review=review, by=puskesmas_head, version=review.version)
    for outsider in (other_district_user, other_province_user):
        client.force_login(outsider)
        assert client.get(reverse("community:posyandu-review", args=[review.pk])).status_code == 404
        assert _step(client, review, "approve").status_code == 404
        url = reverse("community:posyandu-review-open", args=[world["hsu"]["service_point"].pk])
        assert client.post(url, {"year": YEAR}).status_code == 404
    review.refresh_from_db()
    assert review.status == "submitted"


def test_a_province_reads_approved_reviews_only(
    client, world, puskesmas_head, district_user, province_user
):
    approved = PosyanduReviewFactory(
        service_point=world["hsu"]["service_point"], stratum="purnama", status="approved"
    )
    draft = PosyanduReviewFactory(
        service_point=_second_posyandu(world), stratum="mandiri", status="submitted"
    )
    client.force_login(province_user)
    assert client.get(reverse("community:posyandu-review", args=[draft.pk])).status_code == 404
    assert client.get(reverse("community:posyandu-review", args=[approved.pk])).status_code == 200
    page = client.get(reverse("community:review-list"), {"year": YEAR})
    assert page.status_code == 200
    rows = {row.area.pk: row for row in page.context["strata_rows"]}
    hsu = rows[world["hsu"]["district"].pk]
    assert hsu.posyandu == {"pratama": 0, "madya": 0, "purnama": 1, "mandiri": 0}
    assert world["bontang"]["district"].pk not in rows  # another province
    export = client.get(reverse("community:review-list"), {"year": YEAR, "format": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(export.content)).active
    assert sheet.max_row == 2  # the heading and the approved review only


def _second_posyandu(world):
    return PosyanduFactory(puskesmas=world["hsu"]["puskesmas"], village=world["hsu"]["villages"][1])


# --- Lists --------------------------------------------------------------------------------------


def test_the_puskesmas_list_has_an_open_button_per_posyandu_and_desa(client, world, puskesmas_head):
    client.force_login(puskesmas_head)
    page = client.get(reverse("community:review-list"), {"year": YEAR})
    assert page.status_code == 200
    text = page.content.decode()
    assert text.count('data-testid="open-review"') == 1 + len(world["hsu"]["villages"])
    url = reverse("community:posyandu-review-open", args=[world["hsu"]["service_point"].pk])
    answer = client.post(url, {"year": YEAR})
    review = PosyanduReview.objects.get()
    assert answer.status_code == 302 and answer.url.endswith(f"/{review.pk}/")
    url = reverse("community:village-review-open", args=[world["hsu"]["villages"][1].pk])
    assert client.post(url, {"year": "abc"}).status_code == 302
    assert not VillageReview.objects.exists()
    client.post(url, {"year": YEAR})
    assert VillageReview.objects.get().puskesmas == world["hsu"]["puskesmas"]


def _reviews(world, count):
    for _ in range(count):
        point = PosyanduFactory(
            puskesmas=world["hsu"]["puskesmas"], village=world["hsu"]["villages"][0]
        )
        PosyanduReviewFactory(service_point=point, stratum="madya", status="submitted")
    village = world["hsu"]["villages"][count % 2]
    if not VillageReview.objects.filter(village=village).exists():
        VillageReviewFactory(village=village, status="submitted")


@pytest.mark.parametrize("who", ["district_user", "puskesmas_head", "province_user"])
def test_the_list_costs_the_same_queries_whatever_it_holds(client, world, request, who):
    user = request.getfixturevalue(who)
    client.force_login(user)
    url = reverse("community:review-list")
    _reviews(world, 2)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url, {"year": YEAR}).status_code == 200
    _reviews(world, 9)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url, {"year": YEAR}).status_code == 200
    assert len(many) == len(few)


def test_the_district_list_filters_by_status_and_counts_strata(client, world, district_user):
    _reviews(world, 3)
    approved = PosyanduReviewFactory(
        service_point=_second_posyandu(world), stratum="mandiri", status="approved"
    )
    client.force_login(district_user)
    page = client.get(reverse("community:review-list"), {"year": YEAR, "status": "approved"})
    assert page.status_code == 200
    assert [line.review.pk for line in page.context["rows"]] == [approved.pk]
    strata = {row.area.pk: row for row in page.context["strata_rows"]}[world["hsu"]["puskesmas"].pk]
    assert strata.posyandu == {"pratama": 0, "madya": 3, "purnama": 0, "mandiri": 1}
    assert strata.statuses["submitted"] == 4  # and the desa's
    bad = client.get(reverse("community:review-list"), {"year": "99999", "status": "<x>"})
    assert bad.status_code == 200


# --- Excel --------------------------------------------------------------------------------------


def _template(client, year=YEAR):
    answer = client.get(reverse("community:review-template"), {"year": year})
    assert answer.status_code == 200
    return openpyxl.load_workbook(io.BytesIO(answer.content))


def _upload(workbook):
    from django.core.files.uploadedfile import SimpleUploadedFile

    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("posyandu.xlsx", buffer.getvalue())


def _fill(sheet, row, values):
    for offset, value in enumerate(values, start=4):
        sheet.cell(row=row, column=offset, value=value)


@pytest.fixture
def two_posyandu(world):
    second = PosyanduFactory(
        puskesmas=world["hsu"]["puskesmas"], village=world["hsu"]["villages"][1]
    )
    return [world["hsu"]["service_point"], second]


def test_a_filled_template_is_imported_whole(
    client, world, puskesmas_head, two_posyandu, post_import, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(puskesmas_head)
    workbook = _template(client)
    sheet = workbook.worksheets[0]
    ids = [sheet.cell(row=r, column=1).value for r in (2, 3)]
    assert sorted(ids) == sorted(p.pk for p in two_posyandu)
    _fill(sheet, 2, [12, 6, 60, 60, 60, 60, 1, 55])
    _fill(sheet, 3, [6, 4, 40.5, 40, 40, 40, 0, 0])
    answer, job = post_import(
        reverse("community:review-import"), {"file": _upload(workbook), "year": YEAR}
    )
    assert job is not None and job.status == ImportJob.Status.DONE, errors_of(answer, job)
    strata = dict(PosyanduReview.objects.values_list("service_point_id", "stratum"))
    assert strata == {ids[0]: "mandiri", ids[1]: "pratama"}
    assert AuditEvent.objects.filter(action="imported").count() == 2


def test_a_template_with_bad_rows_saves_nothing(
    client, world, puskesmas_head, two_posyandu, post_import, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(puskesmas_head)
    workbook = _template(client)
    sheet = workbook.worksheets[0]
    _fill(sheet, 2, [12, 6, 101, 60, 60, 60, 1, 55])  # 101 %
    _fill(sheet, 3, [-1, 4, 40, 40, 40, 40, 0, 0])  # a negative count
    sheet.cell(row=4, column=1, value=world["banjarmasin"]["service_point"].pk)  # another area's
    sheet.cell(row=5, column=1, value=sheet.cell(row=2, column=1).value)  # twice
    answer, job = post_import(
        reverse("community:review-import"), {"file": _upload(workbook), "year": YEAR}
    )
    errors = errors_of(answer, job)
    assert job is not None and job.status == ImportJob.Status.FAILED
    for row, column in ((2, "F"), (3, "D"), (4, "A"), (5, "A")):
        assert any(re.search(rf"\b{row}\b\D*\b{column}\b", e) for e in errors), (row, errors)
    assert not PosyanduReview.objects.exists()


def test_import_refuses_a_district_and_a_submitted_review(
    client, world, puskesmas_head, district_user, review, post_import, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(district_user)
    assert client.get(reverse("community:review-template")).status_code == 403
    assert client.get(reverse("community:review-import")).status_code == 403
    _filled(review, puskesmas_head)
    services.review_submit(review=review, by=puskesmas_head, version=review.version)
    client.force_login(puskesmas_head)
    workbook = _template(client)
    _fill(workbook.worksheets[0], 2, [1, 1, 1, 1, 1, 1, 1, 1])
    answer, job = post_import(
        reverse("community:review-import"), {"file": _upload(workbook), "year": YEAR}
    )
    assert job is not None and job.status == ImportJob.Status.FAILED
    review.refresh_from_db()
    assert review.sessions_held == 12


# --- To-do and demo -----------------------------------------------------------------------------


def test_the_to_do_home_tells_the_district_and_the_puskesmas(
    review, puskesmas_head, district_user, other_district_user
):
    today = timezone.localdate()
    assert reviews_todo(district_user, today) == []
    _filled(review, puskesmas_head)
    services.review_submit(review=review, by=puskesmas_head, version=review.version)
    [item] = reviews_todo(district_user, today)
    assert item.count == 1
    assert reviews_todo(other_district_user, today) == []
    services.review_return(review=review, by=district_user, reason="Periksa lagi")
    [returned] = reviews_todo(puskesmas_head, today)
    assert returned.detail == "Periksa lagi" and str(review.pk) in returned.url


def test_the_demo_gives_every_stratum_and_a_mix_of_statuses(world, puskesmas_head, district_user):
    for village in world["hsu"]["villages"]:
        for _ in range(2):
            PosyanduFactory(puskesmas=world["hsu"]["puskesmas"], village=village)
    demo_reviews.seed()
    reviews = PosyanduReview.objects.filter(puskesmas=world["hsu"]["puskesmas"])
    assert set(reviews.values_list("stratum", flat=True)) == {
        "pratama",
        "madya",
        "purnama",
        "mandiri",
    }
    statuses = list(reviews.values_list("status", flat=True))
    assert statuses.count("submitted") == 1 and statuses.count("returned") == 1
    assert "approved" in statuses and "draft" in statuses
    assert reviews.get(status="returned").return_reason
    assert VillageReview.objects.filter(is_siaga_aktif=True).exists()
    count = reviews.count() + VillageReview.objects.count()
    demo_reviews.seed()
    assert PosyanduReview.objects.count() + VillageReview.objects.count() == count


def test_a_template_sent_back_unchanged_leaves_submitted_reviews_alone(
    client, review, puskesmas_head, post_import, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    _filled(review, puskesmas_head, fund_coverage="55%")  # a typed percent sign is accepted
    services.review_submit(review=review, by=puskesmas_head, version=review.version)
    client.force_login(puskesmas_head)
    workbook = _template(client)
    answer, job = post_import(
        reverse("community:review-import"), {"file": _upload(workbook), "year": YEAR}
    )
    assert job is not None and job.status == ImportJob.Status.DONE, errors_of(answer, job)
    review.refresh_from_db()
    assert review.status == "submitted" and review.version == 3
    assert review.fund_coverage == Decimal("55.00")


def test_saving_a_submitted_review_says_why_not(client, review, puskesmas_head):
    _filled(review, puskesmas_head)
    services.review_submit(review=review, by=puskesmas_head, version=review.version)
    client.force_login(puskesmas_head)
    url = reverse("community:posyandu-review", args=[review.pk])
    answer = client.post(url, {"active_cadres": "1", "version": review.version})
    assert answer.status_code == 400
    assert 'data-testid="review-errors"' in answer.content.decode()
    review.refresh_from_db()
    assert review.active_cadres == 6


def test_a_desa_page_says_when_its_posyandu_changed_since_its_save(
    client, world, puskesmas_head, review
):
    desa = services.village_review_open(
        village=world["hsu"]["villages"][0], year=YEAR, by=puskesmas_head
    )
    client.force_login(puskesmas_head)
    url = reverse("community:village-review", args=[desa.pk])
    assert 'data-testid="counts-changed"' not in client.get(url).content.decode()
    _filled(review, puskesmas_head)  # the desa's posyandu is active now
    assert 'data-testid="counts-changed"' in client.get(url).content.decode()
    desa.refresh_from_db()
    _save(desa, puskesmas_head, forum_meetings=1)
    desa.refresh_from_db()
    assert desa.active_posyandu == 1
    assert 'data-testid="counts-changed"' not in client.get(url).content.decode()


def test_each_step_tells_the_other_side(review, puskesmas_head, puskesmas_staff, district_user):
    from kernel.models import Notification

    def kinds(user):
        return list(Notification.objects.filter(recipient=user).values_list("kind", flat=True))

    _filled(review, puskesmas_head)
    services.review_submit(review=review, by=puskesmas_head, version=review.version)
    assert kinds(district_user) == ["ukbm_review_submitted"]
    assert kinds(puskesmas_head) == []  # whoever did the step is not told
    services.review_return(review=review, by=district_user, reason="Cek KB")
    assert kinds(puskesmas_staff) == ["ukbm_review_returned"]
    note = Notification.objects.get(recipient=puskesmas_staff)
    assert "Cek KB" in note.body and note.url.endswith(f"/{review.pk}/")


def test_approving_a_review_recomputes_the_provinces_ukbm_indicators(
    review, puskesmas_head, district_user, django_capture_on_commit_callbacks
):
    """Once an approval commits, the UKBM indicators of its year and province count it."""
    from community.models import IndicatorResult

    _filled(review, puskesmas_head)
    review.refresh_from_db()
    services.review_submit(review=review, by=puskesmas_head, version=review.version)
    with django_capture_on_commit_callbacks(execute=True):
        services.review_approve(review=review, by=district_user)
    district = IndicatorResult.objects.get(
        indicator__measure="posyandu_purnama_mandiri",
        year=YEAR,
        level=IndicatorResult.Level.DISTRICT,
        district=review.puskesmas.district,
    )
    review.refresh_from_db()
    counted = 1 if review.stratum in ("purnama", "mandiri") else 0
    assert (district.numerator, district.denominator) == (counted, 1)

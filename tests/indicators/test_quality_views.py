"""SPM quality pages (issue #16): the puskesmas's quarters and entry page (plain form posts and
per-field JSON saves), the district's review and roll-up (.xlsx), the province's approved-only
view; scoping and query counts."""

import io
from decimal import Decimal

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from indicators.models import QualityItem, QualityReport, QualityValue, SPMService, Target
from indicators.services import aggregation
from indicators.services.quality import quality_report_open
from kernel.models import User
from tests.factories import PuskesmasFactory, UserFactory, VillageFactory

pytestmark = pytest.mark.django_db
YEAR = 2025


@pytest.fixture(autouse=True)
def _english(monkeypatch, client):
    """Pages in English; the quarter's rebuild (the index part's hook) not run here."""
    translation.activate("en")
    client.cookies["django_language"] = "en"
    monkeypatch.setattr(aggregation, "quality_refresh_later", lambda *, report: None, raising=False)


def _service(number):
    return SPMService.objects.get(
        edition__years__year=YEAR, level=SPMService.Level.DISTRICT, number=number
    )


def _item(number, code):
    return QualityItem.objects.get(service=_service(number), code=code)


@pytest.fixture
def report(world, puskesmas_head):
    for village, value in zip(world["hsu"]["villages"], (120, 80), strict=True):
        Target.objects.create(
            village=village,
            year=YEAR,
            service=_service(1),
            source=Target.Source.ESTIMATE,
            value=value,
            is_of_record=True,
        )
    return quality_report_open(
        puskesmas=world["hsu"]["puskesmas"], year=YEAR, quarter=2, by=puskesmas_head
    )


def _value(report, number, code):
    return QualityValue.objects.get(report=report, item=_item(number, code))


def _form_fields(report, number, code, **typed):
    """What the entry page posts for one item: typed values and what the page showed."""
    value = _value(report, number, code)
    pk = value.item_id

    def shown(amount):
        return "" if amount is None else f"{amount.normalize():f}"

    return {
        "service": str(number),
        f"n-{pk}": typed.get("n", shown(value.needed)),
        f"a-{pk}": typed.get("a", shown(value.available)),
        f"note-{pk}": typed.get("note", value.note),
        f"on-{pk}": shown(value.needed),
        f"oa-{pk}": shown(value.available),
        f"onote-{pk}": value.note,
        f"v-{pk}": str(value.version),
    }


def _approve(report, head, planner, available=Decimal(9000)):
    from indicators.services.quality import (
        ValueInput,
        quality_report_approve,
        quality_report_submit,
        quality_value_save,
    )

    quality_value_save(
        report=report,
        item=_item(1, "ttd-90"),
        entry=ValueInput(
            available=available, version=_value(report, 1, "ttd-90").version, fields=("available",)
        ),
        by=head,
    )
    report.refresh_from_db()
    quality_report_submit(report=report, version=report.version, by=head)
    quality_report_approve(report=report, by=planner)
    report.refresh_from_db()
    return report


# --- The puskesmas ------------------------------------------------------------------------------


def test_the_puskesmas_starts_a_quarter_from_its_list_and_lands_on_the_entry_page(
    client, world, puskesmas_head
):
    client.force_login(puskesmas_head)
    page = client.get(reverse("indicators:quality-list"), {"year": YEAR})
    assert page.status_code == 200 and b"Quarter 4 2025" in page.content
    answer = client.post(reverse("indicators:quality-open"), {"year": YEAR, "quarter": 3})
    report = QualityReport.objects.get(puskesmas=world["hsu"]["puskesmas"], quarter=3)
    assert answer.url == reverse("indicators:quality-detail", kwargs={"pk": report.pk})
    entry = client.get(answer.url)
    assert entry.status_code == 200
    assert f'name="a-{_item(1, "ttd-90").pk}"'.encode() in entry.content
    assert b"quality-entry.js" in entry.content
    # GET never writes: the list does not start a report
    assert client.get(reverse("indicators:quality-list")).status_code == 200
    assert QualityReport.objects.count() == 1


def test_hostile_open_posts_are_refused_without_a_500(client, world, puskesmas_head):
    client.force_login(puskesmas_head)
    for data in ({"year": "x", "quarter": 1}, {"year": YEAR, "quarter": "\x00"}, {}):
        answer = client.post(reverse("indicators:quality-open"), data)
        assert answer.status_code in (302, 400)  # a NUL byte: the middleware's 400
    assert not QualityReport.objects.exists()


def test_a_service_card_saves_only_the_items_changed(client, report, puskesmas_head):
    client.force_login(puskesmas_head)
    data = {
        **_form_fields(report, 1, "ttd-90", a="9000"),
        **_form_fields(report, 1, "buku-kia"),  # untouched
        **_form_fields(report, 1, "dokter", a="1", note="dr. Rina"),
    }
    answer = client.post(reverse("indicators:quality-save", kwargs={"pk": report.pk}), data)
    assert answer.status_code == 302 and answer.url.endswith("?open=1#service-1")
    assert _value(report, 1, "ttd-90").available == Decimal(9000)
    assert _value(report, 1, "buku-kia").version == 1
    assert _value(report, 1, "dokter").note == "dr. Rina"
    page = client.get(answer.url)
    # 9000 of 18000 tablets: 50 % met on the item
    assert b"50.0%" in page.content


def test_a_decimal_comma_is_read_and_bad_numbers_are_refused_naming_the_item(
    client, report, puskesmas_head
):
    client.force_login(puskesmas_head)
    url = reverse("indicators:quality-save", kwargs={"pk": report.pk})
    client.post(url, _form_fields(report, 1, "ttd-90", a="12,5"))
    assert _value(report, 1, "ttd-90").available == Decimal("12.5")
    for bad in ("\x00", "-1", "1e400", "99999999999", "1.234", "abc"):
        answer = client.post(url, _form_fields(report, 1, "ttd-90", a=bad))
        assert answer.status_code == 400, bad
        assert _value(report, 1, "ttd-90").available == Decimal("12.5")
    assert b"Iron-folic acid tablets (at least 90): Available: abc is not a number." in (
        answer.content
    )


def test_a_field_saved_as_json_answers_met_and_service_quality(client, report, puskesmas_head):
    client.force_login(puskesmas_head)
    item = _item(1, "ttd-90")
    answer = client.post(
        reverse("indicators:quality-save", kwargs={"pk": report.pk}),
        _form_fields(report, 1, "ttd-90", a="18000"),
        HTTP_ACCEPT="application/json",
    )
    body = answer.json()
    assert answer.status_code == 200 and body["saved"]
    assert body["items"][str(item.pk)]["met"] == "100.0%"
    assert body["items"][str(item.pk)]["version"] == 2
    assert str(_service(1).pk) in body["services"]
    report.refresh_from_db()
    assert body["version"] == report.version


def test_a_stale_save_is_refused_with_who_and_their_value(client, report, puskesmas_head, world):
    staff = UserFactory(
        username="bidan",
        first_name="Bidan",
        last_name="Sari",
        role=User.Role.PUSKESMAS_STAFF,
        puskesmas=world["hsu"]["puskesmas"],
    )
    client.force_login(puskesmas_head)
    url = reverse("indicators:quality-save", kwargs={"pk": report.pk})
    seen = _form_fields(report, 1, "ttd-90", a="7000")
    client.force_login(staff)
    client.post(url, _form_fields(report, 1, "ttd-90", a="5000"))
    client.force_login(puskesmas_head)
    answer = client.post(url, seen)
    assert answer.status_code == 409
    assert b"Bidan Sari" in answer.content and b"5000.00" in answer.content
    assert b'value="7000"' in answer.content  # the user's typed value is kept on the page
    assert _value(report, 1, "ttd-90").available == Decimal(5000)
    json_answer = client.post(url, seen, HTTP_ACCEPT="application/json")
    assert json_answer.status_code == 409 and json_answer.json()["who"] == "Bidan Sari"


def test_submit_then_the_page_is_read_only_for_the_puskesmas(client, report, puskesmas_head):
    client.force_login(puskesmas_head)
    client.post(
        reverse("indicators:quality-save", kwargs={"pk": report.pk}),
        _form_fields(report, 1, "ttd-90", a="9000"),
    )
    report.refresh_from_db()
    answer = client.post(
        reverse("indicators:quality-submit", kwargs={"pk": report.pk}),
        {"version": report.version},
    )
    report.refresh_from_db()
    assert answer.status_code == 302 and report.status == "submitted"
    page = client.get(reverse("indicators:quality-detail", kwargs={"pk": report.pk}))
    assert b'name="a-' not in page.content and b"Submitted: the district" in page.content
    refused = client.post(
        reverse("indicators:quality-save", kwargs={"pk": report.pk}),
        _form_fields(report, 1, "ttd-90", a="1"),
    )
    assert refused.status_code == 302
    assert _value(report, 1, "ttd-90").available == Decimal(9000)


# --- The district -------------------------------------------------------------------------------


def test_the_planner_returns_with_a_reason_and_approves_from_the_report_page(
    client, report, puskesmas_head, district_user
):
    client.force_login(puskesmas_head)
    client.post(
        reverse("indicators:quality-save", kwargs={"pk": report.pk}),
        _form_fields(report, 1, "ttd-90", a="9000"),
    )
    report.refresh_from_db()
    client.post(reverse("indicators:quality-submit", args=[report.pk]), {"version": report.version})
    client.force_login(district_user)
    review = client.get(reverse("indicators:quality-review"), {"year": YEAR, "quarter": 2})
    assert b"Review" in review.content and report.puskesmas.name.encode() in review.content
    year = review.content.decode().split('data-testid="quality-year"')[1]
    assert reverse("indicators:quality-detail", args=[report.pk]) in year  # Q2 of the year
    assert review.context["lines"][0].year[1] == report
    page = client.get(reverse("indicators:quality-detail", args=[report.pk]))
    assert b"Approve" in page.content
    client.post(reverse("indicators:quality-return", args=[report.pk]), {"reason": ""})
    report.refresh_from_db()
    assert report.status == "submitted"
    client.post(reverse("indicators:quality-return", args=[report.pk]), {"reason": "Cek stok"})
    report.refresh_from_db()
    assert report.status == "returned"
    client.force_login(puskesmas_head)
    page = client.get(reverse("indicators:quality-detail", args=[report.pk]))
    assert b"Cek stok" in page.content
    client.post(reverse("indicators:quality-submit", args=[report.pk]), {"version": report.version})
    client.force_login(district_user)
    report.refresh_from_db()
    client.post(
        reverse("indicators:quality-approve", args=[report.pk]), {"version": report.version}
    )
    report.refresh_from_db()
    assert report.status == "approved"
    client.post(reverse("indicators:quality-reopen", args=[report.pk]), {"reason": "Ulang"})
    report.refresh_from_db()
    assert report.status == "draft"


def test_the_rollup_lists_gaps_first_and_exports_the_same_numbers(
    client, report, puskesmas_head, district_user
):
    _approve(report, puskesmas_head, district_user)
    client.force_login(district_user)
    url = reverse("indicators:quality-rollup", args=[report.puskesmas.district_id])
    page = client.get(url, {"year": YEAR, "quarter": 2})
    assert page.status_code == 200
    content = page.content.decode()
    gaps = content.index('data-testid="quality-gaps"')
    assert "9,000 tablet short (9,000 of 18,000)" in content[gaps:]
    assert gaps < content.index("All items")
    rollup = page.context["rollup"]
    maternal = rollup[0]
    # only ttd-90 has what is available; the rest of the maternal items count as none available
    assert maternal.quality is not None and maternal.reports_counted == 1
    export = client.get(url, {"year": YEAR, "quarter": 2, "format": "xlsx"})
    workbook = openpyxl.load_workbook(io.BytesIO(export.content))
    items, services = workbook.worksheets[0], workbook.worksheets[1]
    rows = {row[2]: row for row in items.iter_rows(min_row=2, values_only=True) if row[0] == 1}
    assert (rows["ttd-90"][6], rows["ttd-90"][7], rows["ttd-90"][8]) == (18000, 9000, 9000)
    assert services.cell(row=2, column=3).value == float(maternal.quality)


def test_review_rollup_and_detail_cost_the_same_queries_with_more_puskesmas(
    client, world, report, puskesmas_head, district_user
):
    _approve(report, puskesmas_head, district_user)
    client.force_login(district_user)
    district = world["hsu"]["district"]
    urls = [
        (reverse("indicators:quality-review"), {"year": YEAR, "quarter": 2}),
        (reverse("indicators:quality-rollup", args=[district.pk]), {"year": YEAR, "quarter": 2}),
        (reverse("indicators:quality-detail", args=[report.pk]), {}),
    ]
    counts = []
    for url, params in urls:
        with CaptureQueriesContext(connection) as few:
            client.get(url, params)
        counts.append(len(few))
    for index in range(4):
        puskesmas = PuskesmasFactory(subdistrict=world["hsu"]["subdistrict"])
        VillageFactory.create_batch(2, subdistrict=world["hsu"]["subdistrict"], puskesmas=puskesmas)
        head = UserFactory(
            username=f"head{index}", role=User.Role.PUSKESMAS_HEAD, puskesmas=puskesmas
        )
        other = quality_report_open(puskesmas=puskesmas, year=YEAR, quarter=2, by=head)
        _approve(other, head, district_user)
    for (url, params), expected in zip(urls, counts, strict=True):
        with CaptureQueriesContext(connection) as many:
            client.get(url, params)
        assert len(many) == expected, url


def test_the_province_reads_approved_reports_and_rollups_only(
    client, world, report, puskesmas_head, district_user, province_user
):
    client.force_login(province_user)
    detail = reverse("indicators:quality-detail", args=[report.pk])
    assert client.get(detail).status_code == 404  # a draft
    overview = client.get(reverse("indicators:quality-rollup-list"), {"year": YEAR, "quarter": 2})
    hsu = overview.context["matrix"][0]
    assert [row.district.code for row in overview.context["matrix"]] == ["63.08", "63.71"]
    assert hsu.services[0].quality is None
    _approve(report, puskesmas_head, district_user)
    assert client.get(detail).status_code == 200
    page = client.get(detail)
    approve = reverse("indicators:quality-approve", args=[report.pk]).encode()
    reopen = reverse("indicators:quality-reopen", args=[report.pk]).encode()
    assert approve not in page.content and reopen not in page.content
    assert b'name="a-' not in page.content
    overview = client.get(reverse("indicators:quality-rollup-list"), {"year": YEAR, "quarter": 2})
    assert overview.context["matrix"][0].services[0].quality is not None
    rollup = client.get(
        reverse("indicators:quality-rollup", args=[world["hsu"]["district"].pk]),
        {"year": YEAR, "quarter": 2},
    )
    assert rollup.status_code == 200
    # another province's district is not there
    bontang = world["bontang"]["district"]
    assert client.get(reverse("indicators:quality-rollup", args=[bontang.pk])).status_code == 404


def test_another_district_gets_404_everywhere(client, report, other_district_user):
    client.force_login(other_district_user)
    for name in ("quality-detail", "quality-template", "quality-import"):
        assert client.get(reverse(f"indicators:{name}", args=[report.pk])).status_code == 404
    for name in ("quality-save", "quality-submit", "quality-approve", "quality-return"):
        assert client.post(reverse(f"indicators:{name}", args=[report.pk])).status_code == 404
    review = client.get(reverse("indicators:quality-review"), {"year": YEAR, "quarter": 2})
    assert report.puskesmas.name.encode() not in review.content


def test_the_puskesmas_cannot_read_the_district_rollup(client, report, puskesmas_head):
    client.force_login(puskesmas_head)
    url = reverse("indicators:quality-rollup", args=[report.puskesmas.district_id])
    assert client.get(url).status_code == 404


def test_hostile_query_strings_never_fail(client, report, district_user):
    client.force_login(district_user)
    url = reverse("indicators:quality-rollup", args=[report.puskesmas.district_id])
    for params in ({"year": "abc", "quarter": "9"}, {"year": "\x00", "quarter": "-1"}):
        assert client.get(url, params).status_code in (200, 400)
        answer = client.get(reverse("indicators:quality-review"), params)
        assert answer.status_code in (200, 400)

"""The four stages pages (issue #16 must-have 3): the district's overview of its services'
stages, the worksheet with the data's figures as facts and what the district writes as forms,
need and regional-plan lines, the .xlsx of both; who may write, other areas 404, query counts
that do not grow with the data, hostile input."""

# ruff: noqa: F811 (the fixtures imported from test_stages_world are taken as arguments)
from __future__ import annotations

import datetime
import io
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from cycle.models import IntegrationLine, NeedLine, StageSheet
from cycle.services import stages as services
from kernel.models import AuditEvent

from ..factories import FollowUpFactory, MeetingFactory, ProblemFactory
from .test_stages_world import (  # noqa: F401
    YEAR,
    budget_codes,
    english,
    put_quality,
    spm,
    stages_data,
)

pytestmark = pytest.mark.django_db


def _overview(district) -> str:
    return reverse("cycle:stage-overview", args=[district.pk]) + f"?year={YEAR}"


def _open(client, district, number=1):
    return client.post(
        reverse("cycle:stage-open", args=[district.pk]) + f"?year={YEAR}",
        {"service": spm(number).pk},
    )


def _sheet(stages_data, user) -> StageSheet:
    return services.stage_sheet_open(
        district=stages_data.district, service=stages_data.service, year=YEAR, by=user
    )


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_the_overview_lists_the_twelve_services_with_their_four_stages(
    client, stages_data, district_user, english
):
    sheet = _sheet(stages_data, district_user)
    services.stage_sheet_save(
        sheet=sheet,
        fields={"data_status": "done", "needs_status": "in_progress"},
        version=sheet.version,
        by=district_user,
    )
    client.force_login(district_user)
    response = client.get(_overview(stages_data.district))
    assert response.status_code == 200
    rows = response.context["overview"].rows
    assert [row.service.number for row in rows] == list(range(1, 13))
    first = rows[0]
    assert [stage.status for stage in first.stages] == [
        "done",
        "in_progress",
        "not_started",
        "not_started",
    ]
    assert first.people.target == 100 and first.people.not_served == 55
    assert first.needs_total_idr == Decimal(600_000 + 187_500)
    assert first.activity_count == 2  # the Dinkes plan's and the approved RUK's
    assert first.problem_count == 1
    page = _text(response)
    assert 'data-testid="open-sheet"' in page  # the other services can be started
    assert reverse("cycle:stage-sheet", args=[sheet.pk]) in page


def test_the_overview_of_a_year_without_an_edition_says_what_to_do(
    client, world, district_user, english
):
    client.force_login(district_user)
    url = reverse("cycle:stage-overview", args=[world["hsu"]["district"].pk]) + "?year=2031"
    response = client.get(url)
    assert response.status_code == 200
    assert "no SPM edition set up" in _text(response)


def test_the_home_page_takes_a_planner_to_their_district_and_lists_a_provinces(
    client, world, district_user, province_user
):
    client.force_login(district_user)
    response = client.get(reverse("cycle:stage-home") + f"?year={YEAR}")
    assert response.url == _overview(world["hsu"]["district"])
    client.force_login(province_user)
    page = _text(client.get(reverse("cycle:stage-home")))
    assert "Kabupaten Hulu Sungai Utara" in page and "Kota Banjarmasin" in page
    assert "Kota Bontang" not in page


def test_a_planner_starts_a_worksheet_pre_filled_and_sees_where_each_figure_comes_from(
    client, stages_data, district_user, english
):
    client.force_login(district_user)
    preview = client.get(
        reverse("cycle:stage-service", args=[stages_data.district.pk])
        + f"?year={YEAR}&service={spm(1).pk}"
    )
    assert preview.status_code == 200
    assert 'data-testid="suggested-needs"' in _text(preview)
    assert not StageSheet.objects.exists()  # a GET never writes
    response = _open(client, stages_data.district)
    sheet = StageSheet.objects.get()
    assert response.url == reverse("cycle:stage-sheet", args=[sheet.pk])
    page = _text(client.get(response.url))
    assert "sum of the targets of record" in page
    assert "quarterly achievement computed for Q2 2025" in page
    assert "From the approved quality reports of Q2 2025" in page
    assert "RSUD Pambalah Batung" in page and "Bappeda" not in page  # delivers only
    assert "Pengadaan buku KIA untuk ibu hamil" in page and "Kelas ibu hamil" in page
    assert "Usulan draf ibu hamil" not in page and "Banjarmasin ibu hamil" not in page
    assert "K4 rendah di desa terpencil" in page and "Kunjungan rumah ibu hamil" in page
    assert "Masalah tahun lalu" not in page and "Masalah Banjarmasin" not in page
    assert "Tanpa layanan" not in page
    assert (
        'data-testid="needs-total">787.500' in page or 'data-testid="needs-total">787,500' in page
    )
    for section in ("data", "needs", "plan", "integration"):
        assert f'data-section="{section}"' in page


def test_a_planner_saves_a_section_and_a_stale_save_shows_both_values(
    client, stages_data, district_user, english
):
    sheet = _sheet(stages_data, district_user)
    client.force_login(district_user)
    url = reverse("cycle:stage-save", args=[sheet.pk])
    data = {
        "section": "plan",
        "plan-version": sheet.version,
        "plan-target_people": "110",
        "plan-financing": "own",
        "plan-delivery": "free",
        "plan-planning_notes": "Kelas ibu hamil di semua desa",
        "plan-plan_status": "in_progress",
    }
    response = client.post(url, data)
    assert response.status_code == 302 and response.url.endswith("#stage-plan")
    sheet.refresh_from_db()
    assert (sheet.target_people, sheet.financing, sheet.plan_status) == (110, "own", "in_progress")
    stale = client.post(url, {**data, "plan-financing": "cooperation"})  # the old version again
    assert stale.status_code == 200
    page = _text(stale)
    assert 'data-testid="stale-edit"' in page
    assert "Own delivery (swakelola)" in page and "Cooperation (kerja sama)" in page
    sheet.refresh_from_db()
    assert sheet.financing == "own"


def test_province_and_puskesmas_read_the_worksheet_but_cannot_write(
    client, stages_data, district_user, province_user, puskesmas_head
):
    sheet = _sheet(stages_data, district_user)
    need = sheet.needs.first()
    for reader in (province_user, puskesmas_head):
        client.force_login(reader)
        page = client.get(reverse("cycle:stage-sheet", args=[sheet.pk]))
        assert page.status_code == 200
        assert 'data-section="data"' not in _text(page)
        assert client.get(_overview(stages_data.district)).status_code == 200
        for name, pk in (
            ("cycle:stage-save", sheet.pk),
            ("cycle:stage-refresh", sheet.pk),
            ("cycle:stage-need-create", sheet.pk),
            ("cycle:stage-need-edit", need.pk),
            ("cycle:stage-need-delete", need.pk),
            ("cycle:stage-line-create", sheet.pk),
        ):
            assert client.post(reverse(name, args=[pk]), {"section": "data"}).status_code == 403
        assert (
            client.post(
                reverse("cycle:stage-open", args=[stages_data.district.pk]) + f"?year={YEAR}",
                {"service": spm(2).pk},
            ).status_code
            == 403
        )
    assert NeedLine.objects.filter(pk=need.pk).exists()
    assert StageSheet.objects.count() == 1


def test_another_district_gets_404_everywhere(
    client, stages_data, district_user, other_district_user
):
    sheet = _sheet(stages_data, district_user)
    need = sheet.needs.first()
    line = services.integration_save(
        line=IntegrationLine(sheet=sheet, document="rkpd", program="Program KIA"), by=district_user
    )
    client.force_login(other_district_user)
    for name, pk in (
        ("cycle:stage-overview", stages_data.district.pk),
        ("cycle:stage-service", stages_data.district.pk),
        ("cycle:stage-sheet", sheet.pk),
        ("cycle:stage-need-edit", need.pk),
        ("cycle:stage-line-edit", line.pk),
    ):
        assert client.get(reverse(name, args=[pk])).status_code == 404
    for name, pk in (
        ("cycle:stage-open", stages_data.district.pk),
        ("cycle:stage-save", sheet.pk),
        ("cycle:stage-refresh", sheet.pk),
        ("cycle:stage-need-delete", need.pk),
        ("cycle:stage-line-delete", line.pk),
    ):
        assert client.post(reverse(name, args=[pk]), {"service": spm(1).pk}).status_code == 404
    assert (
        client.get(
            sheet_url := reverse("cycle:stage-sheet", args=[sheet.pk]) + "?format=xlsx"
        ).status_code
        == 404
    ), sheet_url


def test_a_need_is_added_with_its_activities_and_edited_and_deleted(
    client, stages_data, district_user, english
):
    sheet = _sheet(stages_data, district_user)
    client.force_login(district_user)
    url = reverse("cycle:stage-need-create", args=[sheet.pk])
    page = client.get(url)
    assert page.status_code == 200
    choices = set(page.context["form"].fields["activities"].queryset)
    assert choices == {stages_data.dinkes_kia, stages_data.ruk_kia, stages_data.dinkes_general}
    token = page.context["form"].initial["form_token"]
    data = {
        "form_token": token,
        "name": "Motor dinas bidan desa",
        "kind": "facility",
        "unit": "unit",
        "gap_quantity": "2",
        "unit_cost_idr": "18.000.000",
        "activities": [stages_data.dinkes_kia.pk, stages_data.ruk_kia.pk],
    }
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 302  # a double click adds nothing
    need = NeedLine.objects.get(name="Motor dinas bidan desa")
    assert need.cost_idr == Decimal(36_000_000)
    assert set(need.activities.all()) == {stages_data.dinkes_kia, stages_data.ruk_kia}
    edit = reverse("cycle:stage-need-edit", args=[need.pk])
    response = client.post(
        edit, {**data, "version": need.version, "gap_quantity": "1.5", "activities": []}
    )
    assert response.status_code == 302
    need.refresh_from_db()
    assert need.gap_quantity == Decimal("1.5") and not need.activities.exists()
    foreign = client.post(
        edit, {**data, "version": need.version, "activities": [stages_data.other_kia.pk]}
    )
    assert foreign.status_code == 200 and foreign.context["form"].errors["activities"]
    assert client.post(reverse("cycle:stage-need-delete", args=[need.pk])).status_code == 302
    assert not NeedLine.objects.filter(pk=need.pk).exists()
    deleted = AuditEvent.objects.get(content_type__model="stagesheet", action="deleted")
    assert deleted.object_id == sheet.pk and deleted.data["name"] == "Motor dinas bidan desa"
    history = _text(client.get(reverse("cycle:stage-sheet", args=[sheet.pk])))
    assert 'data-testid="history"' in history and "Motor dinas bidan desa" in history


def test_a_gap_is_typed_the_indonesian_way(client, stages_data, district_user):
    sheet = _sheet(stages_data, district_user)
    client.force_login(district_user)
    response = client.post(
        reverse("cycle:stage-need-create", args=[sheet.pk]),
        {"name": "Strip Hb", "kind": "goods", "gap_quantity": "1,5", "unit_cost_idr": "1.500"},
    )
    assert response.status_code == 302
    need = NeedLine.objects.get(name="Strip Hb")
    assert (need.gap_quantity, need.unit_cost_idr, need.cost_idr) == (Decimal("1.5"), 1500, 2250)


def test_hostile_need_and_sheet_input_is_refused_without_a_500(
    client, stages_data, district_user, english
):
    sheet = _sheet(stages_data, district_user)
    client.force_login(district_user)
    url = reverse("cycle:stage-need-create", args=[sheet.pk])
    for gap, cost in (
        ("-1", "1000"),
        ("1e15", "1000"),
        ("abc", "1000"),
        ("1", "-5"),
        ("1", "9" * 40),
    ):
        response = client.post(
            url, {"name": "X", "kind": "goods", "gap_quantity": gap, "unit_cost_idr": cost}
        )
        assert response.status_code == 200 and response.context["form"].errors
    bad_kind = client.post(
        url, {"name": "X", "kind": "drug", "gap_quantity": "1", "unit_cost_idr": "1"}
    )
    assert bad_kind.context["form"].errors["kind"]
    huge_id = client.post(
        url,
        {
            "name": "X",
            "kind": "goods",
            "gap_quantity": "1",
            "unit_cost_idr": "1",
            "activities": ["99999999999999999999"],
        },
    )
    assert huge_id.status_code == 200
    save = reverse("cycle:stage-save", args=[sheet.pk])
    assert client.post(save, {"section": "nope"}).status_code == 404
    refused = client.post(
        save, {"section": "plan", "plan-version": sheet.version, "plan-target_people": "-3"}
    )
    assert refused.status_code == 200
    assert client.post(save, {"section": "data", "data-data_notes": "a\x00b"}).status_code == 400
    opened = reverse("cycle:stage-open", args=[stages_data.district.pk])
    assert client.post(opened + "?year=abc", {"service": "x"}).status_code == 404
    assert client.post(opened, {"service": "99999999999999999999999"}).status_code == 404
    assert NeedLine.objects.count() == 3


def test_regional_plan_lines_are_kept_per_document(client, stages_data, district_user, english):
    sheet = _sheet(stages_data, district_user)
    client.force_login(district_user)
    url = reverse("cycle:stage-line-create", args=[sheet.pk])
    for document, program in (("renja", "Renja KIA"), ("rpjmd", "Misi 2: SDM sehat")):
        response = client.post(
            url,
            {
                "document": document,
                "chapter": "Bab IV",
                "program": program,
                "budget_idr": "5.000.000",
            },
        )
        assert response.status_code == 302
    ws = client.get(reverse("cycle:stage-sheet", args=[sheet.pk])).context["ws"]
    assert [line.program for __, lines in ws.integration_groups for line in lines] == [
        "Misi 2: SDM sehat",
        "Renja KIA",
    ]
    line = IntegrationLine.objects.get(program="Renja KIA")
    response = client.post(
        reverse("cycle:stage-line-edit", args=[line.pk]),
        {
            "version": line.version,
            "document": "renja",
            "program": "Renja KIA 2025",
            "budget_idr": "",
        },
    )
    assert response.status_code == 302
    line.refresh_from_db()
    assert line.program == "Renja KIA 2025" and line.budget_idr is None
    assert client.post(reverse("cycle:stage-line-delete", args=[line.pk])).status_code == 302
    assert IntegrationLine.objects.count() == 1


def test_refresh_says_what_changed(client, stages_data, district_user, world, english):
    sheet = _sheet(stages_data, district_user)
    put_quality(world["hsu"]["puskesmas"], 4, {(1, "buku-kia"): (100, 40)})
    client.force_login(district_user)
    response = client.post(reverse("cycle:stage-refresh", args=[sheet.pk]), follow=True)
    page = _text(response)
    assert "Gaps updated: Buku KIA 30 → 60." in page


def test_the_worksheet_exports_its_four_stages_to_excel(
    client, stages_data, district_user, english
):
    sheet = _sheet(stages_data, district_user)
    need = sheet.needs.get(item__code="buku-kia")
    services.need_save(
        need=need, by=district_user, version=need.version, activities=[stages_data.dinkes_kia]
    )
    services.integration_save(
        line=IntegrationLine(sheet=sheet, document="rkpd", program="Program KIA", budget_idr=7),
        by=district_user,
    )
    client.force_login(district_user)
    response = client.get(reverse("cycle:stage-sheet", args=[sheet.pk]) + "?format=xlsx")
    assert response.status_code == 200
    assert "spm-four-stages-63.08-2025-" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames[0] == "Summary"
    summary = {row[0]: row[1] for row in book["Summary"].iter_rows(min_row=2, values_only=True)}
    assert summary["People to serve"] == 100 and summary["Served year to date"] == 45
    assert summary["Cost of meeting the need (Rp)"] == 787_500
    needs = list(book["2 Needs"].iter_rows(min_row=2, values_only=True))
    assert ("Buku KIA", 30, 20_000, 600_000) in [(r[1], r[3], r[4], r[5]) for r in needs]
    assert "Pengadaan buku KIA untuk ibu hamil" in [r[6] for r in needs]
    assert [r[2] for r in book["4 Regional plans"].iter_rows(min_row=2, values_only=True)] == [
        "Program KIA"
    ]
    problems = list(book["Problems and RTL"].iter_rows(min_row=2, values_only=True))
    assert {r[3] for r in problems} == {"Kunjungan rumah ibu hamil", "Kelas ibu hamil desa"}


def test_the_overview_exports_to_excel(client, stages_data, district_user, english):
    _sheet(stages_data, district_user)
    client.force_login(district_user)
    response = client.get(_overview(stages_data.district) + "&format=xlsx")
    book = load_workbook(io.BytesIO(response.content))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][:3] == ("No.", "Service", "1. data collection")
    assert len(rows) == 13
    assert rows[1][0] == 1 and rows[1][6] == 100 and rows[1][9] == 787_500
    assert rows[2][9] is None  # no worksheet: no cost written


def _more_data(stages_data, district_user, puskesmas_head, world, count: int) -> None:
    """More of everything the pages read: worksheets, needs, lines, problems, RTL items."""
    hsu = world["hsu"]
    for number in range(2, 2 + count):
        sheet = services.stage_sheet_open(
            district=stages_data.district, service=spm(number), year=YEAR, by=district_user
        )
        for index in range(3):
            services.need_save(
                need=NeedLine(sheet=sheet, name=f"N{index}", kind="goods", gap_quantity=1),
                by=district_user,
                activities=[stages_data.dinkes_general],
            )
            services.integration_save(
                line=IntegrationLine(sheet=sheet, document="renja", program=f"P{index}"),
                by=district_user,
            )
    main = StageSheet.objects.get(service=stages_data.service)
    for index in range(count):
        services.need_save(
            need=NeedLine(sheet=main, name=f"M{index}", kind="staff", gap_quantity=1),
            by=district_user,
            activities=[stages_data.dinkes_kia, stages_data.ruk_kia],
        )
        services.integration_save(
            line=IntegrationLine(sheet=main, document="rkpd", program=f"R{index}"),
            by=district_user,
        )
        meeting = MeetingFactory(
            puskesmas=hsu["puskesmas"],
            created_by=puskesmas_head,
            held_on=datetime.date(YEAR, index % 9 + 1, 3),
        )
        problem = ProblemFactory(meeting=meeting, service=spm(1 + index % 3))
        FollowUpFactory.create_batch(2, meeting=meeting, problem=problem)


@pytest.mark.parametrize("which", ["overview", "sheet"])
def test_page_queries_do_not_grow_with_the_data(
    client, stages_data, district_user, puskesmas_head, world, which
):
    _sheet(stages_data, district_user)
    client.force_login(district_user)
    sheet = StageSheet.objects.get()
    url = (
        _overview(stages_data.district)
        if which == "overview"
        else reverse("cycle:stage-sheet", args=[sheet.pk])
    )
    _more_data(stages_data, district_user, puskesmas_head, world, 1)
    client.get(url)  # warm the caches (content types, sessions)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    _more_data(stages_data, district_user, puskesmas_head, world, 5)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few), [q["sql"][:120] for q in many.captured_queries]

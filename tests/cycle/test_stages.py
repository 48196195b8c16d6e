"""The four stages worksheet (issue #16 must-have 3): opened pre-filled from the data (targets,
achievement, quality gaps with unit costs), filled from the data again without losing edits,
the cost arithmetic, versioned saves, who may write, and the reads other parts use
(`service_problems`, `stage_sheets`)."""

# ruff: noqa: F811 (the fixtures imported from test_stages_world are taken as arguments)
from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cycle.models import NeedLine, StageSheet
from cycle.selectors import stages as selectors
from cycle.services import stages as services
from kernel.models import AuditEvent
from kernel.versioning import StaleEdit

from .test_stages_world import (  # noqa: F401
    YEAR,
    budget_codes,
    english,
    item,
    put_quality,
    spm,
    stages_data,
)

pytestmark = pytest.mark.django_db


def _open(data, by, number=1):
    return services.stage_sheet_open(district=data.district, service=spm(number), year=YEAR, by=by)


def test_opening_a_worksheet_prefills_the_target_and_a_need_per_quality_gap(
    stages_data, district_user
):
    sheet = _open(stages_data, district_user)
    assert sheet.target_people == 100  # 60 + 40, Banjarmasin's 1,000 not counted
    needs = {need.item.code: need for need in sheet.needs.select_related("item")}
    # Q2's gaps (the latest approved quarter): not Q1's, not the submitted Q3, not met items.
    assert set(needs) == {"buku-kia", "lab-hb", "bidan-desa"}
    assert needs["buku-kia"].gap_quantity == Decimal(30)
    assert needs["buku-kia"].unit_cost_idr == Decimal(20_000)
    assert needs["buku-kia"].cost_idr == Decimal(600_000)
    assert needs["lab-hb"].gap_quantity == Decimal("12.50")
    assert needs["lab-hb"].cost_idr == Decimal(187_500)
    assert needs["bidan-desa"].unit_cost_idr == 0  # no standard unit cost: to be written
    assert needs["buku-kia"].name == "Buku KIA" and needs["buku-kia"].unit == "buku"
    event = AuditEvent.objects.get(
        content_type__model="stagesheet", object_id=sheet.pk, action=AuditEvent.Action.CREATED
    )
    assert event.by == district_user and event.data["needs"] == 3
    assert event.district_id == stages_data.district.pk


def test_opening_twice_returns_the_same_worksheet(stages_data, district_user):
    first = _open(stages_data, district_user)
    second = _open(stages_data, district_user)
    assert first.pk == second.pk
    assert StageSheet.objects.count() == 1 and NeedLine.objects.count() == 3


def test_only_the_districts_planners_open_and_write_worksheets(
    stages_data, district_user, province_user, puskesmas_head, other_district_user
):
    for outsider in (province_user, puskesmas_head, other_district_user):
        with pytest.raises(PermissionDenied):
            _open(stages_data, outsider)
    sheet = _open(stages_data, district_user)
    for outsider in (province_user, puskesmas_head, other_district_user):
        with pytest.raises(PermissionDenied):
            services.stage_sheet_save(
                sheet=sheet, fields={"data_notes": "x"}, version=sheet.version, by=outsider
            )
        with pytest.raises(PermissionDenied):
            services.stage_sheet_refresh(sheet=sheet, by=outsider)
        with pytest.raises(PermissionDenied):
            services.need_delete(need=sheet.needs.first(), by=outsider)


def test_a_service_of_another_edition_or_level_is_refused(stages_data, district_user):
    from indicators.models import SPMService

    provincial = SPMService.objects.filter(
        edition__years__year=YEAR, level=SPMService.Level.PROVINCE
    ).first()
    for service in (spm(1, 2024), provincial):  # 2024 runs on the older edition
        with pytest.raises(ValidationError):
            services.stage_sheet_open(
                district=stages_data.district, service=service, year=YEAR, by=district_user
            )
    assert not StageSheet.objects.exists()


def test_filling_from_the_data_again_keeps_edits_and_says_what_changed(
    stages_data, district_user, world, english
):
    sheet = _open(stages_data, district_user)
    kia = sheet.needs.get(item__code="buku-kia")
    kia.name = "Buku KIA cetak lokal"
    services.need_save(
        need=kia, by=district_user, version=kia.version, activities=[stages_data.dinkes_kia]
    )
    kia.refresh_from_db()
    kia.unit_cost_idr = Decimal(25_000)
    services.need_save(need=kia, by=district_user, version=kia.version)
    typed = NeedLine(sheet=sheet, name="Motor bidan", kind="facility", gap_quantity=2)
    typed.unit_cost_idr = Decimal(18_000_000)
    services.need_save(need=typed, by=district_user)
    services.stage_sheet_save(
        sheet=sheet, fields={"target_people": 120}, version=sheet.version, by=district_user
    )
    # A new approved quarter: KIA books short by 50, Hb tests met, iron tablets now short.
    put_quality(
        world["hsu"]["puskesmas"],
        4,
        {
            (1, "buku-kia"): (100, 50),
            (1, "lab-hb"): (100, 100),
            (1, "ttd-90"): (9000, 8100),
        },
    )
    result = services.stage_sheet_refresh(sheet=sheet, by=district_user)
    assert result.quarter == 4
    assert result.changed == [("Buku KIA cetak lokal", Decimal(30), Decimal(50))]
    assert result.met == ["Pemeriksaan kadar hemoglobin (Hb)"]
    assert result.added == [item(1, "ttd-90").name_id]
    assert result.target_kept == (120, 100)
    kia.refresh_from_db()
    assert kia.gap_quantity == 50 and kia.unit_cost_idr == 25_000
    assert kia.name == "Buku KIA cetak lokal"
    assert list(kia.activities.all()) == [stages_data.dinkes_kia]
    assert sheet.needs.get(item__code="bidan-desa").gap_quantity == 1  # no Q4 figure: kept
    assert NeedLine.objects.get(name="Motor bidan").gap_quantity == 2  # typed: left alone
    said = " ".join(result.messages())
    assert "Buku KIA cetak lokal 30 → 50" in said
    assert "No longer short" in said and "kept" in said and "120" in said
    again = services.stage_sheet_refresh(sheet=sheet, by=district_user)
    assert not again.has_changes
    assert "nothing changed" in " ".join(again.messages())


def test_filling_from_the_data_sets_an_empty_target(stages_data, district_user):
    sheet = _open(stages_data, district_user)
    services.stage_sheet_save(
        sheet=sheet, fields={"target_people": None}, version=sheet.version, by=district_user
    )
    result = services.stage_sheet_refresh(sheet=sheet, by=district_user)
    assert result.target_set == 100
    sheet.refresh_from_db()
    assert sheet.target_people == 100


def test_cost_of_meeting_the_need_is_gap_times_unit_cost_summed(stages_data, district_user):
    sheet = _open(stages_data, district_user)
    bidan = sheet.needs.get(item__code="bidan-desa")
    bidan.unit_cost_idr = Decimal(48_000_000)
    services.need_save(need=bidan, by=district_user, version=bidan.version)
    services.stage_sheet_save(
        sheet=sheet,
        fields={"fiscal_capacity_idr": Decimal(40_000_000)},
        version=sheet.version,
        by=district_user,
    )
    ws = selectors.worksheet_get(
        user=district_user,
        district=stages_data.district,
        year=YEAR,
        service=sheet.service,
        sheet=selectors.sheet_get(user=district_user, pk=sheet.pk),
    )
    # 30 x 20.000 + 12,5 x 15.000 + 1 x 48.000.000
    assert ws.needs_total_idr == Decimal(600_000 + 187_500 + 48_000_000)
    assert ws.fiscal_gap_idr == Decimal(48_787_500 - 40_000_000)
    assert NeedLine(gap_quantity=Decimal("0.33"), unit_cost_idr=Decimal(10)).cost_idr == 3


def test_a_stale_save_is_refused_with_who_and_both_values(stages_data, district_user):
    sheet = _open(stages_data, district_user)
    opened_at = sheet.version
    services.stage_sheet_save(
        sheet=sheet, fields={"financing": "own"}, version=opened_at, by=district_user
    )
    with pytest.raises(StaleEdit) as refused:
        services.stage_sheet_save(
            sheet=sheet, fields={"financing": "cooperation"}, version=opened_at, by=district_user
        )
    assert refused.value.who == district_user.username
    [difference] = refused.value.differences
    assert difference.theirs == str(StageSheet.Financing.OWN.label)
    assert difference.yours == str(StageSheet.Financing.COOPERATION.label)
    sheet.refresh_from_db()
    assert sheet.financing == "own"


def test_a_stale_need_save_is_refused(stages_data, district_user):
    sheet = _open(stages_data, district_user)
    need = sheet.needs.first()
    seen = need.version
    need.unit_cost_idr = Decimal(1)
    services.need_save(need=need, by=district_user, version=seen)
    need.unit_cost_idr = Decimal(2)
    with pytest.raises(StaleEdit):
        services.need_save(need=need, by=district_user, version=seen)


def test_need_lines_link_only_the_districts_activities_of_the_year(stages_data, district_user):
    sheet = _open(stages_data, district_user)
    need = sheet.needs.first()
    choices = set(selectors.activity_choices(user=district_user, sheet=sheet))
    assert choices == {stages_data.dinkes_kia, stages_data.ruk_kia, stages_data.dinkes_general}
    for foreign in (stages_data.draft_kia, stages_data.other_kia, stages_data.dinkes_newborn):
        with pytest.raises(ValidationError) as refused:
            services.need_save(
                need=need, by=district_user, version=need.version, activities=[foreign]
            )
        assert "activities" in refused.value.error_dict
    assert not need.activities.exists()


def test_negative_or_huge_values_are_refused(stages_data, district_user):
    sheet = _open(stages_data, district_user)
    need = NeedLine(sheet=sheet, name="X", kind="goods", gap_quantity=Decimal(-1))
    with pytest.raises(ValidationError):
        services.need_save(need=need, by=district_user)
    need = NeedLine(sheet=sheet, name="X", kind="goods", gap_quantity=Decimal("1e15"))
    with pytest.raises(ValidationError):
        services.need_save(need=need, by=district_user)
    with pytest.raises(ValidationError):
        services.stage_sheet_save(
            sheet=sheet, fields={"data_status": "finished"}, version=sheet.version, by=district_user
        )
    with pytest.raises(ValueError):
        services.stage_sheet_save(
            sheet=sheet, fields={"district_id": 1}, version=sheet.version, by=district_user
        )


def test_service_problems_gives_the_years_problems_of_the_service_with_their_rtl(
    stages_data, district_user, province_user, other_district_user, english
):
    found = selectors.service_problems(user=district_user, district=stages_data.district, year=YEAR)
    assert list(found) == [stages_data.service.pk]
    [line] = found[stages_data.service.pk]
    assert line.problem == stages_data.problem
    assert set(line.follow_ups) == {stages_data.done, stages_data.planned}
    assert {item.get_status_display() for item in line.follow_ups} == {"Planned", "Done"}
    # Through the first quarter: the May lokmin is not counted yet.
    assert (
        selectors.service_problems(
            user=district_user, district=stages_data.district, year=YEAR, quarter=1
        )
        == {}
    )
    assert (
        selectors.service_problems(
            user=province_user, district=stages_data.district, year=YEAR
        ).keys()
        == found.keys()
    )
    assert (
        selectors.service_problems(
            user=other_district_user, district=stages_data.district, year=YEAR
        )
        == {}
    )


def test_stage_sheets_gives_the_districts_worksheets_with_needs_and_lines_prefetched(
    stages_data, district_user, other_district_user, django_assert_num_queries
):
    sheet = _open(stages_data, district_user)
    with django_assert_num_queries(4):
        sheets = selectors.stage_sheets(
            user=district_user, district=stages_data.district, year=YEAR
        )
        assert len(sheets[sheet.service_id].needs.all()) == 3
        assert list(sheets[sheet.service_id].integrations.all()) == []
        assert [a for n in sheets[sheet.service_id].needs.all() for a in n.activities.all()] == []
    assert (
        selectors.stage_sheets(user=other_district_user, district=stages_data.district, year=YEAR)
        == {}
    )


def test_served_comes_from_the_latest_computed_quarter(stages_data, district_user):
    people = selectors.people_figures(
        user=district_user, district=stages_data.district, year=YEAR, services=[spm(1), spm(3)]
    )
    assert people[spm(1).pk].served == 45  # Q2, not Q1's 20
    assert people[spm(1).pk].not_served == 55
    assert people[spm(1).pk].achievement == Decimal("45.00")
    assert "TW2 2025" in people[spm(1).pk].source  # the quarter it was computed for (id)
    assert people[spm(3).pk].target is None and people[spm(3).pk].not_served is None


def test_served_falls_back_to_the_approved_monthly_reports(world, district_user, english):
    from indicators.models import MonthlyReport, MonthlyValue

    from .test_stages_world import put_targets

    hsu = world["hsu"]
    put_targets(hsu["villages"], 1, [30, 20])
    for month, status, value in ((1, "approved", 4), (2, "locked", 6), (3, "submitted", 50)):
        report = MonthlyReport.objects.create(
            puskesmas=hsu["puskesmas"],
            year=YEAR,
            month=month,
            status=status,
            due_on=f"{YEAR}-{month + 1:02d}-10",
        )
        MonthlyValue.objects.create(
            report=report, village=hsu["villages"][0], service=spm(1), value=value
        )
    people = selectors.people_figures(
        user=district_user, district=hsu["district"], year=YEAR, services=[spm(1), spm(2)]
    )
    assert (people[spm(1).pk].target, people[spm(1).pk].served) == (50, 10)  # not March's 50
    assert people[spm(1).pk].not_served == 40
    assert people[spm(1).pk].source == "approved monthly reports through month 2"
    assert people[spm(2).pk].served == 0 and people[spm(2).pk].target is None

"""The e-SPM package (issue #16 must-have 6): per service A people served, B quality, C budget,
the four stages, problems and action plan, the index and its category, filled from the data
Simpul holds; the province's districts side by side; the files; scoping; query counts.
"""

import datetime
import io
import shutil
import subprocess
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from cycle.models import IntegrationLine, NeedLine, StageSheet
from cycle.selectors import package as package_selectors
from indicators import services as indicator_services
from indicators.models import (
    IndexParts,
    IndexWeight,
    MonthlyReport,
    MonthlyValue,
    QualityItem,
    QualityReport,
    QualityValue,
    Target,
)
from kernel.models import ExportJob
from planning.models import Activity, Plan, ScheduleEntry
from workshops.models import FollowUp, Problem

from ..exports import content_of, download_export, start_export
from ..factories import DistrictFactory, MeetingFactory, PuskesmasFactory

pytestmark = pytest.mark.django_db

YEAR = 2025  # a past year: every month has ended
QUARTER = 2


@pytest.fixture
def en(client):
    client.cookies["django_language"] = "en"
    return client


def _report(puskesmas, month, status, values):
    report = MonthlyReport.objects.create(
        puskesmas=puskesmas,
        year=YEAR,
        month=month,
        status=status,
        due_on=datetime.date(YEAR + (month == 12), month % 12 + 1, 10),
    )
    for (village, service), value in values.items():
        MonthlyValue.objects.create(report=report, village=village, service=service, value=value)
    return report


def _target(village, service, value):
    Target.objects.create(
        village=village,
        year=YEAR,
        service=service,
        source="estimate",
        value=value,
        is_of_record=True,
    )


def _quality(puskesmas, service, status, values, *, by):
    """A quality report of the quarter: item code -> (weight, needed, available)."""
    report = QualityReport.objects.create(
        puskesmas=puskesmas, year=YEAR, quarter=QUARTER, status=status, updated_by=by
    )
    for code, (weight, needed, available) in values.items():
        item, _created = QualityItem.objects.get_or_create(
            service=service,
            code=code,
            defaults={
                "name_id": f"Barang {code}",
                "name_en": f"Item {code}",
                "kind": QualityItem.Kind.GOODS,
                "unit": "buah",
                "weight": Decimal(weight),
                "order": 900,
            },
        )
        QualityValue.objects.create(
            report=report, item=item, needed=Decimal(needed), available=Decimal(available)
        )
    return report


def build_package_data(world, district_user):
    """Hulu Sungai Utara in the second quarter of 2025.

    A: service 1 target 100 (40 + 60), served 15 in January and 20 in April (July's 99 is
       after the quarter; February's 1000 is only submitted): 35 served, 65 not yet, 35%.
       Service 2 target 50, 7 served in April: 14%.
    B: service 1's approved report: two items of weight 1, one met fully, one not at all: 50%.
       A submitted report of another puskesmas is not counted.
    C: service 1: APBD 1,000,000 and DBH-CHT 500,000 allocated; 400,000 realised in February
       and 100,000 in May (300,000 in August is after the quarter): 500,000, 33.33%.
    Stages: a worksheet for service 1 (data collection done, needs in progress), one need of
       20 books at 15,000 and a Renja line of 750,000.
    Problems: a May lokmin names service 1's low coverage with one RTL item; a November one is
       after the quarter.
    Index (computed by the quarterly aggregation): service 1 38.00 = (80 x 35 + 20 x 50) / 100,
       service 2 14.00 (no quality: A alone), the district 26.00. Banjarmasin (same province)
       serves 90% of service 1: 90.00; Bontang (another province) 80.00.
    """
    spm = indicator_services.monthly_services(YEAR)
    hsu = world["hsu"]
    district, puskesmas = hsu["district"], hsu["puskesmas"]
    a1, a2 = hsu["villages"]
    IndexParts.objects.get_or_create(edition=spm[0].edition)
    _target(a1, spm[0], 40)
    _target(a2, spm[0], 60)
    _target(a1, spm[1], 50)
    _report(puskesmas, 1, "approved", {(a1, spm[0]): 10, (a2, spm[0]): 5})
    _report(puskesmas, 2, "submitted", {(a1, spm[0]): 1000})
    _report(puskesmas, 4, "locked", {(a1, spm[0]): 20, (a1, spm[1]): 7})
    _report(puskesmas, 7, "approved", {(a1, spm[0]): 99})
    # Banjarmasin (same province) and Bontang (another) with figures of their own.
    for key, served in (("banjarmasin", 900), ("bontang", 800)):
        village = world[key]["villages"][0]
        _target(village, spm[0], 1000)
        _report(world[key]["puskesmas"], 4, "approved", {(village, spm[0]): served})
    _quality(
        puskesmas,
        spm[0],
        "approved",
        {"pkg-a": (1, 100, 100), "pkg-b": (1, 100, 0)},
        by=district_user,
    )
    indicator_services.quarter_aggregate(year=YEAR, quarter=QUARTER)

    plan = Plan.objects.create(
        district=district,
        puskesmas=puskesmas,
        year=YEAR,
        status="approved",
        created_by=district_user,
    )
    common = {
        "plan": plan,
        "effort": "KIA-KB",
        "responsible": "Bidan",
        "created_by": district_user,
        "updated_by": district_user,
    }
    visits = Activity.objects.create(
        **common,
        name="Kelas ibu hamil",
        service=spm[0],
        funding_source="apbd",
        budget_idr=1_000_000,
    )
    Activity.objects.create(
        **common, name="Buku KIA", service=spm[0], funding_source="dbh_cht", budget_idr=500_000
    )
    Activity.objects.create(
        **common, name="Rapat koordinasi", funding_source="bok", budget_idr=200_000
    )
    for month, cost in ((2, 400_000), (5, 100_000), (8, 300_000)):
        ScheduleEntry.objects.create(
            activity=visits,
            month=month,
            cost_idr=cost,
            realisation="done",
            cost_realised_idr=cost,
            created_by=district_user,
        )

    sheet = StageSheet.objects.create(
        district=district,
        service=spm[0],
        year=YEAR,
        data_status="done",
        needs_status="in_progress",
        partner_services="Dinas Sosial: data PBI JKN ibu hamil",
        financing="own",
        delivery="free",
    )
    need = NeedLine.objects.create(
        sheet=sheet,
        name="Buku KIA",
        kind="goods",
        unit="buku",
        gap_quantity=20,
        unit_cost_idr=15_000,
    )
    need.activities.add(visits)
    IntegrationLine.objects.create(
        sheet=sheet,
        document="renja",
        program="Program pemenuhan upaya kesehatan",
        budget_idr=750_000,
    )

    may = MeetingFactory(
        puskesmas=puskesmas,
        held_on=datetime.date(YEAR, 5, 12),
        status="held",
        created_by=district_user,
    )
    problem = Problem.objects.create(
        meeting=may, statement="Cakupan K1 rendah di desa terpencil", service=spm[0]
    )
    FollowUp.objects.create(
        meeting=may,
        problem=problem,
        activity="Sweeping ibu hamil",
        responsible="Bidan desa",
        due_on=datetime.date(YEAR, 6, 30),
        created_by=district_user,
    )
    november = MeetingFactory(
        puskesmas=puskesmas,
        held_on=datetime.date(YEAR, 11, 3),
        status="held",
        created_by=district_user,
    )
    Problem.objects.create(meeting=november, statement="Masalah sesudah triwulan", service=spm[0])
    return SimpleNamespace(
        spm=spm, district=district, puskesmas=puskesmas, sheet=sheet, world=world
    )


@pytest.fixture
def data(world, district_user):
    return build_package_data(world, district_user)


def _url(district, **query):
    params = {"year": YEAR, "quarter": QUARTER, **query}
    base = reverse("cycle:package-detail", kwargs={"pk": district.pk})
    return base + "?" + "&".join(f"{key}={value}" for key, value in params.items())


def _get(user, data):
    district = data.district
    return package_selectors.package_get(user=user, district=district, year=YEAR, quarter=QUARTER)


# --- The package's parts, from the data ---------------------------------------------------------


def test_part_a_people_served_from_targets_and_approved_months(data, district_user):
    package = _get(district_user, data)
    first, second = package.services[0], package.services[1]
    assert first.people.target == 100
    assert first.people.by_month[:7] == [15, None, None, 20, None, None, None]
    assert first.people.by_month[7:] == [None] * 5
    assert (first.people.served, first.people.not_served) == (35, 65)
    assert first.people.achievement == Decimal("35.00")
    assert (second.people.target, second.people.served, second.people.achievement) == (
        50,
        7,
        Decimal("14.00"),
    )
    third = package.services[2]
    assert third.people.target is None and third.people.achievement is None


def test_part_b_quality_from_approved_quality_reports(data, district_user, world):
    other = PuskesmasFactory(subdistrict=world["hsu"]["subdistrict"], name="Puskesmas Lain")
    _quality(other, data.spm[0], "submitted", {"pkg-a": (1, 100, 0)}, by=district_user)
    line = _get(district_user, data).services[0]
    assert line.quality_percent == Decimal("50.00")
    assert line.quality_reported and line.quality.reports_counted == 1
    codes = {entry.item.code: entry for entry in line.quality_items}
    assert codes["pkg-b"].gap == Decimal(100) and codes["pkg-a"].gap == Decimal(0)
    assert [
        entry.item.code for entry in line.quality_gaps if entry.item.code.startswith("pkg")
    ] == ["pkg-b"]


def test_part_c_budget_from_approved_plans_through_the_quarter(data, district_user):
    package = _get(district_user, data)
    row = package.services[0].budget
    assert dict(package.funding_sources).keys() >= {"apbd", "dbh_cht"}
    assert row.line.allocated_by_source == {"apbd": Decimal(1_000_000), "dbh_cht": Decimal(500_000)}
    assert row.allocated_idr == Decimal(1_500_000)
    assert row.realised_by_month[:6] == [0, 400_000, 0, 0, 100_000, 0]
    assert row.realised_by_month[6:] == [None] * 6  # after the quarter
    assert row.realised_idr == Decimal(500_000)
    assert row.difference_idr == Decimal(1_000_000)
    assert row.percent == Decimal("33.33")
    assert package.budget_other.allocated_idr == Decimal(200_000)  # tied to no service
    assert package.budget_totals.allocated_idr == Decimal(1_700_000)


def test_the_four_stages_and_problems_from_the_worksheet_and_meetings(data, district_user):
    package = _get(district_user, data)
    stages = package.services[0].stages
    assert [value for _label, value, _status in stages.statuses] == [
        "done",
        "in_progress",
        "not_started",
        "not_started",
    ]
    assert stages.needs_cost_idr == Decimal(300_000)
    assert stages.activities == 1
    assert stages.documents == ["Renja"]
    assert stages.regional_budget_idr == Decimal(750_000)
    assert stages.plan_target == 100  # the target of record, the worksheet has none
    problems = package.services[0].problems
    assert [line.problem.statement for line in problems] == ["Cakupan K1 rendah di desa terpencil"]
    assert [item.activity for item in problems[0].follow_ups] == ["Sweeping ibu hamil"]
    # Service 2 has no worksheet: "not started", and said so.
    assert package.services[1].stages.sheet is None
    assert {m.code for m in package.missing} >= {"no_worksheet", "no_quality", "no_target"}
    no_sheet = next(m for m in package.missing if m.code == "no_worksheet")
    assert data.spm[0] not in no_sheet.services and data.spm[1] in no_sheet.services


def test_the_index_and_category_follow_the_data(data, district_user):
    package = _get(district_user, data)
    first, second = package.services[0], package.services[1]
    assert (first.index_achievement, first.index_quality, first.index) == (
        Decimal("35.00"),
        Decimal("50.00"),
        Decimal("38.00"),
    )
    assert second.index == Decimal("14.00")
    assert package.index == Decimal("26.00")  # equal weights over the two indexed services
    assert package.band.name == "Belum Tuntas"
    # Service 1 served in full and its quality met; service 2 served in full: 100, the top band.
    village = data.world["hsu"]["villages"][0]
    _report(data.puskesmas, 5, "approved", {(village, data.spm[0]): 65, (village, data.spm[1]): 43})
    QualityValue.objects.filter(item__code="pkg-b").update(available=100)
    indicator_services.quarter_aggregate(year=YEAR, quarter=QUARTER)
    package = _get(district_user, data)
    assert [line.index for line in package.services[:2]] == [Decimal("100.00")] * 2
    assert package.index == Decimal("100.00")
    assert package.band.name == "Tuntas Paripurna"
    assert first.band.name == "Belum Tuntas" and package.services[0].band.name == "Tuntas Paripurna"
    # Weights are data: service 2 weighing 3 pulls the district's index towards it.
    QualityValue.objects.filter(item__code="pkg-b").update(available=0)
    IndexWeight.objects.filter(service=data.spm[1]).update(weight=3)
    indicator_services.quarter_aggregate(year=YEAR, quarter=QUARTER)
    package = _get(district_user, data)
    assert package.services[0].index == Decimal("90.00")  # (80 x 100 + 20 x 50) / 100
    assert package.index == Decimal("97.50")  # (90 + 3 x 100) / 4
    assert package.band.name == "Tuntas Utama"


def test_missing_parts_are_listed_honestly(world, district_user):
    """A quarter nobody computed, without quality, budget or worksheets: the package says so
    and shows no index."""
    package = package_selectors.package_get(
        user=district_user, district=world["hsu"]["district"], year=YEAR, quarter=1
    )
    codes = {m.code for m in package.missing}
    assert {"not_computed", "no_quality", "no_budget", "no_worksheet", "no_target"} <= codes
    assert package.index is None and package.band is None
    assert not package.is_computed


def test_a_report_approved_after_computing_is_flagged(data, district_user):
    _report(data.puskesmas, 5, "approved", {(data.world["hsu"]["villages"][0], data.spm[0]): 3})
    package = _get(district_user, data)
    changed = next(m for m in package.missing if m.code == "changed")
    assert data.spm[0] in changed.services
    assert package.services[0].people.served == 38


# --- The page ----------------------------------------------------------------------------------


def test_the_page_shows_every_part(en, data, district_user):
    en.force_login(district_user)
    response = en.get(_url(data.district))
    assert response.status_code == 200
    html = response.content.decode()
    for testid in ("part-a", "part-b", "part-c", "part-c-months", "stages", "problems", "index"):
        assert f'data-testid="{testid}"' in html, testid
    assert "Cakupan K1 rendah di desa terpencil" in html
    assert "Sweeping ibu hamil" in html
    assert "Dinas Sosial: data PBI JKN ibu hamil" in html
    assert "1,500,000" in html and "33.3%" in html
    assert "26.00" in html and "Belum Tuntas" in html
    assert "Masalah sesudah triwulan" not in html  # held after the quarter


def test_the_page_defaults_to_the_latest_computed_quarter(en, data, district_user):
    en.force_login(district_user)
    response = en.get(reverse("cycle:package-detail", kwargs={"pk": data.district.pk}))
    assert response.context["package"].quarter == QUARTER
    assert response.context["package"].year == YEAR


@pytest.mark.parametrize(
    "query", ["year=abc&quarter=9", "year=99999&quarter=-1", "quarter=1e9", "year=2025.5"]
)
def test_hostile_query_strings_fall_back(en, data, district_user, query):
    en.force_login(district_user)
    url = reverse("cycle:package-detail", kwargs={"pk": data.district.pk}) + "?" + query
    assert en.get(url).status_code == 200
    list_url = reverse("cycle:package-list") + "?" + query + "&sort=%27;DROP&province=-5"
    assert en.get(list_url).status_code == 200
    assert en.get(url + "&quarter=%00").status_code == 400  # refused before the view


def test_the_page_costs_a_fixed_number_of_queries(
    en, data, district_user, django_assert_max_num_queries
):
    en.force_login(district_user)
    en.get(_url(data.district))  # warm caches (sessions, content types)
    with django_assert_max_num_queries(30) as before:
        en.get(_url(data.district))
    count = len(before.captured_queries)
    # More of everything: puskesmas, reports, quality, activities, worksheets, meetings.
    spm = data.spm
    for number in range(2, 6):
        sheet = StageSheet.objects.create(district=data.district, service=spm[number], year=YEAR)
        NeedLine.objects.create(
            sheet=sheet, name="Tensimeter", kind="facility", gap_quantity=2, unit_cost_idr=1
        )
        IntegrationLine.objects.create(sheet=sheet, document="rkpd", program="Program")
        meeting = MeetingFactory(
            puskesmas=data.puskesmas,
            held_on=datetime.date(YEAR, 4, number),
            created_by=district_user,
        )
        problem = Problem.objects.create(
            meeting=meeting, statement=f"Masalah {number}", service=spm[number]
        )
        FollowUp.objects.create(
            meeting=meeting,
            problem=problem,
            activity="RTL",
            responsible="X",
            due_on=datetime.date(YEAR, 6, 1),
            created_by=district_user,
        )
    with django_assert_max_num_queries(count):
        response = en.get(_url(data.district))
    assert "Masalah 5" in response.content.decode()


def test_the_selector_costs_a_fixed_number_of_queries(data, district_user):
    with CaptureQueriesContext(connection) as first:
        _get(district_user, data)
    for number in range(2, 8):
        StageSheet.objects.create(district=data.district, service=data.spm[number], year=YEAR)
    with CaptureQueriesContext(connection) as second:
        _get(district_user, data)
    assert len(second.captured_queries) == len(first.captured_queries)


# --- The list: a planner's quarters, a province side by side ------------------------------------


def test_a_district_planner_lists_their_quarters(en, data, district_user):
    en.force_login(district_user)
    response = en.get(reverse("cycle:package-list") + f"?year={YEAR}")
    assert response.status_code == 200
    lines = response.context["quarter_lines"]
    assert [line.quarter for line in lines] == [1, 2, 3, 4]
    assert lines[1].index == Decimal("26.00") and lines[1].band.name == "Belum Tuntas"
    assert lines[0].index is None and not lines[0].is_computed
    html = response.content.decode()
    assert _url(data.district, quarter=2).replace("&", "&amp;") in html


def test_the_province_compares_its_districts_best_index_first(en, data, province_user):
    en.force_login(province_user)
    response = en.get(reverse("cycle:package-list") + f"?year={YEAR}&quarter={QUARTER}")
    assert response.status_code == 200
    lines = response.context["district_lines"]
    names = [line.district.name for line in lines]
    assert names == ["Kota Banjarmasin", "Kabupaten Hulu Sungai Utara"]  # never Bontang
    banjarmasin, hsu = lines
    assert banjarmasin.index == Decimal("90.00") and banjarmasin.band.name == "Tuntas Utama"
    assert banjarmasin.quality is None  # no quality report: the index is A alone
    assert hsu.index == Decimal("26.00")
    assert hsu.people == Decimal("24.50")  # (35 + 14) / 2
    assert hsu.quality == Decimal("50.00")
    assert hsu.budget_percent == Decimal("33.33")
    html = response.content.decode()
    assert "Kota Bontang" not in html
    by_name = en.get(reverse("cycle:package-list") + f"?year={YEAR}&quarter={QUARTER}&sort=name")
    assert [line.district.name for line in by_name.context["district_lines"]] == [
        "Kabupaten Hulu Sungai Utara",
        "Kota Banjarmasin",
    ]


def test_the_province_reads_approved_data_only(en, data, province_user):
    """A draft RUK's budget, a submitted month and a submitted quality report never reach the
    province's view of the package."""
    package = _get(province_user, data)
    assert package.services[0].people.served == 35  # February's submitted 1000 not counted
    assert package.services[0].quality_percent == Decimal("50.00")
    Plan.objects.filter(puskesmas=data.puskesmas).update(status="submitted")
    package = _get(province_user, data)
    assert not package.services[0].budget.allocated_idr


def test_the_province_opens_a_district_package_read_only(en, data, province_user):
    en.force_login(province_user)
    response = en.get(_url(data.district))
    assert response.status_code == 200
    assert response.context["package"].index == Decimal("26.00")


def test_the_comparison_costs_a_fixed_number_of_queries(en, data, province_user, world):
    en.force_login(province_user)
    url = reverse("cycle:package-list") + f"?year={YEAR}&quarter={QUARTER}"
    en.get(url)
    with CaptureQueriesContext(connection) as first:
        en.get(url)
    DistrictFactory.create_batch(4, province=world["kalsel"])
    with CaptureQueriesContext(connection) as second:
        response = en.get(url)
    assert len(response.context["district_lines"]) == 6
    assert len(second.captured_queries) == len(first.captured_queries) <= 15


def test_a_puskesmas_is_told_the_package_is_the_districts(en, data, puskesmas_head):
    en.force_login(puskesmas_head)
    response = en.get(reverse("cycle:package-list"))
    assert response.status_code == 200
    assert b'data-testid="package-not-yours"' in response.content
    assert (
        reverse("indicators:dashboard-puskesmas", args=[data.puskesmas.pk]).encode()
        in response.content
    )
    assert en.get(_url(data.district)).status_code == 404


# --- Scoping -----------------------------------------------------------------------------------


@pytest.mark.parametrize("outsider", ["other_district_user", "other_province_user"])
def test_others_get_404(en, data, outsider, request):
    en.force_login(request.getfixturevalue(outsider))
    assert en.get(_url(data.district)).status_code == 404
    assert en.get(_url(data.district, format="pdf")).status_code == 404
    assert en.post(_url(data.district, format="xlsx")).status_code == 404
    assert not ExportJob.objects.exists()


def test_an_export_of_a_district_no_longer_readable_fails(
    en, data, district_user, other_district_user
):
    en.force_login(district_user)
    response, job = start_export(en, _url(data.district, format="xlsx"))
    assert job.status == ExportJob.Status.DONE
    job.pk = None
    job.created_by = other_district_user
    job.status = ExportJob.Status.QUEUED
    job.save()
    from kernel.services.exports import export_run

    export_run(job_id=job.pk, attempt=job.attempt)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.FAILED


# --- The files ---------------------------------------------------------------------------------


def test_the_xlsx_has_one_sheet_per_part(en, data, district_user):
    en.force_login(district_user)
    response = download_export(en, _url(data.district, format="xlsx"))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(content_of(response)))
    assert book.sheetnames == [
        "A People served",
        "B Quality",
        "C Budget",
        "Four stages",
        "Problems and action plan",
        "SPM index",
        "Not yet in the package",
    ]
    a = list(book["A People served"].iter_rows(values_only=True))
    assert a[0][:6] == ("No.", "Code", "Service", "Unit", "Total to serve", "Jan")
    assert a[1][0] == 1 and a[1][4] == 100 and a[1][5] == 15 and a[1][8] == 20
    assert a[1][17:] == (35, 65, 35)
    b = [row for row in book["B Quality"].iter_rows(values_only=True) if row[4] == "Item pkg-b"]
    assert b[0][2] == 50 and b[0][7:10] == (100, 0, 100)
    c = list(book["C Budget"].iter_rows(values_only=True))
    headers = c[0]
    first = dict(zip(headers, c[1], strict=True))
    assert first["Allocated APBD (Rp)"] == 1_000_000
    assert first["Allocated (Rp)"] == 1_500_000
    assert first["Realised Feb (Rp)"] == 400_000
    assert first["Realised Aug (Rp)"] is None
    assert first["Realised (Rp)"] == 500_000 and first["Realised (%)"] == pytest.approx(33.33)
    stages = list(book["Four stages"].iter_rows(values_only=True))
    assert stages[1][2:4] == ("Done", "In progress")
    problems = list(book["Problems and action plan"].iter_rows(values_only=True))
    assert (
        problems[1][4] == "Cakupan K1 rendah di desa terpencil"
        and problems[1][5] == "Sweeping ibu hamil"
    )
    index = list(book["SPM index"].iter_rows(values_only=True))
    assert index[1][3:7] == (35, 50, 38, "Belum Tuntas")
    assert index[-1][1] == "Kabupaten Hulu Sungai Utara" and index[-1][5] == 26


def test_the_pdf_carries_the_parts(en, data, district_user, tmp_path):
    en.force_login(district_user)
    response = download_export(en, _url(data.district, format="pdf"))
    assert response.status_code == 200
    content = content_of(response)
    assert content.startswith(b"%PDF")
    path = tmp_path / "package.pdf"
    path.write_bytes(content)
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout
        for expected in (
            "Kabupaten Hulu Sungai Utara",
            "A. People served to standard",
            "B. Minimum quality",
            "C. Budget allocated and realised",
            "The four stages",
            "Problems and action plan",
            "SPM index and category",
            "Cakupan K1 rendah",
            "Belum Tuntas",
            "1,500,000",
        ):
            assert expected in text, expected
    if shutil.which("pdfinfo"):  # A4 landscape: 842 x 595 points
        info = subprocess.run(
            ["pdfinfo", str(path)], capture_output=True, text=True, check=True
        ).stdout
        assert "Page size:       841.89 x 595.2" in info


def test_a_system_administrator_compares_province_by_province(en, data, admin_user, world):
    en.force_login(admin_user)
    url = reverse("cycle:package-list") + f"?year={YEAR}&quarter={QUARTER}"
    response = en.get(url)
    assert [p.code for p in response.context["provinces"]] == ["63", "64"]
    assert len(response.context["district_lines"]) == 2  # the first province
    response = en.get(url + f"&province={world['kaltim'].pk}")
    lines = response.context["district_lines"]
    assert [line.district.name for line in lines] == ["Kota Bontang"]
    assert lines[0].index == Decimal("80.00")


def test_a_year_without_an_spm_edition_says_so(en, data, district_user):
    en.force_login(district_user)
    response = en.get(_url(data.district, year=2001, quarter=1))
    assert response.status_code == 200
    assert [m.code for m in response.context["package"].missing] == ["no_services"]
    book = load_workbook(
        io.BytesIO(content_of(download_export(en, _url(data.district, year=2001, format="xlsx"))))
    )
    assert len(book.sheetnames) == 7

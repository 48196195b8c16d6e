"""Quarterly aggregation: set-based, approved data only, idempotent, scoped rebuilds."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from indicators import services
from indicators.models import (
    Achievement,
    MonthlyReport,
    MonthlyValue,
    ReportingRate,
    SPMService,
    Target,
)
from indicators.services import aggregation
from kernel.models import Puskesmas

pytestmark = pytest.mark.django_db

YEAR = 2025  # a past year: every month has ended


def _report(puskesmas, month, status, values, by=None):
    report = MonthlyReport.objects.create(
        puskesmas=puskesmas,
        year=YEAR,
        month=month,
        status=status,
        due_on=f"{YEAR + (month == 12)}-{month % 12 + 1:02d}-10",
        first_submitted_at=f"{YEAR + (month == 12)}-{month % 12 + 1:02d}-05T10:00:00+08:00",
    )
    for (village, service), value in values.items():
        MonthlyValue.objects.create(report=report, village=village, service=service, value=value)
    return report


@pytest.fixture
def data(world):
    spm = services.monthly_services(YEAR)
    hsu, bjm = world["hsu"], world["banjarmasin"]
    v1, v2 = hsu["villages"]
    Target.objects.create(
        village=v1, year=YEAR, service=spm[0], source="estimate", value=40, is_of_record=True
    )
    Target.objects.create(
        village=v2, year=YEAR, service=spm[0], source="estimate", value=60, is_of_record=True
    )
    _report(hsu["puskesmas"], 1, "locked", {(v1, spm[0]): 5, (v2, spm[0]): 7})
    _report(hsu["puskesmas"], 4, "approved", {(v1, spm[0]): 3})
    _report(hsu["puskesmas"], 5, "submitted", {(v1, spm[0]): 100})  # not approved: not counted
    _report(bjm["puskesmas"], 4, "approved", {(bjm["villages"][0], spm[0]): 9})
    return spm


def _rows(quarter):
    return {
        (a.level, a.area_id, a.service.code): (
            a.served_quarter,
            a.served_ytd,
            a.target,
            a.achievement,
        )
        for a in Achievement.objects.filter(year=YEAR, quarter=quarter).select_related("service")
    }


def test_quarter_counts_approved_data_per_puskesmas_district_and_province(world, data):
    run = services.quarter_aggregate(year=YEAR, quarter=2)
    rows = _rows(2)
    hsu = world["hsu"]
    assert rows[("puskesmas", hsu["puskesmas"].pk, "SPM-01")] == (3, 15, 100, pytest.approx(15))
    assert rows[("district", hsu["district"].pk, "SPM-01")][:3] == (3, 15, 100)
    # Kalimantan Selatan = HSU + Banjarmasin; Banjarmasin has no target: achievement over HSU's.
    assert rows[("province", world["kalsel"].pk, "SPM-01")][:3] == (12, 24, 100)
    assert rows[("puskesmas", hsu["puskesmas"].pk, "SPM-02")] == (0, 0, None, None)
    assert run.status == "done" and run.approved_reports == 3
    rate = ReportingRate.objects.get(
        year=YEAR, quarter=2, level="district", area_id=hsu["district"].pk
    )
    assert (rate.expected, rate.approved, rate.on_time) == (3, 1, 1)


def test_rerun_gives_the_same_rows(world, data):
    services.quarter_aggregate(year=YEAR, quarter=2)
    first = _rows(2)
    services.quarter_aggregate(year=YEAR, quarter=2)
    assert _rows(2) == first
    assert Achievement.objects.filter(year=YEAR, quarter=2).count() == len(first)


def test_a_district_rebuild_leaves_other_districts_and_fixes_the_province(world, data):
    services.quarter_aggregate(year=YEAR, quarter=2)
    bjm = world["banjarmasin"]
    before = _rows(2)[("puskesmas", bjm["puskesmas"].pk, "SPM-01")]
    MonthlyValue.objects.filter(
        report__puskesmas=world["hsu"]["puskesmas"], report__month=4
    ).update(value=10)
    services.quarter_aggregate(
        year=YEAR, quarter=2, scope=services.Scope(district_id=world["hsu"]["district"].pk)
    )
    rows = _rows(2)
    assert rows[("puskesmas", bjm["puskesmas"].pk, "SPM-01")] == before
    assert rows[("province", world["kalsel"].pk, "SPM-01")][:2] == (19, 31)


def test_approving_a_report_refreshes_only_what_it_touches(
    world, data, district_user, django_capture_on_commit_callbacks
):
    services.quarter_aggregate(year=YEAR, quarter=2)
    services.quarter_aggregate(year=YEAR, quarter=3)
    report = MonthlyReport.objects.get(month=5)
    with django_capture_on_commit_callbacks(execute=True):
        services.report_approve(report=report, by=district_user)  # the task runs eagerly
    rows = _rows(2)
    hsu = world["hsu"]
    assert rows[("puskesmas", hsu["puskesmas"].pk, "SPM-01")][:2] == (103, 115)
    assert _rows(3)[("district", hsu["district"].pk, "SPM-01")][1] == 115  # YTD moves on


def test_the_job_runs_a_fixed_number_of_statements_whatever_the_size(world, data):
    with CaptureQueriesContext(connection) as small:
        services.quarter_aggregate(year=YEAR, quarter=2)
    from ..factories import PuskesmasFactory, VillageFactory

    for _ in range(5):
        puskesmas = PuskesmasFactory(subdistrict=world["hsu"]["subdistrict"])
        VillageFactory.create_batch(3, subdistrict=world["hsu"]["subdistrict"], puskesmas=puskesmas)
        _report(puskesmas, 4, "approved", {})
    with CaptureQueriesContext(connection) as large:
        services.quarter_aggregate(year=YEAR, quarter=2)
    assert len(large) == len(small)


def test_a_rerun_rewrites_the_rows_in_place_stamped_with_the_new_run(world, data):
    services.quarter_aggregate(year=YEAR, quarter=2)
    ids = set(Achievement.objects.values_list("id", flat=True))
    rates = set(ReportingRate.objects.values_list("id", flat=True))
    run = services.quarter_aggregate(year=YEAR, quarter=2)
    assert set(Achievement.objects.values_list("id", flat=True)) == ids
    assert set(ReportingRate.objects.values_list("id", flat=True)) == rates
    assert set(Achievement.objects.values_list("run", flat=True)) == {run.pk}
    assert set(ReportingRate.objects.values_list("run", flat=True)) == {run.pk}


def test_a_rerun_drops_rows_nobody_computes_any_more(world, data):
    services.quarter_aggregate(year=YEAR, quarter=2)
    hsu, bjm = world["hsu"], world["banjarmasin"]
    # Banjarmasin's only puskesmas now belongs to HSU; service 2 is no longer reported monthly.
    Puskesmas.objects.filter(pk=bjm["puskesmas"].pk).update(district=hsu["district"])
    SPMService.objects.filter(pk=data[1].pk).update(is_reported_monthly=False)
    services.quarter_aggregate(year=YEAR, quarter=2)
    rows = _rows(2)
    assert not [key for key in rows if key[1] == bjm["district"].pk and key[0] == "district"]
    assert not [key for key in rows if key[2] == "SPM-02"]
    assert rows[("district", hsu["district"].pk, "SPM-01")][:2] == (12, 24)
    assert not ReportingRate.objects.filter(level="district", area_id=bjm["district"].pk).exists()
    # The same rows as a build into empty tables.
    Achievement.objects.all().delete()
    services.quarter_aggregate(year=YEAR, quarter=2)
    assert _rows(2) == rows


def test_timeliness_counts_the_local_date_of_the_first_submission(world, data):
    local = timezone.get_current_timezone()
    bontang = world["bontang"]["puskesmas"]
    for month, submitted in (
        (4, datetime.datetime(YEAR, 5, 10, 23, 30, tzinfo=local)),  # on the due day: on time
        (5, datetime.datetime(YEAR, 6, 11, 0, 30, tzinfo=local)),  # a day late, locally
    ):
        MonthlyReport.objects.create(
            puskesmas=bontang,
            year=YEAR,
            month=month,
            status="approved",
            due_on=datetime.date(YEAR, month + 1, 10),
            first_submitted_at=submitted,
        )
    services.quarter_aggregate(year=YEAR, quarter=2)
    rate = ReportingRate.objects.get(year=YEAR, quarter=2, level="puskesmas", area_id=bontang.pk)
    assert (rate.expected, rate.approved, rate.on_time) == (3, 2, 1)
    province = ReportingRate.objects.get(
        year=YEAR, quarter=2, level="province", area_id=world["kaltim"].pk
    )
    assert (province.expected, province.approved, province.on_time) == (3, 2, 1)


def test_a_rebuild_that_fails_midway_leaves_the_old_quarter(world, data, monkeypatch):
    services.quarter_aggregate(year=YEAR, quarter=2)
    before = _rows(2)
    MonthlyValue.objects.update(value=50)

    def fail(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(aggregation, "_delete_stale", fail)
    with pytest.raises(RuntimeError):
        services.quarter_aggregate(year=YEAR, quarter=2)
    assert _rows(2) == before


def test_without_merge_the_upsert_gives_the_same_rows(world, data, monkeypatch):
    """PostgreSQL before 15 (and SQLite) write with INSERT ... ON CONFLICT instead of MERGE."""
    services.quarter_aggregate(year=YEAR, quarter=2)
    rows = _rows(2)
    monkeypatch.setattr(connection, "pg_version", 140000, raising=False)
    run = services.quarter_aggregate(year=YEAR, quarter=2)
    assert _rows(2) == rows
    assert set(Achievement.objects.values_list("run", flat=True)) == {run.pk}
    Achievement.objects.all().delete()
    services.quarter_aggregate(year=YEAR, quarter=2)
    assert _rows(2) == rows

"""Time a province's full-year export of monthly values, and its peak memory.

Builds a province in a scratch PostgreSQL database (by default 10 districts x 20 puskesmas x 15
desa x 12 services x 12 months = 432,000 values; December is left in draft, so the province, which
reads approved months only, exports 396,000), then runs the export job's builder
(indicators.monthly_values_year, the one the "Export to Excel" button starts) as a district
planner and as the provincial reviewer. Each export runs twice: once timed, once under
tracemalloc for the peak of Python's allocations (tracemalloc slows it down, so it is not timed).
The data is kept between runs (`--rebuild` makes it again). How to run it: bench/README.md.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import resource
import sys
import tempfile
import time
import tracemalloc

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone, translation
from openpyxl import load_workbook

# region_import sets up Django (DJANGO_SETTINGS_MODULE defaults to config.settings.dev).
from region_import import (
    describe_database,
    ensure_postgres_database,
    migrate_if_needed,
    use_database,
)

from indicators.exports import MONTHLY_VALUES_YEAR  # noqa: E402
from indicators.models import MonthlyReport, MonthlyValue, ReportingYear  # noqa: E402
from indicators.reporting import monthly_services  # noqa: E402
from kernel.models import (  # noqa: E402
    District,
    ExportJob,
    Province,
    Puskesmas,
    Subdistrict,
    User,
    Village,
)
from kernel.services.exports import export_kind  # noqa: E402

SCRATCH_DATABASE = "simpul_bench_exports"
YEAR = timezone.localdate().year - 1  # a whole past year: all twelve months may be reported


def prepare_database() -> None:
    """Work in a scratch database of its own on DATABASE_URL's server; never in DATABASE_URL's."""
    if connection.vendor != "postgresql":
        sys.exit("DATABASE_URL must name a PostgreSQL server: the figures that matter are its.")
    ensure_postgres_database(SCRATCH_DATABASE)
    use_database(SCRATCH_DATABASE)
    migrate_if_needed(force=True)  # a no-op when up to date; new migrations land here too


def empty() -> None:
    with transaction.atomic():  # the scratch database holds only this benchmark's rows
        ExportJob.objects.all().delete()
        MonthlyValue.objects.all().delete()
        MonthlyReport.objects.all().delete()
        User.objects.all().delete()
        for model in (Village, Puskesmas, Subdistrict, District, Province):
            model.objects.all().delete()


def build_province(*, districts: int, puskesmas_each: int, villages_each: int) -> None:
    """A province's year: every value of every desa, service and month; December in draft."""
    province = Province.objects.create(code="63", name="Kalimantan Selatan")
    services = monthly_services(YEAR)
    due = ReportingYear.objects.get(year=YEAR).due_on
    for d in range(districts):
        district = District.objects.create(
            province=province, code=f"63.{d + 1:02d}", name=f"Kabupaten {d + 1:02d}"
        )
        subdistricts = Subdistrict.objects.bulk_create(
            Subdistrict(district=district, code=f"{district.code}.{i + 1:02d}", name=f"Kec {i}")
            for i in range(puskesmas_each)
        )
        puskesmas_list = Puskesmas.objects.bulk_create(
            Puskesmas(
                district=district,
                subdistrict=s,
                code=f"P{district.code.replace('.', '')}{i + 1:05d}",
                name=f"Puskesmas {d + 1:02d}-{i + 1:02d}",
            )
            for i, s in enumerate(subdistricts)
        )
        villages = Village.objects.bulk_create(
            Village(subdistrict=s, puskesmas=p, code=f"{s.code}.{2001 + j}", name=f"Desa {j}")
            for s, p in zip(subdistricts, puskesmas_list, strict=True)
            for j in range(villages_each)
        )
        reports = MonthlyReport.objects.bulk_create(
            MonthlyReport(
                puskesmas=p,
                year=YEAR,
                month=m,
                status="draft" if m == 12 else "approved",
                due_on=due(m),
            )
            for p in puskesmas_list
            for m in range(1, 13)
        )
        by_puskesmas: dict[int, list[MonthlyReport]] = {}
        for report in reports:
            by_puskesmas.setdefault(report.puskesmas_id, []).append(report)
        MonthlyValue.objects.bulk_create(
            (
                MonthlyValue(report=r, village=v, service=s, value=random.randint(0, 60))
                for v in villages
                for r in by_puskesmas[v.puskesmas_id]
                for s in services
            ),
            batch_size=5000,
        )
        if d == 0:
            User.objects.create(
                username="bench-planner", role=User.Role.DISTRICT_PLANNER, district=district
            )
        print(f"  district {d + 1} of {districts} built", flush=True)
    User.objects.create(
        username="bench-province", role=User.Role.PROVINCE_REVIEWER, province=province
    )


def maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


def run_builder(user: User, *, traced: bool) -> tuple[float, int, int, float]:
    """One export as `user`: (seconds, rows, file bytes, peak MB of Python allocations or 0)."""
    job = ExportJob.objects.create(
        kind=MONTHLY_VALUES_YEAR,
        province_id=user.province_id,
        district_id=user.district_id,
        params={"year": YEAR},
        title="bench",
        file_name="bench.xlsx",
        created_by=user,
        status=ExportJob.Status.RUNNING,
    )
    reports: list[int] = []
    build = export_kind(MONTHLY_VALUES_YEAR).build
    gc.collect()
    with tempfile.TemporaryFile() as out:
        if traced:
            tracemalloc.start()
        started = time.perf_counter()
        build(job, out, lambda done, total: reports.append(done))
        seconds = time.perf_counter() - started
        peak = 0.0
        if traced:
            peak = tracemalloc.get_traced_memory()[1] / 1024 / 1024
            tracemalloc.stop()
        size = out.tell()
        out.seek(0)
        rows = load_workbook(out, read_only=True).active.max_row - 1
    job.delete()
    return seconds, rows, size, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--districts", type=int, default=10)
    parser.add_argument("--puskesmas", type=int, default=20, help="puskesmas per district")
    parser.add_argument("--villages", type=int, default=15, help="desa per puskesmas")
    parser.add_argument("--rebuild", action="store_true", help="make the province again")
    parser.add_argument("--no-trace", action="store_true", help="skip the (slow) tracemalloc runs")
    args = parser.parse_args()
    random.seed(13)
    settings.DEBUG = False  # as in production: no debug log of every query's SQL
    prepare_database()
    translation.activate("id")
    print(f"Database: {describe_database()}")
    expected = args.districts * args.puskesmas * args.villages * 12 * 12
    if args.rebuild or MonthlyValue.objects.count() != expected:
        print(f"Building a province's year: {expected:,} monthly values ...", flush=True)
        empty()
        started = time.perf_counter()
        build_province(
            districts=args.districts, puskesmas_each=args.puskesmas, villages_each=args.villages
        )
        print(f"  built in {time.perf_counter() - started:.0f} s")
    connection.close()
    print(
        f"{'export':<34} {'rows':>8} {'seconds':>8} {'rows/s':>8} {'MB file':>8} "
        f"{'peak MB':>8} {'maxrss +MB':>10}"
    )
    for label, username in (
        ("a district's year (planner)", "bench-planner"),
        ("the province's year (reviewer)", "bench-province"),
    ):
        user = User.objects.select_related("province", "district").get(username=username)
        before = maxrss_mb()
        seconds, rows, size, __ = run_builder(user, traced=False)
        grown = maxrss_mb() - before
        peak = 0.0
        if not args.no_trace:
            __, traced_rows, __, peak = run_builder(user, traced=True)
            assert traced_rows == rows
        print(
            f"{label:<34} {rows:>8,} {seconds:>8.1f} {rows / seconds:>8,.0f} "
            f"{size / 1024 / 1024:>8.1f} {peak:>8.1f} {grown:>10.1f}",
            flush=True,
        )
    print(
        "peak MB: tracemalloc's peak of Python allocations during the build (a second, untimed "
        "run); maxrss +MB: how far the process's peak resident memory rose during the timed run "
        f"(process peak now {maxrss_mb():.0f} MB). pid {os.getpid()}."
    )


if __name__ == "__main__":
    main()

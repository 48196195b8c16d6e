"""Time the monthly Excel import for a district of 20 puskesmas, and the entry page's server time.

Builds a district of 20 puskesmas x 15 desa in a scratch PostgreSQL database, makes a 12-month
workbook with the same template function users download (20 x 15 x 12 services x 12 months =
43,200 values), then times parse and apply: the first import (inserts) and a second one with every
value changed (updates). Then times the monthly entry page over 30 requests with Django's test
client. How to run it: bench/README.md.
"""

from __future__ import annotations

import argparse
import io
import random
import statistics
import sys
import time

from django.conf import settings
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

# region_import sets up Django (DJANGO_SETTINGS_MODULE defaults to config.settings.dev).
from region_import import (
    describe_database,
    ensure_postgres_database,
    migrate_if_needed,
    use_database,
)

from indicators.models import (  # noqa: E402
    MonthlyReport,
    MonthlyValue,
    Target,
    UnlockRequest,
    ValueChange,
)
from indicators.reporting import monthly_services  # noqa: E402
from indicators.services import (  # noqa: E402
    monthly_import_apply,
    monthly_import_parse,
    monthly_template,
)
from kernel.models import (  # noqa: E402
    AuditEvent,
    District,
    HealthOffice,
    ImportJob,
    Province,
    Puskesmas,
    Subdistrict,
    User,
    Village,
)

SCRATCH_DATABASE = "simpul_bench_monthly"
YEAR = timezone.localdate().year - 1  # a whole past year: all twelve months may be reported
REQUESTS = 30


def prepare_database() -> None:
    """Work in a scratch database of its own on DATABASE_URL's server; never in DATABASE_URL's."""
    if connection.vendor != "postgresql":
        sys.exit("DATABASE_URL must name a PostgreSQL server: the figures that matter are its.")
    ensure_postgres_database(SCRATCH_DATABASE)
    use_database(SCRATCH_DATABASE)
    migrate_if_needed(force=True)  # a no-op when up to date; new migrations land here too
    with transaction.atomic():  # the scratch database holds only this benchmark's rows
        for model in (
            ValueChange,
            AuditEvent,
            UnlockRequest,
            MonthlyValue,
            MonthlyReport,
            ImportJob,
            Target,
        ):
            model.objects.all().delete()
        User.objects.filter(is_superuser=False).delete()
        for model in (Village, Puskesmas, HealthOffice, Subdistrict, District, Province):
            model.objects.all().delete()


def build_district(*, puskesmas_count: int, villages_each: int) -> tuple[User, User, list]:
    """A district of `puskesmas_count` puskesmas, each with `villages_each` desa and targets."""
    province = Province.objects.create(code="63", name="Kalimantan Selatan")
    district = District.objects.create(province=province, code="63.08", name="Hulu Sungai Utara")
    HealthOffice.objects.create(district=district, name="Dinas Kesehatan Hulu Sungai Utara")
    subdistricts = Subdistrict.objects.bulk_create(
        Subdistrict(district=district, code=f"63.08.{i + 1:02d}", name=f"Kecamatan {i + 1}")
        for i in range(puskesmas_count)
    )
    puskesmas_list = Puskesmas.objects.bulk_create(
        Puskesmas(
            district=district,
            subdistrict=s,
            code=f"P63080{i + 1:05d}",
            name=f"Puskesmas {i + 1:02d}",
        )
        for i, s in enumerate(subdistricts)
    )
    villages = Village.objects.bulk_create(
        Village(subdistrict=s, puskesmas=p, code=f"{s.code}.{2001 + j}", name=f"Desa {s.code}.{j}")
        for s, p in zip(subdistricts, puskesmas_list, strict=True)
        for j in range(villages_each)
    )
    services = monthly_services(YEAR)
    Target.objects.bulk_create(
        Target(
            village=v,
            year=YEAR,
            service=s,
            source="estimate",
            value=random.randint(50, 400),
            is_of_record=True,
        )
        for v in villages
        for s in services
    )
    planner = User.objects.create(
        username="bench-planner", role=User.Role.DISTRICT_PLANNER, district=district
    )
    head = User.objects.create(
        username="bench-head", role=User.Role.PUSKESMAS_HEAD, puskesmas=puskesmas_list[0]
    )
    return planner, head, puskesmas_list


def filled_workbook(content: bytes, *, change) -> tuple[bytes, int]:
    """The template with every month cell set to `change(old value)`; (file, values set)."""
    workbook = load_workbook(io.BytesIO(content))
    sheet = workbook["Data"]
    months = [i for i, cell in enumerate(sheet[1]) if str(cell.value)[:4].isdigit()]
    count = 0
    for row in sheet.iter_rows(min_row=2):
        for index in months:
            row[index].value = change(row[index].value)
            count += 1
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue(), count


def timed_import(label: str, data: bytes, *, user, values: int) -> None:
    upload = io.BytesIO(data)
    started = time.perf_counter()
    plan, errors = monthly_import_parse(upload=upload, user=user, file_name=f"{label}.xlsx")
    parsed = time.perf_counter()
    if errors:
        sys.exit(f"{label}: the workbook was refused: {[str(e) for e in errors[:5]]}")
    reports = []
    result = monthly_import_apply(
        plan=plan, user=user, progress=lambda done, total: reports.append(done)
    )
    applied = time.perf_counter()
    parse_s, apply_s, total_s = parsed - started, applied - parsed, applied - started
    print(
        f"{label:<28} {plan.rows:>6,} {values:>7,} {result['values_changed']:>8,} "
        f"{parse_s:>7.2f} {apply_s:>7.2f} {total_s:>7.2f} {values / total_s:>9,.0f} "
        f"{len(reports):>9}"
    )


def time_page(label: str, url: str, user) -> None:
    client = Client(SERVER_NAME="localhost")
    client.force_login(user)
    assert client.get(url).status_code == 200, f"{url} did not answer 200"  # warm-up
    timings = []
    for _ in range(REQUESTS):
        started = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    timings.sort()
    p95 = timings[min(len(timings) - 1, int(round(0.95 * len(timings))) - 1)]
    print(
        f"{label}: {url}\n  {REQUESTS} requests: p50 {statistics.median(timings):.1f} ms, "
        f"p95 {p95:.1f} ms, {len(queries)} queries, {len(response.content):,} bytes of HTML"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--puskesmas", type=int, default=20)
    parser.add_argument("--villages", type=int, default=15, help="desa per puskesmas")
    args = parser.parse_args()
    random.seed(4)
    settings.DEBUG = False  # as in production: no debug log of every query's SQL
    prepare_database()
    translation.activate("id")
    print(f"Database: {describe_database()}")
    planner, head, puskesmas_list = build_district(
        puskesmas_count=args.puskesmas, villages_each=args.villages
    )
    months = list(range(1, 13))

    started = time.perf_counter()
    template = monthly_template(puskesmas_list=puskesmas_list, year=YEAR, months=months)
    print(
        f"Template for {args.puskesmas} puskesmas x {args.villages} desa x 12 months: "
        f"{len(template):,} bytes in {time.perf_counter() - started:.2f} s"
    )
    first, values = filled_workbook(template, change=lambda _old: random.randint(0, 60))
    print(
        f"{'run':<28} {'rows':>6} {'values':>7} {'changed':>8} {'parse s':>7} {'apply s':>7} "
        f"{'total s':>7} {'values/s':>9} {'progress':>9}"
    )
    timed_import("first import (inserts)", first, user=planner, values=values)
    again = monthly_template(puskesmas_list=puskesmas_list, year=YEAR, months=months)
    second, values = filled_workbook(again, change=lambda old: (old or 0) + 1)
    timed_import("every value changed (updates)", second, user=planner, values=values)
    print(
        "Each run parses the whole workbook, then writes every changed value in one "
        "transaction with its audit row; 'progress' counts progress reports."
    )

    report = MonthlyReport.objects.get(puskesmas=puskesmas_list[0], year=YEAR, month=12)
    try:
        url = reverse("indicators:report-entry", args=[report.pk])
        label = "Monthly entry page (indicators:report-entry)"
    except NoReverseMatch:
        url = reverse("kernel:puskesmas-detail", args=[puskesmas_list[0].pk])
        label = "Entry page missing; puskesmas page instead (indicators:puskesmas-detail)"
    time_page(f"{label}, {args.villages} desa x 12 services", url, head)


if __name__ == "__main__":
    main()

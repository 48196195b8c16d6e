"""The quarterly SPM aggregation at national scale: the job, its one-statement floor, the
incremental refresh after one approval, and each role's dashboard.

Builds (once; later runs reuse it) in a scratch PostgreSQL database `simpul_bench_national`: all
regions from ../shared/data/wilayah, ~10,300 puskesmas, targets of record for every desa x 12
monthly services (~1 M), 12 approved monthly reports per puskesmas (~124,000) and a value for every
desa x service x month (~12 M, loaded with COPY), and (issue #16) an approved quality report per
puskesmas for Q1 and Q2 with a value for every active checklist item of the edition (~2.3 M).
Then prints, in one run:

1. the seconds and rows of each load step (or that the data was already there);
2. the whole country's Q2 aggregation through the Celery task `aggregate_quarter`, three times;
   then the same with the quality part switched off (2b): its added seconds and the ratio, and
   the stored quality checked against a hand-written statement;
3. the same figures from one hand-written SQL statement (the floor), the ratio job / floor, and
   whether the two agree;
4. `achievement_refresh` after one puskesmas's May report is approved again (median of 5), and
   `quality_refresh` after its Q2 quality report is approved again;
5. server time p50/p95 and query count of each role's dashboard over 30 requests.

How to run it and what it measured: bench/README.md.
"""

from __future__ import annotations

import argparse
import datetime
import os
import re
import statistics
import sys
import time
from collections import defaultdict
from contextlib import contextmanager
from pathlib import Path

os.environ["DEBUG"] = "0"  # as in production: no log of every query kept in memory

import psycopg2  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import NoReverseMatch, reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

# region_import sets up Django (DJANGO_SETTINGS_MODULE defaults to config.settings.dev).
from region_import import (  # noqa: E402
    SHARED,
    describe_database,
    ensure_postgres_database,
    migrate_if_needed,
    use_database,
)

from indicators.models import (  # noqa: E402
    Achievement,
    AggregationRun,
    MonthlyReport,
    MonthlyValue,
    QualityItem,
    QualityReport,
    QualityValue,
    ReportingRate,
    SPMService,
    Target,
)
from indicators.reporting import monthly_services, reporting_year  # noqa: E402
from indicators.services import (  # noqa: E402
    achievement_refresh,
    aggregation,
    quality_refresh,
    quarter_aggregate,
)
from indicators.tasks import aggregate_quarter  # noqa: E402
from kernel.models import (  # noqa: E402
    District,
    Province,
    Puskesmas,
    RegionPopulation,
    Subdistrict,
    User,
    Village,
)
from kernel.services import regions_import_file  # noqa: E402

SCRATCH_DATABASE = "simpul_bench_national"
YEAR = 2025  # ReportingYear 2025 (edition pmk-6-2024) comes with migration 0003
QUARTER = 2
REFRESH_MONTH = 5
JOB_RUNS = 3
FLOOR_RUNS = 3
REFRESH_RUNS = 5
WARM_UP = 3
REQUESTS = 30
USER_PREFIX = "bench-national-"
QUALITY_QUARTERS = (1, 2)  # an approved quality report per puskesmas for each

# Share of a desa's people in each service's target group, by service number (rough national
# figures; only the order of magnitude matters here).
TARGET_RATES = {
    1: 0.018,
    2: 0.0172,
    3: 0.0164,
    4: 0.085,
    5: 0.16,
    6: 0.66,
    7: 0.11,
    8: 0.22,
    9: 0.08,
    10: 0.0018,
    11: 0.0065,
    12: 0.01,
}


def table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def rule(title: str) -> None:
    print(f"\n== {title} " + "=" * max(0, 96 - len(title)))


# --- Scratch database ---------------------------------------------------------------------------


def admin_connection():
    config = connection.settings_dict
    admin = psycopg2.connect(
        dbname="postgres",
        user=config.get("USER") or None,
        password=config.get("PASSWORD") or None,
        host=config.get("HOST") or None,
        port=config.get("PORT") or None,
    )
    admin.autocommit = True
    return admin


def drop_scratch_database() -> None:
    connection.close()
    admin = admin_connection()
    try:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{SCRATCH_DATABASE}" WITH (FORCE)')
    finally:
        admin.close()


def prepare_database(*, reload: bool) -> None:
    """Work in the scratch database on DATABASE_URL's server; never in DATABASE_URL's own."""
    if connection.vendor != "postgresql":
        sys.exit("DATABASE_URL must name a PostgreSQL server: the figures that matter are its.")
    if reload:
        drop_scratch_database()
    ensure_postgres_database(SCRATCH_DATABASE)
    use_database(SCRATCH_DATABASE)
    migrate_if_needed(force=True)  # a no-op when up to date


def file_region_counts(path: Path) -> dict[str, int]:
    counts = dict.fromkeys(("provinces", "districts", "subdistricts", "villages"), 0)
    names = list(counts)
    with path.open(encoding="utf-8") as stream:
        next(stream)
        for line in stream:
            if line.strip():
                counts[names[line.split(",", 1)[0].count(".")]] += 1
    return counts


def db_region_counts() -> dict[str, int]:
    return {
        "provinces": Province.objects.count(),
        "districts": District.objects.count(),
        "subdistricts": Subdistrict.objects.count(),
        "villages": Village.objects.count(),
    }


@contextmanager
def timed(label: str, rows: int | None = None):
    """Print `label`, the rows it wrote (set `box['rows']` inside) and its seconds."""
    box = {"rows": rows}
    started = time.perf_counter()
    yield box
    seconds = time.perf_counter() - started
    rows = box["rows"]
    rate = f"{rows / seconds:>12,.0f}" if rows and seconds > 0 else f"{'':>12}"
    shown = f"{rows:>12,}" if rows is not None else f"{'':>12}"
    print(f"  {label:<52} {shown} {seconds:>9.1f} {rate}")


@contextmanager
def without_secondary_indexes(cursor, model):
    """Drop a table's indexes (not its primary key) for a bulk load; rebuild them after."""
    name = model._meta.db_table
    cursor.execute(
        """
        SELECT i.relname, pg_get_indexdef(i.oid), c.conname, pg_get_constraintdef(c.oid)
        FROM pg_index x
        JOIN pg_class i ON i.oid = x.indexrelid
        LEFT JOIN pg_constraint c ON c.conindid = x.indexrelid AND c.conrelid = x.indrelid
            AND c.contype IN ('u', 'x')
        WHERE x.indrelid = %s::regclass AND NOT x.indisprimary
        """,
        [name],
    )
    indexes = cursor.fetchall()
    for index, _definition, constraint, _constraint_definition in indexes:
        if constraint:
            cursor.execute(f'ALTER TABLE "{name}" DROP CONSTRAINT "{constraint}"')
        else:
            cursor.execute(f'DROP INDEX "{index}"')
    box = {}
    yield box
    started = time.perf_counter()
    cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
    for _index, definition, constraint, constraint_definition in indexes:
        if constraint:
            cursor.execute(
                f'ALTER TABLE "{name}" ADD CONSTRAINT "{constraint}" {constraint_definition}'
            )
        else:
            cursor.execute(definition)
    box["seconds"] = time.perf_counter() - started
    box["count"] = len(indexes)


class ChunkStream:
    """A file-like object for `copy_expert` reading CSV text from a generator of chunks."""

    def __init__(self, chunks) -> None:
        self.chunks = iter(chunks)
        self.rows = 0

    def read(self, size: int = -1) -> bytes:
        for chunk, rows in self.chunks:
            self.rows += rows
            return chunk.encode()
        return b""


def copy_rows(cursor, model, columns: list[str], chunks, *, freeze: bool = False) -> int:
    stream = ChunkStream(chunks)
    options = "FORMAT csv, FREEZE true" if freeze else "FORMAT csv"
    cursor.copy_expert(
        f"COPY {table(model)} ({', '.join(columns)}) FROM STDIN WITH ({options})", stream
    )
    return stream.rows


# --- The national data --------------------------------------------------------------------------


def puskesmas_plan() -> list[dict]:
    """~20 puskesmas per district: at least one per kecamatan, the rest where most desa are; each
    kecamatan's desa (in code order) split in contiguous runs among its puskesmas."""
    villages = defaultdict(list)
    for village_id, subdistrict_id in Village.objects.order_by("code").values_list(
        "id", "subdistrict_id"
    ):
        villages[subdistrict_id].append(village_id)
    subdistricts = defaultdict(list)
    for sub_id, code, name, district_id in Subdistrict.objects.order_by("code").values_list(
        "id", "code", "name", "district_id"
    ):
        if villages[sub_id]:
            subdistricts[district_id].append((sub_id, code, name))
    plan = []
    for index, (district_id, district_code) in enumerate(
        District.objects.order_by("code").values_list("id", "code")
    ):
        subs = subdistricts[district_id]
        desa = sum(len(villages[s[0]]) for s in subs)
        wanted = min(desa, max(len(subs), 18 + (index % 3 == 0)))
        count = {s[0]: 1 for s in subs}
        for _ in range(wanted - len(subs)):
            best = max(
                (s for s in subs if count[s[0]] < len(villages[s[0]])),
                key=lambda s: len(villages[s[0]]) / count[s[0]],
            )
            count[best[0]] += 1
        number = 0
        for sub_id, _code, name in subs:
            own = villages[sub_id]
            n = count[sub_id]
            for j in range(n):
                number += 1
                plan.append(
                    {
                        "district_id": district_id,
                        "subdistrict_id": sub_id,
                        "code": f"P{district_code.replace('.', '')}{number:03d}",
                        "name": f"Puskesmas {name}" + (f" {j + 1}" if n > 1 else ""),
                        "villages": own[j * len(own) // n : (j + 1) * len(own) // n],
                    }
                )
    return plan


def expected_counts(plan: list[dict], services: int) -> dict[str, int]:
    villages = sum(len(p["villages"]) for p in plan)
    items = len(quality_items())
    return {
        "puskesmas": len(plan),
        "villages with a puskesmas": villages,
        "targets of record": villages * services,
        "approved reports": len(plan) * 12,
        "monthly values": villages * services * 12,
        "approved quality reports": len(plan) * len(QUALITY_QUARTERS),
        "quality values": len(plan) * len(QUALITY_QUARTERS) * items,
    }


def current_counts() -> dict[str, int]:
    return {
        "puskesmas": Puskesmas.objects.count(),
        "villages with a puskesmas": Village.objects.filter(puskesmas__isnull=False).count(),
        "targets of record": Target.objects.filter(year=YEAR, is_of_record=True).count(),
        "approved reports": MonthlyReport.objects.filter(
            year=YEAR, status=MonthlyReport.Status.APPROVED
        ).count(),
        "monthly values": MonthlyValue.objects.count(),
        "approved quality reports": QualityReport.objects.filter(
            year=YEAR, status=QualityReport.Status.APPROVED
        ).count(),
        "quality values": QualityValue.objects.count(),
    }


def clear_organisation() -> None:
    """Remove puskesmas and everything below them (the scratch database holds only this bench)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"TRUNCATE {table(MonthlyReport)}, {table(Target)}, {table(AggregationRun)}, "
            f"{table(QualityReport)} CASCADE"
        )
        User.objects.filter(is_superuser=False).delete()
        cursor.execute(f"UPDATE {table(Village)} SET puskesmas_id = NULL")
        cursor.execute(f"TRUNCATE {table(Puskesmas.history.model)}")
        cursor.execute(f"DELETE FROM {table(Puskesmas)}")


def load_puskesmas(plan: list[dict]) -> None:
    with timed("puskesmas (bulk_create)") as box:
        created = Puskesmas.objects.bulk_create(
            [
                Puskesmas(
                    district_id=p["district_id"],
                    subdistrict_id=p["subdistrict_id"],
                    code=p["code"],
                    name=p["name"],
                    is_inpatient=i % 4 == 0,
                )
                for i, p in enumerate(plan)
            ],
            batch_size=2000,
        )
        box["rows"] = len(created)
    with (
        timed("desa -> puskesmas (COPY + one UPDATE)") as box,
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "CREATE TEMP TABLE bench_assign (village_id bigint, puskesmas_id bigint) ON COMMIT DROP"
        )
        lines = [
            f"{v},{p.pk}\n" for p, row in zip(created, plan, strict=True) for v in row["villages"]
        ]
        cursor.copy_expert(
            "COPY bench_assign FROM STDIN WITH (FORMAT csv)",
            ChunkStream([("".join(lines), len(lines))]),
        )
        cursor.execute(
            f"UPDATE {table(Village)} v SET puskesmas_id = a.puskesmas_id "
            "FROM bench_assign a WHERE v.id = a.village_id"
        )
        box["rows"] = cursor.rowcount


def village_targets(services: list[SPMService]) -> dict[int, list[tuple[int, int]]]:
    """Each desa's target of each service: its share of the district's people x a rate."""
    people = dict(RegionPopulation.objects.filter(year=YEAR).values_list("code", "total"))
    rows = list(
        Village.objects.filter(puskesmas__isnull=False).values_list(
            "id", "subdistrict__district__code"
        )
    )
    per_district = defaultdict(int)
    for _id, code in rows:
        per_district[code] += 1
    targets = {}
    for village_id, code in rows:
        average = people.get(code, 200_000) / per_district[code]
        population = max(150, int(average * (0.4 + (village_id * 7919 % 1201) / 1000)))
        targets[village_id] = [
            (s.pk, max(1, round(population * TARGET_RATES.get(s.number, 0.01)))) for s in services
        ]
    return targets


def load_targets(targets: dict[int, list[tuple[int, int]]]) -> None:
    stamp = timezone.now().isoformat()

    def chunks():
        lines = []
        for village_id, row in targets.items():
            for service_id, value in row:
                lines.append(f'{village_id},{YEAR},{service_id},estimate,{value},"",{stamp},t\n')
            if len(lines) >= 60_000:
                yield "".join(lines), len(lines)
                lines = []
        yield "".join(lines), len(lines)

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {table(Target)} CASCADE")
        cursor.execute("SET LOCAL session_replication_role = replica")  # no per-row FK triggers
        with without_secondary_indexes(cursor, Target) as rebuilt:
            with timed("targets of record (COPY)") as box:
                box["rows"] = copy_rows(
                    cursor,
                    Target,
                    [
                        "village_id",
                        "year",
                        "service_id",
                        "source",
                        "value",
                        "note",
                        "entered_at",
                        "is_of_record",
                    ],
                    chunks(),
                    freeze=True,
                )
        print(
            f"  {'  + rebuild its ' + str(rebuilt['count']) + ' indexes':<52} {'':>12} "
            f"{rebuilt['seconds']:>9.1f}"
        )


def load_reports_and_values(
    plan_rows: list[tuple[int, list[int]]], targets: dict[int, list[tuple[int, int]]]
) -> None:
    """12 approved reports per puskesmas, then a value per desa x service x month, by COPY."""
    setup = reporting_year(YEAR)
    tz = datetime.UTC

    def report_chunks():
        lines = []
        for puskesmas_id, _villages in plan_rows:
            for month in range(1, 13):
                due = setup.due_on(month)
                late = (puskesmas_id * 31 + month * 17) % 100 < 12
                submitted = datetime.datetime.combine(
                    due
                    + datetime.timedelta(
                        days=(puskesmas_id + month) % 9 + 1
                        if late
                        else -((puskesmas_id + month) % 8) - 1
                    ),
                    datetime.time(9, 30),
                    tzinfo=tz,
                )
                decided = submitted + datetime.timedelta(days=3)
                lines.append(
                    f"{puskesmas_id},{YEAR},{month},approved,1,{due.isoformat()},"
                    f"{submitted.isoformat()},{decided.isoformat()},{submitted.isoformat()},"
                    f'{submitted.isoformat()},{decided.isoformat()},""\n'
                )
        yield "".join(lines), len(lines)

    def value_chunks(report_ids):
        lines = []
        for puskesmas_id, villages in plan_rows:
            for month in range(1, 13):
                report_id = report_ids[puskesmas_id, month]
                stamp = f"{YEAR}-{month:02d}-28 10:00:00+00"
                for village_id in villages:
                    h = village_id * 2654435761 + month * 40503
                    for service_id, target in targets[village_id]:
                        h = (h * 1103515245 + 12345) & 0x7FFFFFFF
                        r = h % 100_000
                        if r < 300:  # 0.3 %: not reported (empty is not zero)
                            value = ""
                        else:  # 55-110 % of the monthly pace, dithered to whole people
                            value = (target * (55 + r % 56) + r % 1200) // 1200
                        lines.append(f'{report_id},{village_id},{service_id},{value},"",{stamp}\n')
                if len(lines) >= 100_000:
                    yield "".join(lines), len(lines)
                    lines = []
        yield "".join(lines), len(lines)

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {table(MonthlyReport)} CASCADE")  # and its values
        cursor.execute("SET LOCAL session_replication_role = replica")  # no per-row FK triggers
        with timed("approved monthly reports (COPY)") as box:
            box["rows"] = copy_rows(
                cursor,
                MonthlyReport,
                [
                    "puskesmas_id",
                    "year",
                    "month",
                    "status",
                    "version",
                    "due_on",
                    "created_at",
                    "updated_at",
                    "submitted_at",
                    "first_submitted_at",
                    "decided_at",
                    "return_reason",
                ],
                report_chunks(),
            )
        cursor.execute(f"SELECT puskesmas_id, month, id FROM {table(MonthlyReport)}")
        report_ids = {(p, m): i for p, m, i in cursor.fetchall()}
        with without_secondary_indexes(cursor, MonthlyValue) as rebuilt:
            with timed("monthly values (generated CSV, COPY FREEZE)") as box:
                box["rows"] = copy_rows(
                    cursor,
                    MonthlyValue,
                    ["report_id", "village_id", "service_id", "value", "comment", "updated_at"],
                    value_chunks(report_ids),
                    freeze=True,
                )
        print(
            f"  {'  + rebuild its ' + str(rebuilt['count']) + ' indexes':<52} {'':>12} "
            f"{rebuilt['seconds']:>9.1f}"
        )


def quality_items() -> list[tuple[int, int, str, float]]:
    """(id, service id, basis, quantity) of the active checklist items of the year's monthly
    services (migration 0021 loads an unverified checklist for every edition)."""
    return list(
        QualityItem.objects.filter(
            service__edition__years__year=YEAR,
            service__level=SPMService.Level.DISTRICT,
            service__is_reported_monthly=True,
            is_active=True,
        )
        .order_by("service__number", "order", "pk")
        .values_list("id", "service_id", "basis", "quantity")
    )


def load_quality(plan_rows: list[tuple[int, list[int]]], targets) -> None:
    """An approved quality report per puskesmas for each of QUALITY_QUARTERS, then a value per
    report x active item: needed from the puskesmas's target (per person), 1 (per puskesmas) or
    its desa (per desa) x the item's quantity; available 40-115 % of it, 0.5 % left blank."""
    items = quality_items()
    tz = datetime.UTC

    def report_chunks():
        lines = []
        for puskesmas_id, _villages in plan_rows:
            for quarter in QUALITY_QUARTERS:
                submitted = datetime.datetime(YEAR, 3 * quarter, 25, 9, 0, tzinfo=tz)
                decided = submitted + datetime.timedelta(days=4)
                lines.append(
                    f"{puskesmas_id},{YEAR},{quarter},approved,1,{submitted.isoformat()},"
                    f'{submitted.isoformat()},{decided.isoformat()},{decided.isoformat()},""\n'
                )
        yield "".join(lines), len(lines)

    def value_chunks(report_ids):
        lines = []
        for puskesmas_id, villages in plan_rows:
            people = defaultdict(int)
            for village_id in villages:
                for service_id, target in targets[village_id]:
                    people[service_id] += target
            for quarter in QUALITY_QUARTERS:
                report_id = report_ids[puskesmas_id, quarter]
                h = puskesmas_id * 2654435761 + quarter * 40503
                for item_id, service_id, basis, quantity in items:
                    h = (h * 1103515245 + 12345) & 0x7FFFFFFF
                    base = {"per_person": people[service_id], "per_village": len(villages)}
                    needed = round(float(quantity) * base.get(basis, 1), 2)
                    r = h % 100_000
                    available = "" if r < 500 else round(needed * (40 + r % 76) / 100, 2)
                    lines.append(f'{report_id},{item_id},{needed},{available},"",1\n')
                if len(lines) >= 100_000:
                    yield "".join(lines), len(lines)
                    lines = []
        yield "".join(lines), len(lines)

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {table(QualityReport)} CASCADE")  # and its values
        cursor.execute("SET LOCAL session_replication_role = replica")  # no per-row FK triggers
        with timed("approved quality reports (COPY)") as box:
            box["rows"] = copy_rows(
                cursor,
                QualityReport,
                [
                    "puskesmas_id",
                    "year",
                    "quarter",
                    "status",
                    "version",
                    "created_at",
                    "submitted_at",
                    "decided_at",
                    "updated_at",
                    "return_reason",
                ],
                report_chunks(),
            )
        cursor.execute(f"SELECT puskesmas_id, quarter, id FROM {table(QualityReport)}")
        report_ids = {(p, q): i for p, q, i in cursor.fetchall()}
        with without_secondary_indexes(cursor, QualityValue) as rebuilt:
            with timed(f"quality values, {len(items)} items a report (COPY FREEZE)") as box:
                box["rows"] = copy_rows(
                    cursor,
                    QualityValue,
                    ["report_id", "item_id", "needed", "available", "note", "version"],
                    value_chunks(report_ids),
                    freeze=True,
                )
        print(
            f"  {'  + rebuild its ' + str(rebuilt['count']) + ' indexes':<52} {'':>12} "
            f"{rebuilt['seconds']:>9.1f}"
        )


def setup_data(*, wilayah: Path, population: Path) -> dict:
    rule("1. Setup")
    print(f"  {'step':<52} {'rows':>12} {'seconds':>9} {'rows/s':>12}")
    wanted = file_region_counts(wilayah)
    if db_region_counts() != wanted:
        if Puskesmas.objects.exists():
            clear_organisation()
        with timed("regions (regions_import_file)") as box:
            summary = regions_import_file(path=wilayah, population_path=population, year=YEAR)
            box["rows"] = sum(
                sum(summary[k].values())
                for k in ("provinces", "districts", "subdistricts", "villages")
            )
    else:
        print("  regions: already imported")
    print("  regions: " + ", ".join(f"{v:,} {k}" for k, v in db_region_counts().items()))

    services = monthly_services(YEAR)
    plan = puskesmas_plan()
    expected = expected_counts(plan, len(services))
    # A benchmark interrupted in step 4 may have left a report submitted: approve it again.
    MonthlyReport.objects.filter(year=YEAR).exclude(status=MonthlyReport.Status.APPROVED).update(
        status=MonthlyReport.Status.APPROVED
    )
    QualityReport.objects.filter(year=YEAR).exclude(status=QualityReport.Status.APPROVED).update(
        status=QualityReport.Status.APPROVED
    )
    have = current_counts()
    loaded = False
    if (have["puskesmas"], have["villages with a puskesmas"]) != (
        expected["puskesmas"],
        expected["villages with a puskesmas"],
    ):
        if have["puskesmas"]:
            clear_organisation()
        load_puskesmas(plan)
        loaded = True
    plan_rows = list(
        zip(
            Puskesmas.objects.order_by("code").values_list("id", flat=True),
            [p["villages"] for p in sorted(plan, key=lambda p: p["code"])],
            strict=True,
        )
    )
    have = current_counts()
    targets = None
    if have["targets of record"] != expected["targets of record"]:
        targets = village_targets(services)
        load_targets(targets)
        loaded = True

    def stored_targets():
        found = defaultdict(list)
        for village_id, service_id, value in (
            Target.objects.filter(year=YEAR, is_of_record=True)
            .order_by("village_id", "service__number")
            .values_list("village_id", "service_id", "value")
        ):
            found[village_id].append((service_id, value))
        return found

    if (have["approved reports"], have["monthly values"]) != (
        expected["approved reports"],
        expected["monthly values"],
    ) or loaded:
        targets = targets or stored_targets()
        load_reports_and_values(plan_rows, targets)
        loaded = True
    if (have["approved quality reports"], have["quality values"]) != (
        expected["approved quality reports"],
        expected["quality values"],
    ) or loaded:
        load_quality(plan_rows, targets or stored_targets())
        loaded = True
    if loaded:
        with timed("VACUUM ANALYZE"), connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    have = current_counts()
    for key, value in have.items():
        mark = "" if value == expected[key] else f"  (expected {expected[key]:,})"
        print(f"  {key}: {value:,}{mark}")
    if not loaded:
        print("  (all already loaded: nothing written; --reload rebuilds the database)")
    if have != expected:
        sys.exit("The scratch database does not hold the expected data; run with --reload.")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        print(f"  database size: {cursor.fetchone()[0]}")
    return expected


# --- Statement timing ---------------------------------------------------------------------------


class StatementLog:
    """Times every statement on Django's connection (`connection.execute_wrapper`)."""

    def __init__(self) -> None:
        self.rows: list[tuple[str, float, str, tuple]] = []

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.rows.append((label(sql, params), time.perf_counter() - started, sql, params))

    def total(self) -> float:
        return sum(row[1] for row in self.rows)

    def summary(self, top: int = 8) -> list[tuple[str, float, int]]:
        grouped: dict[str, list[float]] = defaultdict(list)
        for name, seconds, _sql, _params in self.rows:
            grouped[name].append(seconds)
        out = [(name, sum(times), len(times)) for name, times in grouped.items()]
        return sorted(out, key=lambda row: -row[1])[:top]


def label(sql: str, params) -> str:
    text = " ".join(sql.split())
    verb = re.match(r"(\w+)", text)
    verb = verb.group(1).upper() if verb else "?"
    if verb == "SAVEPOINT" or verb == "RELEASE":
        return verb
    target = re.search(r'(?:TABLE|INTO|FROM|UPDATE)\s+"?(\w+)"?', text)
    name = target.group(1).replace("indicators_", "") if target else "?"
    levels = [p for p in (params or ()) if p in ("puskesmas", "district", "province")]
    if not levels or verb not in ("INSERT", "SELECT", "MERGE"):
        return f"{verb} {name}"
    # A MERGE names the level it reads first and the level it writes last.
    return f"{verb} {name} [{levels[-1] if verb == 'MERGE' else levels[0]}]"


# --- 2. The job ---------------------------------------------------------------------------------


@contextmanager
def timed_commits():
    """Time each COMMIT on Django's connection (deferred foreign-key checks run there)."""
    commits: list[float] = []
    original = connection._commit

    def commit():
        started = time.perf_counter()
        try:
            return original()
        finally:
            commits.append(time.perf_counter() - started)

    connection._commit = commit
    try:
        yield commits
    finally:
        del connection._commit


def vacuum_achievement_tables() -> float:
    """VACUUM ANALYZE what the job rewrites: autovacuum is off on the benchmark server, and in
    production it keeps these tables' statistics and dead rows in check between runs."""
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            f"VACUUM ANALYZE {table(Achievement)}, {table(ReportingRate)}, {table(AggregationRun)}"
        )
    return time.perf_counter() - started


def run_job() -> tuple[list[float], StatementLog]:
    rule(f"2. Whole-country aggregation {YEAR} Q{QUARTER} through the job (aggregate_quarter)")
    with connection.cursor() as cursor:
        cursor.execute(
            f"TRUNCATE {table(Achievement)}, {table(ReportingRate)}, {table(AggregationRun)}"
        )
    print(f"  load average {load()}")
    print(
        f"  {'run':<16} {'seconds':>8} {'achievement rows':>17} {'reporting-rate rows':>20} "
        f"{'reports used':>13} {'commit s':>9} {'then VACUUM ANALYZE s':>22}"
    )
    seconds, log = [], None
    for number in range(1, JOB_RUNS + 1):
        run = AggregationRun.objects.create(year=YEAR, quarter=QUARTER)
        log = StatementLog()
        with connection.execute_wrapper(log), timed_commits() as commits:
            started = time.perf_counter()
            aggregate_quarter(run.pk)  # the Celery task, in-process
            seconds.append(time.perf_counter() - started)
        run.refresh_from_db()
        if run.status != AggregationRun.Status.DONE:
            sys.exit(f"The run failed: {run.error}")
        achievements = Achievement.objects.filter(run=run).count()
        rates = ReportingRate.objects.filter(run=run).count()
        vacuum = vacuum_achievement_tables()
        what = "first (empty)" if number == 1 else "re-run"
        print(
            f"  {number} {what:<14} {seconds[-1]:>8.2f} {achievements:>17,} {rates:>20,} "
            f"{run.approved_reports:>13,} {sum(commits):>9.2f} {vacuum:>22.2f}"
        )
    print(f"  best {min(seconds):.2f} s, median {statistics.median(seconds):.2f} s")
    sql = log.total()
    print(
        f"  where the last run spent its {seconds[-1]:.2f} s: SQL statements {sql:.2f} s, COMMIT "
        f"(deferred foreign-key checks) {sum(commits):.2f} s, the rest (Python, progress "
        f"connection) {seconds[-1] - sql - sum(commits):.2f} s"
    )
    for name, spent, count in log.summary():
        print(f"    {name:<48} {spent:>8.2f} s  x{count}")
    explain_parallel_step()
    return seconds, log


def achievement_indexes() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FROM pg_index WHERE indrelid = %s::regclass",
            [Achievement._meta.db_table],
        )
        return cursor.fetchone()[0]


def explain_parallel_step() -> None:
    """Whether the job's CREATE TEMP TABLE ... AS (the national sum) runs on parallel workers:
    the job runs once more in a transaction that is rolled back, with that statement under
    EXPLAIN ANALYZE (not counted in the timings above)."""
    plans: list[str] = []

    def explain(execute, sql, params, many, context):
        if not sql.lstrip().upper().startswith("CREATE TEMP TABLE"):
            return execute(sql, params, many, context)
        context["cursor"].execute("EXPLAIN (ANALYZE, COSTS OFF) " + sql, params)
        plans.extend(line for (line,) in context["cursor"].fetchall())
        return None  # EXPLAIN ANALYZE created the table

    with transaction.atomic(), connection.execute_wrapper(explain):
        quarter_aggregate(year=YEAR, quarter=QUARTER)
        transaction.set_rollback(True)
    workers = [line.strip() for line in plans if "Workers" in line]
    total = next((line.strip() for line in plans if "Execution Time" in line), "")
    print(
        "  the job's CREATE TEMP TABLE ... AS under EXPLAIN ANALYZE (rolled back): "
        + (", ".join(workers) or "no parallel workers")
        + (f"; {total}" if total else "")
    )


# --- 2b. The quality part (issue #16) ------------------------------------------------------------

# The aggregation's quality subqueries replaced by empty relations: the job as it was before the
# quality part (the index expression stays: it is arithmetic on the row).
NO_PUSKESMAS_QUALITY = (
    "SELECT CAST(NULL AS BIGINT) AS puskesmas_id, CAST(NULL AS BIGINT) AS service_id, "
    "CAST(NULL AS NUMERIC) AS quality WHERE 1 = 0"
)
NO_AREA_QUALITY = NO_PUSKESMAS_QUALITY.replace("AS puskesmas_id", "AS area_id")


@contextmanager
def quality_part_off():
    names = ("puskesmas_quality", "area_quality", "_write_quality_sums")
    saved = [getattr(aggregation, name) for name in names]
    aggregation.puskesmas_quality = lambda **kwargs: (NO_PUSKESMAS_QUALITY, [])
    aggregation.area_quality = lambda **kwargs: (NO_AREA_QUALITY, [])
    aggregation._write_quality_sums = lambda run, **kwargs: None
    try:
        yield
    finally:
        for name, function in zip(names, saved, strict=True):
            setattr(aggregation, name, function)


def timed_job() -> tuple[float, StatementLog]:
    run = AggregationRun.objects.create(year=YEAR, quarter=QUARTER)
    log = StatementLog()
    with connection.execute_wrapper(log):
        started = time.perf_counter()
        aggregate_quarter(run.pk)
        seconds = time.perf_counter() - started
    run.refresh_from_db()
    if run.status != AggregationRun.Status.DONE:
        sys.exit(f"The run failed: {run.error}")
    vacuum_achievement_tables()
    return seconds, log


def quality_floor_sql(edition_id: int) -> tuple[str, list]:
    """Every level's quality of the quarter in one hand-written statement: needed and available
    summed per item with GROUPING SETS (a puskesmas has one report, so its sums are its values),
    then the weighted share met per service."""
    sql = f"""
        WITH v AS (
            SELECT d.province_id, p.district_id, qr.puskesmas_id, qv.item_id, qv.needed,
                COALESCE(qv.available, 0) AS available
            FROM {table(QualityValue)} qv
            JOIN {table(QualityReport)} qr ON qr.id = qv.report_id
            JOIN {table(Puskesmas)} p ON p.id = qr.puskesmas_id
            JOIN {table(District)} d ON d.id = p.district_id
            WHERE qr.year = %s AND qr.quarter = %s AND qr.status = 'approved'
        ), x AS (
            SELECT CASE WHEN GROUPING(puskesmas_id) = 0 THEN 'puskesmas'
                        WHEN GROUPING(district_id) = 0 THEN 'district' ELSE 'province' END AS level,
                COALESCE(puskesmas_id, district_id, province_id) AS area_id, item_id,
                SUM(needed) AS needed, SUM(available) AS available
            FROM v
            GROUP BY GROUPING SETS ((province_id, district_id, puskesmas_id, item_id),
                                    (province_id, district_id, item_id), (province_id, item_id))
        )
        SELECT x.level, x.area_id, i.service_id,
            ROUND(100.0 * SUM(i.weight * CASE WHEN x.available >= x.needed THEN 1.0
                                              ELSE 1.0 * x.available / x.needed END)
                  / NULLIF(SUM(i.weight), 0), 2) AS quality
        FROM x JOIN {table(QualityItem)} i ON i.id = x.item_id
        JOIN {table(SPMService)} s ON s.id = i.service_id
        WHERE i.is_active AND x.needed > 0 AND s.edition_id = %s AND s.level = 'district'
            AND s.is_reported_monthly
        GROUP BY x.level, x.area_id, i.service_id
    """
    return sql, [YEAR, QUARTER, edition_id]


def run_quality_cost(job_seconds: list[float]) -> float:
    """Prints the quality part's cost; returns the job's median without it (the floor of
    section 3 computes no quality)."""
    rule(f"2b. The quality part (issue #16): the job with and without it, {YEAR} Q{QUARTER}")
    print(f"  load average {load()}")
    reports = QualityReport.objects.filter(year=YEAR, quarter=QUARTER, status="approved").count()
    values = QualityValue.objects.filter(report__year=YEAR, report__quarter=QUARTER).count()
    print(
        f"  scale: national ({Puskesmas.objects.count():,} puskesmas); the quarter's approved "
        f"quality reports {reports:,} with {values:,} values "
        f"({QualityValue.objects.count():,} values in all, quarters {QUALITY_QUARTERS})"
    )
    print(f"  re-runs of the job, alternately without and with the quality part ({JOB_RUNS} each):")
    without, with_quality, logs = [], [], {}
    for _ in range(JOB_RUNS):
        with quality_part_off():
            seconds, logs["without"] = timed_job()
        without.append(seconds)
        seconds, logs["with"] = timed_job()
        with_quality.append(seconds)
    print("    without: " + ", ".join(f"{s:.2f}" for s in without) + " s")
    print("    with:    " + ", ".join(f"{s:.2f}" for s in with_quality) + " s")
    median_without, median_with = statistics.median(without), statistics.median(with_quality)
    print(
        f"  median without {median_without:.2f} s, with {median_with:.2f} s: the quality part "
        f"adds {median_with - median_without:.2f} s, ratio with / without "
        f"{median_with / median_without:.2f} (best / best {min(with_quality) / min(without):.2f})"
    )
    print(
        "  (section 2's three runs, with the quality part: "
        + ", ".join(f"{s:.2f}" for s in job_seconds)
        + " s)"
    )
    print("  the last run of each, statement by statement:")
    print(f"    {'statement':<48} {'without s':>10} {'with s':>8}")
    spent = {
        key: dict((name, t) for name, t, _n in log.summary(top=30)) for key, log in logs.items()
    }
    names = sorted(
        set(spent["with"]) | set(spent["without"]), key=lambda n: -spent["with"].get(n, 0)
    )
    for name in names[:10]:
        before, after = spent["without"].get(name, 0), spent["with"].get(name, 0)
        print(f"    {name:<48} {before:>10.2f} {after:>8.2f}")
    with connection.cursor() as cursor:
        select, params = quality_floor_sql(reporting_year(YEAR).edition_id)
        started = time.perf_counter()
        cursor.execute("DROP TABLE IF EXISTS bench_quality_floor")
        cursor.execute("CREATE TEMP TABLE bench_quality_floor AS " + select, params)
        floor_seconds = time.perf_counter() - started
        cursor.execute(
            "SELECT level, COUNT(*), SUM(quality) FROM bench_quality_floor "
            "WHERE quality IS NOT NULL GROUP BY level ORDER BY level"
        )
        floor = cursor.fetchall()
        stored = (
            f"(SELECT level, area_id, service_id, quality FROM {table(Achievement)} "
            f"WHERE year = {YEAR} AND quarter = {QUARTER} AND quality IS NOT NULL) a"
        )
        cursor.execute(
            f"SELECT level, COUNT(*), SUM(quality) FROM {stored} GROUP BY level ORDER BY level"
        )
        job = cursor.fetchall()
        columns = "level, area_id, service_id, quality"
        cursor.execute(f"""
            SELECT COUNT(*) FROM (
                (SELECT {columns} FROM bench_quality_floor WHERE quality IS NOT NULL
                 EXCEPT SELECT {columns} FROM {stored})
                UNION ALL
                (SELECT {columns} FROM {stored}
                 EXCEPT SELECT {columns} FROM bench_quality_floor WHERE quality IS NOT NULL)
            ) differ
        """)
        differ = cursor.fetchone()[0]
    print(
        f"  the quality floor: every level's quality from one hand-written statement "
        f"(GROUPING SETS over the values): {floor_seconds:.2f} s"
    )
    print(f"  {'level':<10} {'rows with quality':>18} {'sum of quality %':>18}")
    for name, rows in (("floor", floor), ("job", job)):
        for level, count, total in rows:
            print(f"  {level:<10} {count:>18,} {total:>18,}   ({name})")
    verdict = "match" if floor == job and differ == 0 else f"DIFFER: {differ:,} rows differ"
    print(f"  quality floor vs job: {verdict}")
    return median_without


# --- 3. The floor -------------------------------------------------------------------------------


def floor_sql(edition_id: int) -> tuple[str, list]:
    """The floor's SELECT: every level's rows for the quarter in one statement."""
    first, last = 3 * QUARTER - 2, 3 * QUARTER
    sql = f"""
        WITH v AS (
            SELECT r.puskesmas_id, mv.service_id,
                SUM(CASE WHEN r.month >= %s THEN mv.value ELSE 0 END) AS served_quarter,
                SUM(mv.value) AS served_ytd
            FROM {table(MonthlyValue)} mv
            JOIN {table(MonthlyReport)} r ON r.id = mv.report_id
            WHERE r.year = %s AND r.month <= %s AND r.status IN ('approved', 'locked')
            GROUP BY r.puskesmas_id, mv.service_id
        ), t AS (
            SELECT vl.puskesmas_id, tg.service_id, SUM(tg.value) AS target
            FROM {table(Target)} tg
            JOIN {table(Village)} vl ON vl.id = tg.village_id
            WHERE tg.year = %s AND tg.is_of_record
            GROUP BY vl.puskesmas_id, tg.service_id
        ), base AS (
            SELECT d.province_id, p.district_id, p.id AS puskesmas_id, s.id AS service_id,
                COALESCE(v.served_quarter, 0) AS served_quarter,
                COALESCE(v.served_ytd, 0) AS served_ytd, t.target
            FROM {table(Puskesmas)} p
            JOIN {table(District)} d ON d.id = p.district_id
            CROSS JOIN {table(SPMService)} s
            LEFT JOIN v ON v.puskesmas_id = p.id AND v.service_id = s.id
            LEFT JOIN t ON t.puskesmas_id = p.id AND t.service_id = s.id
            WHERE s.edition_id = %s AND s.level = 'district' AND s.is_reported_monthly
        )
        SELECT CASE WHEN GROUPING(puskesmas_id) = 0 THEN 'puskesmas'
                    WHEN GROUPING(district_id) = 0 THEN 'district' ELSE 'province' END AS level,
            province_id, district_id, puskesmas_id,
            COALESCE(puskesmas_id, district_id, province_id) AS area_id, service_id,
            SUM(served_quarter) AS served_quarter, SUM(served_ytd) AS served_ytd,
            SUM(target) AS target,
            CASE WHEN SUM(target) > 0
                 THEN ROUND(100.0 * SUM(served_ytd) / SUM(target), 2) END AS achievement
        FROM base
        GROUP BY GROUPING SETS ((province_id, district_id, puskesmas_id, service_id),
                                (province_id, district_id, service_id),
                                (province_id, service_id))
    """
    return sql, [first, YEAR, last, YEAR, edition_id]


CHECKSUM = """
    SELECT level, COUNT(*), SUM(served_quarter), SUM(served_ytd), SUM(target), SUM(achievement)
    FROM {source} GROUP BY level ORDER BY level
"""


def compare_with_floor(cursor, *, source: str) -> tuple[list, list, int]:
    cursor.execute(CHECKSUM.format(source="bench_floor"))
    floor = cursor.fetchall()
    cursor.execute(CHECKSUM.format(source=source))
    job = cursor.fetchall()
    columns = "level, area_id, service_id, served_quarter, served_ytd, target, achievement"
    cursor.execute(f"""
        SELECT COUNT(*) FROM (
            (SELECT {columns} FROM bench_floor EXCEPT SELECT {columns} FROM {source})
            UNION ALL
            (SELECT {columns} FROM {source} EXCEPT SELECT {columns} FROM bench_floor)
        ) differ
    """)
    return floor, job, cursor.fetchone()[0]


def current_achievements() -> str:
    return f"(SELECT * FROM {table(Achievement)} WHERE year = {YEAR} AND quarter = {QUARTER}) a"


def run_floor(job_seconds: list[float], without_quality: float | None = None) -> None:
    rule("3. The floor: the same figures from one hand-written SQL statement")
    print(f"  load average {load()}")
    select, params = floor_sql(reporting_year(YEAR).edition_id)
    seconds = []
    with connection.cursor() as cursor:
        for _ in range(FLOOR_RUNS):
            cursor.execute("DROP TABLE IF EXISTS bench_floor")
            started = time.perf_counter()
            cursor.execute("CREATE TEMP TABLE bench_floor AS " + select, params)
            seconds.append(time.perf_counter() - started)
        cursor.execute("SELECT COUNT(*) FROM bench_floor")
        rows = cursor.fetchone()[0]
    print(
        "  (a) CREATE TEMP TABLE ... AS WITH (values x approved reports), (targets x desa) ... "
        "GROUP BY GROUPING SETS (puskesmas, district, province)"
    )
    print(
        "      runs: "
        + ", ".join(f"{s:.2f} s" for s in seconds)
        + f"; best {min(seconds):.2f} s; {rows:,} rows"
    )
    best_job, median_job = min(job_seconds), statistics.median(job_seconds)
    print(
        f"      ratio job / floor: {median_job / min(seconds):.2f} (job median / floor best), "
        f"{best_job / min(seconds):.2f} (best / best); target <= 1.5"
    )
    if without_quality is not None:  # the floor computes people served only, as before #16
        print(
            f"      ratio job without the quality part (2b) / floor: "
            f"{without_quality / min(seconds):.2f} (median / floor best)"
        )
    # The same statement written where the job writes: the achievement table with its indexes
    # (and any foreign keys, checked at commit; here forced with SET CONSTRAINTS), rolled back.
    columns = (
        "run_id, year, quarter, level, province_id, district_id, puskesmas_id, area_id, "
        "service_id, served_quarter, served_ytd, target, achievement"
    )
    run_id = AggregationRun.objects.order_by("-pk").values_list("pk", flat=True).first()
    inserts, checks = [], []
    for _ in range(FLOOR_RUNS):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {table(Achievement)} WHERE year = %s AND quarter = %s",
                [YEAR, QUARTER],
            )
            started = time.perf_counter()
            cursor.execute(
                f"INSERT INTO {table(Achievement)} ({columns}) "
                f"SELECT %s, %s, %s, {columns.split(', ', 3)[3]} FROM ({select}) floor",
                [run_id, YEAR, QUARTER, *params],
            )
            inserted = time.perf_counter()
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            checked = time.perf_counter()
            inserts.append(inserted - started)
            checks.append(checked - inserted)
            transaction.set_rollback(True)
    totals = [i + c for i, c in zip(inserts, checks, strict=True)]
    best = totals.index(min(totals))
    print(
        f"  (b) the same statement as INSERT INTO the achievement table ({achievement_indexes()}"
        " indexes; foreign keys checked), rolled back"
    )
    print(
        "      runs: "
        + ", ".join(f"{i:.2f} + {c:.2f} s" for i, c in zip(inserts, checks, strict=True))
        + f" (insert + foreign-key checks); best {totals[best]:.2f} s"
    )
    print(
        f"      ratio job / (b): {median_job / totals[best]:.2f} (job median / best), "
        f"{best_job / totals[best]:.2f} (best / best); (b) - (a) = "
        f"{totals[best] - min(seconds):.2f} s is the cost of writing the rows where the job does"
    )
    with connection.cursor() as cursor:
        floor, job, differ = compare_with_floor(cursor, source=current_achievements())
    print_checksums(floor, job, differ, what="job")


def load() -> str:
    return ", ".join(f"{value:.1f}" for value in os.getloadavg()) + " (1, 5, 15 min)"


def print_checksums(floor, job, differ, *, what: str) -> None:
    print(
        f"  {'level':<10} {'rows':>8} {'served_quarter':>16} {'served_ytd':>16} "
        f"{'target':>16} {'sum of achievement %':>22}"
    )
    for name, rows in (("floor", floor), (what, job)):
        for level, count, quarter, ytd, target, achievement in rows:
            print(
                f"  {level:<10} {count:>8,} {quarter:>16,} {ytd:>16,} {target:>16,} "
                f"{achievement:>22,}   ({name})"
            )
    if floor == job and differ == 0:
        print(f"  floor vs {what}: match (checksums per level and every row equal)")
    else:
        print(f"  floor vs {what}: DIFFER: {differ:,} rows differ")


# --- 4. Incremental refresh ---------------------------------------------------------------------


def run_refresh() -> None:
    rule(
        f"4. Incremental refresh after one puskesmas's approval (achievement_refresh, "
        f"month {REFRESH_MONTH})"
    )
    print(f"  load average {load()}")
    quarters = sorted(
        set(
            Achievement.objects.filter(year=YEAR)
            .order_by()
            .values_list("quarter", flat=True)
            .distinct()
        )
    )
    print(
        f"  quarters of {YEAR} with rows: {quarters} (the refresh rebuilds those >= "
        f"Q{(REFRESH_MONTH - 1) // 3 + 1})"
    )
    puskesmas = biggest_district_puskesmas()
    report = MonthlyReport.objects.get(puskesmas=puskesmas, year=YEAR, month=REFRESH_MONTH)
    district = puskesmas.district
    siblings = Puskesmas.objects.filter(district=district).count()
    in_province = Puskesmas.objects.filter(district__province=district.province_id).count()
    print(
        f"  puskesmas {puskesmas.code} in {district.name} ({siblings} puskesmas), province "
        f"{district.province.name} ({in_province:,} puskesmas); report id {report.pk}"
    )
    timings = {"submitted": [], "approved": []}
    log = None
    for _ in range(REFRESH_RUNS):
        for status in ("submitted", "approved"):
            MonthlyReport.objects.filter(pk=report.pk).update(status=status)
            log = StatementLog()
            with connection.execute_wrapper(log):
                started = time.perf_counter()
                rebuilt = achievement_refresh(
                    puskesmas_id=puskesmas.pk, year=YEAR, month=REFRESH_MONTH
                )
                timings[status].append((time.perf_counter() - started) * 1000)
    for status, values in timings.items():
        print(
            f"  report {status:<9} -> refresh: median {statistics.median(values):7.1f} ms "
            f"(runs: {', '.join(f'{v:.0f}' for v in values)}), {rebuilt} quarter(s) rebuilt"
        )
    every = timings["submitted"] + timings["approved"]
    median = statistics.median(every)
    print(f"  median of all {len(every)}: {median:.1f} ms; target <= 100 ms")
    python = (every[-1] / 1000 - log.total()) * 1000
    print(
        f"  the last refresh, statement by statement (SQL {log.total() * 1000:.1f} ms, "
        f"Python/ORM outside SQL {python:.1f} ms):"
    )
    for name, spent, count in log.summary(top=12):
        print(f"    {name:<48} {spent * 1000:>8.1f} ms  x{count}")
    with connection.cursor() as cursor:
        floor, job, differ = compare_with_floor(cursor, source=current_achievements())
    print_checksums(floor, job, differ, what="refreshed")
    if median > 100:
        explain_slowest(log, puskesmas_id=puskesmas.pk)
    quality = QualityReport.objects.get(puskesmas=puskesmas, year=YEAR, quarter=QUARTER)
    timings = []
    for _ in range(REFRESH_RUNS):
        for status in ("submitted", "approved"):
            QualityReport.objects.filter(pk=quality.pk).update(status=status)
            log = StatementLog()
            with connection.execute_wrapper(log):
                started = time.perf_counter()
                quality_refresh(puskesmas_id=puskesmas.pk, year=YEAR, quarter=QUARTER)
                timings.append((time.perf_counter() - started) * 1000)
    print(
        f"  quality_refresh after its Q{QUARTER} quality report is reopened / approved again "
        f"(issue #16): median {statistics.median(timings):.1f} ms of {len(timings)} "
        f"(runs: {', '.join(f'{v:.0f}' for v in timings)}); target <= 100 ms"
    )
    for name, spent, count in log.summary(top=6):
        print(f"    {name:<48} {spent * 1000:>8.1f} ms  x{count}")


def biggest_district_puskesmas() -> Puskesmas:
    from django.db.models import Count

    district = District.objects.annotate(n=Count("puskesmas")).order_by("-n", "code").first()
    return (
        Puskesmas.objects.filter(district=district)
        .annotate(n=Count("villages"))
        .order_by("-n", "code")
        .select_related("district__province")
        .first()
    )


def explain_slowest(log: StatementLog, *, puskesmas_id: int, top: int = 3) -> None:
    """EXPLAIN ANALYZE the slowest statements of a refresh, each in its place: the refresh runs
    again inside a transaction that is rolled back, and those statements run under EXPLAIN."""
    slowest = sorted(log.rows, key=lambda row: -row[1])[:top]
    wanted = {name: seconds for name, seconds, _sql, _params in slowest}
    plans: dict[str, list[str]] = {}

    def explain(execute, sql, params, many, context):
        name = label(sql, params)
        if name not in wanted or name in plans or many:
            return execute(sql, params, many, context)
        cursor = context["cursor"]
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + sql, params)
        plans[name] = [line for (line,) in cursor.fetchall()]
        if sql.lstrip().upper().startswith("SELECT"):  # no side effect: run it for its rows
            return execute(sql, params, many, context)
        return None  # INSERT/DELETE/UPDATE already ran under EXPLAIN ANALYZE

    with transaction.atomic():
        with connection.execute_wrapper(explain):
            achievement_refresh(puskesmas_id=puskesmas_id, year=YEAR, month=REFRESH_MONTH)
        transaction.set_rollback(True)
    for name, seconds in wanted.items():
        plan = plans.get(name, ["(not seen again)"])
        print(f"  EXPLAIN ANALYZE, in place, of {name} ({seconds * 1000:.1f} ms in the timed run):")
        for line in plan[:24]:
            print(f"    {line}")
        if len(plan) > 24:
            print(f"    ... {len(plan) - 24} more lines; {plan[-1].strip()}")


# --- 5. Dashboards ------------------------------------------------------------------------------


def bench_users() -> list[tuple[str, User, User]]:
    """(role, user of a big area, user of a small area) for each role."""
    from django.db.models import Count

    provinces = Province.objects.annotate(n=Count("districts__puskesmas")).order_by("-n", "code")
    districts = District.objects.annotate(n=Count("puskesmas")).order_by("-n", "code")
    puskesmas = Puskesmas.objects.annotate(n=Count("villages")).order_by("-n", "code")
    big_district = districts.first()
    heads = puskesmas.filter(district=big_district)
    areas = [
        (
            "province reviewer",
            User.Role.PROVINCE_REVIEWER,
            "province",
            provinces.first(),
            provinces.last(),
        ),
        (
            "district planner",
            User.Role.DISTRICT_PLANNER,
            "district",
            big_district,
            districts.last(),
        ),
        ("puskesmas head", User.Role.PUSKESMAS_HEAD, "puskesmas", heads.first(), puskesmas.last()),
    ]
    out = []
    for name, role, field, big, small in areas:
        users = []
        for size, area in (("big", big), ("small", small)):
            user, _ = User.objects.update_or_create(
                username=f"{USER_PREFIX}{role}-{size}",
                defaults={
                    "role": role,
                    "province": None,
                    "district": None,
                    "puskesmas": None,
                    field: area,
                },
            )
            users.append(user)
        out.append((name, *users))
    return out


def area_text(user: User) -> str:
    area = user.area
    if isinstance(area, Province):
        n = Puskesmas.objects.filter(district__province=area).count()
        return f"{area.name}: {area.districts.count()} districts, {n:,} puskesmas"
    if isinstance(area, District):
        return f"{area.name}: {area.puskesmas.count()} puskesmas"
    return f"{area.name}: {area.villages.count()} desa"


def time_page(client: Client, url: str):
    """(timings in ms, status, the queries of one more request, bytes of that response)."""
    for _ in range(WARM_UP):
        response = client.get(url)
        if response.status_code != 200:
            return [], response.status_code, [], 0
    timings = []
    for _ in range(REQUESTS):
        started = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return timings, response.status_code, list(queries.captured_queries), len(response.content)


def explain_queries(queries: list[dict], top: int = 3) -> None:
    """The slowest queries of one request, and the plan of the slowest (a SELECT)."""
    slowest = sorted(queries, key=lambda q: -float(q["time"]))[:top]
    for query in slowest:
        text = " ".join(query["sql"].split())
        print(f"      {float(query['time']) * 1000:7.1f} ms  {text[:150]}...")
    sql = slowest[0]["sql"]
    if not sql.lstrip().upper().startswith("SELECT"):
        return
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + sql)
        plan = [line for (line,) in cursor.fetchall()]
    print("      EXPLAIN ANALYZE of the slowest:")
    for line in plan[:30]:
        print(f"        {line}")
    if len(plan) > 30:
        print(f"        ... {len(plan) - 30} more lines; {plan[-1].strip()}")


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * len(ordered)) - 1)]


def query_count(user: User, url: str) -> tuple[int, int]:
    client = Client()
    client.force_login(user)
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return len(queries), response.status_code


def run_dashboards() -> None:
    rule("5. Dashboards: server time over the test client, DEBUG off")
    print(f"  load average {load()}")
    period = f"?year={YEAR}&quarter={QUARTER}"
    users = bench_users()
    try:
        pages = [("indicators:dashboard", lambda user: reverse("indicators:dashboard"))]
        print(f"  indicators:dashboard exists; each role opens its own dashboard{period}")
    except NoReverseMatch:
        print(
            "  indicators:dashboard does not exist yet: timing indicators:report-list and "
            "indicators:quarterly-detail (the user's district) instead"
        )
        pages = [
            ("indicators:report-list", lambda user: reverse("indicators:report-list")),
            (
                "indicators:quarterly-detail",
                lambda user: reverse(
                    "indicators:quarterly-detail",
                    args=[
                        user.district_id
                        or (
                            user.puskesmas.district_id
                            if user.puskesmas_id
                            else District.objects.filter(province=user.province_id).first().pk
                        )
                    ],
                ),
            ),
        ]
    print(
        f"  {WARM_UP} warm-up requests, then {REQUESTS} timed; queries counted on one more; "
        "'small area' is the same role on the smallest area"
    )
    print(
        f"  {'role':<18} {'page':<28} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8} "
        f"{'small area':>11} {'KB':>6}  area"
    )
    slow = []
    for name, big, small in users:
        for page, url_of in pages:
            url = url_of(big) + period
            client = Client()
            client.force_login(big)
            timings, status, captured, size = time_page(client, url)
            queries = len(captured)
            if status != 200:
                print(f"  {name:<18} {page:<28} answered {status}")
                continue
            small_queries, _ = query_count(small, url_of(small) + period)
            print(
                f"  {name:<18} {page:<28} {statistics.median(timings):>8.1f} "
                f"{p95(timings):>8.1f} {queries:>8} {small_queries:>11} {size / 1024:>6.0f}  "
                f"{area_text(big)}"
            )
            sql_ms = sum(float(q["time"]) for q in captured) * 1000
            print(f"  {'':<18} {'':<28} SQL {sql_ms:.1f} ms of one request; the rest is Python")
            if p95(timings) > 150:
                slow.append((name, page, captured))
    print("  target: p95 <= 150 ms; query count the same for a big and a small area")
    for name, page, captured in slow:
        print(f"  {name}, {page}: over target; its slowest queries:")
        explain_queries(captured)


# --- Main ---------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--reload", action="store_true", help="drop the scratch database and load everything again"
    )
    parser.add_argument("--file", type=Path, default=SHARED / "wilayah_2025.csv")
    parser.add_argument("--population", type=Path, default=SHARED / "penduduk_2025.csv")
    parser.add_argument("--skip-dashboards", action="store_true")
    args = parser.parse_args()
    settings.DEBUG = False
    if "testserver" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    started = time.perf_counter()
    prepare_database(reload=args.reload)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('server_version'), current_setting('jit'), "
            "current_setting('work_mem'), current_setting('shared_buffers'), "
            "current_setting('max_parallel_workers_per_gather')"
        )
        version, jit, work_mem, buffers, workers = cursor.fetchone()
    print(
        f"Database: {describe_database()} (PostgreSQL {version}; jit {jit}, work_mem {work_mem}, "
        f"shared_buffers {buffers}, parallel workers per gather {workers}); "
        f"DEBUG {settings.DEBUG}; {os.cpu_count()} CPUs"
    )
    setup_data(wilayah=args.file, population=args.population)
    job_seconds, _log = run_job()
    without_quality = run_quality_cost(job_seconds)
    run_floor(job_seconds, without_quality)
    run_refresh()
    if not args.skip_dashboards:
        run_dashboards()
    print(f"\nWhole benchmark: {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()

"""Time and peak memory of every import at its largest allowed file, and of the worst hostile files.

For each registered importer that has a builder here, a child process (its peak RSS is its own)
builds a district in a scratch PostgreSQL database, makes the largest valid file the importer
takes, starts the job with `import_start` and times `import_run` in-process. Then each heavy
hostile file of tests/hostile/files.py goes through the reader alone, in a child process each.
Prints seconds and peak MB (VmHWM); the issue asks under 300 MB and under the job's time limit.
How to run it: bench/README.md.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]
SCRATCH_DATABASE = "simpul_bench_imports"


def peak_mb() -> int:
    from tests.hostile.probe import peak_mb as peak

    return peak()


# --- Child: one importer at its largest file ------------------------------------------------------


def _prepare(puskesmas_count: int, villages_each: int):
    from django.db import connection, transaction
    from django.utils import timezone
    from region_import import ensure_postgres_database, migrate_if_needed, use_database

    from indicators.models import (
        District,
        HealthOffice,
        ImportJob,
        MonthlyReport,
        MonthlyValue,
        Province,
        Puskesmas,
        ReportEvent,
        ReportingYear,
        ServicePoint,
        SPMEdition,
        Subdistrict,
        UnlockRequest,
        User,
        ValueChange,
        Village,
    )

    if connection.vendor != "postgresql":
        sys.exit("DATABASE_URL must name a PostgreSQL server: the figures that matter are its.")
    ensure_postgres_database(SCRATCH_DATABASE)
    use_database(SCRATCH_DATABASE)
    migrate_if_needed(force=True)
    year = timezone.localdate().year - 1
    with transaction.atomic():
        for model in (ValueChange, ReportEvent, UnlockRequest, MonthlyValue, MonthlyReport):
            model.objects.all().delete()
        for model in (ImportJob, ServicePoint):
            model.objects.all().delete()
        User.objects.filter(is_superuser=False).delete()
        for model in (Village, Puskesmas, HealthOffice, Subdistrict, District, Province):
            model.objects.all().delete()
        edition = SPMEdition.objects.order_by("-first_year").first()
        ReportingYear.objects.get_or_create(year=year, defaults={"edition": edition})
        province = Province.objects.create(code="63", name="Kalimantan Selatan")
        district = District.objects.create(province=province, code="63.08", name="HSU")
        HealthOffice.objects.create(district=district, name="Dinas Kesehatan HSU")
        subdistricts = Subdistrict.objects.bulk_create(
            Subdistrict(district=district, code=f"63.08.{i + 1:02d}", name=f"Kecamatan {i + 1}")
            for i in range(puskesmas_count)
        )
        puskesmas_list = Puskesmas.objects.bulk_create(
            Puskesmas(district=district, subdistrict=s, code=f"P{i + 1:05d}", name=f"PKM {i + 1}")
            for i, s in enumerate(subdistricts)
        )
        Village.objects.bulk_create(
            Village(subdistrict=s, puskesmas=p, code=f"{s.code}.{2001 + j}", name=f"Desa {j}")
            for s, p in zip(subdistricts, puskesmas_list, strict=True)
            for j in range(villages_each)
        )
        planner = User.objects.create(
            username="bench-planner", role=User.Role.DISTRICT_PLANNER, district=district
        )
    return planner, puskesmas_list, year


def _monthly_file(planner, puskesmas_list, year) -> tuple[bytes, dict, str]:
    from openpyxl import load_workbook

    from indicators.services import monthly_template

    template = monthly_template(puskesmas_list=puskesmas_list, year=year, months=list(range(1, 13)))
    workbook = load_workbook(io.BytesIO(template))
    sheet = workbook["Data"]
    values = 0
    for row in sheet.iter_rows(min_row=2, min_col=7, max_col=18):
        for cell in row:
            cell.value = random.randint(0, 60)
            values += 1
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue(), {}, f"{sheet.max_row - 1:,} rows, {values:,} values"


def _service_points_file(planner, puskesmas_list, year) -> tuple[bytes, dict, str]:
    from django.utils import translation

    from indicators.importers import ServicePointsImporter
    from indicators.models import Village
    from tests.hostile import files

    spec = ServicePointsImporter.sheet
    villages = list(Village.objects.select_related("puskesmas").order_by("pk"))
    rows = [
        [
            village.puskesmas.code,
            "posyandu",
            f"Posyandu {index}",
            village.code,
            f"Jalan {index}",
            "Ya",
        ]
        for index, village in ((i, villages[i % len(villages)]) for i in range(spec.max_rows))
    ]
    with translation.override("en"):
        data = files.valid(spec.titles()[-1], spec.headings(), *rows)
    return data, {}, f"{len(rows):,} rows"


BUILDERS = {"monthly_values": _monthly_file, "service_points": _service_points_file}


def child_importer(kind: str, puskesmas_count: int, villages_each: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    import django

    django.setup()
    from django.conf import settings
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import translation

    from indicators import tasks
    from indicators.imports import runner

    settings.DEBUG = False
    random.seed(11)
    planner, puskesmas_list, year = _prepare(puskesmas_count, villages_each)
    data, params, size = BUILDERS[kind](planner, puskesmas_list, year)
    tasks.import_run.delay = lambda *args: None  # run below, in this process, timed
    with translation.override("id"):
        job = runner.import_start(
            kind=kind, upload=SimpleUploadedFile(f"{kind}.xlsx", data), user=planner, params=params
        )
    del data
    started = time.perf_counter()
    outcome = runner.import_run(job_id=job.pk, attempt=job.attempt)
    seconds = time.perf_counter() - started
    job.refresh_from_db()
    print(
        json.dumps(
            {
                "kind": kind,
                "file": f"{job.file.size / 1024 / 1024:.1f} MB, {size}",
                "status": job.status,
                "done": outcome.get("done"),
                "errors": job.errors[:2],
                "seconds": round(seconds, 2),
                "peak_mb": peak_mb(),
            }
        )
    )


# --- Parent ---------------------------------------------------------------------------------------


def _child(args: list[str]) -> dict:
    result = subprocess.run(
        [sys.executable, __file__, *args], capture_output=True, text=True, cwd=HERE.parent
    )
    lines = result.stdout.strip().splitlines()
    if result.returncode or not lines:
        return {"error": (result.stderr or result.stdout)[-600:]}
    return json.loads(lines[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--puskesmas", type=int, default=60)
    parser.add_argument("--villages", type=int, default=40, help="desa per puskesmas")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child_importer(args.child, args.puskesmas, args.villages)
        return
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    import django

    django.setup()
    from indicators.imports import base
    from tests.hostile import files

    print("Importers at their largest allowed file (import_run in-process, child per importer):")
    print(f"  {'kind':<16} {'status':<8} {'seconds':>8} {'peak MB':>8}  file")
    for kind in sorted(base._REGISTRY):
        if kind not in BUILDERS:
            print(f"  {kind:<16} (no largest-file builder in bench/imports.py yet)")
            continue
        child = ["--child", kind, "--puskesmas", str(args.puskesmas)]
        figures = _child([*child, "--villages", str(args.villages)])
        if "error" in figures:
            print(f"  {kind:<16} FAILED TO RUN: {figures['error']}")
            continue
        print(
            f"  {kind:<16} {figures['status']:<8} {figures['seconds']:>8.2f} "
            f"{figures['peak_mb']:>8}  {figures['file']} {figures['errors'] or ''}"
        )
    print("Worst hostile files through the reader (child per file, no database):")
    print(f"  {'file':<28} {'seconds':>8} {'peak MB':>8}  outcome")
    for name in files.HEAVY:
        probe = subprocess.run(
            [sys.executable, "-m", "tests.hostile.probe", name],
            capture_output=True,
            text=True,
            cwd=HERE.parent,
            env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"},
        )
        lines = probe.stdout.strip().splitlines()
        if probe.returncode or not lines:
            print(f"  {name:<28} FAILED TO RUN: {probe.stderr[-400:]}")
            continue
        figures = json.loads(lines[-1])
        print(
            f"  {name:<28} {figures['seconds']:>8.2f} {figures['peak_mb']:>8}  "
            f"{figures['outcome'][:90]}"
        )


if __name__ == "__main__":
    main()

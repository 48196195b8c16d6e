"""Time and peak memory of every import at its largest allowed file, and of the worst hostile files.

For each registered importer, two child processes in turn:

1. the build child prepares a district in the scratch PostgreSQL database (and what the
   importer imports into: a meeting, a plan), writes the largest valid file the importer's own
   SheetSpec allows to a temporary file, and prints its path, the user, the params and its size;
2. the run child only loads Django, starts the job from that file with `import_start` and times
   `import_run` in-process. Its peak RSS (VmHWM) is the import's alone: building the file, which
   costs more memory than reading it, happened in the other process.

Then each heavy hostile file of tests/hostile/files.py goes through the reader alone, in a child
process each. Prints seconds and peak MB; the issue asks under 300 MB and under the job's time
limit. How to run it: bench/README.md.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]
SCRATCH_DATABASE = "simpul_bench_imports"


def peak_mb() -> int:
    from tests.hostile.probe import peak_mb as peak

    return peak()


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    import django

    django.setup()
    from django.conf import settings

    settings.DEBUG = False  # no query log: it would be most of a long import's memory


# --- Build child: the district, and the largest valid file of one importer ---------------------


class World:
    """The scratch district: a province, one district of `puskesmas` x `villages` desa, its
    health office and a district planner (who imports every file)."""

    def __init__(self, puskesmas_count: int, villages_each: int) -> None:
        from django.db import connection, transaction
        from django.utils import timezone
        from region_import import ensure_postgres_database, migrate_if_needed, use_database

        from indicators.models import ReportingYear, SPMEdition
        from kernel.models import (
            District,
            HealthOffice,
            Province,
            Puskesmas,
            Subdistrict,
            User,
            Village,
        )

        if connection.vendor != "postgresql":
            sys.exit("DATABASE_URL must name a PostgreSQL server: the figures that matter are its.")
        ensure_postgres_database(SCRATCH_DATABASE)
        use_database(SCRATCH_DATABASE)
        migrate_if_needed(force=True)  # a no-op when up to date
        _clear_data()
        self.year = timezone.localdate().year - 1
        with transaction.atomic():
            edition = SPMEdition.objects.order_by("-first_year").first()
            ReportingYear.objects.get_or_create(year=self.year, defaults={"edition": edition})
            province = Province.objects.create(code="63", name="Kalimantan Selatan")
            self.district = District.objects.create(province=province, code="63.08", name="HSU")
            HealthOffice.objects.create(district=self.district, name="Dinas Kesehatan HSU")
            subdistricts = Subdistrict.objects.bulk_create(
                Subdistrict(
                    district=self.district, code=f"63.08.{i + 1:02d}", name=f"Kecamatan {i + 1}"
                )
                for i in range(puskesmas_count)
            )
            self.puskesmas_list = Puskesmas.objects.bulk_create(
                Puskesmas(
                    district=self.district, subdistrict=s, code=f"P{i + 1:05d}", name=f"PKM {i + 1}"
                )
                for i, s in enumerate(subdistricts)
            )
            Village.objects.bulk_create(
                Village(
                    subdistrict=s, puskesmas=p, code=f"{s.code}.{2001 + j}", name=f"Desa {j + 1}"
                )
                for s, p in zip(subdistricts, self.puskesmas_list, strict=True)
                for j in range(villages_each)
            )
            self.planner = User.objects.create(
                username="bench-planner",
                first_name="Perencana",
                role=User.Role.DISTRICT_PLANNER,
                district=self.district,
            )

    def villages(self):
        from kernel.models import Village

        return list(
            Village.objects.filter(subdistrict__district=self.district)
            .select_related("subdistrict", "puskesmas")
            .order_by("code")
        )


def _clear_data() -> None:
    """Empty every table of the three apps but the catalogue that migrations load. TRUNCATE
    without CASCADE: PostgreSQL refuses, rather than empties a catalogue table, if one points at
    these rows (as bench/meetings.py does)."""
    from django.apps import apps
    from django.db import connection, transaction

    from indicators.models import (
        AgeBand,
        EstimateRule,
        IndexBand,
        IndexWeight,
        ReportingYear,
        SPMEdition,
        SPMService,
    )
    from kernel.models import District, Province, RegionPopulation
    from planning.models import BudgetSubActivity
    from workshops.models import ManagementScoreBand

    catalogue = {
        AgeBand,
        BudgetSubActivity,
        EstimateRule,
        IndexBand,
        IndexWeight,
        ManagementScoreBand,
        RegionPopulation,
        ReportingYear,
        SPMEdition,
        SPMService,
        Province,
        District,
    }
    quoted = connection.ops.quote_name
    models = [
        model
        for app in ("indicators", "workshops", "planning")
        for model in apps.get_app_config(app).get_models(include_auto_created=True)
        if model not in catalogue
    ]
    # A catalogue row may name who last changed it (EstimateRule.updated_by): PostgreSQL
    # refuses to truncate a table such a column points at, so those catalogue tables are kept
    # aside, truncated too, and put back without that link.
    links = [
        (model, field)
        for model in catalogue
        for field in model._meta.concrete_fields
        if field.many_to_one and field.related_model in models
    ]
    kept = sorted({model._meta.db_table for model, _field in links})
    tables = [model._meta.db_table for model in models] + kept
    existing = set(connection.introspection.table_names())
    tables += [name for name in ("django_admin_log", "django_session") if name in existing]
    with transaction.atomic(), connection.cursor() as cursor:
        for table in kept:
            cursor.execute(
                f"CREATE TEMP TABLE {quoted('kept_' + table)} ON COMMIT DROP AS "
                f"SELECT * FROM {quoted(table)}"
            )
        for model, field in links:
            table, column = quoted("kept_" + model._meta.db_table), quoted(field.column)
            cursor.execute(f"UPDATE {table} SET {column} = NULL")
        cursor.execute(f"TRUNCATE {', '.join(quoted(t) for t in tables)}")
        for table in kept:
            cursor.execute(f"INSERT INTO {quoted(table)} SELECT * FROM {quoted('kept_' + table)}")
        # EstimateRule may point at a district: delete (checked) rather than truncate these two.
        cursor.execute(f"DELETE FROM {quoted(District._meta.db_table)}")
        cursor.execute(f"DELETE FROM {quoted(Province._meta.db_table)}")


def _hidden_rows(template: bytes, sheet: str) -> list[list]:
    """The rows of a template's hidden meta sheet, read back as the importer reads them, so a
    built file carries exactly what the template function writes there (kind, ids, when)."""
    from kernel.imports.reader import Workbook

    workbook = Workbook(template, name="template.xlsx")
    return [values for _number, values in workbook.rows(sheet, max_rows=50, max_columns=10)]


def _meta_sheet(template: bytes, sheet: str):
    from kernel.spreadsheets import Sheet

    rows = _hidden_rows(template, sheet)
    return Sheet(title=sheet, headers=rows[0], rows=rows[1:], hidden=True)


Built = tuple[bytes, dict, str]  # file, params, size


def _monthly_values(world: World) -> Built:
    """A district's year: every desa x 12 monthly services x 12 months, every cell filled."""
    from indicators.importers import MonthlyValuesImporter
    from indicators.reporting import monthly_services
    from indicators.services import monthly_template
    from indicators.services.monthly_excel.layout import DATA_SHEET, META_SHEET, monthly_headers
    from kernel.spreadsheets import build_workbook

    months = list(range(1, 13))
    # The template of one puskesmas and one month: only for its hidden sheet.
    meta = _meta_sheet(
        monthly_template(puskesmas_list=world.puskesmas_list[:1], year=world.year, months=[1]),
        META_SHEET,
    )
    services = monthly_services(world.year)
    rows = [
        [
            village.puskesmas.code,
            village.code,
            village.name,
            service.code,
            service.label,
            None,
            *(random.randint(0, 60) for _month in months),
            "",
        ]
        for village in world.villages()
        for service in services
    ]
    limit = MonthlyValuesImporter.sheet.max_rows
    if len(rows) > limit:
        sys.exit(f"{len(rows):,} monthly rows: over the sheet's {limit:,}; use fewer desa.")
    headers = monthly_headers(year=world.year, months=months)
    data = build_workbook(sheet=DATA_SHEET, headers=headers, rows=rows, more=[meta])
    return data, {}, f"{len(rows):,} of {limit:,} rows, {len(rows) * len(months):,} values"


def _service_points(world: World) -> Built:
    from kernel.importers import ServicePointsImporter

    spec = ServicePointsImporter.sheet
    villages = world.villages()
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
    return _plain(spec, rows), {}, f"{len(rows):,} of {spec.max_rows:,} rows"


def _plain(spec, rows: list[list], title: str | None = None) -> bytes:
    """One sheet as the importer's SheetSpec declares it (title and headings)."""
    from kernel.spreadsheets import build_workbook

    return build_workbook(sheet=title or spec.titles()[0], headers=spec.headings(), rows=rows)


def _population(world: World) -> Built:
    """Every desa of the district (a row each: a desa twice is refused) x every age band."""
    from indicators.importers import PopulationImporter  # noqa: F401  (registered)
    from indicators.services.targets import population_bands, population_spec

    bands = population_bands()
    spec = population_spec(year=world.year, bands=bands, district=world.district)
    rows = [
        [
            village.code,
            village.name,
            village.subdistrict.name,
            village.puskesmas.name,
            *(random.randint(50, 5_000) for _band in bands),
        ]
        for village in world.villages()
    ]
    params = {"year": world.year, "source": "Dukcapil semester II"}
    size = f"{len(rows):,} of {spec.max_rows:,} rows (every desa) x {len(bands)} bands"
    return _plain(spec, rows), params, size


def _targets(world: World) -> Built:
    """Every desa of the district x the year's target groups, from one source."""
    from indicators.models import Target
    from indicators.reporting import monthly_services
    from indicators.services.targets import target_spec

    source = Target.Source.OTHER
    services = monthly_services(world.year)
    spec = target_spec(year=world.year, source=source, service_list=services)
    rows = [
        [village.code, village.name, village.puskesmas.name]
        + [random.randint(5, 500) for _service in services]
        for village in world.villages()
    ]
    params = {"year": world.year, "source": source}
    size = f"{len(rows):,} of {spec.max_rows:,} rows (every desa) x {len(services)} groups"
    return _plain(spec, rows), params, size


def _forum(world: World):
    """An open district forum of the planner's district (held, not closed)."""
    from workshops.models import Meeting

    return Meeting.objects.create(
        kind=Meeting.Kind.DISTRICT_FORUM,
        title=f"Forum lintas sektor November {world.year}",
        province_id=world.district.province_id,
        district=world.district,
        held_on=datetime.date(world.year, 11, 10),
        place="Aula Bappeda",
        chair_name="Sekretaris Daerah",
        status=Meeting.Status.HELD,
        created_by=world.planner,
    )


def _participants(world: World) -> Built:
    from workshops.models import SECTOR_CHOICES
    from workshops.services.sheets.layout import PARTICIPANTS

    meeting = _forum(world)
    sectors = [code for code, _label in SECTOR_CHOICES]
    rows = [
        [
            f"Peserta {index + 1}",
            "Kepala desa",
            f"Pemerintah Desa {index % 1_200 + 1}",
            sectors[index % len(sectors)],
            f"0812 {index:04d} {index % 9_973:04d}",
            ("Ya", "Tidak", None)[index % 3],
            ("Ya", "Tidak")[index % 2],
            None,  # the hidden id: a new participant
        ]
        for index in range(PARTICIPANTS.max_rows)
    ]
    return (
        _plain(PARTICIPANTS, rows),
        {"meeting": meeting.pk},
        f"{len(rows):,} of {PARTICIPANTS.max_rows:,} rows",
    )


PROBLEMS = 10
PARTNERS = 20


def _rtl_items(world: World) -> Built:
    """RTL items naming the meeting's problems by number and the district's partners by name."""
    from kernel.models import FundingSource, PartnerOrganisation
    from workshops.models import SECTOR_CHOICES, Problem
    from workshops.services.sheets.layout import RTL

    meeting = _forum(world)
    Problem.objects.bulk_create(
        Problem(meeting=meeting, statement=f"Cakupan layanan {n} di bawah target", order=n)
        for n in range(1, PROBLEMS + 1)
    )
    sectors = [code for code, _label in PartnerOrganisation.Sector.choices]
    partners = PartnerOrganisation.objects.bulk_create(
        PartnerOrganisation(
            district=world.district,
            name=f"Mitra {n + 1}",
            short_name=f"M{n + 1}",
            sector=sectors[n % len(sectors)],
        )
        for n in range(PARTNERS)
    )
    health = [code for code, _label in SECTOR_CHOICES if code not in sectors]
    funding = [code for code, _label in FundingSource.choices]
    due = meeting.held_on + datetime.timedelta(days=30)
    rows = [
        [
            index % PROBLEMS + 1,
            f"Kunjungan rumah sasaran {index + 1}",
            "Sasaran terlayani sesuai standar",
            "Ibu hamil",
            "100 %",
            due + datetime.timedelta(days=index % 300),
            "Kepala bidang kesmas",
            # Every third item names a partner and leaves the sector to it.
            None if index % 3 == 0 else (health or sectors)[0],
            partners[index % PARTNERS].name if index % 3 == 0 else None,
            random.randint(0, 50) * 100_000,
            funding[index % len(funding)],
            "Cakupan naik 10 %",
            None,  # the hidden id: a new item
        ]
        for index in range(RTL.max_rows)
    ]
    size = f"{len(rows):,} of {RTL.max_rows:,} rows, {PROBLEMS} problems, {PARTNERS} partners"
    return _plain(RTL, rows), {"meeting": meeting.pk}, size


def _ruk_activities(world: World) -> Built:
    """The district's (Dinkes) plan of next year, with the RUK sheet's largest number of new
    activities; the hidden meta sheet as the plan's template writes it."""
    from kernel.models import FundingSource
    from kernel.spreadsheets import build_workbook
    from planning.forms import plan_services
    from planning.importers import RUK_SHEET
    from planning.models import BudgetSubActivity
    from planning.selectors import next_plan_year
    from planning.services.plans import plan_create
    from planning.services.ruk_excel.layout import DATA_SHEET, META_SHEET, service_text
    from planning.services.ruk_excel.template import ruk_template

    plan = plan_create(year=next_plan_year(), by=world.planner)
    meta = _meta_sheet(ruk_template(plan=plan), META_SHEET)
    services = list(plan_services(plan.year))
    codes = list(BudgetSubActivity.objects.filter(is_active=True).order_by("code"))
    funding = [str(label) for _value, label in FundingSource.choices]
    rows = []
    for index in range(RUK_SHEET.max_rows):
        service = services[index % len(services)] if index % 2 == 0 else None
        code = codes[index % len(codes)].code if service is None and codes else ""
        rows.append(
            [
                None,  # the hidden ID: a new activity
                f"Upaya kesehatan {index % 12 + 1}",
                f"Kegiatan {index + 1}",
                "Cakupan layanan sesuai standar",
                "Sasaran desa",
                "100 %",
                "Kepala seksi",
                "Alat ukur",
                "2 tenaga kesehatan",
                "Puskesmas, desa",
                "Triwulan II",
                random.randint(0, 500) * 100_000,
                "Cakupan naik 10 %",
                funding[index % len(funding)],
                service_text(service),
                code,
            ]
        )
    data = build_workbook(sheet=DATA_SHEET, headers=RUK_SHEET.headings(), rows=rows, more=[meta])
    size = f"{len(rows):,} of {RUK_SHEET.max_rows:,} rows"
    return data, {"plan": plan.pk}, size


BUILDERS: dict[str, Callable[[World], Built]] = {
    "monthly_values": _monthly_values,
    "service_points": _service_points,
    "population": _population,
    "targets": _targets,
    "participants": _participants,
    "rtl_items": _rtl_items,
    "ruk_activities": _ruk_activities,
}


def child_build(kind: str, puskesmas_count: int, villages_each: int) -> None:
    _setup()
    from django.utils import translation

    random.seed(11)
    world = World(puskesmas_count, villages_each)
    started = time.perf_counter()
    with translation.override("en"):
        data, params, size = BUILDERS[kind](world)
    seconds = time.perf_counter() - started
    descriptor, path = tempfile.mkstemp(prefix=f"simpul-bench-{kind}-", suffix=".xlsx")
    with os.fdopen(descriptor, "wb") as file:
        file.write(data)
    print(
        json.dumps(
            {
                "path": path,
                "user": world.planner.pk,
                "params": params,
                "size": size,
                "build_seconds": round(seconds, 2),
            }
        )
    )


# --- Run child: start the job from the file, time import_run ------------------------------------


def child_run(kind: str, path: str, user_pk: int, params: dict) -> None:
    _setup()
    from django.core.files import File
    from django.utils import translation
    from region_import import use_database

    from indicators import tasks
    from kernel.imports import runner
    from kernel.models import User

    use_database(SCRATCH_DATABASE)
    user = User.objects.get(pk=user_pk)
    tasks.import_run.delay = lambda *args: None  # run below, in this process, timed
    with open(path, "rb") as file, translation.override("id"):
        job = runner.import_start(
            kind=kind, upload=File(file, name=f"{kind}.xlsx"), user=user, params=params
        )
    started = time.perf_counter()
    outcome = runner.import_run(job_id=job.pk, attempt=job.attempt)
    seconds = time.perf_counter() - started
    job.refresh_from_db()
    print(
        json.dumps(
            {
                "status": job.status,
                "done": outcome.get("done"),
                "errors": job.errors[:2],
                "seconds": round(seconds, 2),
                "peak_mb": peak_mb(),
            }
        )
    )


# --- Parent ---------------------------------------------------------------------------------------


def _child(args: list[str], env: dict | None = None) -> dict:
    result = subprocess.run(
        [sys.executable, __file__, *args],
        capture_output=True,
        text=True,
        cwd=HERE.parent,
        env={**os.environ, **(env or {})},
    )
    lines = result.stdout.strip().splitlines()
    if result.returncode or not lines:
        return {"error": (result.stderr or result.stdout)[-600:]}
    try:
        return json.loads(lines[-1])
    except ValueError:
        return {"error": result.stdout[-600:]}


def measure(kind: str, puskesmas: int, villages: int) -> dict:
    """Build the file in one child, import it in another; the temporary file and the run
    child's media directory (where import_start keeps the upload) are deleted after."""
    built = _child(["--build", kind, "--puskesmas", str(puskesmas), "--villages", str(villages)])
    if "error" in built:
        return {"error": "build: " + built["error"]}
    media = tempfile.mkdtemp(prefix="simpul-bench-media-")
    try:
        size_mb = os.path.getsize(built["path"]) / 1024 / 1024
        ran = _child(
            [
                "--run",
                kind,
                "--file",
                built["path"],
                "--user",
                str(built["user"]),
                "--params",
                json.dumps(built["params"]),
            ],
            env={"MEDIA_ROOT": media},
        )
    finally:
        os.unlink(built["path"])
        shutil.rmtree(media, ignore_errors=True)
    if "error" in ran:
        return {"error": "run: " + ran["error"]}
    return {**ran, "file": f"{size_mb:.1f} MB, {built['size']}"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--puskesmas", type=int, default=30)
    parser.add_argument("--villages", type=int, default=40, help="desa per puskesmas")
    parser.add_argument("--only", action="append", help="an importer's kind (repeatable)")
    parser.add_argument("--build", help=argparse.SUPPRESS)
    parser.add_argument("--run", help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    parser.add_argument("--user", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--params", default="{}", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.build:
        child_build(args.build, args.puskesmas, args.villages)
        return
    if args.run:
        child_run(args.run, args.file, args.user, json.loads(args.params))
        return
    _setup()
    from kernel.imports import base
    from tests.hostile import files

    desa = args.puskesmas * args.villages
    print(
        f"Importers at their largest allowed file, district of {args.puskesmas} puskesmas x "
        f"{args.villages} desa = {desa:,} desa (build in one child, import_run in another):"
    )
    print(f"  {'kind':<16} {'status':<8} {'seconds':>8} {'peak MB':>8}  file")
    for kind in sorted(base._REGISTRY):
        if args.only and kind not in args.only:
            continue
        if kind not in BUILDERS:
            print(f"  {kind:<16} (no largest-file builder in bench/imports.py yet)")
            continue
        figures = measure(kind, args.puskesmas, args.villages)
        if "error" in figures:
            print(f"  {kind:<16} FAILED TO RUN: {figures['error']}")
            continue
        print(
            f"  {kind:<16} {figures['status']:<8} {figures['seconds']:>8.2f} "
            f"{figures['peak_mb']:>8}  {figures['file']} {figures['errors'] or ''}",
            flush=True,
        )
    if args.only:
        return
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

"""Shared by bench/cpu.py and bench/load.py: Django set up as in production, a fresh scratch
PostgreSQL database, and a district's year of SPM data with an account per role.

Import this module first: it sets the environment production reads (DEBUG off, the real password
hasher, plain HTTP on this machine) before Django starts.
"""

from __future__ import annotations

import atexit
import datetime
import os
import random
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
os.environ.setdefault("SECRET_KEY", "simpul-bench-only-" + "k" * 48)
os.environ["DEBUG"] = "0"
os.environ.setdefault("SIMPUL_HTTPS", "0")  # plain HTTP on 127.0.0.1, as `make serve`
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
if "STATIC_ROOT" not in os.environ:  # collected for this run only (collect_static), then removed
    os.environ["STATIC_ROOT"] = tempfile.mkdtemp(prefix="simpul-bench-static-")
    atexit.register(shutil.rmtree, os.environ["STATIC_ROOT"], ignore_errors=True)

import django  # noqa: E402

django.setup()

import psycopg2  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from indicators.models import (  # noqa: E402
    MonthlyReport,
    MonthlyValue,
    Target,
    TargetApproval,
)
from indicators.reporting import monthly_services, reporting_year  # noqa: E402
from indicators.services import quarter_aggregate  # noqa: E402
from kernel.models import (  # noqa: E402
    District,
    HealthOffice,
    Province,
    Puskesmas,
    Subdistrict,
    User,
    Village,
)

PASSWORD = "simpul-bench-2026"
Status = MonthlyReport.Status


def database_url(name: str) -> str:
    """DATABASE_URL for database `name` on the configured server (for subprocesses)."""
    config = connection.settings_dict
    user = config.get("USER") or "postgres"
    password = f":{config['PASSWORD']}" if config.get("PASSWORD") else ""
    host = config.get("HOST") or "127.0.0.1"
    port = config.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{name}"


def _admin():
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


def fresh_database(name: str) -> str:
    """Point Django at a new empty, migrated database `<name>_<pid>` (runs side by side never
    share one), copied from a migrated template `<name>_template` (migrated again on every
    run: a no-op when up to date). Never touches the database DATABASE_URL names. Its name."""
    if connection.vendor != "postgresql":
        sys.exit("DATABASE_URL must name a PostgreSQL server: the figures that matter are its.")
    template, scratch = f"{name}_template", f"{name}_{os.getpid()}"
    admin = _admin()
    try:
        with admin.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [template])
            if not cursor.fetchone():
                cursor.execute(f'CREATE DATABASE "{template}"')
        connection.close()
        connection.settings_dict["NAME"] = template
        try:
            call_command("migrate", verbosity=0, interactive=False)
        except Exception:  # migrations rewritten since the template was made: start it again
            connection.close()
            with admin.cursor() as cursor:
                cursor.execute(f'DROP DATABASE "{template}" WITH (FORCE)')
                cursor.execute(f'CREATE DATABASE "{template}"')
            call_command("migrate", verbosity=0, interactive=False)
        connection.close()
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
            for attempt in range(60):  # another run may be migrating the template just now
                try:
                    cursor.execute(f'CREATE DATABASE "{scratch}" TEMPLATE "{template}"')
                    break
                except psycopg2.errors.ObjectInUse:
                    if attempt == 59:
                        raise
                    time.sleep(1)
    finally:
        admin.close()
    connection.settings_dict["NAME"] = scratch
    return scratch


def collect_static() -> float:
    """collectstatic into STATIC_ROOT as production does (hashed names, compressed); seconds."""
    started = time.perf_counter()
    call_command("collectstatic", interactive=False, verbosity=0)
    return time.perf_counter() - started


def drop_database(name: str) -> None:
    connection.close()
    admin = _admin()
    try:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        admin.close()


@dataclass
class World:
    district: District
    planners: list[User]
    reviewer: User
    puskesmas_list: list[Puskesmas]
    heads: list[User]
    staff: dict[int, list[User]] = field(default_factory=dict)  # puskesmas id -> staff
    drafts: dict[int, MonthlyReport] = field(default_factory=dict)  # puskesmas id -> this month

    @property
    def head(self) -> User:
        return self.heads[0]

    @property
    def planner(self) -> User:
        return self.planners[0]


def build_district(
    *, puskesmas_count: int = 20, villages_each: int = 15, staff_each: int = 2, planners: int = 1
):
    """A district of `puskesmas_count` puskesmas x `villages_each` desa; `planners` district
    planners, a province reviewer, and a head plus `staff_each` staff per puskesmas, all with
    PASSWORD (one Argon2id hash shared by every account: logins verify it as in production, and
    hashing hundreds of accounts one by one would only slow the set-up)."""
    password = make_password(PASSWORD)
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
    Village.objects.bulk_create(
        Village(subdistrict=s, puskesmas=p, code=f"{s.code}.{2001 + j}", name=f"Desa {s.code}.{j}")
        for s, p in zip(subdistricts, puskesmas_list, strict=True)
        for j in range(villages_each)
    )

    def account(username: str, role: str, **area) -> User:
        return User(username=username, password=password, role=role, **area)

    users = [
        account(f"bench.planner{n:02d}", User.Role.DISTRICT_PLANNER, district=district)
        for n in range(1, planners + 1)
    ]
    users.append(account("bench.province", User.Role.PROVINCE_REVIEWER, province=province))
    for index, puskesmas in enumerate(puskesmas_list, start=1):
        users.append(
            account(f"bench.head{index:02d}", User.Role.PUSKESMAS_HEAD, puskesmas=puskesmas)
        )
        users += [
            account(f"bench.staff{index:02d}.{n}", User.Role.PUSKESMAS_STAFF, puskesmas=puskesmas)
            for n in range(1, staff_each + 1)
        ]
    User.objects.bulk_create(users)
    by_name = {u.username: u for u in User.objects.filter(username__startswith="bench.")}
    world = World(
        district=district,
        planners=[by_name[f"bench.planner{n:02d}"] for n in range(1, planners + 1)],
        reviewer=by_name["bench.province"],
        puskesmas_list=puskesmas_list,
        heads=[by_name[f"bench.head{i:02d}"] for i in range(1, puskesmas_count + 1)],
    )
    for index, puskesmas in enumerate(puskesmas_list, start=1):
        world.staff[puskesmas.pk] = [
            by_name[f"bench.staff{index:02d}.{n}"] for n in range(1, staff_each + 1)
        ]
    return world


def _at(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10, 0)))


def fill_year(world: World, *, year: int, months: int, seed: int = 4) -> int:
    """Targets of record (approved) for `year` and its first `months` reports per puskesmas with
    a value in every cell: approved, the older ones locked, the last one submitted (waiting) when
    the year is the current one. Bulk-written (what the services would leave, without the audit
    trail). Then every quarter with data is aggregated, as the nightly job does. Values written."""
    rng = random.Random(f"{seed}-{year}")
    settings = reporting_year(year)
    services = monthly_services(year)
    villages = list(Village.objects.filter(puskesmas__district=world.district).order_by("pk"))
    targets = {(v.pk, s.pk): rng.randint(50, 400) for v in villages for s in services}
    Target.objects.bulk_create(
        Target(village_id=v, service_id=s, year=year, source="estimate", value=t, is_of_record=True)
        for (v, s), t in targets.items()
    )
    TargetApproval.objects.create(
        district=world.district,
        year=year,
        status=TargetApproval.Status.APPROVED,
        approved_by=world.planner,
        approved_at=timezone.now(),
    )
    today = timezone.localdate()
    reports = []
    for puskesmas, head in zip(world.puskesmas_list, world.heads, strict=True):
        for month in range(1, months + 1):
            due = settings.due_on(month)
            submitted = _at(min(due - datetime.timedelta(days=rng.randint(0, 6)), today))
            waiting = year == today.year and month == months
            reports.append(
                MonthlyReport(
                    puskesmas=puskesmas,
                    year=year,
                    month=month,
                    due_on=due,
                    status=Status.SUBMITTED
                    if waiting
                    else (Status.LOCKED if month < months - 1 else Status.APPROVED),
                    version=3,
                    updated_by=head,
                    submitted_at=submitted,
                    submitted_by=head,
                    first_submitted_at=submitted,
                    decided_at=None if waiting else submitted + datetime.timedelta(days=3),
                    decided_by=None if waiting else world.planner,
                )
            )
    MonthlyReport.objects.bulk_create(reports, batch_size=1000)
    by_puskesmas: dict[int, list[Village]] = {}
    for v in villages:
        by_puskesmas.setdefault(v.puskesmas_id, []).append(v)
    values = [
        MonthlyValue(
            report=report,
            village=village,
            service=service,
            value=max(0, int(targets[(village.pk, service.pk)] * rng.uniform(0.04, 0.09))),
            updated_by_id=report.updated_by_id,
        )
        for report in reports
        for village in by_puskesmas[report.puskesmas_id]
        for service in services
    ]
    MonthlyValue.objects.bulk_create(values, batch_size=5000)
    for quarter in range(1, (months - 1) // 3 + 2):
        quarter_aggregate(year=year, quarter=quarter)
    return len(values)


def open_drafts(world: World, *, filled_villages: int = 5) -> None:
    """This month's report of every puskesmas as a draft, its first `filled_villages` desa
    entered through the services (as a puskesmas would have by the deadline's week)."""
    from indicators.services import CellInput, report_open, report_save, working_area

    today = timezone.localdate()
    services = monthly_services(today.year)
    for puskesmas, head in zip(world.puskesmas_list, world.heads, strict=True):
        report = report_open(puskesmas=puskesmas, year=today.year, month=today.month, by=head)
        villages = working_area(puskesmas)[:filled_villages]
        cells = {(v.pk, s.pk): CellInput(random.randint(0, 30)) for v in villages for s in services}
        with transaction.atomic():
            report_save(report=report, cells=cells, version=report.version, by=head)
        world.drafts[puskesmas.pk] = report


def build_world(
    *, puskesmas_count: int = 20, villages_each: int = 15, staff_each: int = 2, planners: int = 1
) -> World:
    """The district with this year's data so far (last month waiting for the district) and this
    month's drafts: what a district looks like on deadline day."""
    world = build_district(
        puskesmas_count=puskesmas_count,
        villages_each=villages_each,
        staff_each=staff_each,
        planners=planners,
    )
    today = timezone.localdate()
    fill_year(world, year=today.year, months=today.month - 1)
    open_drafts(world)
    analyze()
    return world


def analyze() -> None:
    """Planner statistics for what was just loaded, as autovacuum keeps them in production: on
    a freshly filled database PostgreSQL would plan for empty tables."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

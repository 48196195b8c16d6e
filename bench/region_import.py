"""Time the national Kemendagri region import: into empty tables, then the re-import paths.

Imports ../shared/data/wilayah/wilayah_2025.csv (+ penduduk_2025.csv) into the database named by
DATABASE_URL with the same service the `import_regions` command uses, and prints seconds and rows/s
per run. How to run it: bench/README.md.
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

import django  # noqa: E402

django.setup()

import psycopg2  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import ProtectedError  # noqa: E402

from kernel.models import (  # noqa: E402
    District,
    Province,
    Puskesmas,
    RegionPopulation,
    Subdistrict,
    Village,
)
from kernel.services import regions_import_file  # noqa: E402

SHARED = ROOT.parent / "shared" / "data" / "wilayah"
SCRATCH_DATABASE = "simpul_bench"
YEAR = 2025


def describe_database() -> str:
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite {settings['NAME']}"
    return (
        f"{connection.vendor} {settings['NAME']} on "
        f"{settings.get('HOST') or 'local socket'}:{settings.get('PORT') or 5432}"
    )


def ensure_postgres_database(name: str) -> bool:
    """Create database `name` on the configured server if missing; True if it was created."""
    settings = connection.settings_dict
    admin = psycopg2.connect(
        dbname="postgres",
        user=settings.get("USER") or None,
        password=settings.get("PASSWORD") or None,
        host=settings.get("HOST") or None,
        port=settings.get("PORT") or None,
    )
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cursor.fetchone():
                return False
            cursor.execute(f'CREATE DATABASE "{name}"')
            return True
    finally:
        admin.close()


def use_database(name: str) -> None:
    """Point Django's default connection at another database on the same server."""
    connection.close()
    connection.settings_dict["NAME"] = name


def migrate_if_needed(*, force: bool = False) -> None:
    if force or "indicators_village" not in connection.introspection.table_names():
        print(f"Migrating {describe_database()} ...")
        call_command("migrate", verbosity=0, interactive=False)


def empty_region_tables() -> bool:
    """Delete every region (and the bench year's population); False if regions are in use."""
    try:
        with transaction.atomic():
            RegionPopulation.objects.filter(year=YEAR).delete()
            for model in (Village, Subdistrict, District, Province):
                model.objects.all().delete()
    except ProtectedError:
        return False
    return True


def switch_to_scratch() -> None:
    if connection.vendor != "postgresql":
        sys.exit("The regions of this database are in use; point DATABASE_URL at another one.")
    if connection.settings_dict["NAME"] == SCRATCH_DATABASE:
        sys.exit(f"{SCRATCH_DATABASE} has puskesmas or users in its regions; drop it first.")
    print(f"{describe_database()} has regions in use: using {SCRATCH_DATABASE} instead.")
    created = ensure_postgres_database(SCRATCH_DATABASE)
    use_database(SCRATCH_DATABASE)
    migrate_if_needed(force=created)
    if not empty_region_tables():
        sys.exit(f"{SCRATCH_DATABASE} has regions in use; drop it and run again.")


def prepare_database(*, allow_sqlite: bool) -> None:
    if connection.vendor == "sqlite" and not allow_sqlite:
        sys.exit(
            f"DATABASE_URL names {describe_database()}; the figures that matter are PostgreSQL's.\n"
            "Set DATABASE_URL=postgres://... or pass --allow-sqlite."
        )
    if connection.vendor == "postgresql":
        if ensure_postgres_database(connection.settings_dict["NAME"]):
            print(f"Created {describe_database()}.")
    migrate_if_needed()
    if Puskesmas.objects.exists() or not empty_region_tables():
        switch_to_scratch()


def renamed_copy(path: Path, directory: Path) -> Path:
    """A copy of a kode,nama file where every name differs, to time the update path."""
    copy = directory / f"renamed_{path.name}"
    with (
        path.open(encoding="utf-8", newline="") as source,
        copy.open("w", encoding="utf-8", newline="") as target,
    ):
        reader, writer = csv.reader(source), csv.writer(target)
        writer.writerow(next(reader))
        for code, name in reader:
            writer.writerow([code, f"{name} (bench)"])
    return copy


def timed_import(label: str, path: Path, population: Path | None) -> None:
    started = time.perf_counter()
    summary = regions_import_file(path=path, population_path=population, year=YEAR)
    seconds = time.perf_counter() - started
    levels = [summary[key] for key in ("provinces", "districts", "subdistricts", "villages")]
    rows = sum(sum(level.values()) for level in levels)
    created, updated, unchanged = (
        sum(level[kind] for level in levels) for kind in ("created", "updated", "unchanged")
    )
    print(
        f"{label:<34} {seconds:8.2f} {rows / seconds:10,.0f} "
        f"{created:9,} {updated:9,} {unchanged:9,}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", type=Path, default=SHARED / "wilayah_2025.csv")
    parser.add_argument("--population", type=Path, default=SHARED / "penduduk_2025.csv")
    parser.add_argument("--allow-sqlite", action="store_true", help="also run on SQLite")
    args = parser.parse_args()
    if not args.file.exists():
        sys.exit(f"{args.file} is missing.")
    population = args.population if args.population.exists() else None

    prepare_database(allow_sqlite=args.allow_sqlite)
    with args.file.open(encoding="utf-8") as stream:
        rows = sum(1 for line in stream if line.strip()) - 1
    print(f"Database: {describe_database()}")
    print(
        f"File:     {args.file} ({rows:,} rows)" + (f" + {population.name}" if population else "")
    )
    print(
        f"{'run':<34} {'seconds':>8} {'rows/s':>10} {'created':>9} {'updated':>9} {'unchanged':>9}"
    )
    with tempfile.TemporaryDirectory() as directory:
        renamed = renamed_copy(args.file, Path(directory))
        timed_import("first import (empty tables)", args.file, population)
        timed_import("re-import, same file", args.file, population)
        timed_import("re-import, every name changed", renamed, population)
        timed_import("re-import, names changed back", args.file, population)
    print("Each run parses both files whole, then writes in one transaction (rows/s: regions).")


if __name__ == "__main__":
    main()

"""`manage.py restore`: check every member, replace the database and MEDIA_ROOT, check again."""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import os
import shutil
import sqlite3
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

from .archive import (
    CHUNK,
    MANIFEST,
    MEDIA_PREFIX,
    BackupError,
    connector_for,
    count_tables,
    database_vendor,
    manifest_read,
    media_files,
    media_root_path,
    sha256_of,
)


@dataclass
class RestoreResult:
    manifest: dict[str, Any]
    tables: int
    rows: int
    files: int
    removed_files: int
    problems: list[str]
    notes: list[str]


def restore_archive(
    *, archive: Path, alias: str = DEFAULT_DB_ALIAS, manifest: dict[str, Any] | None = None
) -> RestoreResult:
    """Replace the database and MEDIA_ROOT with `archive`, then check them against its manifest.
    Every member is checked before anything changes; `problems` lists what differs after."""
    manifest = manifest or manifest_read(archive)
    vendor = database_vendor(alias)
    if manifest["database"]["vendor"] != vendor:
        raise BackupError(
            f"{archive} holds a {manifest['database']['vendor']} database; this installation "
            f"uses {vendor}. Restore it into a {manifest['database']['vendor']} database."
        )
    if vendor == "postgresql":
        connector_for(alias, vendor)  # pg_dump and psql are there
    media_root = media_root_path()
    media_root.mkdir(parents=True, exist_ok=True)
    backup_dir = Path(settings.SIMPUL_BACKUP_DIR)
    backup_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    # Files are staged inside MEDIA_ROOT (same file system: each is renamed into place), the
    # dump in the backup folder, never where the web server serves files from. Both are 0700.
    staging = Path(tempfile.mkdtemp(prefix=".simpul-restore-", dir=media_root))
    dump_dir = Path(tempfile.mkdtemp(prefix=".simpul-restore-", dir=backup_dir))
    try:
        dump = dump_dir / manifest["database"]["file"]
        _unpack(archive, manifest, dump, staging)
        if vendor == "postgresql":
            _load_postgresql(alias, dump)
        else:
            _load_sqlite(alias, dump)
        removed = _place_media(staging, media_root, manifest["media"])
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        shutil.rmtree(dump_dir, ignore_errors=True)
    return _verify(alias, vendor, manifest, media_root, removed)


def _unpack(archive: Path, manifest: dict[str, Any], dump: Path, media: Path) -> None:
    """Write the dump and the files into the staging folder, each checked against the manifest;
    BackupError (nothing restored yet) at the first difference."""
    expected: dict[str, dict[str, Any]] = {manifest["database"]["file"]: manifest["database"]}
    expected |= {MEDIA_PREFIX + name: entry for name, entry in manifest["media"].items()}
    seen: set[str] = set()
    try:
        with tarfile.open(archive, mode="r:") as tar:
            for member in tar:
                if member.name == MANIFEST:
                    continue
                entry = expected.get(member.name)
                if entry is None or not member.isreg() or member.name in seen:
                    raise BackupError(
                        f"{archive}: {member.name} is not listed in the manifest; refused."
                    )
                seen.add(member.name)
                if member.name.startswith(MEDIA_PREFIX):
                    target = media / member.name.removeprefix(MEDIA_PREFIX)
                else:
                    target = dump
                target.parent.mkdir(parents=True, exist_ok=True)
                source = tar.extractfile(member)
                assert source is not None
                digest = hashlib.sha256()
                with target.open("wb") as out:
                    while chunk := source.read(CHUNK):
                        digest.update(chunk)
                        out.write(chunk)
                if digest.hexdigest() != entry["sha256"] or member.size != entry["size"]:
                    raise BackupError(
                        f"{archive}: {member.name} differs from its manifest entry (damaged "
                        "archive); nothing was restored."
                    )
    except tarfile.TarError as error:
        raise BackupError(f"{archive} is damaged ({error}); nothing was restored.") from error
    missing = sorted(set(expected) - seen)
    if missing:
        raise BackupError(
            f"{archive} lacks {len(missing)} member(s) its manifest lists (first: {missing[0]}); "
            "nothing was restored."
        )


LOCK_TIMEOUT = "60s"
PG_DROP = """
SELECT format('DROP %s IF EXISTS %I.%I CASCADE;',
              CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
                             WHEN 'S' THEN 'SEQUENCE' WHEN 'f' THEN 'FOREIGN TABLE'
                             ELSE 'TABLE' END,
              n.nspname, c.relname)
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e')
ORDER BY c.relkind NOT IN ('r', 'p', 'f'), c.relkind = 'S', c.relname
"""


def _load_postgresql(alias: str, dump: Path) -> None:
    """Drop every table, view and sequence of the schema (tables first: their own sequences go
    with them) and load the dump: one psql run in one transaction, stopped at the first error, so
    a failed restore leaves the database as it was."""
    from dbbackup.db.exceptions import CommandConnectorError
    from dbbackup.db.postgresql import parse_postgres_settings

    connection = connections[alias]
    with connection.cursor() as cursor:
        cursor.execute(PG_DROP)
        drops = [row[0] for row in cursor.fetchall()]
    connection.close()  # holds no lock while psql drops and loads
    connector = connector_for(alias, "postgresql")
    with tempfile.TemporaryFile(dir=dump.parent) as script:
        # A web server or worker still running holds locks the drops wait for: give up then.
        script.write(f"SET lock_timeout = '{LOCK_TIMEOUT}';\n".encode())
        script.write(("\n".join(drops) + "\n").encode())
        with gzip.open(dump, "rb") as sql:
            shutil.copyfileobj(sql, script, CHUNK)
        script.seek(0)
        target, env = parse_postgres_settings(connector)
        command = f"psql {target} --no-psqlrc --quiet --set ON_ERROR_STOP=on --single-transaction"
        try:
            connector.run_command(command, stdin=script, env=env)
        except CommandConnectorError as error:
            raise BackupError(
                "psql could not load the dump; the database is unchanged (if it waited for a "
                "lock: stop the web server, the worker and beat first).\n"
                f"{error}"
            ) from error


def _load_sqlite(alias: str, dump: Path) -> None:
    """Write the copy into the live database with SQLite's online backup (the whole file is
    replaced, in one step, whatever it held)."""
    connection = connections[alias]
    connection.close()
    connection.ensure_connection()
    with tempfile.NamedTemporaryFile(dir=dump.parent, prefix=".sqlite-") as copy_file:
        with gzip.open(dump, "rb") as packed:
            shutil.copyfileobj(packed, copy_file, CHUNK)
        copy_file.flush()
        source = sqlite3.connect(copy_file.name)
        try:
            source.backup(connection.connection)
        except sqlite3.Error as error:
            raise BackupError(f"SQLite could not load the copy: {error}") from error
        finally:
            source.close()
            connection.close()


def _place_media(staged: Path, media_root: Path, files: dict[str, Any]) -> int:
    """Move the staged files into MEDIA_ROOT and delete the files it holds that the backup does
    not; returns how many were deleted."""
    for name in files:
        target = media_root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staged / name, target)
    removed = 0
    for name, path in list(media_files(media_root, skip=[])):
        if name not in files:
            path.unlink()
            removed += 1
    for directory, dirnames, _ in os.walk(media_root, topdown=False):
        for name in dirnames:
            with contextlib.suppress(OSError):  # only empty folders go
                (Path(directory) / name).rmdir()
    return removed


def _verify(
    alias: str, vendor: str, manifest: dict[str, Any], media_root: Path, removed: int
) -> RestoreResult:
    problems: list[str] = []
    connection = connections[alias]
    with connection.cursor() as cursor:
        counts, migrations = count_tables(cursor, vendor)
    expected: dict[str, int] = manifest["tables"]
    for name in sorted(set(expected) | set(counts)):
        if name not in counts:
            problems.append(f"table {name} is missing")
        elif name not in expected:
            problems.append(f"table {name} is not in the backup")
        elif counts[name] != expected[name]:
            problems.append(f"table {name} has {counts[name]} rows, the backup {expected[name]}")
    if migrations != manifest["migrations"]:
        problems.append("the applied migrations differ from the backup's")
    for name, entry in manifest["media"].items():
        path = media_root / name
        if not path.is_file():
            problems.append(f"file {name} is missing")
        elif sha256_of(path) != entry["sha256"]:
            problems.append(f"file {name} differs from the backup")
    notes = _migration_notes(manifest["migrations"])
    return RestoreResult(
        manifest=manifest,
        tables=len(counts),
        rows=sum(counts.values()),
        files=len(manifest["media"]),
        removed_files=removed,
        problems=problems,
        notes=notes,
    )


def _migration_notes(applied: list[list[str]]) -> list[str]:
    """What the operator should do when the backup and this code have different migrations."""
    from django.db.migrations.loader import MigrationLoader

    on_disk = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    restored = {tuple(pair) for pair in applied}
    notes = []
    ours = {key for key in on_disk if key[0] in {app for app, _ in restored}}
    if ours - restored:
        notes.append(
            "This code has migrations the backup lacks: run `manage.py migrate` before starting."
        )
    unknown = sorted(
        f"{app}.{name}" for app, name in restored - on_disk if app in {a for a, _ in on_disk}
    )
    if unknown:
        notes.append(
            f"The backup comes from a newer Simpul ({len(unknown)} migrations this code does not "
            f"know, e.g. {unknown[0]}): run it with that version."
        )
    return notes

"""Backups that restore: the database and the uploaded files in one archive, checked on restore.

An archive is one uncompressed tar (`simpul-<host>-<YYYYmmdd-HHMMSS>.tar`):

- `database.sql.gz` (PostgreSQL: a plain `pg_dump --clean --if-exists --no-owner
  --no-privileges`) or `database.sqlite3.gz` (SQLite: a copy made with SQLite's online backup),
  both made by django-dbbackup's connectors and gzipped;
- `media/<path>`: every file under MEDIA_ROOT;
- `manifest.json`, written last: when and where, Simpul's version and commit, the applied
  migrations, the rows of every table and the sha256 and size of every other member.

The rows are counted in the dump's own snapshot (PostgreSQL: `pg_dump --snapshot` of the
transaction that counts; SQLite: counted in the copy), so the manifest describes exactly what
the dump holds even while people keep working. An archive is written under a temporary name and
renamed when complete, so a crash never leaves a half-written archive behind.

A restore reads the manifest, checks every member against it before changing anything, then
replaces the whole database (PostgreSQL: every table, view and sequence of the schema is dropped
and the dump loaded in one transaction, so a failed restore changes nothing; SQLite: the copy is
written into the live database with the online backup) and makes MEDIA_ROOT hold exactly the
archived files; then it counts every table and hashes every file again and reports any difference.
"""

from __future__ import annotations

import contextlib
import datetime
import gzip
import hashlib
import importlib.metadata
import json
import logging
import os
import shutil
import socket
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils import timezone

FORMAT = "simpul-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
MEDIA_PREFIX = "media/"
DUMP_NAMES = {"postgresql": "database.sql.gz", "sqlite": "database.sqlite3.gz"}
ARCHIVE_GLOB = "simpul-*.tar"
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why, for the operator."""


# --- Small helpers ------------------------------------------------------------------------------


class _HashingReader:
    """Reads from `raw`, counting and hashing what it hands out (tarfile reads members with it)."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.sha256 = hashlib.sha256()
        self.size = 0

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self.sha256.update(data)
        self.size += len(data)
        return data


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def human_size(size: int) -> str:
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GB"  # pragma: no cover


def _vendor(alias: str) -> str:
    vendor = connections[alias].vendor
    if vendor not in DUMP_NAMES:
        raise BackupError(f"Backups support PostgreSQL and SQLite, not {vendor}.")
    return vendor


def _media_root() -> Path:
    return Path(settings.MEDIA_ROOT).resolve()


def _media_files(root: Path, *, skip: list[Path]) -> Iterator[tuple[str, Path]]:
    """(archive-relative POSIX path, absolute path) of every regular file under `root`, sorted;
    symbolic links, restore staging folders and the backup folder (if it lies inside) skipped."""
    if not root.is_dir():
        return
    for directory, dirnames, filenames in os.walk(root):
        here = Path(directory)
        dirnames[:] = sorted(
            name
            for name in dirnames
            if not name.startswith(".simpul-restore-")
            and not (here / name).is_symlink()
            and (here / name).resolve() not in skip
        )
        for name in sorted(filenames):
            path = here / name
            if path.is_symlink() or not path.is_file():
                continue
            yield path.relative_to(root).as_posix(), path


def _simpul_version() -> dict[str, str | None]:
    try:
        version: str | None = importlib.metadata.version("simpul")
    except importlib.metadata.PackageNotFoundError:
        version = None
    commit = os.environ.get("SIMPUL_COMMIT") or None
    if commit is None and (Path(settings.BASE_DIR) / ".git").exists():
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            result = subprocess.run(
                ["git", "-C", str(settings.BASE_DIR), "rev-parse", "HEAD"],
                capture_output=True,
                text=True,
                timeout=10,
                check=False,
            )
            commit = result.stdout.strip() or None if result.returncode == 0 else None
    return {"version": version, "commit": commit}


# --- Counting tables ----------------------------------------------------------------------------

PG_TABLES = """
SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e')
ORDER BY c.relname
"""
SQLITE_TABLES = (
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _count_tables(cursor: Any, vendor: str) -> tuple[dict[str, int], list[list[str]]]:
    """Rows per table of the schema, and the applied migrations ([app, name], sorted)."""
    cursor.execute(PG_TABLES if vendor == "postgresql" else SQLITE_TABLES)
    names = [row[0] for row in cursor.fetchall()]
    counts: dict[str, int] = {}
    for name in names:
        cursor.execute(f"SELECT COUNT(*) FROM {_quote(name)}")
        counts[name] = int(cursor.fetchone()[0])
    migrations: list[list[str]] = []
    if "django_migrations" in counts:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        migrations = [[app, name] for app, name in cursor.fetchall()]
    return counts, migrations


# --- Backup -------------------------------------------------------------------------------------


@dataclass
class BackupResult:
    path: Path
    size: int
    tables: int
    rows: int
    files: int
    removed: list[Path] = field(default_factory=list)


def default_archive_name(now: datetime.datetime | None = None) -> str:
    host = "".join(c if c.isalnum() or c in "-." else "-" for c in socket.gethostname()) or "host"
    stamp = timezone.localtime(now or timezone.now()).strftime("%Y%m%d-%H%M%S")
    return f"simpul-{host}-{stamp}.tar"


def _connector(alias: str, vendor: str) -> Any:
    from dbbackup.db.base import get_connector

    # django-dbbackup sets its logger to DEBUG, which prints each command line on stderr.
    logging.getLogger("dbbackup.command").setLevel(logging.INFO)

    if vendor == "postgresql":
        # Plain SQL rather than the custom format: it is restored with psql in one transaction
        # together with the statements that drop what the database holds (restore_archive).
        connector = get_connector(alias, connector_path="dbbackup.db.postgresql.PgDumpConnector")
        for command in (connector.dump_cmd, "psql"):
            if shutil.which(command) is None:
                raise BackupError(
                    f"{command} is not installed or not on the PATH: install the PostgreSQL "
                    "client of the server's major version (Debian: apt install postgresql-client)."
                )
        return connector
    return get_connector(alias)


def _dump_postgresql(connector: Any, alias: str, into: IO[bytes]) -> tuple[dict, list, str]:
    """pg_dump in the snapshot of a transaction that counts the rows; gzipped into `into`."""
    from dbbackup.db.exceptions import CommandConnectorError

    connection = connections[alias]
    connection.ensure_connection()
    with transaction.atomic(using=alias), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot(), current_setting('server_version')")
        snapshot, server_version = cursor.fetchone()
        counts, migrations = _count_tables(cursor, "postgresql")
        connector.dump_suffix = f"--no-owner --no-privileges --snapshot={snapshot}"
        try:
            dump = connector.create_dump()
        except CommandConnectorError as error:
            raise BackupError(f"pg_dump failed: {error}") from error
    with gzip.GzipFile(fileobj=into, mode="wb", compresslevel=6, mtime=0) as packed:
        shutil.copyfileobj(dump, packed, CHUNK)
    dump.close()
    return counts, migrations, server_version


def _dump_sqlite(connector: Any, into: IO[bytes], workdir: Path) -> tuple[dict, list, str]:
    """SQLite's online backup into a file, whose rows are counted; gzipped into `into`."""
    dump = connector.create_dump()
    with tempfile.NamedTemporaryFile(dir=workdir, prefix=".sqlite-") as copy_file:
        shutil.copyfileobj(dump, copy_file, CHUNK)
        dump.close()
        copy_file.flush()
        copy = sqlite3.connect(copy_file.name)
        try:
            counts, migrations = _count_tables(copy.cursor(), "sqlite")
        finally:
            copy.close()
        copy_file.seek(0)
        with gzip.GzipFile(fileobj=into, mode="wb", compresslevel=6, mtime=0) as packed:
            shutil.copyfileobj(copy_file, packed, CHUNK)
    return counts, migrations, sqlite3.sqlite_version


def _add(tar: tarfile.TarFile, name: str, handle: IO[bytes], size: int) -> dict[str, Any]:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mode = 0o600
    info.mtime = int(timezone.now().timestamp())
    reader = _HashingReader(handle)
    tar.addfile(info, reader)  # type: ignore[arg-type]
    return {"sha256": reader.sha256.hexdigest(), "size": reader.size}


def backup_create(
    *,
    output: Path | None = None,
    keep: int | None = None,
    alias: str = DEFAULT_DB_ALIAS,
) -> BackupResult:
    """Write one archive of the database and MEDIA_ROOT; keep the newest `keep` archives of
    its folder (0: all) when the archive got a generated name."""
    vendor = _vendor(alias)
    connector = _connector(alias, vendor)
    backup_dir = Path(settings.SIMPUL_BACKUP_DIR)
    if output is None or output.is_dir():
        path = (output or backup_dir) / default_archive_name()
        rotate = True
    else:
        path, rotate = output, False
    path = path.resolve()
    if path.exists():
        raise BackupError(f"{path} exists already; choose another name.")
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    media_root = _media_root()
    partial = path.with_name(f".{path.name}.partial-{os.getpid()}")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as raw:
            manifest = _write_archive(
                raw, vendor, connector, alias, media_root, workdir=path.parent
            )
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(partial, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            partial.unlink()
        raise
    with contextlib.suppress(OSError):  # the rename itself survives a power cut
        directory = os.open(path.parent, os.O_RDONLY)
        os.fsync(directory)
        os.close(directory)
    keep = settings.SIMPUL_BACKUP_KEEP if keep is None else keep
    removed = backup_rotate(path.parent, keep=keep) if rotate else []
    return BackupResult(
        path=path,
        size=path.stat().st_size,
        tables=len(manifest["tables"]),
        rows=sum(manifest["tables"].values()),
        files=len(manifest["media"]),
        removed=removed,
    )


def _write_archive(
    raw: IO[bytes], vendor: str, connector: Any, alias: str, media_root: Path, *, workdir: Path
) -> dict[str, Any]:
    """The dump (in a temporary file of `workdir`), the files, then the manifest."""
    dump_name = DUMP_NAMES[vendor]
    with tempfile.NamedTemporaryFile(dir=workdir, prefix=".dump-") as dump:
        if vendor == "postgresql":
            counts, migrations, server_version = _dump_postgresql(connector, alias, dump)
        else:
            counts, migrations, server_version = _dump_sqlite(connector, dump, workdir)
        dump.flush()
        size = dump.tell()
        dump.seek(0)
        with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
            dump_entry = _add(tar, dump_name, dump, size)
            media: dict[str, dict[str, Any]] = {}
            for relative, absolute in _media_files(media_root, skip=[workdir.resolve()]):
                with absolute.open("rb") as handle:
                    media[relative] = _add(
                        tar, MEDIA_PREFIX + relative, handle, os.fstat(handle.fileno()).st_size
                    )
            settings_dict = connections[alias].settings_dict
            manifest = {
                "format": FORMAT,
                "format_version": FORMAT_VERSION,
                "created_at": timezone.now().isoformat(),
                "host": socket.gethostname(),
                "simpul": _simpul_version(),
                "database": {
                    "vendor": vendor,
                    "name": str(settings_dict.get("NAME", "")),
                    "server_version": server_version,
                    "file": dump_name,
                    **dump_entry,
                },
                "migrations": migrations,
                "tables": counts,
                "media": media,
            }
            body = json.dumps(manifest, indent=1, sort_keys=True).encode()
            with tempfile.SpooledTemporaryFile() as handle:
                handle.write(body)
                handle.seek(0)
                _add(tar, MANIFEST, handle, len(body))  # type: ignore[arg-type]
    return manifest


def backup_rotate(directory: Path, *, keep: int) -> list[Path]:
    """Delete all but the newest `keep` archives named simpul-*.tar in `directory` (0: none)."""
    if keep <= 0:
        return []
    archives = sorted(
        (p for p in directory.glob(ARCHIVE_GLOB) if p.is_file()),
        key=lambda p: (p.stat().st_mtime, p.name),
        reverse=True,
    )
    removed = archives[keep:]
    for old in removed:
        old.unlink()
    return removed


# --- Reading an archive -------------------------------------------------------------------------


def manifest_read(archive: Path) -> dict[str, Any]:
    """The checked manifest of `archive`; BackupError saying what is wrong otherwise."""
    if not archive.is_file():
        raise BackupError(f"{archive}: no such file.")
    try:
        with tarfile.open(archive, mode="r:") as tar:
            try:
                member = tar.getmember(MANIFEST)
            except KeyError:
                raise BackupError(
                    f"{archive} has no {MANIFEST}: it is not a Simpul backup, or it was cut short."
                ) from None
            handle = tar.extractfile(member)
            body = handle.read() if handle is not None else b""
    except tarfile.TarError as error:
        raise BackupError(f"{archive} is not a readable tar archive ({error}).") from error
    try:
        manifest = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BackupError(f"{archive}: {MANIFEST} is corrupt ({error}).") from error
    _manifest_check(manifest, archive)
    return manifest


def _is_entry(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and isinstance(value.get("sha256"), str)
        and len(value["sha256"]) == 64
        and isinstance(value.get("size"), int)
    )


def _manifest_check(manifest: Any, archive: Path) -> None:
    problem = None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        problem = "it is not a Simpul backup manifest"
    elif manifest.get("format_version") != FORMAT_VERSION:
        problem = f"format version {manifest.get('format_version')!r} is not {FORMAT_VERSION}"
    else:
        database, tables, media = (manifest.get(k) for k in ("database", "tables", "media"))
        if not (
            isinstance(database, dict)
            and database.get("vendor") in DUMP_NAMES
            and database.get("file") == DUMP_NAMES[database["vendor"]]
            and _is_entry(database)
        ):
            problem = "its database entry is missing or incomplete"
        elif not isinstance(tables, dict) or not all(
            isinstance(k, str) and isinstance(v, int) and v >= 0 for k, v in tables.items()
        ):
            problem = "its table counts are missing or not numbers"
        elif not isinstance(media, dict) or not all(
            _safe_relative(k) and _is_entry(v) for k, v in media.items()
        ):
            problem = "its file list is missing or names a file outside the media folder"
        elif not isinstance(manifest.get("migrations"), list):
            problem = "its migration list is missing"
    if problem:
        raise BackupError(f"{archive}: {MANIFEST} is corrupt: {problem}.")


def _safe_relative(name: Any) -> bool:
    if not isinstance(name, str) or not name or "\\" in name or "\x00" in name:
        return False
    path = PurePosixPath(name)
    return not path.is_absolute() and ".." not in path.parts and path.as_posix() == name


# --- Restore ------------------------------------------------------------------------------------


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
    vendor = _vendor(alias)
    if manifest["database"]["vendor"] != vendor:
        raise BackupError(
            f"{archive} holds a {manifest['database']['vendor']} database; this installation "
            f"uses {vendor}. Restore it into a {manifest['database']['vendor']} database."
        )
    if vendor == "postgresql":
        _connector(alias, vendor)  # pg_dump and psql are there
    media_root = _media_root()
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
    connector = _connector(alias, "postgresql")
    with tempfile.TemporaryFile(dir=dump.parent) as script:
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
                f"psql could not load the dump; the database is unchanged.\n{error}"
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
    for name, path in list(_media_files(media_root, skip=[])):
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
        counts, migrations = _count_tables(cursor, vendor)
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
        elif _sha256_of(path) != entry["sha256"]:
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


def describe(manifest: dict[str, Any]) -> str:
    """One line about a backup, for prompts and reports."""
    simpul = manifest.get("simpul") or {}
    commit = (simpul.get("commit") or "")[:12]
    version = simpul.get("version") or "?"
    return (
        f"backup of {manifest.get('created_at', '?')} from {manifest.get('host', '?')} "
        f"(Simpul {version}{' ' + commit if commit else ''}; {manifest['database']['vendor']}, "
        f"{len(manifest['tables'])} tables, {sum(manifest['tables'].values())} rows, "
        f"{len(manifest['media'])} files)"
    )

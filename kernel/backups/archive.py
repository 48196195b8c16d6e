"""What backing up and restoring share: the archive's layout, its manifest, counting tables."""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import json
import logging
import os
import shutil
import subprocess
import tarfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import IO, Any

from django.conf import settings
from django.db import connections

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


class HashingReader:
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


def sha256_of(path: Path) -> str:
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


def database_vendor(alias: str) -> str:
    vendor = connections[alias].vendor
    if vendor not in DUMP_NAMES:
        raise BackupError(f"Backups support PostgreSQL and SQLite, not {vendor}.")
    return vendor


def media_root_path() -> Path:
    return Path(settings.MEDIA_ROOT).resolve()


def media_files(root: Path, *, skip: list[Path]) -> Iterator[tuple[str, Path]]:
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


def simpul_version() -> dict[str, str | None]:
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


def count_tables(cursor: Any, vendor: str) -> tuple[dict[str, int], list[list[str]]]:
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


def connector_for(alias: str, vendor: str) -> Any:
    """django-dbbackup's connector for the database; BackupError if its client is missing."""
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

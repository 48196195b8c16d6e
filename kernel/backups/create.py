"""`manage.py backup`: the database and MEDIA_ROOT into one archive, under a temporary name."""

from __future__ import annotations

import contextlib
import datetime
import gzip
import json
import os
import shutil
import socket
import sqlite3
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils import timezone

from .archive import (
    ARCHIVE_GLOB,
    CHUNK,
    DUMP_NAMES,
    FORMAT,
    FORMAT_VERSION,
    MANIFEST,
    MEDIA_PREFIX,
    BackupError,
    HashingReader,
    connector_for,
    count_tables,
    database_vendor,
    media_files,
    media_root_path,
    simpul_version,
)


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


def _dump_postgresql(connector: Any, alias: str, into: IO[bytes]) -> tuple[dict, list, str]:
    """pg_dump in the snapshot of a transaction that counts the rows; gzipped into `into`."""
    from dbbackup.db.exceptions import CommandConnectorError

    connection = connections[alias]
    connection.ensure_connection()
    with transaction.atomic(using=alias), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot(), current_setting('server_version')")
        snapshot, server_version = cursor.fetchone()
        counts, migrations = count_tables(cursor, "postgresql")
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
            counts, migrations = count_tables(copy.cursor(), "sqlite")
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
    reader = HashingReader(handle)
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
    vendor = database_vendor(alias)
    connector = connector_for(alias, vendor)
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
    media_root = media_root_path()
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
            for relative, absolute in media_files(media_root, skip=[workdir.resolve()]):
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
                "simpul": simpul_version(),
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

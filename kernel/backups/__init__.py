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

from .archive import BackupError, describe, human_size, manifest_read
from .create import BackupResult, backup_create, backup_rotate, default_archive_name
from .restore import RestoreResult, restore_archive

__all__ = [
    "BackupError",
    "BackupResult",
    "RestoreResult",
    "backup_create",
    "backup_rotate",
    "default_archive_name",
    "describe",
    "human_size",
    "manifest_read",
    "restore_archive",
]

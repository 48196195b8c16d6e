"""Back up the database and the uploaded files into one archive (kernel/backups.py)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from ...backups import BackupError, backup_create, human_size


class Command(BaseCommand):
    help = (
        "Write the database and every uploaded file (MEDIA_ROOT) into one archive with a "
        "manifest that `restore` checks; keep the newest archives of the backup folder."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--output",
            type=Path,
            help="Archive file or folder (default: SIMPUL_BACKUP_DIR, now "
            f"{settings.SIMPUL_BACKUP_DIR}).",
        )
        parser.add_argument(
            "--keep",
            type=int,
            help="Archives to keep in the folder, this one included; 0 keeps all (default: "
            f"SIMPUL_BACKUP_KEEP, now {settings.SIMPUL_BACKUP_KEEP}).",
        )
        parser.add_argument("--database", default="default", help="Database alias.")

    def handle(self, *args, output: Path | None, keep: int | None, database: str, **options):
        if keep is not None and keep < 0:
            raise CommandError("--keep takes 0 (keep all) or more.")
        try:
            result = backup_create(output=output, keep=keep, alias=database)
        except BackupError as error:
            raise CommandError(f"Backup failed: {error}") from error
        self.stdout.write(
            self.style.SUCCESS(f"Backup written: {result.path} ({human_size(result.size)})")
        )
        if options["verbosity"] >= 1:
            self.stdout.write(
                f"{result.tables} tables, {result.rows} rows, {result.files} uploaded files."
            )
            for old in result.removed:
                self.stdout.write(f"Removed the older backup {old}")

"""Restore the database and the uploaded files from a `backup` archive (kernel/backups.py)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from ...backups import BackupError, describe, manifest_read, restore_archive


class Command(BaseCommand):
    help = (
        "Replace the database and every uploaded file (MEDIA_ROOT) with a backup archive, then "
        "check each table's rows and each file's sha256 against the archive's manifest. Stop "
        "the web server, the worker and beat first."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("archive", type=Path, help="An archive written by `backup`.")
        parser.add_argument(
            "--noinput", "--no-input", action="store_false", dest="interactive",
            help="Do not ask for confirmation.",
        )  # fmt: skip
        parser.add_argument("--database", default="default", help="Database alias.")

    def handle(self, *args, archive: Path, interactive: bool, database: str, **options):
        try:
            manifest = manifest_read(archive)
        except BackupError as error:
            raise CommandError(f"Restore refused: {error}") from error
        self.stdout.write(f"{archive}: {describe(manifest)}")
        if interactive:
            target = connections[database].settings_dict
            question = (
                f"This deletes everything in the database {target['NAME']!s}"
                f"{' on ' + target['HOST'] if target.get('HOST') else ''} and every file in "
                f"{settings.MEDIA_ROOT}, and puts the backup in their place. Stop the web "
                "server, the worker and beat first.\nType 'yes' to continue, anything else to "
                "cancel: "
            )
            if input(question).strip().lower() != "yes":
                raise CommandError("Restore cancelled; nothing was changed.")
        try:
            result = restore_archive(archive=archive, alias=database, manifest=manifest)
        except BackupError as error:
            raise CommandError(f"Restore failed: {error}") from error
        self.stdout.write(
            f"Restored {result.tables} tables ({result.rows} rows) and {result.files} files"
            f"{f'; removed {result.removed_files} files the backup did not have' if result.removed_files else ''}."  # noqa: E501
        )
        for note in result.notes:
            self.stdout.write(self.style.WARNING(note))
        if result.problems:
            for problem in result.problems:
                self.stderr.write(f"  {problem}")
            raise CommandError(
                f"The restored data differs from the backup's manifest ({len(result.problems)} "
                "differences, listed above)."
            )
        self.stdout.write(
            self.style.SUCCESS("Every table's row count and every file's sha256 match the backup.")
        )

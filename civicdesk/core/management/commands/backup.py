"""`manage.py backup`: a consistent copy of the database and the uploaded files its rows refer
to, with a manifest, in the backup directory (CIVICDESK_BACKUP_DIR). Safe to run while the web
server and the worker are busy."""

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.template.defaultfilters import filesizeformat

from civicdesk.core.backups import BackupError, create_backup, prune_backups, uploads_directory


class Command(BaseCommand):
    help = (
        "Back the database up (SQLite's online backup, or pg_dump for PostgreSQL) with the "
        "uploaded files it refers to."
    )
    # An operator's tool: a failing system check (a missing API key, say) must not stand
    # between them and their data.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--gzip",
            action="store_true",
            help="Compress a SQLite backup (PostgreSQL's custom format is compressed already).",
        )
        parser.add_argument(
            "--keep",
            type=int,
            metavar="N",
            help="Then remove all but the newest N backups in the directory.",
        )
        parser.add_argument(
            "--directory", type=Path, help="Where to write it, instead of CIVICDESK_BACKUP_DIR."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        keep = options["keep"]
        if keep is not None and keep < 1:
            raise CommandError("--keep must be 1 or more: the backup just made is kept.")
        started = time.perf_counter()
        try:
            backup = create_backup(directory=options["directory"], compress=options["gzip"])
        except BackupError as error:
            raise CommandError(str(error)) from error
        manifest = backup.manifest
        self.stdout.write(
            self.style.SUCCESS(
                f"Backed up {len(manifest.row_counts)} tables ({manifest.rows:,} rows) to "
                f"{backup.path} ({filesizeformat(manifest.size)}) "
                f"in {time.perf_counter() - started:.1f} s."
            )
        )
        uploads = manifest.uploads
        self.stdout.write(
            f"Archived {uploads.count:,} uploaded files ({filesizeformat(uploads.size)}) in "
            f"{uploads.file}."
        )
        if uploads.missing:
            self.stderr.write(
                self.style.WARNING(
                    f"{len(uploads.missing)} files the database refers to are not in "
                    f"{uploads_directory()}: " + ", ".join(uploads.missing[:10])
                )
            )
        if keep is not None:
            for removed in prune_backups(directory=backup.path.parent, keep=keep):
                self.stdout.write(f"Removed the older backup {removed}.")

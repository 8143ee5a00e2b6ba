"""`manage.py restore`: put a backup made by `manage.py backup` back, all or nothing.

Stop the web server and the worker first: everything written since the backup was made is
lost, and a restore refuses to run while another process has the database open.
"""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.template.defaultfilters import filesizeformat, pluralize

from civicdesk.core.backups import (
    BackupError,
    RestoreReport,
    describe_database,
    latest_backup,
    read_backup,
    restore_backup,
    uploads_directory,
)


class Command(BaseCommand):
    help = "Replace the database with a backup, after checking the backup against its manifest."
    # An operator's tool: a failing system check (a missing API key, say) must not stand
    # between them and their data.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("path", nargs="?", type=Path, help="The backup file.")
        which.add_argument(
            "--latest", action="store_true", help="The newest backup in CIVICDESK_BACKUP_DIR."
        )
        parser.add_argument(
            "--noinput",
            "--no-input",
            action="store_false",
            dest="interactive",
            help="Do not ask for confirmation.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            backup = read_backup(options["path"] or latest_backup())
            manifest = backup.manifest
            self.stdout.write(
                f"Backup {backup.path}\n  made {manifest.created_at.day} "
                f"{manifest.created_at:%B %Y %H:%M} UTC: "
                f"{filesizeformat(manifest.size)}, {len(manifest.row_counts)} tables, "
                f"{manifest.rows:,} rows, "
                + (
                    f"{manifest.uploads.count:,} uploaded files"
                    if manifest.uploads
                    else "no uploaded files (made before backups kept them)"
                )
            )
            if options["interactive"] and not self.confirmed():
                raise CommandError("Restore cancelled: the database was not changed.")
            report = restore_backup(backup)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.report(report, verbosity=options["verbosity"])

    def confirmed(self) -> bool:
        self.stdout.write(
            f"This replaces the database {describe_database()} and the uploaded files in "
            f"{uploads_directory()}: everything written since the backup was made will be "
            "lost. Stop the web server and the worker first."
        )
        return input('Type "yes" to restore: ').strip().lower() == "yes"

    def report(self, report: RestoreReport, *, verbosity: int) -> None:
        """The rows of every table against the manifest: all of them with -v 2."""
        if verbosity > 1:
            self.stdout.write(f"{'Table':<50}{'In backup':>12}{'Restored':>12}")
            for table, (expected, restored) in report.row_counts.items():
                shown = "missing" if restored is None else f"{restored:,}"
                self.stdout.write(f"{table:<50}{expected:>12,}{shown:>12}")
        differences = report.differences
        manifest = report.backup.manifest
        if report.unapplied:
            self.stdout.write(
                self.style.WARNING(
                    f"The backup is from an older version of CivicDesk: run `manage.py migrate` "
                    f"({len(report.unapplied)} migrations to apply)."
                )
            )
        if differences:
            for table, (expected, restored) in differences.items():
                self.stderr.write(
                    f"{table}: {expected:,} rows in the backup, "
                    + ("missing" if restored is None else f"{restored:,} restored")
                )
            raise CommandError(
                f"{len(differences)} tables do not have the rows the backup's manifest records."
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {len(manifest.row_counts)} tables, {manifest.rows:,} rows: every "
                "table has the rows the backup's manifest records."
            )
        )
        if manifest.uploads:
            self.stdout.write(
                f"Restored {manifest.uploads.count:,} uploaded "
                f"file{pluralize(manifest.uploads.count)}."
                + (
                    f" The files that were there are kept in {report.uploads_set_aside}: "
                    "delete that folder once the restore is checked."
                    if report.uploads_set_aside
                    else ""
                )
            )
        else:
            self.stdout.write(
                self.style.WARNING(
                    "The backup has no uploaded files: those on disk were left as they were."
                )
            )
        if manifest.uploads and manifest.uploads.missing:
            self.stdout.write(
                self.style.WARNING(
                    f"{len(manifest.uploads.missing)} files the backup's rows refer to were "
                    "already missing when it was made: " + ", ".join(manifest.uploads.missing[:10])
                )
            )

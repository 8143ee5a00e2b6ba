"""Backing up the database and restoring it, with each engine's own tools.

SQLite is copied through its online backup API, so the web and the worker may go on writing;
PostgreSQL is dumped by `pg_dump`. Beside each backup a JSON manifest records when it was made,
the schema it has (the latest migration of each app), the rows in every table and the file's
size and SHA-256: a restore checks the file against it before touching the database, refuses a
backup from a newer schema than the code, and compares the rows it restored with it afterwards.

Uploaded files (case attachments, application evidence) live in MEDIA_ROOT, not in the
database: every file the backed-up rows refer to is archived beside the backup in a tar, named
in the manifest with its checksum, so a restore brings back rows and files that belong together.
Files referred to but not on disk when the backup is made are listed in the manifest.

A backup is complete once its manifest exists: the files are written first, under temporary
names, then the manifest. Restoring is all or nothing for the database: SQLite's file is rebuilt
and checked next to the database and then swapped in; `pg_restore` runs in a single
transaction. The uploads are unpacked and counted before the database is touched, and moved in
once it is restored; the files that were there are set aside, not deleted.

Both are recorded in the audit log: a backup in the database it copied, a restore in the
database it restored (whose own log is the backup's).
"""

import getpass
import gzip
import hashlib
import json
import logging
import os
import shutil
import sqlite3
import stat
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import IO

from django.apps import apps
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, models, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.utils import CursorWrapper
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

from civicdesk.core.audit import record_operation
from civicdesk.core.models import AuditAction

logger = logging.getLogger(__name__)

# Goes up when the manifest changes in a way an older CivicDesk could not read. Format 1 had no
# uploads; this code reads it still.
MANIFEST_FORMAT = 2
READABLE_FORMATS = {1, 2}
PREFIX = "civicdesk-"
EXTENSIONS = {"sqlite": ".sqlite3", "postgresql": ".dump"}
ENGINES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
CHUNK = 1024 * 1024

Cursor = sqlite3.Cursor | CursorWrapper


class BackupError(Exception):
    """A backup that cannot be made, trusted or restored; the message tells an operator why."""


@dataclass(frozen=True)
class Uploads:
    """The archive of the uploaded files the backed-up rows refer to."""

    file: str
    size: int
    sha256: str
    count: int
    missing: list[str]  # referred to, but not on disk when the backup was made


@dataclass(frozen=True)
class Manifest:
    created_at: datetime
    engine: str
    file: str
    size: int
    sha256: str
    migrations: dict[str, str]  # app label: the latest migration applied
    row_counts: dict[str, int]  # table: rows
    uploads: Uploads | None = None  # None for backups made before uploads were kept

    @property
    def rows(self) -> int:
        return sum(self.row_counts.values())

    def to_json(self) -> str:
        data = {"format": MANIFEST_FORMAT, **asdict(self)}
        data["created_at"] = self.created_at.isoformat()
        return json.dumps(data, indent=2, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, text: str) -> "Manifest":
        data = json.loads(text)
        if data.pop("format", None) not in READABLE_FORMATS:
            raise ValueError("unknown manifest format")
        data["created_at"] = datetime.fromisoformat(data["created_at"])
        if uploads := data.get("uploads"):
            data["uploads"] = Uploads(**uploads)
        return cls(**data)


@dataclass(frozen=True)
class Backup:
    path: Path
    manifest: Manifest


@dataclass(frozen=True)
class RestoreReport:
    backup: Backup
    row_counts: dict[str, tuple[int, int | None]]  # table: (in the backup, restored or None)
    unapplied: list[str]  # migrations the code has that the restored database has not
    uploads_set_aside: Path | None  # where the uploaded files that were there went

    @property
    def differences(self) -> dict[str, tuple[int, int | None]]:
        return {table: rows for table, rows in self.row_counts.items() if rows[0] != rows[1]}


def backup_directory() -> Path:
    return Path(settings.CIVICDESK_BACKUP_DIR)


def manifest_path(path: Path) -> Path:
    return path.with_name(f"{path.name}.json")


def uploads_path(path: Path) -> Path:
    return path.with_name(f"{path.name}.uploads.tar")


def uploads_directory() -> Path:
    return Path(settings.MEDIA_ROOT)


def describe_database(*, using: str = DEFAULT_DB_ALIAS) -> str:
    """The database as an operator would name it: the SQLite file, or PostgreSQL's name and host."""
    database = connections[using].settings_dict
    if connections[using].vendor == "sqlite":
        return str(database["NAME"])
    return f"{database['NAME']} on {database.get('HOST') or 'localhost'}"


# Making backups.


def create_backup(
    *,
    directory: Path | None = None,
    compress: bool = False,
    using: str = DEFAULT_DB_ALIAS,
) -> Backup:
    """Back the database up into `directory` (by default the setting's), under a name that
    says when. `compress` gzips a SQLite copy; pg_dump's custom format is compressed already.
    """
    wrapper = connections[using]
    if wrapper.vendor not in EXTENSIONS:
        raise BackupError(f"Backups of {wrapper.display_name} databases are not supported.")
    # Run without its environment, a backup would copy an empty database (SQLite makes the
    # file on connecting) and look like a success.
    nothing = BackupError(
        f"There is nothing to back up: {describe_database(using=using)} has no tables. "
        "Is the environment (DATABASE_URL, CIVICDESK_SQLITE_PATH) loaded?"
    )
    on_file = wrapper.vendor == "sqlite" and not wrapper.is_in_memory_db()
    if on_file and not Path(wrapper.settings_dict["NAME"]).exists():
        raise nothing
    directory = directory or backup_directory()
    directory.mkdir(parents=True, exist_ok=True)
    created_at = timezone.now()
    name = f"{PREFIX}{created_at:%Y%m%dT%H%M%SZ}{EXTENSIONS[wrapper.vendor]}"
    if wrapper.vendor == "sqlite" and compress:
        name += ".gz"
    path = directory / name
    if manifest_path(path).exists() or path.exists():
        raise BackupError(f"{path} already exists: wait a second and back up again.")
    partial = directory / f".{name}.partial"
    partial_uploads = directory / f".{uploads_path(path).name}.partial"
    try:
        if wrapper.vendor == "sqlite":
            snapshot = _copy_sqlite(wrapper, partial, compress=compress)
        else:
            snapshot = _dump_postgresql(wrapper, partial)
        if not snapshot.row_counts:
            raise nothing
        size, sha256 = _measure(partial)
        uploads = _archive_uploads(snapshot.files, partial_uploads, uploads_path(path).name)
        _publish(partial, path)
        _publish(partial_uploads, uploads_path(path))
        manifest = Manifest(
            created_at=created_at,
            engine=wrapper.vendor,
            file=name,
            size=size,
            sha256=sha256,
            migrations=snapshot.migrations,
            row_counts=snapshot.row_counts,
            uploads=uploads,
        )
        _write_atomically(manifest_path(path), manifest.to_json())
    except (OSError, sqlite3.Error, tarfile.TarError) as error:
        raise BackupError(f"The backup could not be written to {directory}: {error}") from error
    finally:
        partial.unlink(missing_ok=True)
        partial_uploads.unlink(missing_ok=True)
    _record(
        AuditAction.BACKED_UP,
        path,
        f"Backup made: {manifest.rows:,} rows, {uploads.count:,} uploaded files",
        manifest,
        using=using,
    )
    return Backup(path=path, manifest=manifest)


@dataclass(frozen=True)
class Snapshot:
    """What a backup's copy holds, read from the copy (or its snapshot) itself."""

    migrations: dict[str, str]
    row_counts: dict[str, int]
    files: list[str]  # the names of the uploaded files its rows refer to


def _record(
    action: AuditAction, path: Path, summary: str, manifest: Manifest, *, using: str
) -> None:
    """An audit entry and a log line for an operator's backup or restore."""
    try:
        operator = getpass.getuser()
    except (KeyError, OSError):  # a container's user with no name
        operator = f"uid {os.getuid()}"
    detail = {
        "backup": path.name,
        "made_at": manifest.created_at.isoformat(),
        "engine": manifest.engine,
        "rows": manifest.rows,
        "uploads": manifest.uploads.count if manifest.uploads else None,
    }
    logger.info("%s (%s) by %s", summary, path.name, operator)
    try:
        record_operation(
            action=action,
            record_type="core.backup",
            record_id=path.name,
            actor_label=f"{operator} (manage.py)",
            summary=summary,
            detail=detail,
            using=using,
        )
    except DatabaseError:
        # A restored database too old for today's audit table: the log line must do until
        # it is migrated.
        logger.exception("The audit log could not record: %s", summary)


def _copy_sqlite(wrapper: BaseDatabaseWrapper, partial: Path, *, compress: bool) -> Snapshot:
    """Copy the live database in one step of SQLite's backup API: one read transaction, so a
    consistent snapshot however busy the writers are (copying in steps would start again after
    every write). The copy is checked, and its manifest read from the copy itself."""
    copy = partial.with_name(f"{partial.name}.sqlite3") if compress else partial
    try:
        wrapper.ensure_connection()
        with closing(sqlite3.connect(copy)) as target:
            wrapper.connection.backup(target)
            # One self-contained file: the app's connections turn WAL on again after a restore.
            target.execute("PRAGMA journal_mode=DELETE")
            _check_integrity(target)
            snapshot = _read_snapshot(target.cursor(), _sqlite_tables(target.cursor()))
        if compress:
            with open(copy, "rb") as source, gzip.open(partial, "wb", compresslevel=6) as out:
                shutil.copyfileobj(source, out, CHUNK)
    finally:
        if compress:
            copy.unlink(missing_ok=True)
    return snapshot


def _dump_postgresql(wrapper: BaseDatabaseWrapper, partial: Path) -> Snapshot:
    """pg_dump from a snapshot this connection exports, so the rows it counts and the schema
    it records are exactly what the dump holds, whatever is written meanwhile."""
    with transaction.atomic(using=wrapper.alias), wrapper.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        (snapshot,) = cursor.fetchone()
        read = _read_snapshot(cursor, wrapper.introspection.table_names(cursor))
        _run_postgresql_tool(
            wrapper, "pg_dump", "--format=custom", f"--snapshot={snapshot}", f"--file={partial}"
        )
    return read


def _read_snapshot(cursor: Cursor, tables: list[str]) -> Snapshot:
    return Snapshot(
        migrations=_latest_migrations(cursor, tables),
        row_counts=_count(cursor, tables),
        files=_referenced_files(cursor, tables),
    )


def _referenced_files(cursor: Cursor, tables: list[str]) -> list[str]:
    """The names in every file field of every model whose table the copy has."""
    columns = sorted(
        {
            (model._meta.db_table, field.column)
            for model in apps.get_models()
            for field in model._meta.concrete_fields
            if isinstance(field, models.FileField) and model._meta.db_table in tables
        }
    )
    names: set[str] = set()
    for table, column in columns:
        cursor.execute(
            f"SELECT DISTINCT {_quote(column)} FROM {_quote(table)} WHERE {_quote(column)} <> ''"
        )
        names.update(name for (name,) in cursor.fetchall() if name)
    return sorted(names)


def _archive_uploads(names: list[str], partial: Path, file: str) -> Uploads:
    """Archive the uploaded files named (uncompressed: photos and PDFs are compressed already).

    A name that is not a file under MEDIA_ROOT (removed since the rows were read, or never
    there) is listed as missing rather than failing the backup of everything else.
    """
    root = uploads_directory().resolve()
    missing = []
    with tarfile.open(partial, "w", format=tarfile.PAX_FORMAT) as archive:
        for name in names:
            source = (root / name).resolve()
            try:
                if not source.is_relative_to(root):
                    raise FileNotFoundError(name)
                archive.add(source, arcname=name, recursive=False)
            except FileNotFoundError:
                missing.append(name)
    size, sha256 = _measure(partial)
    return Uploads(
        file=file, size=size, sha256=sha256, count=len(names) - len(missing), missing=missing
    )


def prune_backups(*, directory: Path, keep: int) -> list[Path]:
    """Remove all but the newest `keep` backups (and their manifests) from `directory`."""
    removed = []
    for path in list_backups(directory=directory)[keep:]:
        path.unlink(missing_ok=True)
        uploads_path(path).unlink(missing_ok=True)
        manifest_path(path).unlink()
        removed.append(path)
    return removed


def list_backups(*, directory: Path) -> list[Path]:
    """The complete backups in `directory` (those with a manifest), newest first."""
    manifests = sorted(directory.glob(f"{PREFIX}*.json"), reverse=True)
    return [manifest.with_suffix("") for manifest in manifests]


def latest_backup(*, directory: Path | None = None, using: str = DEFAULT_DB_ALIAS) -> Path:
    """The newest backup in `directory` of this database's engine."""
    directory = directory or backup_directory()
    vendor = connections[using].vendor
    backups = [
        path
        for path in (list_backups(directory=directory) if directory.is_dir() else [])
        if path.name.removesuffix(".gz").endswith(EXTENSIONS.get(vendor, "?"))
    ]
    if not backups:
        raise BackupError(f"There are no {ENGINES.get(vendor, vendor)} backups in {directory}.")
    return backups[0]


# Restoring.


def read_backup(path: Path, *, using: str = DEFAULT_DB_ALIAS) -> Backup:
    """The backup at `path`, once it is known to be whole and fit for this code and database.

    Nothing here touches the database, so a backup refused here has changed nothing.
    """
    if not path.is_file():
        raise BackupError(f"There is no backup at {path}.")
    try:
        manifest = Manifest.from_json(manifest_path(path).read_text())
    except FileNotFoundError as error:
        raise BackupError(
            f"There is no manifest ({manifest_path(path).name}) beside {path}: without it the "
            "backup cannot be checked, so it is not restored."
        ) from error
    except (OSError, ValueError, TypeError, KeyError) as error:
        raise BackupError(f"The manifest {manifest_path(path)} cannot be read: {error}") from error
    vendor = connections[using].vendor
    if manifest.engine != vendor:
        raise BackupError(
            f"This is a backup of a {ENGINES.get(manifest.engine, manifest.engine)} database; "
            f"this CivicDesk uses {ENGINES.get(vendor, vendor)}."
        )
    try:
        size, sha256 = _measure(path)
    except OSError as error:
        raise BackupError(f"The backup {path} cannot be read: {error}") from error
    if (size, sha256) != (manifest.size, manifest.sha256):
        raise BackupError(
            f"The backup {path} is damaged or incomplete: its size or SHA-256 checksum is not "
            "the one its manifest recorded. Nothing was restored; use another backup."
        )
    if manifest.uploads:
        archive = path.with_name(manifest.uploads.file)
        try:
            measured = _measure(archive)
        except FileNotFoundError as error:
            raise BackupError(
                f"The backup's uploaded files ({archive.name}) are not beside it: copy them "
                "back beside the backup, or use another backup."
            ) from error
        except OSError as error:
            raise BackupError(f"The uploaded files {archive} cannot be read: {error}") from error
        if measured != (manifest.uploads.size, manifest.uploads.sha256):
            raise BackupError(
                f"The backup's uploaded files ({archive.name}) are damaged or incomplete: their "
                "size or SHA-256 checksum is not the one the manifest recorded. Nothing was "
                "restored; use another backup."
            )
    if newer := newer_migrations(manifest.migrations):
        raise BackupError(
            "This backup was made by a newer version of CivicDesk: its database has migrations "
            f"this code does not ({', '.join(newer)}). Upgrade the code, then restore."
        )
    return Backup(path=path, manifest=manifest)


def newer_migrations(latest: dict[str, str]) -> list[str]:
    """Those of `latest` (app: migration) that this code does not have, squashed or not."""
    disk = MigrationLoader(None, ignore_no_migrations=True).disk_migrations
    known = set(disk) | {replaced for migration in disk.values() for replaced in migration.replaces}
    return sorted(f"{app}.{name}" for app, name in latest.items() if (app, name) not in known)


def restore_backup(backup: Backup, *, using: str = DEFAULT_DB_ALIAS) -> RestoreReport:
    """Replace the database with `backup`, all or nothing; the web and worker must be stopped.

    Refuses (BackupError) if another process has the database open, or if the backup's rows or
    schema turn out not to be what its manifest says, leaving the database as it was.
    """
    wrapper = connections[using]
    wrapper.close()
    staged = _stage_uploads(backup)
    try:
        if wrapper.vendor == "sqlite":
            restored = _restore_sqlite(wrapper, backup)
        else:
            restored = _restore_postgresql(wrapper, backup)
    except BaseException:
        if staged:
            shutil.rmtree(staged, ignore_errors=True)
        raise
    wrapper.close()
    set_aside = _swap_in_uploads(staged) if staged else None
    executor = MigrationExecutor(wrapper)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    manifest = backup.manifest
    _record(
        AuditAction.RESTORED,
        backup.path,
        f"Restored from the backup made {manifest.created_at:%Y-%m-%d %H:%M} UTC",
        manifest,
        using=using,
    )
    return RestoreReport(
        backup=backup,
        row_counts={
            table: (rows, restored.get(table)) for table, rows in manifest.row_counts.items()
        },
        unapplied=[f"{migration.app_label}.{migration.name}" for migration, _ in plan],
        uploads_set_aside=set_aside,
    )


RESTORING = ".restoring-"
SET_ASIDE = ".before-restore-"


def _stage_uploads(backup: Backup) -> Path | None:
    """Unpack the backup's uploads into a folder inside MEDIA_ROOT (the same file system, even
    when it is a volume of its own, so that moving them in is a rename) and count them."""
    uploads = backup.manifest.uploads
    if uploads is None:
        return None
    root = uploads_directory()
    root.mkdir(parents=True, exist_ok=True)
    staged = Path(tempfile.mkdtemp(dir=root, prefix=RESTORING))
    try:
        with tarfile.open(backup.path.with_name(uploads.file)) as archive:
            archive.extractall(staged, filter="data")  # no absolute paths, links out, devices
        unpacked = sum(1 for item in staged.rglob("*") if item.is_file())
        if unpacked != uploads.count:
            raise BackupError(
                f"The backup's uploaded files hold {unpacked} files; the manifest records "
                f"{uploads.count}. Nothing was restored; use another backup."
            )
    except (OSError, tarfile.TarError) as error:
        shutil.rmtree(staged, ignore_errors=True)
        raise BackupError(
            f"The backup's uploaded files could not be unpacked into {root}: {error}. "
            "Nothing was restored."
        ) from error
    except BackupError:
        shutil.rmtree(staged, ignore_errors=True)
        raise
    return staged


def _swap_in_uploads(staged: Path) -> Path | None:
    """Move what MEDIA_ROOT holds into a folder set aside (uploads since the backup, which an
    operator may want back) and the restored files in, giving them MEDIA_ROOT's owner. Returns
    the folder set aside, or None if MEDIA_ROOT was empty."""
    root = staged.parent
    status = root.stat()
    set_aside = root / f"{SET_ASIDE}{timezone.now():%Y%m%dT%H%M%S%fZ}"
    set_aside.mkdir()
    if (status.st_uid, status.st_gid) != (os.getuid(), os.getgid()):  # a restore run as root
        for item in (set_aside, *staged.rglob("*")):
            os.chown(item, status.st_uid, status.st_gid)
    for item in root.iterdir():
        if not item.name.startswith((RESTORING, SET_ASIDE)):
            os.replace(item, set_aside / item.name)
    for item in staged.iterdir():
        os.replace(item, root / item.name)
    staged.rmdir()
    _sync_directory(root)
    if not any(set_aside.iterdir()):  # nothing was there: a restore onto a new server
        set_aside.rmdir()
        return None
    return set_aside


def _restore_sqlite(wrapper: BaseDatabaseWrapper, backup: Backup) -> dict[str, int]:
    """Rebuild the database in a file beside it, check it, then rename it over the old one."""
    if wrapper.is_in_memory_db():
        raise BackupError("The database is in memory: there is no file to restore into.")
    target = Path(wrapper.settings_dict["NAME"])
    target.parent.mkdir(parents=True, exist_ok=True)
    _refuse_if_sqlite_in_use(target)
    handle, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.restoring-")
    staged = Path(name)
    try:
        with os.fdopen(handle, "wb") as out, _open_backup(backup.path) as source:
            shutil.copyfileobj(source, out, CHUNK)
            out.flush()
            os.fsync(out.fileno())
        if target.exists():
            _take_ownership_of(target, staged)
        with closing(sqlite3.connect(staged)) as restored:
            _check_integrity(restored)
            cursor = restored.cursor()
            tables = _sqlite_tables(cursor)
            migrations, row_counts = _latest_migrations(cursor, tables), _count(cursor, tables)
        _refuse_unlike_manifest(backup.manifest, migrations, row_counts)
        _refuse_if_sqlite_in_use(target)  # again: staging a large database takes a while
        os.replace(staged, target)
    except (OSError, EOFError, sqlite3.DatabaseError) as error:
        raise BackupError(f"The backup {backup.path} could not be restored: {error}") from error
    finally:
        staged.unlink(missing_ok=True)
    # The old database's write-ahead log would be replayed into the new file: remove it.
    for suffix in ("-wal", "-shm", "-journal"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    _sync_directory(target.parent)
    return row_counts


def _take_ownership_of(target: Path, staged: Path) -> None:
    """The restored file gets the old one's owner and mode, or a restore run with sudo would
    leave the web server unable to open its database."""
    status = target.stat()
    os.chmod(staged, stat.S_IMODE(status.st_mode))
    if (status.st_uid, status.st_gid) != (os.getuid(), os.getgid()):
        os.chown(staged, status.st_uid, status.st_gid)


def _refuse_if_sqlite_in_use(path: Path) -> None:
    """In WAL mode every open connection holds a shared lock on the file, even when idle, so
    an exclusive lock is only granted when no other process has the database open."""
    if not path.exists():
        return
    with closing(sqlite3.connect(path, timeout=0, isolation_level=None)) as probe:
        try:
            probe.execute("PRAGMA locking_mode=EXCLUSIVE")
            probe.execute("BEGIN EXCLUSIVE")
            probe.execute("ROLLBACK")
        except sqlite3.Error as error:
            if error.sqlite_errorcode & 0xFF == sqlite3.SQLITE_BUSY:
                raise BackupError(
                    f"Another process has {path} open: stop the web server and the worker, "
                    "then restore."
                ) from error
            # Anything else (a damaged file, say) is what a restore is for.


def _restore_postgresql(wrapper: BaseDatabaseWrapper, backup: Backup) -> dict[str, int]:
    """pg_restore in one transaction: a failure part way leaves the database as it was.

    `--clean` replaces only what the dump holds, so a database whose schema differs from the
    backup's would keep tables and functions the backup does not know: that is refused, and
    an empty database (a new one, from createdb) is the place to restore into instead.
    """
    with wrapper.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
        )
        (sessions,) = cursor.fetchone()
        tables = wrapper.introspection.table_names(cursor)
        migrations = _latest_migrations(cursor, tables)
    if sessions:
        raise BackupError(
            f"{sessions} other session(s) are connected to {describe_database(using=wrapper.alias)}"
            ": stop the web server and the worker, then restore."
        )
    if tables and migrations != backup.manifest.migrations:
        raise BackupError(
            "The database's schema is not the backup's (they have different migrations), so "
            "restoring over it would leave behind what the other migrations made. Restore into "
            "an empty database instead: create one, point DATABASE_URL at it, restore again."
        )
    wrapper.close()
    _run_postgresql_tool(
        wrapper,
        "pg_restore",
        "--clean",
        "--if-exists",
        "--no-owner",
        "--single-transaction",
        str(backup.path),
    )
    with wrapper.cursor() as cursor:
        present = set(wrapper.introspection.table_names(cursor))
        return _count(cursor, [table for table in backup.manifest.row_counts if table in present])


def _refuse_unlike_manifest(
    manifest: Manifest, migrations: dict[str, str], row_counts: dict[str, int]
) -> None:
    if migrations != manifest.migrations:
        raise BackupError("The backup's schema is not the one its manifest recorded.")
    if row_counts != manifest.row_counts:
        differing = sorted(set(row_counts.items()) ^ set(manifest.row_counts.items()))
        tables = ", ".join(sorted({table for table, _ in differing}))
        raise BackupError(f"The backup's rows are not those its manifest recorded ({tables}).")


# Shared by both engines.


def _sqlite_tables(cursor: sqlite3.Cursor) -> list[str]:
    cursor.execute(
        "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' "
        "ESCAPE '\\' ORDER BY name"
    )
    return [name for (name,) in cursor.fetchall()]


def _latest_migrations(cursor: Cursor, tables: list[str]) -> dict[str, str]:
    if "django_migrations" not in tables:
        return {}
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY id")
    return dict(cursor.fetchall())  # later rows replace earlier ones: the latest of each app


def _count(cursor: Cursor, tables: list[str]) -> dict[str, int]:
    counts = {}
    for table in tables:
        cursor.execute(f"SELECT count(*) FROM {_quote(table)}")
        (counts[table],) = cursor.fetchone()
    return counts


def _quote(name: str) -> str:
    """An identifier quoted as both engines read it."""
    return '"' + name.replace('"', '""') + '"'


def _check_integrity(database: sqlite3.Connection) -> None:
    problems = [problem for (problem,) in database.execute("PRAGMA integrity_check")]
    if problems != ["ok"]:
        raise sqlite3.DatabaseError(f"integrity check failed: {'; '.join(problems[:5])}")


def _run_postgresql_tool(wrapper: BaseDatabaseWrapper, program: str, *options: str) -> None:
    """Run pg_dump or pg_restore against the database with Django's own connection settings.

    Django's psql arguments give the user, host and port as pairs and end with the database
    name; its environment carries the password (PGPASSWORD) and TLS settings, so the password
    never appears on a command line.
    """
    executable = shutil.which(program)
    if executable is None:
        raise BackupError(
            f"{program} is not installed: install PostgreSQL's client programs (Debian: "
            "postgresql-client), of the server's version or newer."
        )
    args, env = wrapper.client.settings_to_cmd_args_env(wrapper.settings_dict, [])
    connection_args = args[1:]
    if len(connection_args) % 2:
        connection_args[-1] = f"--dbname={connection_args[-1]}"
    finished = subprocess.run(
        [executable, *connection_args, *options],
        env={**os.environ, **(env or {})},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
    )
    if finished.returncode:
        raise BackupError(f"{program} failed: {finished.stderr.strip()}")


@contextmanager
def _open_backup(path: Path) -> Iterator[IO[bytes]]:
    with gzip.open(path, "rb") if path.suffix == ".gz" else open(path, "rb") as source:
        yield source


def _measure(path: Path) -> tuple[int, str]:
    with open(path, "rb") as file:
        return os.fstat(file.fileno()).st_size, hashlib.file_digest(file, "sha256").hexdigest()


def _publish(partial: Path, path: Path) -> None:
    """Give a finished file its name only once it is safely on disk."""
    with open(partial, "rb") as file:
        os.fsync(file.fileno())
    os.replace(partial, path)
    _sync_directory(path.parent)


def _write_atomically(path: Path, text: str) -> None:
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(text)
    _publish(partial, path)


def _sync_directory(directory: Path) -> None:
    handle = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)

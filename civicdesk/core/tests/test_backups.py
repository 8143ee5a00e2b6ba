"""Backups and restores: every record comes back, and a backup that cannot be trusted is
refused before the database is touched.

They run on the suite's engine: SQLite, on a file as in production (the suite's own database
is in memory), or PostgreSQL when DATABASE_URL is set, where they need pg_dump and pg_restore.
Backups are read by other connections and processes, so the tests commit for real.
"""

import datetime
import hashlib
import json
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from dataclasses import replace
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from civicdesk.cases.models import Case
from civicdesk.cases.services import attach_file
from civicdesk.cases.tests.factories import CaseFactory
from civicdesk.contacts.models import Contact
from civicdesk.core import backups
from civicdesk.core.models import AuditAction, AuditEvent
from civicdesk.organisations.tests.factories import MembershipFactory, OrganisationFactory
from civicdesk.people.models import Customer

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def database(transactional_db, tmp_path, settings) -> Iterator[None]:
    settings.CIVICDESK_BACKUP_DIR = tmp_path / "backups"
    settings.MEDIA_ROOT = tmp_path / "media"
    if connection.vendor == "sqlite":
        yield from on_a_file(tmp_path / "civicdesk.sqlite3")
        return
    if not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        pytest.skip("pg_dump and pg_restore are not installed")
    # A live server's thread from an earlier test may still be connected (see conftest), and a
    # restore refuses to run beside another session.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    yield


def on_a_file(path: Path) -> Iterator[None]:
    """Point the connection at a file copy of the (migrated, empty) in-memory test database.

    The in-memory database lasts only while a connection to it is open, so one is kept until
    the connection is back on it, for the tests that come after.
    """
    in_memory = connection.settings_dict["NAME"]
    keeper = sqlite3.connect(in_memory, uri=True)
    with closing(sqlite3.connect(path)) as copy:
        keeper.backup(copy)
    connection.settings_dict["NAME"] = str(path)
    connection.close()
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict["NAME"] = in_memory
        connection.ensure_connection()
        keeper.close()


def every_record() -> dict[str, tuple[int, str]]:
    """For every model of every CivicDesk app: its rows, and a checksum of them in pk order.

    The audit entries of backups and restores are left out: a restore brings back the audit log
    as it was and then records itself in it.
    """
    records = {}
    for model in apps.get_models(include_auto_created=True):
        if not model._meta.app_config.name.startswith("civicdesk."):
            continue
        columns = [field.attname for field in model._meta.concrete_fields]
        rows = model._base_manager.order_by("pk")
        if model is AuditEvent:
            rows = rows.exclude(record_type="core.backup")
        digest, count = hashlib.sha256(), 0
        for row in rows.values_list(*columns).iterator():
            digest.update(repr(row).encode())
            count += 1
        records[model._meta.label] = (count, digest.hexdigest())
    return records


def run(command: str, *args: str) -> str:
    out = StringIO()
    call_command(command, *args, stdout=out, stderr=out)
    return out.getvalue()


def rewrite_manifest(path: Path, **changes) -> None:
    manifest = backups.manifest_path(path)
    recorded = backups.Manifest.from_json(manifest.read_text())
    manifest.write_text(replace(recorded, **changes).to_json())


def test_a_restore_brings_back_every_record(database):
    run("seed", "--customers", "50", "--contacts", "500")
    before = every_record()
    assert before["contacts.Contact"][0] >= 500 and before["cases.Case"][0] > 0

    output = run("backup", "--gzip")

    assert "Backed up" in output
    manifest = backups.read_backup(backups.latest_backup()).manifest
    assert manifest.row_counts[Contact._meta.db_table] == before["contacts.Contact"][0]
    # An afternoon's damage: cases and contacts deleted, every customer renamed, a new council.
    Case.objects.filter(pk__in=list(Case.objects.values_list("pk", flat=True)[:40])).delete()
    Contact.objects.filter(pk__in=list(Contact.objects.values_list("pk", flat=True)[:100])).delete()
    Customer.objects.update(surname="Overwritten")
    OrganisationFactory(slug="elmfield", name="Elmfield District Council")
    assert every_record() != before

    output = run("restore", "--latest", "--no-input")

    assert "every table has the rows the backup's manifest records" in output
    assert every_record() == before
    restored = AuditEvent.objects.get(record_type="core.backup")  # the backup's own is later
    assert restored.action == AuditAction.RESTORED
    assert restored.record_id == backups.latest_backup().name
    assert restored.detail["rows"] == manifest.rows
    assert restored.actor_label.endswith("(manage.py)")


def unapplied() -> list[str]:
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _ in plan]


def a_little_council() -> None:
    for _ in range(3):
        MembershipFactory()


def test_a_database_that_is_not_there_is_not_backed_up(database, tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL refuses to connect to a database that is not there")
    elsewhere = tmp_path / "elsewhere"
    real = connection.settings_dict["NAME"]
    connection.close()
    connection.settings_dict["NAME"] = str(elsewhere / "civicdesk.sqlite3")
    try:
        with pytest.raises(backups.BackupError, match="nothing to back up"):
            backups.create_backup()
    finally:
        connection.settings_dict["NAME"] = real
    assert not elsewhere.exists() and not backups.backup_directory().exists()


def test_a_damaged_backup_is_refused_and_the_database_left_as_it_was(database):
    a_little_council()
    backup = backups.create_backup()
    before = every_record()
    whole = backup.path.read_bytes()
    backup.path.write_bytes(whole[: len(whole) // 2])

    with pytest.raises(CommandError, match="damaged or incomplete"):
        run("restore", str(backup.path), "--no-input")

    # Damage the checksum cannot see (the manifest written afterwards, to match): the restore
    # fails part way through, SQLite's while checking its copy, pg_restore in its transaction.
    # (Zeros over the middle: a cut-off end can fall in SQLite's unused space and go unseen.)
    middle = len(whole) // 2
    damaged = whole[:middle] + bytes(16384) + whole[middle + 16384 :]
    backup.path.write_bytes(damaged)
    rewrite_manifest(backup.path, size=len(damaged), sha256=hashlib.sha256(damaged).hexdigest())
    with pytest.raises(backups.BackupError, match=r"could not be restored|pg_restore failed"):
        backups.restore_backup(backups.read_backup(backup.path))

    assert every_record() == before
    if connection.vendor == "sqlite":
        home = Path(connection.settings_dict["NAME"]).parent
        assert not list(home.glob(".*restoring*")), "the rebuilt copy is removed"


def test_a_backup_from_a_newer_schema_is_refused(database):
    a_little_council()
    backup = backups.create_backup()
    latest = backup.manifest.migrations
    rewrite_manifest(backup.path, migrations={**latest, "cases": "9999_from_the_future"})
    OrganisationFactory(slug="elmfield", name="Elmfield District Council")
    before = every_record()

    with pytest.raises(CommandError, match=r"newer version.*cases\.9999_from_the_future"):
        run("restore", "--latest", "--no-input")

    assert every_record() == before


def test_a_restore_asks_first_and_refuses_while_the_database_is_in_use(database, monkeypatch):
    a_little_council()
    backups.create_backup()
    OrganisationFactory(slug="elmfield", name="Elmfield District Council")
    before = every_record()
    monkeypatch.setattr("builtins.input", lambda prompt: "no")

    with pytest.raises(CommandError, match="cancelled"):
        run("restore", "--latest")

    # The worker, say, with its connection open and idle.
    worker = connection.get_new_connection(connection.get_connection_params())
    worker.cursor().execute("SELECT count(*) FROM django_migrations")
    monkeypatch.setattr("builtins.input", lambda prompt: "yes")
    with pytest.raises(CommandError, match="stop the web server and the worker"):
        run("restore", "--latest")
    assert every_record() == before

    worker.close()
    assert "Restored" in run("restore", "--latest")
    assert every_record() != before


def test_only_the_newest_backups_are_kept(database, time_machine):
    a_little_council()
    made = []
    for day in (1, 2, 3):
        time_machine.move_to(datetime.datetime(2026, 11, day, 2, 15, tzinfo=datetime.UTC))
        made.append(backups.create_backup().path)

    time_machine.move_to(datetime.datetime(2026, 11, 4, 2, 15, tzinfo=datetime.UTC))
    output = run("backup", "--keep", "2")

    newest = backups.latest_backup()
    assert newest.name.startswith("civicdesk-20261104T021500Z")
    assert backups.list_backups(directory=newest.parent) == [newest, made[2]]
    assert f"Removed the older backup {made[1]}" in output
    assert not made[0].exists() and not backups.manifest_path(made[0]).exists()


def test_an_older_backup_is_restored_and_then_migrated(database):
    """A backup made before an upgrade: on SQLite the file replaces the database; PostgreSQL's
    --clean would leave the newer migrations' tables behind, so it wants an empty database.

    The upgrade is played backwards: insight's later migrations are unapplied for the backup.
    """
    a_little_council()
    call_command("migrate", "insight", "0001", verbosity=0)
    try:
        since_the_backup = unapplied()
        backup = backups.create_backup()
        call_command("migrate", verbosity=0)
        if connection.vendor == "postgresql":
            with pytest.raises(backups.BackupError, match="empty database"):
                backups.restore_backup(backup)
            with connection.cursor() as cursor:  # what createdb would give
                cursor.execute("DROP SCHEMA public CASCADE")
                cursor.execute("CREATE SCHEMA public")
            connection.close()

        report = backups.restore_backup(backup)

        assert not report.differences
        assert since_the_backup and report.unapplied == since_the_backup
    finally:
        call_command("migrate", verbosity=0)
    assert unapplied() == []


def attach(case: Case, name: str, content: bytes) -> Path:
    attachment = attach_file(
        actor=None, case=case, upload=SimpleUploadedFile(name, content, "text/plain")
    )
    return Path(attachment.file.path)


def every_upload(root: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(root)): path.read_bytes()
        for path in root.rglob("*")
        if path.is_file() and not path.relative_to(root).parts[0].startswith(".")
    }


def test_uploaded_files_come_back_with_the_rows_that_refer_to_them(database, settings):
    case = CaseFactory()
    kept = [attach(case, f"letter-{number}.txt", f"Letter {number}".encode()) for number in (1, 2)]
    media = Path(settings.MEDIA_ROOT)
    stray = media / "cases" / "not-referred-to.txt"
    stray.write_text("left behind by a failed upload")
    before, files = every_record(), every_upload(media)

    output = run("backup")

    manifest = backups.read_backup(backups.latest_backup()).manifest
    assert manifest.uploads.count == 2 and manifest.uploads.missing == []
    assert "Archived 2 uploaded files" in output
    backed_up = AuditEvent.objects.get(record_type="core.backup")
    assert backed_up.action == AuditAction.BACKED_UP and backed_up.detail["uploads"] == 2
    # After the backup: one file lost from the disk, another uploaded.
    kept[0].unlink()
    later = attach(case, "later.txt", b"After the backup")

    output = run("restore", "--latest", "--no-input")

    assert every_record() == before
    assert every_upload(media) == {
        name: data for name, data in files.items() if "not-ref" not in name
    }
    set_aside = next(media.glob(".before-restore-*"))
    assert f"kept in {set_aside}" in output
    assert (set_aside / later.relative_to(media)).read_bytes() == b"After the backup"
    assert (set_aside / stray.relative_to(media)).exists()
    assert not list(media.glob(".restoring-*"))


def test_files_missing_when_the_backup_is_made_are_named(database, settings):
    case = CaseFactory()
    gone = attach(case, "gone.txt", b"soon gone")
    attach(case, "here.txt", b"still here")
    gone.unlink()

    out, err = StringIO(), StringIO()
    call_command("backup", stdout=out, stderr=err)

    uploads = backups.read_backup(backups.latest_backup()).manifest.uploads
    name = str(gone.relative_to(settings.MEDIA_ROOT))
    assert (uploads.count, uploads.missing) == (1, [name])
    assert f"1 files the database refers to are not in {settings.MEDIA_ROOT}: {name}" in (
        err.getvalue()
    )
    assert "already missing when it was made" in run("restore", "--latest", "--no-input")


def test_damaged_or_absent_uploads_are_refused_before_anything_changes(database, settings):
    case = CaseFactory()
    attach(case, "letter.txt", b"A letter")
    backup = backups.create_backup()
    archive = backups.uploads_path(backup.path)
    CaseFactory()
    before, files = every_record(), every_upload(Path(settings.MEDIA_ROOT))

    whole = archive.read_bytes()
    archive.write_bytes(whole[:-512])
    with pytest.raises(CommandError, match=r"uploaded files .* are damaged or incomplete"):
        run("restore", str(backup.path), "--no-input")
    archive.unlink()
    with pytest.raises(CommandError, match=r"uploaded files .* are not beside it"):
        run("restore", str(backup.path), "--no-input")
    # Damage the checksum cannot see: the archive holds another number of files.
    archive.write_bytes(whole)
    rewrite_manifest(
        backup.path,
        uploads=replace(backup.manifest.uploads, count=backup.manifest.uploads.count + 1),
    )
    with pytest.raises(backups.BackupError, match="hold 1 files; the manifest records 2"):
        backups.restore_backup(backups.read_backup(backup.path))

    assert every_record() == before
    assert every_upload(Path(settings.MEDIA_ROOT)) == files
    assert not list(Path(settings.MEDIA_ROOT).glob(".restoring-*"))


def test_a_backup_made_before_uploads_were_kept_restores_the_rows_only(database, settings):
    a_little_council()
    backup = backups.create_backup()
    data = json.loads(backups.manifest_path(backup.path).read_text())
    del data["uploads"]
    data["format"] = 1
    backups.manifest_path(backup.path).write_text(json.dumps(data))
    backups.uploads_path(backup.path).unlink()
    on_disk = Path(settings.MEDIA_ROOT) / "cases" / "today.txt"
    on_disk.parent.mkdir(parents=True)
    on_disk.write_text("uploaded today")

    output = run("restore", "--latest", "--no-input")

    assert "no uploaded files" in output
    assert on_disk.read_text() == "uploaded today"


def test_uploads_restored_onto_a_new_server_set_nothing_aside(database, settings):
    attach(CaseFactory(), "letter.txt", b"A letter")
    before, files = every_record(), every_upload(Path(settings.MEDIA_ROOT))
    run("backup")
    shutil.rmtree(settings.MEDIA_ROOT)  # the new server has no uploads yet

    output = run("restore", "--latest", "--no-input")

    assert "Restored 1 uploaded file." in output and "kept in" not in output
    assert every_record() == before
    assert every_upload(Path(settings.MEDIA_ROOT)) == files
    assert [item.name for item in Path(settings.MEDIA_ROOT).iterdir()] == ["cases"]

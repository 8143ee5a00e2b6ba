"""Backups and restores: every record comes back, and a backup that cannot be trusted is
refused before the database is touched.

They run on the suite's engine: SQLite, on a file as in production (the suite's own database
is in memory), or PostgreSQL when DATABASE_URL is set, where they need pg_dump and pg_restore.
Backups are read by other connections and processes, so the tests commit for real.
"""

import datetime
import hashlib
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from dataclasses import replace
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from civicdesk.cases.models import Case
from civicdesk.contacts.models import Contact
from civicdesk.core import backups
from civicdesk.organisations.tests.factories import MembershipFactory, OrganisationFactory
from civicdesk.people.models import Customer

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def database(transactional_db, tmp_path, settings) -> Iterator[None]:
    settings.CIVICDESK_BACKUP_DIR = tmp_path / "backups"
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
    """For every model of every CivicDesk app: its rows, and a checksum of them in pk order."""
    records = {}
    for model in apps.get_models(include_auto_created=True):
        if not model._meta.app_config.name.startswith("civicdesk."):
            continue
        columns = [field.attname for field in model._meta.concrete_fields]
        digest, count = hashlib.sha256(), 0
        for row in model._base_manager.order_by("pk").values_list(*columns).iterator():
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

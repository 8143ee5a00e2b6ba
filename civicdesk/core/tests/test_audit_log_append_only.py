"""The database refuses to change or remove audit entries, whatever SQL is sent (migration 0004)."""

import importlib

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from civicdesk.core.audit import UNLOCK_TABLE, permit_erasure, record
from civicdesk.core.models import AuditAction, AuditEvent
from civicdesk.organisations.tests.factories import TeamFactory, UserFactory

migration = importlib.import_module("civicdesk.core.migrations.0004_audit_log_append_only")

TABLE = AuditEvent._meta.db_table


def execute(sql: str, params: list | None = None) -> int:
    """Run raw SQL in a savepoint, so that a refusal leaves the test's transaction usable."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def unlock_rows() -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {UNLOCK_TABLE}")
        return cursor.fetchone()[0]


@pytest.fixture
def officer():
    return UserFactory(username="jpatel")


@pytest.fixture
def entry(officer) -> AuditEvent:
    return record(
        actor=officer, action=AuditAction.UPDATED, target=TeamFactory(), summary="Renamed"
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "change",
    [
        "summary = 'Rewritten'",
        "occurred_at = occurred_at",  # not even to the same value
        "actor_label = 'someone else'",
        "detail = '{}'",
    ],
)
def test_an_entry_cannot_be_changed_in_sql(entry, change):
    with pytest.raises(IntegrityError, match="append-only"):
        execute(f"UPDATE {TABLE} SET {change} WHERE id = %s", [entry.pk])
    entry.refresh_from_db()
    assert entry.summary == "Renamed"
    assert entry.actor_label == "jpatel"


@pytest.mark.django_db
def test_the_actor_may_only_be_forgotten_and_nothing_else_with_it(entry, officer):
    someone_else = UserFactory()
    with pytest.raises(IntegrityError, match="append-only"):
        execute(f"UPDATE {TABLE} SET actor_id = %s WHERE id = %s", [someone_else.pk, entry.pk])
    with pytest.raises(IntegrityError, match="append-only"):
        execute(f"UPDATE {TABLE} SET actor_id = NULL, summary = 'Nobody' WHERE id = %s", [entry.pk])

    assert execute(f"UPDATE {TABLE} SET actor_id = NULL WHERE id = %s", [entry.pk]) == 1

    entry.refresh_from_db()
    assert (entry.actor_id, entry.actor_label, entry.summary) == (None, "jpatel", "Renamed")


@pytest.mark.django_db
def test_deleting_a_user_keeps_their_entries_as_written(entry, officer):
    officer.delete()

    entry.refresh_from_db()
    assert (entry.actor_id, entry.actor_label, entry.summary) == (None, "jpatel", "Renamed")


@pytest.mark.django_db
def test_an_entry_cannot_be_deleted_in_sql(entry):
    with pytest.raises(IntegrityError, match="append-only"):
        execute(f"DELETE FROM {TABLE} WHERE id = %s", [entry.pk])
    with pytest.raises(IntegrityError, match="append-only"):
        execute(f"DELETE FROM {TABLE}")
    assert AuditEvent.objects.filter(pk=entry.pk).exists()


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has no TRUNCATE")
def test_the_log_cannot_be_truncated(entry):
    # The entry's deferred foreign key check would otherwise refuse the TRUNCATE first.
    execute("SET CONSTRAINTS ALL IMMEDIATE")
    with pytest.raises(IntegrityError, match="append-only"):
        execute(f"TRUNCATE {TABLE}")
    assert AuditEvent.objects.filter(pk=entry.pk).exists()


@pytest.mark.django_db
def test_entries_are_still_written_in_sql_and_through_the_log(entry):
    inserted = execute(
        f"INSERT INTO {TABLE} (occurred_at, actor_label, action, record_type, record_id, "
        "summary, detail) VALUES (%s, 'system', 'imported', 'places.address', '1', '', '{}')",
        [entry.occurred_at],
    )

    assert inserted == 1
    assert AuditEvent.objects.count() == 2


@pytest.mark.django_db
def test_erasure_is_permitted_only_inside_the_block(entry):
    kept = record(actor=None, action=AuditAction.CREATED, target=TeamFactory())

    with permit_erasure(reason="retention"):
        assert execute(f"DELETE FROM {TABLE} WHERE id = %s", [entry.pk]) == 1
        # Deleting is all it permits.
        with pytest.raises(IntegrityError, match="append-only"):
            execute(f"UPDATE {TABLE} SET summary = 'Rewritten' WHERE id = %s", [kept.pk])

    assert unlock_rows() == 0
    assert list(AuditEvent.objects.all()) == [kept]
    with pytest.raises(IntegrityError, match="append-only"):
        execute(f"DELETE FROM {TABLE} WHERE id = %s", [kept.pk])


@pytest.mark.django_db
def test_a_failed_erasure_leaves_the_log_locked(entry):
    with pytest.raises(RuntimeError), permit_erasure(reason="retention"):
        raise RuntimeError("the retention job failed")

    assert unlock_rows() == 0
    with pytest.raises(IntegrityError, match="append-only"):
        execute(f"DELETE FROM {TABLE} WHERE id = %s", [entry.pk])


@pytest.mark.django_db(transaction=True)
def test_flush_empties_the_log_and_locks_it_again():
    record(actor=None, action=AuditAction.CREATED, target=TeamFactory())

    call_command("flush", interactive=False, verbosity=0)

    assert AuditEvent.objects.count() == 0
    assert unlock_rows() == 0
    entry = record(actor=None, action=AuditAction.CREATED, target=TeamFactory())
    with pytest.raises(IntegrityError, match="append-only"):
        execute(f"DELETE FROM {TABLE} WHERE id = %s", [entry.pk])
    # The test case's own flush, after this test, empties the log again.


@pytest.mark.django_db
def test_the_triggers_are_in_place():
    """A later migration that rebuilds the table (SQLite alters tables so) must recreate them."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [TABLE]
            )
            expected = {"core_auditevent_no_update", "core_auditevent_no_delete"}
        else:
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal",
                [TABLE],
            )
            expected = {"core_auditevent_append_only", "core_auditevent_no_truncate"}
        assert {name for (name,) in cursor.fetchall()} == expected


def test_the_sqlite_trigger_compares_every_column_but_the_actor():
    """A new column must join UNCHANGED_COLUMNS, or an UPDATE could change it unnoticed."""
    columns = {field.column for field in AuditEvent._meta.concrete_fields}
    assert set(migration.UNCHANGED_COLUMNS) == columns - {"actor_id"}

"""The database itself refuses to change or remove audit entries.

`AuditEvent` already refuses `save()` of a stored entry, `delete()`, and its queryset's
`update()` and `delete()`; raw SQL, a bulk tool or a future bug would get past those. Triggers
on the audit table make the database the judge, on SQLite and on PostgreSQL alike:

- UPDATE is refused, with one exception: setting `actor_id` to NULL with every other column
  unchanged. That is `on_delete=SET_NULL` when a user is deleted. Staff and portal accounts are
  deactivated, not deleted, in CivicDesk, but Django's admin can still delete a user (and a
  resident may ask for their sign-in to be erased); the entry keeps `actor_label`, so it still
  says who acted. Forbidding the deletion of any user with history was the alternative: it
  would make every account that ever signed in undeletable, for no gain in what the log says.
- DELETE (and on PostgreSQL TRUNCATE, which skips row triggers) is refused unless a row exists
  in `core_audit_unlock`, a table with no model. Only `core.audit.permit_erasure` writes one,
  inside a transaction that removes it again, so no other connection ever sees it. Its callers
  are the `flush` command (core's own, which wraps Django's; the test suite's transactional
  tests flush the database after each test) and, when there is one, a retention job removing
  entries older than the council's retention period.

The trade-off: this guards against the application and its operators' mistakes, not against
someone who owns the database, who can drop a trigger. Shipping the log elsewhere is the answer
to that. On SQLite, Django alters a table by rebuilding it, which drops its triggers: a later
migration that alters `core_auditevent` must run this one's `create_triggers` again
(`core.tests.test_audit_log_append_only` checks that the triggers are there); every statement
here may run again, e.g. after `pg_restore --clean` of a backup older than this migration has
dropped the table, and its triggers with it, but not the unlock table or the function.
"""

from django.db import migrations

UNLOCK_TABLE = "core_audit_unlock"

# Every column but actor_id: an UPDATE may change nothing else. A column added to the audit
# table later must be added here, in a migration that recreates the triggers.
UNCHANGED_COLUMNS = (
    "id", "occurred_at", "organisation_id", "actor_label", "action", "record_type", "record_id",
    "summary", "detail",
)  # fmt: skip

ONLY_THE_ACTOR_FORGOTTEN = " AND ".join(
    ["OLD.actor_id IS NOT NULL", "NEW.actor_id IS NULL"]
    + [f"NEW.{column} IS OLD.{column}" for column in UNCHANGED_COLUMNS]
)

SQLITE = [
    f"CREATE TABLE IF NOT EXISTS {UNLOCK_TABLE} (reason varchar(100) NOT NULL)",
    f"""
    CREATE TRIGGER IF NOT EXISTS core_auditevent_no_update BEFORE UPDATE ON core_auditevent
    WHEN NOT ({ONLY_THE_ACTOR_FORGOTTEN})
    BEGIN
        SELECT RAISE(ABORT, 'The audit log is append-only: entries cannot be changed.');
    END
    """,
    f"""
    CREATE TRIGGER IF NOT EXISTS core_auditevent_no_delete BEFORE DELETE ON core_auditevent
    WHEN NOT EXISTS (SELECT 1 FROM {UNLOCK_TABLE})
    BEGIN
        SELECT RAISE(ABORT, 'The audit log is append-only: entries cannot be deleted.');
    END
    """,
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS core_auditevent_no_delete",
    "DROP TRIGGER IF EXISTS core_auditevent_no_update",
    f"DROP TABLE IF EXISTS {UNLOCK_TABLE}",
]

# The row compared as JSON without actor_id covers every column, those added later included.
POSTGRESQL = [
    f"CREATE TABLE IF NOT EXISTS {UNLOCK_TABLE} (reason varchar(100) NOT NULL)",
    f"""
    CREATE OR REPLACE FUNCTION core_auditevent_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'UPDATE' THEN
            IF OLD.actor_id IS NOT NULL AND NEW.actor_id IS NULL
                    AND to_jsonb(NEW) - 'actor_id' = to_jsonb(OLD) - 'actor_id' THEN
                RETURN NEW;
            END IF;
        ELSIF EXISTS (SELECT 1 FROM {UNLOCK_TABLE}) THEN
            IF TG_OP = 'DELETE' THEN
                RETURN OLD;
            END IF;
            RETURN NULL;  -- TRUNCATE: a statement trigger, whose result is ignored
        END IF;
        RAISE EXCEPTION USING
            MESSAGE = 'The audit log is append-only: ' || TG_OP || ' refused.',
            ERRCODE = 'integrity_constraint_violation';
    END;
    $$
    """,
    """
    CREATE OR REPLACE TRIGGER core_auditevent_append_only BEFORE UPDATE OR DELETE ON core_auditevent
    FOR EACH ROW EXECUTE FUNCTION core_auditevent_append_only()
    """,
    """
    CREATE OR REPLACE TRIGGER core_auditevent_no_truncate BEFORE TRUNCATE ON core_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION core_auditevent_append_only()
    """,
]
POSTGRESQL_REVERSE = [
    "DROP TRIGGER IF EXISTS core_auditevent_no_truncate ON core_auditevent",
    "DROP TRIGGER IF EXISTS core_auditevent_append_only ON core_auditevent",
    "DROP FUNCTION IF EXISTS core_auditevent_append_only()",
    f"DROP TABLE IF EXISTS {UNLOCK_TABLE}",
]


def _run(schema_editor, by_vendor):
    statements = by_vendor.get(schema_editor.connection.vendor)
    if statements is None:
        raise NotImplementedError(
            f"No append-only triggers for {schema_editor.connection.vendor}: write them here."
        )
    for statement in statements:
        schema_editor.execute(statement, params=None)


def create_triggers(apps, schema_editor):
    _run(schema_editor, {"sqlite": SQLITE, "postgresql": POSTGRESQL})


def drop_triggers(apps, schema_editor):
    _run(schema_editor, {"sqlite": SQLITE_REVERSE, "postgresql": POSTGRESQL_REVERSE})


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_submission_keys"),
    ]

    operations = [
        migrations.RunPython(create_triggers, drop_triggers),
    ]

"""Django's `flush`, allowed to empty the audit log along with every other table.

The database refuses to delete audit entries (core migration 0004); emptying the whole database
is one of the two things that may. Django's test cases call `flush` by name after every
transactional test, so they run this one. On a database migrated without core's migrations
(there are no triggers then) it is Django's flush unchanged.
"""

from typing import Any

from django.core.management.commands import flush
from django.db import connections

from civicdesk.core.audit import UNLOCK_TABLE, permit_erasure


class Command(flush.Command):
    def handle(self, **options: Any) -> None:
        database = options["database"]
        if UNLOCK_TABLE not in connections[database].introspection.table_names():
            super().handle(**options)
            return
        with permit_erasure(reason="flush", using=database):
            super().handle(**options)

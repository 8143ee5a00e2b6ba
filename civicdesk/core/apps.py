from typing import Any

from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate


def refresh_planner_statistics(*, using: str = "default", **kwargs: Any) -> None:
    """SQLite plans queries from statistics that only ANALYZE gathers, and never by itself.

    Without them a newly added index looks perfect to the planner, and searches that should take
    milliseconds scan the customer table. PostgreSQL's autovacuum keeps its own up to date.
    """
    connection = connections[using]
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


class CoreConfig(AppConfig):
    name = "civicdesk.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        # Sent once per app after every migrate; listening for this app alone runs it once.
        post_migrate.connect(refresh_planner_statistics, sender=self)

"""`manage.py schedule_rollups`: make sure the rollup refresh runs, e.g. when the worker starts."""

import datetime
from typing import Any

from django.core.management.base import BaseCommand

from civicdesk.insight.tasks import schedule_refresh


class Command(BaseCommand):
    help = "Queue the refresh of the management information rollups if it is not queued already."

    def handle(self, *args: Any, **options: Any) -> None:
        if schedule_refresh(delay=datetime.timedelta(0)):
            self.stdout.write("The rollup refresh is queued.")
        else:
            self.stdout.write("The rollup refresh was already queued.")

"""`manage.py schedule_pruning`: queue the nightly pruning of finished task results."""

import datetime
from typing import Any

from django.core.management.base import BaseCommand

from civicdesk.core.tasks import schedule_pruning


class Command(BaseCommand):
    help = "Queue the pruning of finished task results if it is not queued already."

    def handle(self, *args: Any, **options: Any) -> None:
        if schedule_pruning(delay=datetime.timedelta(hours=1)):
            self.stdout.write("Pruning of finished task results is queued.")
        else:
            self.stdout.write("Pruning of finished task results was already queued.")

"""`manage.py schedule_heartbeat`: make sure the worker's heartbeat runs, e.g. when it starts."""

import datetime
from typing import Any

from django.core.management.base import BaseCommand

from civicdesk.monitoring.tasks import schedule_heartbeat


class Command(BaseCommand):
    help = "Queue the task worker's heartbeat if it is not queued already."

    def handle(self, *args: Any, **options: Any) -> None:
        if schedule_heartbeat(delay=datetime.timedelta(0)):
            self.stdout.write("The worker heartbeat is queued.")
        else:
            self.stdout.write("The worker heartbeat was already queued.")

"""`manage.py schedule_escalation`: make sure the SLA sweep runs, e.g. when the worker starts."""

import datetime
from typing import Any

from django.core.management.base import BaseCommand

from civicdesk.cases.tasks import schedule_sweep


class Command(BaseCommand):
    help = "Queue the SLA escalation sweep if it is not queued already."

    def handle(self, *args: Any, **options: Any) -> None:
        if schedule_sweep(delay=datetime.timedelta(0)):
            self.stdout.write("The SLA sweep is queued.")
        else:
            self.stdout.write("The SLA sweep was already queued.")

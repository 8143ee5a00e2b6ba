"""`manage.py schedule_payments`: make sure the payments sweep runs, e.g. when the worker starts."""

import datetime
from typing import Any

from django.core.management.base import BaseCommand

from civicdesk.payments.tasks import schedule_reconciliation


class Command(BaseCommand):
    help = "Queue the sweep of unfinished payments if it is not queued already."

    def handle(self, *args: Any, **options: Any) -> None:
        if schedule_reconciliation(delay=datetime.timedelta(0)):
            self.stdout.write("The payments sweep is queued.")
        else:
            self.stdout.write("The payments sweep was already queued.")

"""`manage.py schedule_renewals`: make sure the daily renewal reminders run."""

import datetime
from typing import Any

from django.core.management.base import BaseCommand

from civicdesk.forms.tasks import schedule_renewals


class Command(BaseCommand):
    help = "Queue the daily renewal reminders if they are not queued already."

    def handle(self, *args: Any, **options: Any) -> None:
        if schedule_renewals(delay=datetime.timedelta(0)):
            self.stdout.write("The renewal reminders are queued.")
        else:
            self.stdout.write("The renewal reminders were already queued.")

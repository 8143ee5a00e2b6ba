"""`manage.py schedule_surveys`: make sure the hourly satisfaction survey sample runs."""

import datetime
from typing import Any

from django.core.management.base import BaseCommand

from civicdesk.surveys.tasks import schedule_surveys


class Command(BaseCommand):
    help = "Queue the satisfaction survey sampler if it is not queued already."

    def handle(self, *args: Any, **options: Any) -> None:
        if schedule_surveys(delay=datetime.timedelta(0)):
            self.stdout.write("The satisfaction survey sampler is queued.")
        else:
            self.stdout.write("The satisfaction survey sampler was already queued.")

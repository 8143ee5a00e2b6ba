"""`manage.py schedule_alerts`: make sure the daily demand alert run is queued (06:00 local)."""

from typing import Any

from django.core.management.base import BaseCommand

from civicdesk.insight.alert_tasks import next_run, schedule_alerts


class Command(BaseCommand):
    help = "Queue the daily detection of unusual demand if it is not queued already."

    def handle(self, *args: Any, **options: Any) -> None:
        if schedule_alerts():
            self.stdout.write(f"The demand alert run is queued for {next_run():%Y-%m-%d %H:%M %Z}.")
        else:
            self.stdout.write("The demand alert run was already queued.")

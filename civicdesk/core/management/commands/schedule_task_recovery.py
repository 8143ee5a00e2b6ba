"""`manage.py schedule_task_recovery`: queue the regular look for tasks abandoned by a worker
that died."""

from typing import Any

from django.core.management.base import BaseCommand

from civicdesk.core.tasks import schedule_recovery


class Command(BaseCommand):
    help = "Queue the look for abandoned tasks if it is not queued already."

    def handle(self, *args: Any, **options: Any) -> None:
        if schedule_recovery():
            self.stdout.write("The look for abandoned tasks is queued.")
        else:
            self.stdout.write("The look for abandoned tasks was already queued.")

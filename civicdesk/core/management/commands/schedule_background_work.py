"""`manage.py schedule_background_work`: queue every recurring task that is not queued already.

Each app that has recurring work offers a `schedule_<work>` command (each task queues its own
next run); this runs them all, so starting a deployment is one command and a new app's recurring
work is picked up without editing the Makefile or the systemd units.

It runs just before the worker starts, so it first queues again whatever that worker's last life
left running (civicdesk.core.task_recovery): a recurring task cut short then carries on its own
chain instead of a second one being started beside it.
"""

from typing import Any

from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand, CommandParser

from civicdesk.core.task_recovery import default_worker_id, recover_abandoned_tasks


class Command(BaseCommand):
    help = "Queue every recurring background task (the schedule_* commands) not queued already."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--worker-id",
            default=default_worker_id(),
            help="The id of the worker about to start, as given to db_worker (default: the "
            "host name). Tasks it left running when it last stopped are queued again.",
        )

    def handle(self, *args: Any, worker_id: str, **options: Any) -> None:
        recovered = recover_abandoned_tasks(starting_worker=worker_id)
        if recovered.requeued or recovered.failed:
            self.stdout.write(
                f"Tasks left running by a worker that stopped: {recovered.requeued} queued "
                f"again, {recovered.failed} failed after too many attempts."
            )
        for name in sorted(get_commands()):
            if name.startswith("schedule_") and name != "schedule_background_work":
                call_command(name, stdout=self.stdout, stderr=self.stderr)

"""Housekeeping of the queue itself: finished task results are pruned every night, or the table
grows by thousands of rows a day (the heartbeat alone adds 2,900); tasks abandoned by a worker
that died are looked for every few minutes and queued again (civicdesk.core.task_recovery)."""

import datetime
import io
import logging

from django.core.management import call_command
from django.tasks import task
from django.utils import timezone

from civicdesk.core import task_recovery
from civicdesk.core.recurring import queue_next_run

logger = logging.getLogger(__name__)
PRUNE_EVERY = datetime.timedelta(days=1)
KEEP_DAYS = 14  # long enough to look into last week's failures
RECOVER_EVERY = datetime.timedelta(minutes=10)


@task
def prune_task_results() -> None:
    try:
        output = io.StringIO()
        call_command(
            "prune_db_task_results", "--queue-name", "*", "--min-age-days", str(KEEP_DAYS),
            stdout=output,
        )  # fmt: skip
        logger.info("Task results pruned: %s", output.getvalue().strip())
    finally:
        schedule_pruning()


def schedule_pruning(*, delay: datetime.timedelta = PRUNE_EVERY) -> bool:
    return queue_next_run(prune_task_results, run_after=timezone.now() + delay)


@task
def recover_abandoned_tasks() -> dict[str, int]:
    """Queue again the tasks left running by a worker that is gone, then queue the next look.

    A worker's own start finds what its last life left at once; this finds what a worker that
    never comes back left, once it has run for longer than any task takes."""
    try:
        recovered = task_recovery.recover_abandoned_tasks()
    finally:
        schedule_recovery()
    return {"requeued": recovered.requeued, "failed": recovered.failed}


def schedule_recovery(*, delay: datetime.timedelta = RECOVER_EVERY) -> bool:
    return queue_next_run(recover_abandoned_tasks, run_after=timezone.now() + delay)

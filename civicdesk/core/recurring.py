"""Recurring background work: each run of a task queues the next, so one chain runs per task.

`schedule_background_work` (at start-up and in the worker's systemd unit) starts every chain
that is not running; this is the one place that decides whether a chain is waiting already."""

import datetime

from django.tasks import Task, TaskResultStatus
from django_tasks_db.models import DBTaskResult


def queue_next_run(task: Task, *, run_after: datetime.datetime) -> bool:
    """Queue `task` to run at `run_after` unless a run is waiting already. Two chains, if two
    processes raced here, only repeat work: every recurring task is idempotent."""
    if DBTaskResult.objects.filter(
        task_path=task.module_path, status=TaskResultStatus.READY
    ).exists():
        return False
    task.using(run_after=run_after).enqueue()
    return True

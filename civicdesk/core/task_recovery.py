"""Tasks cut short by a worker that died go back on the queue.

django-tasks-db marks a task RUNNING when a worker claims it and leaves it so if the worker is
killed (SIGKILL, out of memory, a power cut): nothing runs it again, and a recurring task's chain
stops. Every task of ours is safe to run twice, so the only question is when a RUNNING task's
worker is known to be gone:

- when a worker starts: it runs one task at a time and keeps its id across restarts (its host
  name, or `--worker-id`), so a task still RUNNING under its id was cut short by its last life;
- when a task has been RUNNING for longer than any of ours takes (`RUNNING_LIMIT`): its worker is
  not coming back (a server taken away), or it would have finished.

A task cut short `MAX_ATTEMPTS` times is marked failed instead, so that one that kills its
worker every time (running out of memory, say) cannot stop the queue for good.
"""

import datetime
import logging
import socket
from dataclasses import dataclass

from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger(__name__)

RUNNING_LIMIT = datetime.timedelta(hours=2)
MAX_ATTEMPTS = 3


class WorkerLost(Exception):
    """Recorded as the error of a task whose workers died under it `MAX_ATTEMPTS` times."""


@dataclass(frozen=True)
class Recovered:
    requeued: int
    failed: int


def default_worker_id() -> str:
    """The id a host's worker runs under (`db_worker --worker-id "$(hostname)"`): the same in
    every life of the worker, so that its start can find what its last life left."""
    return socket.gethostname()


def recover_abandoned_tasks(
    *, starting_worker: str | None = None, now: datetime.datetime | None = None
) -> Recovered:
    """Put back on the queue the RUNNING tasks whose worker is gone: those last claimed by
    `starting_worker` (which is not running yet) and those running for over `RUNNING_LIMIT`.

    RUNNING tasks are few (one a worker, and the abandoned), so all are read. Each row is
    changed only if it is still as read (RUNNING, claimed at the same moment): a worker that
    finishes or claims it meanwhile wins.
    """
    now = now or timezone.now()
    running = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING)
    requeued = failed = 0
    for result in running.only("pk", "task_path", "worker_ids", "started_at"):
        last_worker = result.worker_ids[-1] if result.worker_ids else None
        if last_worker != starting_worker and result.started_at >= now - RUNNING_LIMIT:
            continue
        still_running = running.filter(pk=result.pk, started_at=result.started_at)
        attempts = len(result.worker_ids)
        if attempts >= MAX_ATTEMPTS:
            failed += still_running.update(
                status=TaskResultStatus.FAILED,
                finished_at=now,
                exception_class_path=f"{__name__}.{WorkerLost.__qualname__}",
                traceback=f"Its worker died under it {attempts} times.",
            )
            logger.error("Task %s (%s) failed: its worker died under it %s times",
                         result.pk, result.task_path, attempts)  # fmt: skip
        elif still_running.update(status=TaskResultStatus.READY):
            requeued += 1
            logger.warning("Task %s (%s) is queued again: worker %s died under it",
                           result.pk, result.task_path, last_worker)  # fmt: skip
    return Recovered(requeued=requeued, failed=failed)

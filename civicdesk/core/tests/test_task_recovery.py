"""Tasks left RUNNING by a worker that died are queued again, and run."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from civicdesk.core.task_recovery import MAX_ATTEMPTS, RUNNING_LIMIT, recover_abandoned_tasks
from civicdesk.core.tasks import prune_task_results
from civicdesk.monitoring.tasks import heartbeat


def _claimed(task, *workers: str, started: datetime.datetime | None = None) -> DBTaskResult:
    """A queued task as a worker leaves it when killed mid-run: claimed, never finished."""
    result = DBTaskResult.objects.get(id=task.enqueue().id)
    for worker in workers:
        result.claim(worker)
    if started is not None:
        DBTaskResult.objects.filter(pk=result.pk).update(started_at=started)
    return result


def _status(result: DBTaskResult) -> str:
    return DBTaskResult.objects.get(pk=result.pk).status


@pytest.mark.django_db(transaction=True)
def test_a_starting_worker_queues_again_what_its_last_life_left_and_it_runs(run_tasks):
    left = _claimed(prune_task_results, "kingsmere-app-1")
    others = _claimed(prune_task_results, "kingsmere-app-2")

    recovered = recover_abandoned_tasks(starting_worker="kingsmere-app-1")

    assert recovered.requeued == 1 and recovered.failed == 0
    assert _status(left) == TaskResultStatus.READY
    assert _status(others) == TaskResultStatus.RUNNING  # another worker may still be on it
    run_tasks()
    assert _status(left) == TaskResultStatus.SUCCESSFUL


@pytest.mark.django_db
def test_a_task_running_longer_than_any_takes_is_queued_again_whoever_claimed_it():
    now = timezone.now()
    long_gone = _claimed(prune_task_results, "retired", started=now - RUNNING_LIMIT * 1.5)
    recent = _claimed(prune_task_results, "busy", started=now - RUNNING_LIMIT / 2)

    assert recover_abandoned_tasks(now=now).requeued == 1
    assert _status(long_gone) == TaskResultStatus.READY
    assert _status(recent) == TaskResultStatus.RUNNING


@pytest.mark.django_db
def test_a_task_that_kills_its_worker_every_time_fails_instead_of_looping():
    workers = [f"attempt-{number}" for number in range(MAX_ATTEMPTS)]
    doomed = _claimed(prune_task_results, *workers)

    recovered = recover_abandoned_tasks(starting_worker=workers[-1])

    assert recovered.failed == 1 and recovered.requeued == 0
    failed = DBTaskResult.objects.get(pk=doomed.pk)
    assert failed.status == TaskResultStatus.FAILED
    assert failed.exception_class_path == "civicdesk.core.task_recovery.WorkerLost"
    assert failed.finished_at is not None


@pytest.mark.django_db
def test_finished_and_waiting_tasks_are_left_alone():
    done = _claimed(prune_task_results, "kingsmere-app-1")
    done.set_successful(None)
    waiting = DBTaskResult.objects.get(id=prune_task_results.enqueue().id)

    assert recover_abandoned_tasks(starting_worker="kingsmere-app-1").requeued == 0
    assert _status(done) == TaskResultStatus.SUCCESSFUL
    assert _status(waiting) == TaskResultStatus.READY


@pytest.mark.django_db
def test_schedule_background_work_resumes_a_cut_short_chain_instead_of_starting_another():
    cut_short = _claimed(heartbeat, "kingsmere-app-1")

    output = io.StringIO()
    call_command("schedule_background_work", "--worker-id", "kingsmere-app-1", stdout=output)

    assert "1 queued again" in output.getvalue()
    beats = DBTaskResult.objects.filter(task_path=heartbeat.module_path)
    assert list(beats.values_list("pk", "status")) == [(cut_short.pk, TaskResultStatus.READY)]


@pytest.mark.django_db(transaction=True)
def test_the_regular_look_queues_its_next_run(run_tasks):
    from civicdesk.core.tasks import recover_abandoned_tasks as look

    look.enqueue()
    [result] = run_tasks()
    assert result.return_value == {"requeued": 0, "failed": 0}
    assert DBTaskResult.objects.filter(task_path=look.module_path, status="READY").exists()

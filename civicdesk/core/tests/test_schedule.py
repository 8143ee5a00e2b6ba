"""One command queues every recurring task, once however often it runs."""

import io

import pytest
from django.core.management import call_command, get_commands
from django_tasks_db.models import DBTaskResult


@pytest.mark.django_db
def test_schedule_background_work_queues_each_recurring_task_once():
    schedules = [name for name in get_commands() if name.startswith("schedule_")]
    call_command("schedule_background_work", stdout=io.StringIO())
    queued = sorted(DBTaskResult.objects.values_list("task_path", flat=True))
    # One task per schedule_* command but this one.
    assert len(queued) == len(schedules) - 1 == len(set(queued))

    call_command("schedule_background_work", stdout=io.StringIO())
    assert sorted(DBTaskResult.objects.values_list("task_path", flat=True)) == queued


@pytest.mark.django_db(transaction=True)
def test_pruning_removes_old_finished_results_and_queues_itself(run_tasks):
    from datetime import timedelta

    from django.utils import timezone

    from civicdesk.core.tasks import prune_task_results

    old = prune_task_results.enqueue()
    DBTaskResult.objects.filter(id=old.id).update(
        status="SUCCESSFUL", finished_at=timezone.now() - timedelta(days=30)
    )
    prune_task_results.enqueue()
    run_tasks()
    assert not DBTaskResult.objects.filter(id=old.id).exists()
    # The next night's run is waiting.
    assert DBTaskResult.objects.filter(
        task_path=prune_task_results.module_path, status="READY"
    ).exists()

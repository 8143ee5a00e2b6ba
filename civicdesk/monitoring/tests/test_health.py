import datetime
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import OperationalError, connections
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from civicdesk.monitoring import tasks
from civicdesk.monitoring.models import WorkerHeartbeat
from civicdesk.monitoring.services import record_heartbeat

pytestmark = pytest.mark.django_db


def test_healthy_when_the_database_answers_and_the_worker_beat_recently(
    client, django_assert_max_num_queries
):
    record_heartbeat(worker="worker-1", at=timezone.now() - datetime.timedelta(seconds=20))
    with django_assert_max_num_queries(3):
        response = client.get("/health/")
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "worker", "queue"}
    assert body["checks"]["database"]["status"] == "ok"
    assert body["checks"]["database"]["time_ms"] >= 0
    assert body["checks"]["worker"]["status"] == "ok"
    assert 20 <= body["checks"]["worker"]["heartbeat_age_seconds"] <= 25
    assert body["checks"]["queue"] == {
        "status": "ok",
        "ready": 0,
        "scheduled": 0,
        "oldest_ready_age_seconds": None,
    }
    # Nothing about the machine: no host names, versions or paths.
    assert "worker-1" not in response.content.decode()


def test_failing_with_503_when_the_database_does_not_answer(client):
    refusal = OperationalError('could not connect to server "db.internal" (10.0.0.5), port 5432')
    with mock.patch.object(connections["default"], "cursor", side_effect=refusal):
        response = client.get("/health/")
    assert response.status_code == 503
    assert response.json() == {"status": "failing", "checks": {"database": {"status": "failing"}}}
    assert b"10.0.0.5" not in response.content


@pytest.mark.parametrize("last_beat", [datetime.timedelta(minutes=3), None])
def test_degraded_but_serving_when_the_heartbeat_is_stale_or_missing(client, last_beat):
    if last_beat:
        record_heartbeat(worker="worker-1", at=timezone.now() - last_beat)
    response = client.get("/health/")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    worker = body["checks"]["worker"]
    assert worker["status"] == "degraded"
    if last_beat:
        assert 180 <= worker["heartbeat_age_seconds"] <= 185
    else:
        assert worker["heartbeat_age_seconds"] is None
    assert body["checks"]["database"]["status"] == "ok"


def test_the_queue_counts_due_tasks_and_the_longest_wait(client):
    now = timezone.now()
    record_heartbeat(worker="worker-1", at=now)
    tasks.heartbeat.enqueue()  # due at once
    waiting = DBTaskResult.objects.get()
    DBTaskResult.objects.filter(pk=waiting.pk).update(
        enqueued_at=now - datetime.timedelta(minutes=5)
    )
    tasks.heartbeat.using(run_after=now - datetime.timedelta(seconds=40)).enqueue()  # fell due
    tasks.heartbeat.using(run_after=now + datetime.timedelta(minutes=1)).enqueue()  # not yet
    body = client.get("/health/").json()
    queue = body["checks"]["queue"]
    assert (queue["ready"], queue["scheduled"]) == (2, 1)
    assert 299 <= queue["oldest_ready_age_seconds"] <= 302
    # Waiting five minutes for a worker: the queue is not being worked.
    assert queue["status"] == "degraded"
    assert body["status"] == "degraded"


def test_health_answers_get_and_head_only(client):
    assert client.head("/health/").status_code == 200
    assert client.post("/health/").status_code == 405


def test_schedule_heartbeat_queues_one_beat(capsys):
    call_command("schedule_heartbeat")
    call_command("schedule_heartbeat")
    assert capsys.readouterr().out.splitlines() == [
        "The worker heartbeat is queued.",
        "The worker heartbeat was already queued.",
    ]
    assert DBTaskResult.objects.filter(task_path=tasks.heartbeat.module_path).count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_worker_beats_and_queues_the_next_beat(run_tasks):
    assert tasks.schedule_heartbeat(delay=datetime.timedelta(0))
    before = timezone.now()
    (ran,) = run_tasks()
    assert ran.task_path == tasks.heartbeat.module_path
    (beat,) = WorkerHeartbeat.objects.all()
    assert beat.beat_at >= before
    (following,) = DBTaskResult.objects.filter(status="READY")
    assert following.task_path == tasks.heartbeat.module_path
    assert following.run_after >= before + tasks.HEARTBEAT_INTERVAL


def test_a_beat_updates_its_host_row():
    earlier = timezone.now() - datetime.timedelta(minutes=1)
    record_heartbeat(worker="worker-1", at=earlier)
    record_heartbeat(worker="worker-1", at=earlier + datetime.timedelta(seconds=30))
    record_heartbeat(worker="worker-2", at=earlier)
    assert dict(WorkerHeartbeat.objects.values_list("worker", "beat_at")) == {
        "worker-1": earlier + datetime.timedelta(seconds=30),
        "worker-2": earlier,
    }

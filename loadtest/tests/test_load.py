"""The load scenario and the fault test, short, against CivicDesk served as in production.

One deployment (gunicorn and the task worker, a fresh database: SQLite, or on PostgreSQL a
database of its own on the DATABASE_URL server, dropped afterwards) serves a half-minute of load
with no error, then 45 s in which the web and the worker are killed every few seconds and
nothing acknowledged is lost or stored twice. Timing targets are not checked here: `make load`
measures them. About 2.5 minutes on two cores, 30 s of it setting up.
"""

import os
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest

from loadtest.deployment import Deployment
from loadtest.run import VICTIMS, Options, deployed, load, table

SHORT = Options(
    agents=4,
    residents=10,
    open311=2,
    think=0.1,  # a tenth of real life's pauses, so a few people do a lot
    spawn_rate=20,
    customers=100,
    contacts=500,
    database_url=os.environ.get("DATABASE_URL") or None,
)
EVERY_WRITE = {"contact", "portal", "open311"}


@pytest.fixture(scope="module")
def deployment() -> Iterator[Deployment]:
    with deployed(SHORT) as serving:
        yield serving


def _writes(results: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return results["verification"]["writes"]


def _tasks_all_ran(results: dict[str, Any]) -> None:
    tasks = results["verification"]["tasks"]
    assert tasks["failed"] == []
    assert tasks["left_running"] == 0
    assert tasks["due_and_waiting"] == 0
    assert tasks["chains_doubled"] == 0
    assert tasks["messages_stuck_sending"] == tasks["messages_not_sent"] == 0


def test_a_short_load_has_no_errors(deployment):
    results = load(deployment, replace(SHORT, duration=30))

    assert results["exceptions"] == [], table(results)
    assert results["errors"] == [], table(results)
    done = {row["name"] for row in results["requests"]}
    assert {"agent: save contact", "resident: request sent", "open311: post request"} <= done
    for kind, check in _writes(results).items():
        assert check["acknowledged"] > 0, kind
        assert check["lost"] == check["duplicated"] == [], kind
    _tasks_all_ran(results)


def test_killing_the_web_and_the_worker_loses_and_repeats_nothing(deployment):
    results = load(deployment, replace(SHORT, duration=45, faults=True, kill_every=5))
    report = table(results)

    assert set(VICTIMS) <= set(results["faults"]), report
    assert results["exceptions"] == [], report
    # No answer while the server was down is expected; no other error, and never a 500.
    assert results["server_errors"] == 0, report
    assert sum(error["count"] for error in results["errors"]) == results["no_answer"], report
    writes = _writes(results)
    assert set(writes) == EVERY_WRITE
    for kind, check in writes.items():
        assert check["acknowledged"] > 0, kind
        assert check["lost"] == [], report
        assert check["duplicated"] == [], report
    _tasks_all_ran(results)

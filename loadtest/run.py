"""Run the load scenario (loadtest.locustfile) against a fresh production-style deployment and
print, per kind of request, the rate, p50/p95/p99 and errors; with --faults, kill the web and
the worker with SIGKILL at random moments meanwhile, start them again, and check afterwards that
every acknowledged write is stored exactly once and every task ran.

    python -m loadtest.run      # 80 agents, 200 residents, 4 Open311 systems, 10 minutes
    python -m loadtest.run --faults --duration 300
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres python -m loadtest.run

On PostgreSQL a new database is made on that server for the run and dropped afterwards. The
results are written as JSON too (--json; by default under var/load/).
"""

import argparse
import csv
import datetime
import json
import os
import random
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import psutil

from loadtest.deployment import ROOT, Deployment, fresh_database

RESTART_AFTER = 2.0  # seconds, as the systemd units' RestartSec
DRAINED_WITHIN = 180.0  # seconds for the worker to catch up once the load stops
VICTIMS = ["web process", "web", "worker"]


@dataclass
class Options:
    agents: int = 80
    residents: int = 200
    open311: int = 4
    duration: int = 600  # seconds, the ramp-up included
    spawn_rate: float = 5.0  # people a second joining until all are there
    think: float = 1.0  # factor on every think time; 1 is real life
    customers: int = 5000
    contacts: int = 50000
    faults: bool = False
    kill_every: float = 20.0  # seconds between kills, on average
    seed: int = 4127
    database_url: str | None = None  # a PostgreSQL server; None for SQLite
    keep: bool = False  # keep the deployment's directory (logs, database) afterwards


@contextmanager
def deployed(options: Options) -> Iterator[Deployment]:
    """A fresh deployment with the scenario's people, serving; stopped and removed afterwards."""
    workdir = Path(tempfile.mkdtemp(prefix="civicdesk-load-"))
    try:
        with fresh_database(options.database_url) as database_url:
            deployment = Deployment(workdir, database_url)
            people = {"agents": options.agents, "residents": options.residents,
                      "open311": options.open311}  # fmt: skip
            deployment.install(
                customers=options.customers, contacts=options.contacts, people=people
            )
            deployment.start_worker()
            deployment.start_web()
            try:
                deployment.wait_until_serving()
                yield deployment
            finally:
                deployment.stop()
    finally:
        if options.keep:
            print(f"Logs and data kept in {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def load(deployment: Deployment, options: Options) -> dict[str, Any]:
    """One run of the scenario (with kills, if asked), then the checks once the worker has
    caught up: every write acknowledged stored once, every task run."""
    ledger = deployment.workdir / f"ledger-{secrets.token_hex(4)}.jsonl"
    ledger.touch()
    results = _load(deployment, ledger, options)
    _wait_for_the_worker(deployment)
    checked = ledger.with_suffix(".checked.json")
    deployment.run("-m", "loadtest.verify", str(ledger), str(checked))
    results["verification"] = json.loads(checked.read_text())
    results["database"] = "postgresql" if options.database_url else "sqlite"
    results["options"] = {**asdict(options), "database_url": bool(options.database_url)}
    return results


def run(options: Options) -> dict[str, Any]:
    with deployed(options) as deployment:
        return load(deployment, options)


def _load(deployment: Deployment, ledger: Path, options: Options) -> dict[str, Any]:
    """Locust for the run's duration, with the kills if asked; rates, times and CPU."""
    workdir = deployment.workdir
    environment = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "LOADTEST_PEOPLE": str(deployment.roster),
        "LOADTEST_LEDGER": str(ledger),
        "LOADTEST_AGENTS": str(options.agents),
        "LOADTEST_RESIDENTS": str(options.residents),
        "LOADTEST_OPEN311": str(options.open311),
        "LOADTEST_THINK": str(options.think),
        "LOADTEST_RETRY": "1" if options.faults else "0",
    }
    users = options.agents + options.residents + options.open311
    command = [
        sys.executable, "-m", "locust", "-f", str(ROOT / "loadtest" / "locustfile.py"),
        "--headless", "--host", deployment.url, "--users", str(users),
        "--spawn-rate", str(options.spawn_rate), "--run-time", f"{options.duration}s",
        "--stop-timeout", "10", "--only-summary", "--csv", str(workdir / "locust"),
        "--loglevel", "WARNING",
    ]  # fmt: skip
    machine_before = psutil.cpu_times()
    server_before = deployment.server_cpu_seconds()
    started = time.monotonic()
    with open(workdir / "locust.log", "w") as log:
        locust = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=log, stderr=log)
        faults = _inject_faults(deployment, locust, options) if options.faults else None
        # Reaped here, not by Popen, for the CPU it used (its resource usage).
        _pid, status, usage = os.wait4(locust.pid, 0)
        locust.returncode = os.waitstatus_to_exitcode(status)
    elapsed = time.monotonic() - started
    machine = _busy_share(machine_before, psutil.cpu_times())
    server_cpu = deployment.server_cpu_seconds() - server_before
    locust_cpu = usage.ru_utime + usage.ru_stime
    results = _read_locust_csv(workdir / "locust")
    results["cpu"] = {
        "cores": psutil.cpu_count(),
        "machine_busy_percent": round(machine * 100, 1),
        "locust_cpu_seconds": round(locust_cpu, 1),
        "locust_percent_of_one_core": round(locust_cpu / elapsed * 100, 1),
        "server_cpu_seconds": round(server_cpu, 1),
        "server_percent_of_one_core": round(server_cpu / elapsed * 100, 1),
        # Everything else busy meanwhile: PostgreSQL, and whatever else shares the machine.
        "others_percent_of_one_core": round(
            (machine * psutil.cpu_count() * elapsed - locust_cpu - server_cpu) / elapsed * 100, 1
        ),
    }
    if faults is not None:
        results["faults"] = faults
    return results


def _inject_faults(
    deployment: Deployment, locust: subprocess.Popen, options: Options
) -> dict[str, int]:
    """Until locust ends, now and then SIGKILL one of: a gunicorn worker process (its master
    starts another), gunicorn as a whole, or the task worker (while it runs a task, if one
    starts within 15 s); start what was killed again after RESTART_AFTER seconds."""
    rng = random.Random(options.seed)
    kills: Counter[str] = Counter()
    victims: list[str] = []
    while not _ended(locust, within=rng.uniform(options.kill_every / 2, options.kill_every * 1.5)):
        victims = victims or rng.sample(VICTIMS, len(VICTIMS))  # each kind in every round
        victim = victims.pop()
        if victim == "web process":
            deployment.kill_a_web_process(rng)
        elif victim == "web":
            deployment.kill_web()
            time.sleep(RESTART_AFTER)
            deployment.start_web()
        else:
            if deployment.kill_worker():
                kills["worker while running a task"] += 1
            time.sleep(RESTART_AFTER)
            deployment.start_worker()
        kills[victim] += 1
    return dict(kills)


def _ended(process: subprocess.Popen, *, within: float) -> bool:
    """Whether `process` ends within so many seconds, leaving it to be reaped by os.wait4."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if os.waitid(os.P_PID, process.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None:
            return True
        time.sleep(0.2)
    return False


def _wait_for_the_worker(deployment: Deployment) -> None:
    """Until /health/ says no task is due and waiting (the queue as the worker left it)."""
    deployment.wait_until_serving()
    deadline = time.monotonic() + DRAINED_WITHIN
    while time.monotonic() < deadline:
        with urllib.request.urlopen(f"{deployment.url}/health/", timeout=10) as response:
            if json.load(response)["checks"]["queue"]["ready"] == 0:
                return
        time.sleep(1)


def _busy_share(before: Any, after: Any) -> float:
    def busy(times: Any) -> float:
        return sum(times) - times.idle - getattr(times, "iowait", 0)

    total = sum(after) - sum(before)
    return (busy(after) - busy(before)) / total if total else 0.0


def _number(value: str) -> float | None:
    return None if value in ("", "N/A") else float(value)


def _read_locust_csv(prefix: Path) -> dict[str, Any]:
    """Locust's summary per request name, and its failures with the status each came with."""
    with open(f"{prefix}_stats.csv") as stats:
        rows = [
            {
                "name": row["Name"],
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "per_second": round(float(row["Requests/s"]), 2),
                "p50_ms": _number(row["50%"]),
                "p95_ms": _number(row["95%"]),
                "p99_ms": _number(row["99%"]),
                "max_ms": _number(row["Max Response Time"]),
            }
            for row in csv.DictReader(stats)
        ]
    with open(f"{prefix}_failures.csv") as failures:
        errors = [
            {"name": row["Name"], "error": row["Error"], "count": int(row["Occurrences"])}
            for row in csv.DictReader(failures)
        ]
    with open(f"{prefix}_exceptions.csv") as exceptions:
        crashes = [  # exceptions in the scenario itself, not failed requests
            {"count": int(row["Count"]), "message": row["Message"], "where": row["Traceback"]}
            for row in csv.DictReader(exceptions)
        ]
    statuses = Counter()
    for error in errors:  # the scenario words each failure "<status>: <what the page said>"
        statuses[error["error"].removeprefix("CatchResponseError(").strip("'\"").split(":")[0]] += (
            error["count"]
        )
    total = next(row for row in rows if row["name"] == "Aggregated")
    return {
        "requests": [row for row in rows if row["name"] != "Aggregated"],
        "total": total,
        "errors": errors,
        "server_errors": sum(count for status, count in statuses.items() if status.startswith("5")),
        # No answer at all: the server was down or the connection was cut (under faults).
        "no_answer": statuses["0"],
        "exceptions": crashes,
    }


def table(results: dict[str, Any]) -> str:
    """The results as a plain-text table, then CPU, errors and (with faults) the checks."""

    def ms(value: float | None) -> str:
        return "-" if value is None else f"{value:.0f}"

    lines = [
        f"{'request':<28} {'count':>7} {'per s':>7} {'p50':>6} {'p95':>6} {'p99':>6} "
        f"{'max':>7} {'errors':>6}"
    ]
    for row in [*sorted(results["requests"], key=lambda row: row["name"]), results["total"]]:
        lines.append(
            f"{row['name'][:28]:<28} {row['requests']:>7} {row['per_second']:>7.2f} "
            f"{ms(row['p50_ms']):>6} {ms(row['p95_ms']):>6} {ms(row['p99_ms']):>6} "
            f"{ms(row['max_ms']):>7} {row['failures']:>6}"
        )
    lines.append("(times in milliseconds)")
    lines.append(f"CPU: {json.dumps(results['cpu'])}")
    lines.append(
        f"5xx responses: {results['server_errors']}; no answer (server down): "
        f"{results['no_answer']}"
    )
    lines += [f"error: {error['count']} x {error['name']}: {error['error'][:150]}"
              for error in results["errors"]]  # fmt: skip
    lines += [f"exception in the scenario: {crash['count']} x {crash['message']}"
              for crash in results["exceptions"]]  # fmt: skip
    if "faults" in results:
        lines.append(f"kills: {json.dumps(results['faults'])}")
    verification = results.get("verification", {})
    for kind, check in verification.get("writes", {}).items():
        lines.append(
            f"{kind}: {check['attempted']} attempted, {check['acknowledged']} acknowledged, "
            f"{len(check['lost'])} lost, {len(check['duplicated'])} duplicated, "
            f"{check['stored_without_acknowledgement']} stored though unacknowledged"
        )
    if "tasks" in verification:
        lines.append(f"tasks: {json.dumps(verification['tasks'], default=str)}")
    return "\n".join(lines)


def _arguments() -> tuple[Options, Path | None]:
    defaults = Options()
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    for name, value in asdict(defaults).items():
        if name == "database_url":
            continue
        flag = f"--{name.replace('_', '-')}"
        if isinstance(value, bool):
            parser.add_argument(flag, action="store_true")
        else:
            parser.add_argument(flag, type=type(value), default=value)
    parser.add_argument("--sqlite", action="store_true", help="SQLite even if DATABASE_URL is set")
    parser.add_argument("--json", type=Path, help="where to write the results")
    arguments = vars(parser.parse_args())
    sqlite, out = arguments.pop("sqlite"), arguments.pop("json")
    database_url = None if sqlite else os.environ.get("DATABASE_URL") or None
    return Options(**arguments, database_url=database_url), out


def main() -> None:
    options, out = _arguments()
    results = run(options)
    print(table(results))
    if out is None:
        kind = results["database"] + ("-faults" if options.faults else "")
        moment = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
        out = ROOT / "var" / "load" / f"{moment}-{kind}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=1, default=str))
    print(f"Results written to {out}")


if __name__ == "__main__":
    main()

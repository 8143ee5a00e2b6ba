"""CivicDesk deployed as `make serve` deploys it, in a directory of its own, for one load run.

The web is gunicorn with deploy/gunicorn.conf.py and the worker is `manage.py db_worker`, each
started the way `make serve` and the systemd units start them, with the production settings
(not debug) on a fresh database: SQLite in the directory, or a new PostgreSQL database made on
the server that DATABASE_URL names, dropped afterwards. Two settings differ from a real
deployment, because the run is on plain HTTP on this machine: no redirect to HTTPS, and staff
sign in with a password alone (CIVICDESK_STAFF_TWO_FACTOR=0).
"""

import os
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psutil

ROOT = Path(__file__).resolve().parent.parent
WORKER_ID = "loadtest-worker"
TASK_STATE = re.compile(r"Task id=(\S+) path=\S+ state=(\w+)")
# WhiteNoise compresses with Brotli when it can import it, and the load tools bring Brotli into
# the development environment (collectstatic takes 26 s instead of 4); the production lock has
# none, so the files are collected as in production.
COLLECT_STATIC_AS_IN_PRODUCTION = (
    "import sys; sys.modules['brotli'] = None; "
    "from django.core.management import execute_from_command_line as run; "
    "run(['manage.py', 'collectstatic', '--no-input', '--verbosity', '0'])"
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def fresh_database(server_url: str | None) -> Iterator[str | None]:
    """A new, empty PostgreSQL database on the server `server_url` points at, dropped after
    the run; None (a SQLite file in the deployment's directory) without a server."""
    if not server_url:
        yield None
        return
    import psycopg

    name = f"civicdesk_load_{secrets.token_hex(4)}"
    with psycopg.connect(server_url, autocommit=True) as server:
        server.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(urlsplit(server_url)._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(server_url, autocommit=True) as server:
            server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _production_environment(workdir: Path, port: int, database_url: str | None) -> dict[str, str]:
    """The environment of the web and the worker: this one without anything of CivicDesk's or
    Django's (a test run's settings, say), and then what a deployment sets."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("CIVICDESK_", "DJANGO_", "PROMETHEUS_")) and key != "DATABASE_URL"
    }
    environment |= {
        "CIVICDESK_SECRET_KEY": secrets.token_urlsafe(50),
        "CIVICDESK_ALLOWED_HOSTS": "127.0.0.1",
        "CIVICDESK_PORTAL_URL": f"http://127.0.0.1:{port}",
        "CIVICDESK_BIND": f"127.0.0.1:{port}",
        "CIVICDESK_VAR_DIR": str(workdir / "var"),
        "CIVICDESK_STATIC_ROOT": str(workdir / "static"),
        "PROMETHEUS_MULTIPROC_DIR": str(workdir / "metrics"),
        "CIVICDESK_SSL_REDIRECT": "0",
        "CIVICDESK_STAFF_TWO_FACTOR": "0",
        "DJANGO_SETTINGS_MODULE": "civicdesk.settings",
        "PYTHONPATH": str(ROOT),
    }
    if database_url:
        environment["DATABASE_URL"] = database_url
    return environment


class Deployment:
    """The web and the worker, started, killed and started again as the run asks."""

    def __init__(self, workdir: Path, database_url: str | None) -> None:
        self.workdir = workdir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.environment = _production_environment(workdir, self.port, database_url)
        self.roster = workdir / "people.json"  # who takes part: loadtest.prepare writes it
        self.web: subprocess.Popen | None = None
        self.worker: subprocess.Popen | None = None
        self.cpu_of_the_killed = 0.0
        self._worker_log_read = 0
        self._running_task: str | None = None

    def run(self, *arguments: str) -> None:
        """Run Python with `arguments` to the end, its output logged."""
        with open(self.workdir / "setup.log", "a") as log:
            subprocess.run(
                [sys.executable, *arguments], cwd=ROOT, env=self.environment, stdout=log,
                stderr=subprocess.STDOUT, check=True, timeout=3600,
            )  # fmt: skip

    def install(self, *, customers: int, contacts: int, people: dict[str, int]) -> None:
        """Migrate, collect the static files, seed the demo council and add the people who will
        use it (written to `roster`)."""
        (self.workdir / "var").mkdir(parents=True, exist_ok=True)
        self.run("manage.py", "migrate", "--no-input")
        self.run("-c", COLLECT_STATIC_AS_IN_PRODUCTION)
        self.run("manage.py", "seed", "--customers", str(customers), "--contacts", str(contacts))
        counts = [f"--{kind}={count}" for kind, count in people.items()]
        self.run("-m", "loadtest.prepare", str(self.roster), *counts)

    def start_web(self) -> None:
        metrics = self.workdir / "metrics"
        shutil.rmtree(metrics, ignore_errors=True)  # emptied at every start, as systemd does
        metrics.mkdir()
        self.web = self._start(
            "web", [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py",
                    "civicdesk.wsgi"],
        )  # fmt: skip

    def start_worker(self) -> None:
        """As the worker's unit does: queue the recurring tasks (and again what this worker was
        running when it was killed), then work the queue under the same id as before."""
        self.run("manage.py", "schedule_background_work", "--worker-id", WORKER_ID)
        self.worker = self._start(
            "worker", [sys.executable, "manage.py", "db_worker", "--no-reload",
                       "--worker-id", WORKER_ID],
        )  # fmt: skip

    def _start(self, name: str, command: list[str]) -> subprocess.Popen:
        with open(self.workdir / f"{name}.log", "a") as log:  # the process keeps its own copy
            return subprocess.Popen(
                command, cwd=ROOT, env=self.environment, stdout=log, stderr=subprocess.STDOUT
            )

    def wait_until_serving(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.url}/health/", timeout=5) as response:
                    if response.status == 200:
                        return
            except OSError:
                pass
            if self.web is not None and self.web.poll() is not None:
                raise RuntimeError(f"gunicorn stopped; see {self.workdir / 'web.log'}")
            time.sleep(0.2)
        raise RuntimeError(f"The web did not answer within {timeout} s")

    def web_processes(self) -> list[psutil.Process]:
        """gunicorn's master first, then its worker processes."""
        if self.web is None or self.web.poll() is not None:
            return []
        master = psutil.Process(self.web.pid)
        return [master, *master.children()]

    def server_cpu_seconds(self) -> float:
        """CPU the web and the worker have used, processes killed on the way included. A
        master's own counters include the workers it has reaped."""
        total = self.cpu_of_the_killed
        for process in [*self.web_processes(), *self._worker_process()]:
            try:
                times = process.cpu_times()
            except psutil.NoSuchProcess:
                continue
            total += times.user + times.system + times.children_user + times.children_system
        return total

    def _worker_process(self) -> list[psutil.Process]:
        if self.worker is None or self.worker.poll() is not None:
            return []
        return [psutil.Process(self.worker.pid)]

    def _kill(self, processes: list[psutil.Process]) -> None:
        for process in processes:
            try:
                times = process.cpu_times()
                self.cpu_of_the_killed += times.user + times.system
                process.send_signal(signal.SIGKILL)
            except psutil.NoSuchProcess:
                pass
        psutil.wait_procs(processes, timeout=10)

    def kill_a_web_process(self, rng: random.Random) -> None:
        """One of gunicorn's worker processes dies mid-request; the master starts another."""
        workers = self.web_processes()[1:]
        if workers:
            self._kill([rng.choice(workers)])

    def kill_web(self) -> None:
        """gunicorn's master and its workers all die at once (the server is taken away)."""
        self._kill(self.web_processes())
        if self.web is not None:
            self.web.wait()

    def kill_worker(self, *, busy_within: float = 15) -> bool:
        """Kill the task worker while it runs a task, if one starts within `busy_within`
        seconds; say whether it was running one. The worker is frozen (SIGSTOP) for each look
        at its log, so a task seen started is still running when the SIGKILL comes."""
        processes = self._worker_process()
        deadline = time.monotonic() + busy_within
        busy = False
        for process in processes:
            while not busy and time.monotonic() < deadline:
                process.suspend()
                busy = self._worker_busy()
                if not busy:
                    process.resume()
                    time.sleep(0.005)
        self._kill(processes)
        if self.worker is not None:
            self.worker.wait()
        self._running_task = None
        return busy

    def _worker_busy(self) -> bool:
        """Whether the worker's log shows a task started and not finished yet."""
        with open(self.workdir / "worker.log", "rb") as log:
            log.seek(self._worker_log_read)
            new = log.read()
        complete = new[: new.rfind(b"\n") + 1]
        self._worker_log_read += len(complete)
        for found in TASK_STATE.finditer(complete.decode(errors="replace")):
            self._running_task = found.group(1) if found.group(2) == "RUNNING" else None
        return self._running_task is not None

    def stop(self) -> None:
        """SIGTERM, as systemd stops the units: the web finishes its requests and the worker
        its task; whatever is still there after 30 seconds is killed."""
        processes = [process for process in (self.web, self.worker) if process is not None]
        for process in processes:
            if process.poll() is None:
                process.terminate()
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

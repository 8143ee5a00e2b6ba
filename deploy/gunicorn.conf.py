"""Gunicorn settings for CivicDesk: `gunicorn -c deploy/gunicorn.conf.py civicdesk.wsgi`.

Every value can be overridden with the environment variable named beside it. Requests are
short database round trips, so a few processes with a few threads each keep the two cores busy
without holding many connections; a worker that hangs is killed and replaced."""

import multiprocessing
import os

bind = os.environ.get("CIVICDESK_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("CIVICDESK_WEB_PROCESSES", multiprocessing.cpu_count() + 1))
worker_class = "gthread"
threads = int(os.environ.get("CIVICDESK_WEB_THREADS", "4"))
timeout = int(os.environ.get("CIVICDESK_WEB_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
# Recycle processes now and then, at different moments, so no slow leak builds up.
max_requests = 2_000
max_requests_jitter = 200
# Heartbeat files in memory, not on a disk that may stall.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# The application logs each request itself (structured, without personal data).
accesslog = None
errorlog = "-"
loglevel = os.environ.get("CIVICDESK_LOG_LEVEL", "info").lower()
# The reverse proxy in front sets X-Forwarded-For/-Proto; trust it only from loopback.
forwarded_allow_ips = os.environ.get("CIVICDESK_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
proc_name = "civicdesk"


def child_exit(server: object, worker: object) -> None:
    """prometheus_client's multi-process mode (on when PROMETHEUS_MULTIPROC_DIR is set) drops the
    "live" gauges (none so far) of a process that ended; its counters and histograms stay."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)

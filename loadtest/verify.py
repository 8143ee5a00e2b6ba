"""After a run: is every write that was acknowledged stored exactly once, and did every task run?

Run by `loadtest.run` inside the deployment's environment once the load has stopped and the
worker has emptied the queue: `python -m loadtest.verify LEDGER OUT.json`. The ledger is what
the people of the scenario noted (loadtest.locustfile): each write's marker, when attempted and
when acknowledged. Every marker is looked for in the table its write goes to.
"""

import argparse
import datetime
import json
import os
import re
from collections import Counter
from pathlib import Path
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicdesk.settings")
import django

django.setup()

from django.db.models import Count, Q  # noqa: E402
from django.tasks import TaskResultStatus  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_tasks_db.models import DBTaskResult, get_date_max  # noqa: E402

from civicdesk.cases.models import Case  # noqa: E402
from civicdesk.contacts.models import Contact  # noqa: E402
from civicdesk.notify.models import DeliveryStatus, Message  # noqa: E402

MARKER = re.compile(r"\[LT[0-9a-f]{16}\]")
STILL_RUNNING = datetime.timedelta(minutes=1)  # what the worker may take to get to a task


def stored_markers() -> Counter[tuple[str, str]]:
    """How often each marker is in the database, by the kind of write that carries it: one
    read of each table (a marker a query would scan the tables once each)."""
    found: Counter[tuple[str, str]] = Counter()
    for description in Case.objects.filter(description__contains="[LT").values_list(
        "description", flat=True
    ):
        for tag in MARKER.findall(description):
            found["request", tag] += 1
    for notes in Contact.objects.filter(notes__contains="[LT").values_list("notes", flat=True):
        for tag in MARKER.findall(notes):
            found["contact", tag] += 1
    return found


def check_writes(ledger: Path) -> dict[str, Any]:
    attempted: dict[str, set[str]] = {}
    acknowledged: dict[str, set[str]] = {}
    for line in ledger.read_text().splitlines():
        entry = json.loads(line)
        noted = acknowledged if entry["state"] == "acknowledged" else attempted
        noted.setdefault(entry["kind"], set()).add(entry["marker"])
    stored = stored_markers()
    table = {"contact": "contact", "portal": "request", "open311": "request"}
    report: dict[str, Any] = {}
    for kind, where in table.items():
        acked = acknowledged.get(kind, set())
        tried = attempted.get(kind, set()) | acked
        counts = {tag: stored[where, tag] for tag in tried}
        report[kind] = {
            "attempted": len(tried),
            "acknowledged": len(acked),
            "lost": sorted(tag for tag in acked if counts[tag] == 0),
            "duplicated": sorted(tag for tag, count in counts.items() if count > 1),
            "stored_without_acknowledgement": sum(1 for tag in tried - acked if counts[tag] == 1),
        }
    return report


def check_tasks() -> dict[str, Any]:
    """The queue once the worker has caught up: nothing due is waiting and nothing is left
    running; failures are listed with their error."""
    now = timezone.now()
    results = DBTaskResult.objects.all()
    older = Message.objects.filter(created_at__lt=now - STILL_RUNNING)
    failed = (
        results.filter(status=TaskResultStatus.FAILED)
        .values("task_path", "exception_class_path")
        .annotate(count=Count("pk"))
        .order_by("task_path")
    )
    return {
        "by_status": dict(
            results.values_list("status").annotate(count=Count("pk")).order_by("status")
        ),
        # Due for over a minute and not taken: the worker is not keeping up, or is gone.
        "due_and_waiting": results.ready()
        .filter(
            Q(run_after__lt=now - STILL_RUNNING)
            | Q(run_after=get_date_max(), enqueued_at__lt=now - STILL_RUNNING)
        )
        .count(),
        # A task of the last minute may still be running; older ones were abandoned.
        "left_running": results.filter(
            status=TaskResultStatus.RUNNING, started_at__lt=now - STILL_RUNNING
        ).count(),
        "failed": list(failed),
        # Recurring tasks each queue their next run: two waiting runs of one would be two chains.
        "chains_doubled": results.filter(status=TaskResultStatus.READY)
        .values("task_path")
        .annotate(waiting=Count("pk"))
        .filter(waiting__gt=1)
        .count(),
        # Claimed by more than one worker life: cut short by a kill and run again.
        "run_again_after_a_kill": sum(
            1 for ids in results.values_list("worker_ids", flat=True) if len(ids) > 1
        ),
        # Left at "sending" without Notify's id, or never picked up: a lost message.
        "messages_stuck_sending": older.filter(status=DeliveryStatus.SENDING, notify_id="").count(),
        "messages_not_sent": older.filter(status=DeliveryStatus.CREATED).count(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("ledger", type=Path)
    parser.add_argument("out", type=Path)
    arguments = parser.parse_args()
    report = {"writes": check_writes(arguments.ledger), "tasks": check_tasks()}
    arguments.out.write_text(json.dumps(report, indent=1, default=str))


if __name__ == "__main__":
    main()

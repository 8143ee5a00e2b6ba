"""What monitoring needs to remember between requests: when the task worker was last alive."""

from django.db import models


class WorkerHeartbeat(models.Model):
    """The last beat of the heartbeat task on one host.

    The task goes through the same queue as all background work, so a recent beat says that
    the queue is being worked, not only that a worker process exists.
    """

    worker = models.CharField(max_length=255, unique=True, help_text="The worker's host name.")
    beat_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.worker} at {self.beat_at:%Y-%m-%d %H:%M:%S}"

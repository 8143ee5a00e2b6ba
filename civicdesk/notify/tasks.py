"""Background work for messages, run by the database-backed worker (`manage.py db_worker`)."""

from django.tasks import TaskContext, task

from civicdesk.notify import services


@task(takes_context=True)
def send_message_task(context: TaskContext, *, message_id: int) -> str:
    """Send one message; returns its status. Safe to run twice: a sent message is not resent,
    and a run after a dead worker's (attempt 2 on) finishes what that one left at "sending"."""
    message = services.send_message(message_id=message_id, resumed=context.attempt > 1)
    return str(message.status)

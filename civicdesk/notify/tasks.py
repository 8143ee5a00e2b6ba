"""Background work for messages, run by the database-backed worker (`manage.py db_worker`)."""

from django.tasks import task

from civicdesk.notify import services


@task
def send_message_task(*, message_id: int) -> str:
    """Send one message; returns its status. Safe to run twice: a sent message is not resent."""
    return str(services.send_message(message_id=message_id).status)

from django.apps import AppConfig
from django.conf import settings
from django.core import checks

CHECK_ID = "notify.E001"
SIMULATED_ID = "notify.W001"


def check_notify_settings(app_configs, **kwargs) -> list[checks.CheckMessage]:
    """A live backend without its key must stop the server and the worker at start, not fail
    each message later."""
    from civicdesk.notify.clients import configuration_errors

    return [
        checks.Error(error, hint="See the Notify settings in civicdesk/settings.py.", id=CHECK_ID)
        for error in configuration_errors()
    ]


def check_messages_are_real(app_configs, **kwargs) -> list[checks.CheckMessage]:
    """`check --deploy`: a production server on the simulator would quietly send nothing."""
    if settings.CIVICDESK_NOTIFY_BACKEND != "simulator":
        return []
    return [
        checks.Warning(
            "Messages are simulated: no email, text message or letter leaves this server.",
            hint="Set CIVICDESK_NOTIFY_BACKEND=live and CIVICDESK_NOTIFY_API_KEY.",
            id=SIMULATED_ID,
        )
    ]


class NotifyConfig(AppConfig):
    name = "civicdesk.notify"
    label = "notify"
    verbose_name = "Notifications"

    def ready(self) -> None:
        checks.register(check_notify_settings)
        checks.register(check_messages_are_real, deploy=True)

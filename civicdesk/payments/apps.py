from django.apps import AppConfig
from django.conf import settings
from django.core import checks

CHECK_ID = "payments.E001"
SIMULATED_ID = "payments.W001"
NO_WEBHOOK_SECRET_ID = "payments.W002"


def check_pay_settings(app_configs, **kwargs) -> list[checks.CheckMessage]:
    """A live backend without its key must stop the server and the worker at start."""
    from civicdesk.payments.clients import configuration_errors

    found: list[checks.CheckMessage] = [
        checks.Error(error, hint="See the Pay settings in civicdesk/settings.py.", id=CHECK_ID)
        for error in configuration_errors()
    ]
    if settings.CIVICDESK_PAY_BACKEND == "live" and not settings.CIVICDESK_PAY_WEBHOOK_SECRET:
        found.append(
            checks.Warning(
                "CIVICDESK_PAY_WEBHOOK_SECRET is not set: GOV.UK Pay's webhooks will be refused "
                "and payments will be confirmed only on return and by the sweep.",
                hint="Copy the webhook's signing secret from the GOV.UK Pay admin tool.",
                id=NO_WEBHOOK_SECRET_ID,
            )
        )
    return found


def check_payments_are_real(app_configs, **kwargs) -> list[checks.CheckMessage]:
    """`check --deploy`: a production server on the simulator would take no money."""
    if settings.CIVICDESK_PAY_BACKEND != "simulator":
        return []
    return [
        checks.Warning(
            "Payments are simulated: no money is taken.",
            hint="Set CIVICDESK_PAY_BACKEND=live and CIVICDESK_PAY_API_KEY.",
            id=SIMULATED_ID,
        )
    ]


class PaymentsConfig(AppConfig):
    name = "civicdesk.payments"
    label = "payments"
    verbose_name = "Payments"

    def ready(self) -> None:
        checks.register(check_pay_settings)
        checks.register(check_payments_are_real, deploy=True)

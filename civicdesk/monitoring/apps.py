from django.apps import AppConfig
from django.conf import settings
from django.core import checks

OPEN_METRICS_ID = "monitoring.W001"


def check_metrics_are_protected(app_configs, **kwargs) -> list[checks.CheckMessage]:
    """`check --deploy`: without a token only loopback may read /metrics, and behind a proxy on
    the same machine that may not be the protection it seems."""
    if settings.CIVICDESK_METRICS_TOKEN:
        return []
    return [
        checks.Warning(
            "No metrics token: /metrics answers only requests from this machine.",
            hint="Set CIVICDESK_METRICS_TOKEN and give Prometheus the same bearer token.",
            id=OPEN_METRICS_ID,
        )
    ]


class MonitoringConfig(AppConfig):
    name = "civicdesk.monitoring"
    label = "monitoring"
    verbose_name = "Monitoring"

    def ready(self) -> None:
        checks.register(check_metrics_are_protected, deploy=True)

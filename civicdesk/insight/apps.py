from django.apps import AppConfig


class InsightConfig(AppConfig):
    name = "civicdesk.insight"
    label = "insight"
    verbose_name = "Management information"

    def ready(self) -> None:
        from civicdesk.insight import signals  # noqa: F401  (connects the receivers)

from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    name = "civicdesk.console"
    label = "console"
    verbose_name = "Staff console"

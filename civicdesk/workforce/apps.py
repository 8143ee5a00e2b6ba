from django.apps import AppConfig


class WorkforceConfig(AppConfig):
    name = "civicdesk.workforce"
    label = "workforce"
    verbose_name = "Workforce planning"

from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "civicdesk.portal"
    label = "portal"
    verbose_name = "Self-service portal"

from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "civicdesk.surveys"
    label = "surveys"
    verbose_name = "Satisfaction surveys"

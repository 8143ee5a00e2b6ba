from django.apps import AppConfig


class FormsConfig(AppConfig):
    name = "civicdesk.forms"
    # "forms" is django.forms' label.
    label = "eforms"
    verbose_name = "E-forms and applications"

    def ready(self) -> None:
        from civicdesk.forms.applications import PAYMENT_PURPOSE, payment_finished
        from civicdesk.payments import hooks

        hooks.register(PAYMENT_PURPOSE, payment_finished)

"""`manage.py schedule_forecasts`: make sure the nightly workforce forecast runs."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from civicdesk.workforce.tasks import schedule_forecasts


class Command(BaseCommand):
    help = "Queue the nightly contact forecast (02:00) if it is not queued already."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--now", action="store_true", help="Run it as soon as the worker is free."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if schedule_forecasts(at_once=options["now"]):
            self.stdout.write("The contact forecast is queued.")
        else:
            self.stdout.write("The contact forecast was already queued.")

"""`manage.py make_forecasts`: forecast every channel that has a staffing standard, now."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from civicdesk.workforce.services import make_all_forecasts


class Command(BaseCommand):
    help = "Make the contact forecast now for every channel with a staffing standard."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--weeks", type=int, default=6, help="Weeks ahead (default 6).")

    def handle(self, *args: Any, **options: Any) -> None:
        runs = make_all_forecasts(weeks=options["weeks"])
        for run in runs:
            wape = "no backtest" if run.wape is None else f"WAPE {run.wape:.1%}"
            self.stdout.write(
                f"{run.organisation.name}, {run.get_channel_display()}: "
                f"{run.horizon_weeks} weeks from {run.horizon_from}, {wape}, {run.seconds:.2f}s"
            )
        if not runs:
            self.stdout.write("No channel has a staffing standard: nothing to forecast.")

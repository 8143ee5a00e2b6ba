"""`manage.py rebuild_rollups`: make the management information rollups again from the raw
contacts and cases, e.g. after a bulk load or a change to how a figure is counted."""

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from civicdesk.insight.services import rebuild
from civicdesk.organisations.models import Organisation


class Command(BaseCommand):
    help = "Rebuild the rollups of every council (or of one, by --organisation slug)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--organisation", help="The slug of one council.")

    def handle(self, *args: Any, **options: Any) -> None:
        organisations = Organisation.objects.all()
        if options["organisation"]:
            organisations = organisations.filter(slug=options["organisation"])
        for organisation in organisations:
            self.stdout.write(f"Rebuilding the rollups of {organisation}...")

            def progress(day: datetime.date) -> None:
                if day.month == 12 and day.day == 31:
                    self.stdout.write(f"  ... up to {day:%Y}")

            result = rebuild(organisation=organisation, progress=progress)
            self.stdout.write(
                f"  {result.days:,} days and {result.backlog_rows:,} backlog rows "
                f"in {result.seconds:.1f} s"
            )

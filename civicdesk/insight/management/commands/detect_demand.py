"""`manage.py detect_demand --days N`: detect unusual demand again for the last N days, e.g. for
the demo after seeding, or after a rollup rebuild. Unacknowledged alerts are replaced."""

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from civicdesk.insight import alerts, rollups
from civicdesk.organisations.models import Organisation


class Command(BaseCommand):
    help = "Detect unusual demand by service and ward for the last N days (up to yesterday)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=1, help="How many days back (default 1).")
        parser.add_argument("--organisation", help="A council's slug (default: every council).")

    def handle(self, *args: Any, **options: Any) -> None:
        days = options["days"]
        if days < 1:
            raise CommandError("--days must be 1 or more.")
        councils = Organisation.objects.filter(kind=Organisation.Kind.COUNCIL)
        if options["organisation"]:
            councils = councils.filter(slug=options["organisation"])
            if not councils.exists():
                raise CommandError(f"No council {options['organisation']!r}.")
        end = rollups.now_local_day() - datetime.timedelta(days=1)
        start = end - datetime.timedelta(days=days - 1)
        for organisation in councils:
            found = alerts.detect_demand_range(organisation=organisation, start=start, end=end)
            total = sum(len(day_alerts) for day_alerts in found.values())
            self.stdout.write(f"{organisation.name}: {total} demand alerts from {start} to {end}.")

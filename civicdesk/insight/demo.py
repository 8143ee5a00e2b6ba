"""The demo council's management information: rollups made from the seeded history, so a manager
opening the demo sees figures that agree with the records; indicators, the last weeks' demand
alerts (one of them a spike put there to be found) and a staffing forecast made from them."""

import datetime

from django.utils import timezone

from civicdesk.catalogue.models import Service
from civicdesk.contacts.models import Outcome
from civicdesk.contacts.services import log_contact, record_home_wards
from civicdesk.insight import services
from civicdesk.insight.alerts import detect_demand_range
from civicdesk.insight.kpis import install_demo_indicators
from civicdesk.insight.models import RollupState
from civicdesk.organisations.models import Organisation
from civicdesk.people.models import Customer
from civicdesk.workforce.demo import install_demo_workforce
from civicdesk.workforce.services import make_all_forecasts

ALERT_DAYS = 28
# A burst of fly-tipping reports from Riverside nine days ago (a van load dumped by the river):
# something real for the demand alerts to find, in a demo whose wards are otherwise quiet.
SPIKE = {"service": "flytipping", "ward": "Riverside", "days_ago": 9, "reports": 14}


def _inject_spike(organisation: Organisation, today: datetime.date) -> None:
    service = Service.objects.filter(organisation=organisation, slug=SPIKE["service"]).first()
    residents = list(
        Customer.objects.filter(
            organisation=organisation, address__ward__name=SPIKE["ward"], merged_into=None
        ).order_by("pk")[: SPIKE["reports"]]
    )
    if service is None or not residents:
        return
    day = today - datetime.timedelta(days=SPIKE["days_ago"])
    for number in range(SPIKE["reports"]):
        started = timezone.make_aware(
            datetime.datetime.combine(day, datetime.time(9 + number % 8, 7 * number % 60))
        )
        log_contact(
            actor=None, organisation=organisation, channel="phone", outcome=Outcome.RESOLVED,
            customer=residents[number % len(residents)], service=service, started_at=started,
            ended_at=started + datetime.timedelta(minutes=4),
            notes="Rubbish dumped on the river path; the crew has been told.",
        )  # fmt: skip


def install_demo_figures(*, organisation: Organisation) -> None:
    """Idempotent: an older demo database gets its contacts' wards, rollups, alerts and forecast
    once."""
    install_demo_workforce(organisation=organisation)
    install_demo_indicators(organisation=organisation)
    if RollupState.objects.filter(organisation=organisation).exists():
        return
    record_home_wards(organisation=organisation)
    _inject_spike(organisation, timezone.localdate())
    services.rebuild(organisation=organisation)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    detect_demand_range(
        organisation=organisation,
        start=yesterday - datetime.timedelta(days=ALERT_DAYS - 1),
        end=yesterday,
    )
    make_all_forecasts()

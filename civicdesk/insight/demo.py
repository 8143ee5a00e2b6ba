"""The demo council's management information: rollups made from the seeded history, so a manager
opening the demo sees figures that agree with the records; indicators, the last weeks' demand
alerts and a staffing forecast made from them."""

import datetime

from django.utils import timezone

from civicdesk.contacts.services import record_home_wards
from civicdesk.insight import services
from civicdesk.insight.alerts import detect_demand_range
from civicdesk.insight.kpis import install_demo_indicators
from civicdesk.insight.models import RollupState
from civicdesk.organisations.models import Organisation
from civicdesk.workforce.demo import install_demo_workforce
from civicdesk.workforce.services import make_all_forecasts

ALERT_DAYS = 28


def install_demo_figures(*, organisation: Organisation) -> None:
    """Idempotent: an older demo database gets its contacts' wards, rollups, alerts and forecast
    once."""
    install_demo_workforce(organisation=organisation)
    install_demo_indicators(organisation=organisation)
    if RollupState.objects.filter(organisation=organisation).exists():
        return
    record_home_wards(organisation=organisation)
    services.rebuild(organisation=organisation)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    detect_demand_range(
        organisation=organisation,
        start=yesterday - datetime.timedelta(days=ALERT_DAYS - 1),
        end=yesterday,
    )
    make_all_forecasts()

"""Demo workforce planning: the contact centre's phone standard and a realistic weekly rota."""

from datetime import time
from typing import Any

from django.db import transaction

from civicdesk.organisations.models import Organisation
from civicdesk.workforce.models import LiveChannel, RotaShift, StaffingStandard
from civicdesk.workforce.services import add_shift, set_staffing_standard

# (name, starts, ends, agents): overlapping shifts that cover 08:00 to 18:00 with the most
# people over the late-morning and early-afternoon peak.
WEEKDAY_SHIFTS = [
    ("Early", time(8, 0), time(16, 0), 5),
    ("Core", time(9, 0), time(17, 0), 8),
    ("Late", time(10, 0), time(18, 0), 5),
    ("Peak part-time", time(11, 0), time(15, 0), 3),
]
SATURDAY_SHIFTS = [("Saturday morning", time(9, 0), time(13, 0), 4)]


@transaction.atomic
def install_demo_workforce(*, organisation: Organisation, actor: Any = None) -> None:
    """The phone standard (80% in 20 seconds, 30% shrinkage, 85% occupancy, measured AHT) and
    the phone rota: weekdays 08:00 to 18:00 and Saturday mornings. Safe to run again: a
    standard already set is left alone, and the rota is only added when there is none."""
    if not StaffingStandard.objects.filter(
        organisation=organisation, channel=LiveChannel.PHONE
    ).exists():
        set_staffing_standard(
            actor=actor,
            organisation=organisation,
            channel=LiveChannel.PHONE,
            target_share=0.80,
            target_seconds=20,
            shrinkage=0.30,
            max_occupancy=0.85,
        )
    if RotaShift.objects.filter(organisation=organisation, channel=LiveChannel.PHONE).exists():
        return
    days = [(weekday, WEEKDAY_SHIFTS) for weekday in range(5)] + [(5, SATURDAY_SHIFTS)]
    for weekday, shifts in days:
        for name, starts, ends, agents in shifts:
            add_shift(
                actor=actor,
                organisation=organisation,
                channel=LiveChannel.PHONE,
                weekday=weekday,
                starts=starts,
                ends=ends,
                agents=agents,
                name=name,
            )

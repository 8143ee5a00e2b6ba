"""Helpers the cases tests share: London wall-clock times, frozen time, re-reading rows."""

import datetime
from typing import Any
from zoneinfo import ZoneInfo

from civicdesk.cases.models import Case

LONDON = ZoneInfo("Europe/London")


def london(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=LONDON)


class Clock:
    """Frozen time that a test moves by hand."""

    def __init__(self, machine: Any) -> None:
        self.machine = machine

    def at(self, moment: datetime.datetime) -> datetime.datetime:
        self.machine.move_to(moment, tick=False)
        return moment

    def __call__(self, *args: int) -> datetime.datetime:
        return self.at(london(*args))


def reload(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)

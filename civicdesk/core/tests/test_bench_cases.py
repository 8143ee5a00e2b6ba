"""The benchmark's case measures leave the data as they found it, so runs can be repeated."""

import datetime
import random
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from civicdesk.cases import services
from civicdesk.cases.models import Case, CaseEvent
from civicdesk.core.demo import loader
from civicdesk.core.management.commands.bench import Command
from civicdesk.notify.models import Message

pytestmark = pytest.mark.django_db(transaction=False)


def test_the_timed_sweep_finds_work_and_is_rolled_back():
    call_command("seed", "--customers", "50", "--contacts", "800", stdout=StringIO())
    council = loader.load_council(loader.find_council())
    services.raise_case(
        actor=None, organisation=council.organisation, service=council.services["missed-bin"],
        description="Bin missed.", channel="web",
    )  # fmt: skip
    command = Command(stdout=StringIO())
    now = timezone.now()
    later = command._later(now, 1) or now
    month_later = later + datetime.timedelta(days=30)

    def state() -> tuple:
        return (
            CaseEvent.objects.count(),
            Message.objects.count(),
            Case.objects.filter(warned_at__isnull=False).count(),
            Case.objects.filter(resolution_breached_at__isnull=False).count(),
        )

    before = state()
    _elapsed, result = command._sweep(month_later)

    assert result.warned + result.resolution_breached + result.first_response_breached > 0
    assert state() == before
    assert command._sweep(now)[1].warned == 0


def test_case_pages_are_sampled_from_open_and_closed_cases():
    call_command("seed", "--customers", "50", "--contacts", "800", stdout=StringIO())
    council = loader.load_council(loader.find_council())
    team = council.teams["waste"]

    references = Command(stdout=StringIO())._sample_references(random.Random(1), team, 20)

    cases = Case.objects.filter(reference__in=references)
    assert len(references) == len(set(references)) == cases.count() > 5
    assert cases.filter(is_open=True, team=team).exists()
    assert not cases.exclude(service__sensitivity="standard").exclude(team=team).exists()


def test_the_open311_measures_poll_and_post_without_errors():
    call_command("seed", "--customers", "50", "--contacts", "800", stdout=StringIO())
    council = loader.load_council(loader.find_council())
    before = Case.objects.count()

    figures = Command(stdout=StringIO())._open311_measures(council, random.Random(1), 12, 10)

    for label, times, note, _key in figures["results"]:
        assert len(times) == 12 and "answered" not in note, (label, note)
    assert figures["trivial"] > 0 and figures["polled"] > 0
    assert figures["posted"]["statuses"] == {200: 10}
    assert Case.objects.count() == before + 10


def test_the_figures_measures_read_every_page_without_errors():
    call_command("seed", "--customers", "50", "--contacts", "800", stdout=StringIO())
    council = loader.load_council(loader.find_council())
    command = Command(stdout=StringIO())
    assert command._seed_rollups(council, rebuild_now=False) is None  # the seed made them

    results = command._figure_measures(council, random.Random(1), 8)

    assert len(results) == 16
    for label, times, note, _key in results:
        assert times and "answered" not in note, (label, note)

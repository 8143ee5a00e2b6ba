"""Erlang C against published worked examples, and the properties planning relies on."""

import itertools
import math

import pytest

from civicdesk.insight.erlang import (
    Staffing,
    agents_required,
    average_speed_of_answer,
    erlang_b,
    erlang_c,
    occupancy,
    rostered_agents,
    service_level,
)


def test_call_centre_helper_worked_example() -> None:
    """Call Centre Helper, "Erlang C Formula - Made Simple With an Easy Worked Example".

    Inputs: 100 calls in 30 minutes, AHT 180 s, 80% answered in 20 s, maximum occupancy 85%,
    shrinkage 30%: traffic 10 erlangs, the search starting from 11 agents. The article gives a
    probability of waiting of 68.21% with 11 agents, service level 39% at 11, and 14 agents
    (88.8%) as the answer, 20 once shrinkage of 30% is added.
    """
    assert erlang_c(10, 11) == pytest.approx(0.6821, abs=5e-5)
    assert service_level(100, 180, 1800, 11, 20) == pytest.approx(0.3896, abs=5e-4)
    staffing = agents_required(100, 180, 1800, 0.8, 20, shrinkage=0.3, max_occupancy=0.85)
    assert staffing.traffic_erlangs == pytest.approx(10)
    assert staffing.agents == 14
    assert staffing.rostered == 20
    assert staffing.service_level == pytest.approx(0.888, abs=1e-3)
    assert staffing.occupancy == pytest.approx(0.714, abs=1e-3)
    assert staffing.average_speed_of_answer == pytest.approx(7.8, abs=0.05)


def test_mitan_erlang_c_worked_example() -> None:
    """Mitan Ltd, "The Erlang-C Formula" (the step-by-step Erlang-C calculation page).

    Inputs: 360 calls per half hour, average call duration 4 minutes, 55 agents, target answer
    time 15 s: traffic 48 erlangs, occupancy 0.873; its worked answers are a probability of
    waiting of about 0.24, ASA about 8.2 s and service level about 85% in 15 s.
    """
    assert erlang_c(48, 55) == pytest.approx(0.2387, abs=5e-4)
    assert occupancy(360, 240, 1800, 55) == pytest.approx(0.873, abs=5e-4)
    assert average_speed_of_answer(360, 240, 1800, 55) == pytest.approx(8.18, abs=0.01)
    assert service_level(360, 240, 1800, 55, 15) == pytest.approx(0.846, abs=1e-3)


def test_jones_the_net_average_hour() -> None:
    """Jones the Net, "Erlang uplift" (jonesthenet.com/budgeting/service-levels-erlang/).

    250 calls in the average hour, AHT 330 s, 80% of calls in 30 s: 22.9 erlangs, and Erlang
    needs 28 advisors.
    """
    staffing = agents_required(250, 330, 3600, 0.8, 30)
    assert staffing.traffic_erlangs == pytest.approx(22.9, abs=0.05)
    assert staffing.agents == 28


def test_classic_360_calls_an_hour() -> None:
    """360 calls an hour with AHT 240 s is 24 erlangs; 80% in 20 s needs 29 agents (84.0%).

    The same inputs over a half-hour (720 calls) give the same traffic and answer.
    """
    staffing = agents_required(360, 240, 3600, 0.8, 20)
    assert staffing.agents == 29
    assert staffing.service_level == pytest.approx(0.840, abs=1e-3)
    assert service_level(360, 240, 3600, 28, 20) < 0.8
    assert agents_required(180, 240, 1800, 0.8, 20).agents == 29


def test_erlang_b_known_value() -> None:
    """Erlang B with 1 erlang on 1 server is 1/2, and on 2 servers 1/5 (A^N/N! over the sum)."""
    assert erlang_b(1, 1) == pytest.approx(0.5)
    assert erlang_b(1, 2) == pytest.approx(0.2)


def test_matches_textbook_formula_for_small_numbers() -> None:
    for traffic, agents in [(2.5, 3), (10, 12), (30.7, 35), (60, 70)]:
        top = traffic**agents / math.factorial(agents) * agents / (agents - traffic)
        bottom = sum(traffic**k / math.factorial(k) for k in range(agents)) + top
        assert erlang_c(traffic, agents) == pytest.approx(top / bottom, rel=1e-9)


def test_overloaded_and_empty_queues() -> None:
    assert erlang_c(10, 10) == 1.0
    assert erlang_c(10, 3) == 1.0
    assert erlang_c(0, 5) == 0.0
    assert service_level(100, 180, 1800, 10, 20) == 0.0
    assert average_speed_of_answer(100, 180, 1800, 10) == math.inf
    assert occupancy(100, 180, 1800, 9) == 1.0


def test_service_level_rises_with_agents() -> None:
    levels = [service_level(720, 300, 1800, n, 20) for n in range(121, 160)]
    assert all(a < b for a, b in itertools.pairwise(levels))
    waits = [average_speed_of_answer(720, 300, 1800, n) for n in range(121, 160)]
    assert all(a > b for a, b in itertools.pairwise(waits))


@pytest.mark.parametrize(
    ("calls", "aht", "share", "seconds"),
    [(1, 300, 0.8, 20), (37, 410, 0.9, 60), (450, 270, 0.8, 20), (2000, 600, 0.95, 10)],
)
def test_agents_required_is_the_smallest_that_meets_the_target(
    calls: float, aht: float, share: float, seconds: float
) -> None:
    staffing = agents_required(calls, aht, 1800, share, seconds)
    assert staffing.service_level >= share
    assert service_level(calls, aht, 1800, staffing.agents - 1, seconds) < share


def test_max_occupancy_adds_agents() -> None:
    capped = agents_required(2000, 300, 1800, 0.8, 20, max_occupancy=0.85)
    assert capped.occupancy <= 0.85
    assert occupancy(2000, 300, 1800, capped.agents - 1) > 0.85
    assert capped.agents > agents_required(2000, 300, 1800, 0.8, 20).agents


def test_large_traffic_does_not_overflow() -> None:
    """Hundreds and thousands of erlangs: the factorial formula would overflow a float."""
    staffing = agents_required(20_000, 300, 1800, 0.8, 20)
    assert staffing.traffic_erlangs == pytest.approx(3333.33, abs=0.01)
    assert 3334 <= staffing.agents < 3400
    assert 0.8 <= staffing.service_level < 1
    assert 0 < erlang_c(900, 950) < 1
    assert math.isfinite(average_speed_of_answer(20_000, 300, 1800, staffing.agents))


def test_no_calls_needs_no_agents() -> None:
    assert agents_required(0, 300, 1800, 0.8, 20, shrinkage=0.3) == Staffing(
        agents=0,
        rostered=0,
        traffic_erlangs=0.0,
        service_level=1.0,
        average_speed_of_answer=0.0,
        occupancy=0.0,
    )


def test_shrinkage_rounds_up_without_float_noise() -> None:
    assert rostered_agents(14, 0.3) == 20
    assert rostered_agents(13, 0.3) == 19
    assert rostered_agents(10, 0.0) == 10
    assert rostered_agents(0, 0.5) == 0


@pytest.mark.parametrize(
    "kwargs",
    [
        {"calls": -1},
        {"aht_seconds": -5},
        {"interval_seconds": 0},
        {"target_share": 1.0},
        {"target_share": -0.1},
        {"target_seconds": -1},
        {"shrinkage": 1.0},
        {"shrinkage": -0.1},
        {"max_occupancy": 0},
        {"max_occupancy": 1.2},
        {"calls": math.nan},
    ],
)
def test_refuses_nonsense(kwargs: dict[str, float]) -> None:
    arguments = {
        "calls": 100,
        "aht_seconds": 180,
        "interval_seconds": 1800,
        "target_share": 0.8,
        "target_seconds": 20,
        **kwargs,
    }
    with pytest.raises(ValueError):
        agents_required(**arguments)

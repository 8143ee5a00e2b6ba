"""Erlang C: how many agents a queue of contacts needs to meet a service level target.

Erlang C models a single queue (M/M/N): contacts arrive at random (Poisson), handling times are
exponential and nobody hangs up, so it is slightly pessimistic for real phone lines, which is the
safe side for planning. Everything is computed from the traffic intensity A in erlangs (the
number of agents that would be busy all the time: calls x handling time / interval length).

The textbook formula divides powers by factorials, which overflows a float beyond about 170
agents. Instead we use the Erlang B recurrence B(k) = A·B(k-1) / (k + A·B(k-1)), whose values stay
in [0, 1], and convert B to C with C = N·B / (N - A·(1 - B)). That is exact, needs N steps and
works for thousands of erlangs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


def _check_non_negative(**values: float) -> None:
    for name, value in values.items():
        if not math.isfinite(value) or value < 0:
            raise ValueError(f"{name} must be a finite number of zero or more, not {value!r}.")


def traffic_intensity(calls: float, aht_seconds: float, interval_seconds: int) -> float:
    """The workload in erlangs: how many agents would be busy the whole interval."""
    _check_non_negative(calls=calls, aht_seconds=aht_seconds)
    if interval_seconds <= 0:
        raise ValueError("interval_seconds must be more than zero.")
    return calls * aht_seconds / interval_seconds


def erlang_b(traffic_erlangs: float, agents: int) -> float:
    """The probability that all `agents` are busy when there is no queue (blocking).

    Computed by the recurrence from zero agents, so no power or factorial is ever formed.
    """
    _check_non_negative(traffic_erlangs=traffic_erlangs, agents=agents)
    blocking = 1.0
    for k in range(1, int(agents) + 1):
        carried = traffic_erlangs * blocking
        blocking = carried / (k + carried)
    return blocking


def erlang_c(traffic_erlangs: float, agents: int) -> float:
    """The probability that a contact has to wait for an agent.

    1.0 when there are no more agents than erlangs: the queue then grows without end, so every
    contact waits. No traffic means nobody waits.
    """
    _check_non_negative(traffic_erlangs=traffic_erlangs, agents=agents)
    if traffic_erlangs == 0:
        return 0.0
    if agents <= traffic_erlangs:
        return 1.0
    blocking = erlang_b(traffic_erlangs, agents)
    return agents * blocking / (agents - traffic_erlangs * (1.0 - blocking))


def service_level(
    calls: float, aht_seconds: float, interval_seconds: int, agents: int, target_seconds: float
) -> float:
    """The share of contacts answered within `target_seconds` (e.g. 0.8 for 80% in 20 s).

    A waiting contact's wait is exponential with rate (N - A) / AHT, hence
    SL = 1 - C · exp(-(N - A) · t / AHT).
    """
    _check_non_negative(target_seconds=target_seconds, agents=agents)
    traffic = traffic_intensity(calls, aht_seconds, interval_seconds)
    if traffic == 0:
        return 1.0
    if agents <= traffic:
        return 0.0
    waits = erlang_c(traffic, agents)
    return 1.0 - waits * math.exp(-(agents - traffic) * target_seconds / aht_seconds)


def average_speed_of_answer(
    calls: float, aht_seconds: float, interval_seconds: int, agents: int
) -> float:
    """The mean wait in seconds over all contacts (ASA): C · AHT / (N - A).

    Infinite when the agents cannot keep up with the traffic.
    """
    _check_non_negative(agents=agents)
    traffic = traffic_intensity(calls, aht_seconds, interval_seconds)
    if traffic == 0:
        return 0.0
    if agents <= traffic:
        return math.inf
    return erlang_c(traffic, agents) * aht_seconds / (agents - traffic)


def occupancy(calls: float, aht_seconds: float, interval_seconds: int, agents: int) -> float:
    """The share of the agents' time spent handling contacts: A / N, at most 1."""
    _check_non_negative(agents=agents)
    traffic = traffic_intensity(calls, aht_seconds, interval_seconds)
    if traffic == 0:
        return 0.0
    if agents <= traffic:
        return 1.0
    return traffic / agents


@dataclass(frozen=True)
class Staffing:
    """The agents one interval needs, and how the queue would perform with them."""

    agents: int
    """Agents taking contacts (on the phones) for the whole interval."""
    rostered: int
    """Agents to roster so that `agents` remain after shrinkage (leave, training, breaks)."""
    traffic_erlangs: float
    service_level: float
    average_speed_of_answer: float
    """Seconds."""
    occupancy: float


def rostered_agents(agents: int, shrinkage: float) -> int:
    """Agents to roster so that `agents` are left after `shrinkage`: ceil(n / (1 - shrinkage)).

    Rounded first to 9 places so float error (e.g. 14 / 0.7 = 20.000000000000004) does not add
    a whole person.
    """
    if agents < 0:
        raise ValueError("agents must be zero or more.")
    if not 0 <= shrinkage < 1:
        raise ValueError("shrinkage must be at least 0 and less than 1.")
    return math.ceil(round(agents / (1.0 - shrinkage), 9))


def agents_required(
    calls: float,
    aht_seconds: float,
    interval_seconds: int,
    target_share: float,
    target_seconds: float,
    shrinkage: float = 0.0,
    max_occupancy: float = 1.0,
) -> Staffing:
    """The fewest agents that answer `target_share` of contacts within `target_seconds`.

    With `max_occupancy` below 1, more agents may be added so that nobody is planned to be busier
    than that (a common cap is 85%, because people cannot sustain back-to-back contacts). The
    search starts at the fewest agents that keep the queue stable (more than A) and the occupancy
    cap, and counts up: service level rises with every agent, so the first that meets the target
    is the smallest.
    """
    _check_non_negative(target_seconds=target_seconds)
    traffic = traffic_intensity(calls, aht_seconds, interval_seconds)
    if not 0 <= target_share < 1:
        # A share of 1 is never met exactly: some contact always has some chance to wait.
        raise ValueError("target_share must be at least 0 and less than 1.")
    if not 0 < max_occupancy <= 1:
        raise ValueError("max_occupancy must be more than 0 and at most 1.")
    if not 0 <= shrinkage < 1:
        raise ValueError("shrinkage must be at least 0 and less than 1.")
    if traffic == 0:
        return Staffing(
            agents=0,
            rostered=0,
            traffic_erlangs=0.0,
            service_level=1.0,
            average_speed_of_answer=0.0,
            occupancy=0.0,
        )
    agents = max(math.floor(traffic) + 1, math.ceil(round(traffic / max_occupancy, 9)))
    while (
        service_level(calls, aht_seconds, interval_seconds, agents, target_seconds) < target_share
    ):
        agents += 1
    return Staffing(
        agents=agents,
        rostered=rostered_agents(agents, shrinkage),
        traffic_erlangs=traffic,
        service_level=service_level(calls, aht_seconds, interval_seconds, agents, target_seconds),
        average_speed_of_answer=average_speed_of_answer(
            calls, aht_seconds, interval_seconds, agents
        ),
        occupancy=occupancy(calls, aht_seconds, interval_seconds, agents),
    )

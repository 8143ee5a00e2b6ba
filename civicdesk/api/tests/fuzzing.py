"""How hard the fuzz tests search: a few fixed examples in the suite, so that CI is quick and
always tries the same inputs; `CIVICDESK_FUZZ_EXAMPLES=N` for a long, freshly random search of
N examples per test (for a nightly run, or after changing how bad input is handled)."""

import os
from typing import Any

from hypothesis import HealthCheck, settings

LONG_RUN = int(os.environ.get("CIVICDESK_FUZZ_EXAMPLES") or 0)


def fuzz_settings(examples: int, **overrides: Any) -> settings:
    """`examples` in the suite, derandomised; the long run's number, random, when asked for.

    The fixtures (a council, keys, a form) are made once per test, not per example: examples
    only read them or add rows of their own, so sharing them is safe."""
    return settings(
        max_examples=LONG_RUN or examples,
        derandomize=not LONG_RUN,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        **overrides,
    )
